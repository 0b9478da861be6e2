"""`flask qbo poll`: one check in the foreground, a summary, exit 1 when it could not check."""
from __future__ import annotations

import json

from tests.fixtures.sandbox import knobs
from tests.payments.conftest import act, qbo_id_of


def test_flask_qbo_poll_checks_once_and_says_what_came_back(exported):
    act(exported, "receive_payment", qbo_id_of(exported, exported.invoice_ids[0]), "12.00")
    runner = exported.app.test_cli_runner()
    result = runner.invoke(args=["qbo", "poll"])
    assert result.exit_code == 0, result.output
    assert "in 1 read(s)" in result.output and "1 payment(s)" in result.output
    as_json = json.loads(runner.invoke(args=["qbo", "poll", "--json"]).output)
    assert as_json["ok"] and as_json["reads"] == 1


def test_flask_qbo_poll_exits_1_with_the_reason_when_quickbooks_fails(exported):
    knobs(exported.sandbox).add_fault("error", status=503, times=3, operation="cdc")
    result = exported.app.test_cli_runner().invoke(args=["qbo", "poll"])
    assert result.exit_code == 1 and "try again" in result.output
