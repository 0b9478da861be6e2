"""Batch requests are capped at 120 a minute per realm, whichever apps send them (Intuit, 2025),
besides 40 a minute per realm and app."""
from __future__ import annotations

from qbo_sandbox import oauth
from tests.fixtures.sandbox import REALM, build_app, make_api

BATCH = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Term"}]}


def test_the_121st_batch_of_a_minute_in_a_realm_is_429_for_every_app(tmp_path):
    app = build_app(tmp_path, THROTTLE_ENABLED=True)
    app.extensions["qbo_sandbox.knobs"].update({"throttle_limits": {"per_realm_app_per_second": 10_000}})
    apps = []
    for n in range(4):
        oauth.register_client(app, f"app-{n}", f"secret-for-app-{n}", ["http://127.0.0.1/cb"])
        token = oauth.issue_tokens_for_tests(app, f"app-{n}", REALM)["access_token"]
        apps.append(make_api(app, token=token))
    statuses = [api.post("batch", BATCH).status_code for api in apps for _ in range(30)]
    assert statuses == [200] * 120
    oauth.register_client(app, "app-5", "secret-for-app-5", ["http://127.0.0.1/cb"])
    fresh = make_api(app, token=oauth.issue_tokens_for_tests(app, "app-5", REALM)["access_token"])
    assert fresh.post("batch", BATCH).status_code == 429     # the realm's 120 are used up
    assert fresh.query("SELECT * FROM Term").status_code == 200  # other requests are not batches


def test_one_app_gets_40_batches_a_minute(tmp_path):
    app = build_app(tmp_path, THROTTLE_ENABLED=True)
    app.extensions["qbo_sandbox.knobs"].update({"throttle_limits": {"per_realm_app_per_second": 10_000}})
    api = make_api(app)
    statuses = [api.post("batch", BATCH).status_code for _ in range(41)]
    assert statuses == [200] * 40 + [429]
