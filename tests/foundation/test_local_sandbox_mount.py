"""The embedded QuickBooks sandbox: mounted under /qbo-sandbox, its fault knobs not exposed."""
from app import create_app


def _app(tmp_path, **extra):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                       "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
                       "QBO_SANDBOX_ENABLED": True, "BASE_URL": "http://127.0.0.1:5999", **extra})


def test_mounted_sandbox_serves_discovery_under_the_prefix(tmp_path):
    app = _app(tmp_path)
    response = app.test_client().get("/qbo-sandbox/.well-known/openid_configuration")
    assert response.status_code == 200
    assert response.json["token_endpoint"].endswith("/qbo-sandbox/oauth2/v1/tokens/bearer")
    assert app.config["QBO_DISCOVERY_URL"] == "http://127.0.0.1:5999/qbo-sandbox/.well-known/openid_configuration"


def test_fault_knobs_are_not_reachable_through_the_app_by_default(tmp_path):
    client = _app(tmp_path).test_client()
    assert client.get("/qbo-sandbox/_sandbox/knobs").status_code in (400, 404)
    assert client.post("/qbo-sandbox/_sandbox/faults", json={"kind": "error"}).status_code in (400, 404)


def test_fault_knobs_can_be_turned_on_for_local_experiments(tmp_path):
    client = _app(tmp_path, QBO_SANDBOX_KNOBS_HTTP=True).test_client()
    assert client.get("/qbo-sandbox/_sandbox/knobs").status_code == 200


def _authorize_page(app, redirect_uri: str):
    return app.test_client().get("/qbo-sandbox/connect/oauth2", query_string={
        "client_id": app.config["QBO_CLIENT_ID"], "redirect_uri": redirect_uri, "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting", "state": "s" * 20})


def test_another_process_with_another_base_url_keeps_the_servers_redirect_uri(tmp_path):
    server = _app(tmp_path)  # the running server, registered with its callback
    callback = server.config["QBO_REDIRECT_URI"]
    assert _authorize_page(server, callback).status_code == 200
    # A CLI command on the same instance, configured with another base URL.
    cli = _app(tmp_path, BASE_URL="http://localhost:8000")
    assert cli.config["QBO_REDIRECT_URI"] != callback
    assert _authorize_page(server, callback).status_code == 200  # the server's Connect still works
    assert _authorize_page(cli, cli.config["QBO_REDIRECT_URI"]).status_code == 200
    assert _authorize_page(server, "http://127.0.0.1:5999/elsewhere").status_code == 400
