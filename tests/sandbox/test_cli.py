"""`python -m qbo_sandbox` options, exercised through `build` (no server loop)."""
from __future__ import annotations

import json

from qbo_sandbox.__main__ import build, parse_args


def test_cli_builds_an_empty_company_with_clients_users_load_and_knobs(tmp_path):
    data = {"QueryResponse": {
        "Customer": [{"Id": "7", "DisplayName": "Freeman Sporting Goods"},
                     {"Id": "8", "DisplayName": "0969 Ocean View Road", "Job": True,
                      "ParentRef": {"value": "7"}, "Level": 1}],
        "Item": [{"Id": "4", "Name": "Design", "Type": "Service", "UnitPrice": 75,
                  "IncomeAccountRef": {"value": "82", "name": "Design income"}}]}}
    path = tmp_path / "load.json"
    path.write_text(json.dumps(data))
    args = parse_args(["--db", str(tmp_path / "s.sqlite"), "--empty", "--realm-id", "555",
                       "--client", "cid:secret=http://127.0.0.1:5000/cb", "--user", "bk@example.com:pw",
                       "--load", str(path), "--fault", "error:status=503,times=1", "--no-throttle",
                       "--latency-ms", "5", "--access-token-lifetime", "60", "--custom-txn-numbers"])
    app, realm = build(args)
    assert realm == "555" and app.config["ACCESS_TOKEN_LIFETIME"] == 60
    knobs = app.extensions["qbo_sandbox.knobs"]
    assert knobs.throttle_enabled is False and knobs.latency_ms == 5 and knobs.faults[0].status == 503
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        customers = {c["DisplayName"]: c for c in tx.all_docs("555", "Customer")}
        company = tx.company("555")
        design = [i for i in tx.all_docs("555", "Item") if i["Name"] == "Design"][0]
        accounts = {a["Id"]: a["Name"] for a in tx.all_docs("555", "Account")}
    child = customers["0969 Ocean View Road"]
    assert child["ParentRef"]["value"] == customers["Freeman Sporting Goods"]["Id"]
    assert child["FullyQualifiedName"] == "Freeman Sporting Goods:0969 Ocean View Road"
    assert accounts[design["IncomeAccountRef"]["value"]] == "Design income"
    assert company["preferences"]["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    from qbo_sandbox.oauth import store as oauth_store
    assert oauth_store.get_client(app, "cid") is not None


def test_cli_defaults_to_the_demo_company(tmp_path):
    app, realm = build(parse_args(["--db", str(tmp_path / "d.sqlite")]))
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        assert tx.company(realm)["name"] == "Sunrise Home Care LLC"
        assert len(tx.all_docs(realm, "Customer")) > 60  # its own 60 clients, payers, non-clients
