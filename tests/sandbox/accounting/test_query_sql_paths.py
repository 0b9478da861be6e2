"""Property paths are the one part of a QBO query that is written into SQL text (as a
json_extract path); values are bound. The compiler itself must refuse a path that is not plain
dotted identifiers, whatever the tokenizer in front of it allows."""
from __future__ import annotations

import pytest

from qbo_sandbox.accounting import querysql
from qbo_sandbox.accounting.faults import QboFault
from qbo_sandbox.accounting.query import Condition, Query
from tests.fixtures.sandbox import REALM, build_app, make_api

CRAFTED = ["BillAddr.City') IS NOT NULL OR 1=1 OR json('x",
           "BillAddr.City' ) --",
           "BillAddr.",
           "BillAddr..City",
           "BillAddr.City[0]"]


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    api = make_api(app)
    for name in ("Alpha Care", "Beta Care"):
        assert api.post("customer", {"DisplayName": name}).status_code == 200
    return app


def _run(app, query):
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        return querysql.run(tx, REALM, query, None)


@pytest.mark.parametrize("path", CRAFTED)
def test_crafted_paths_are_refused_in_where_order_and_fields(app, path):
    queries = [Query("Customer", conditions=[Condition(path, "=", "nobody")]),
               Query("Customer", order=[(path, False)]),
               Query("Customer", fields=[path])]
    for query in queries:
        with pytest.raises(QboFault) as refused:
            _run(app, query)
        assert "not queryable" in refused.value.errors[0].detail


def test_plain_nested_paths_still_work(app):
    found = _run(app, Query("Customer", conditions=[Condition("DisplayName", "=", "beta care")],
                            order=[("BillAddr.City", False)], fields=["DisplayName"]))
    assert [c["DisplayName"] for c in found["Customer"]] == ["Beta Care"]
