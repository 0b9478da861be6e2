"""`--environment production`: Intuit's redirect URI policy (https, a host name, no localhost);
`--refresh-grace`: how long a rotated-out refresh token lives."""
from __future__ import annotations

import pytest

from qbo_sandbox import oauth
from qbo_sandbox.__main__ import build, parse_args
from tests.fixtures.sandbox import build_app

AUTHORIZE = "/connect/oauth2?client_id=prod-app&response_type=code&scope=com.intuit.quickbooks.accounting&state=s&redirect_uri="


@pytest.mark.parametrize("uri", ["http://books.example/callback", "https://localhost/callback",
                                 "https://127.0.0.1/callback", "https://[::1]/cb", "https://app.localhost/cb"])
def test_production_refuses_to_register_such_redirect_uris(tmp_path, uri):
    app = build_app(tmp_path, ENVIRONMENT="production", register_test_client=False)
    with pytest.raises(ValueError):
        oauth.register_client(app, "prod-app", "prod-secret-123", [uri])
    with pytest.raises(ValueError):
        oauth.register_client(app, "prod-app", "prod-secret-123", None)  # "any loopback URI"


def test_production_accepts_https_on_a_host_name_and_refuses_the_rest_at_authorize(tmp_path):
    app = build_app(tmp_path, register_test_client=False)  # registered before the switch
    oauth.register_client(app, "prod-app", "prod-secret-123",
                          ["https://books.example/callback", "http://127.0.0.1:5000/callback"])
    app.config["ENVIRONMENT"] = "production"
    client = app.test_client()
    assert client.get(AUTHORIZE + "https://books.example/callback").status_code == 200
    refused = client.get(AUTHORIZE + "http://127.0.0.1:5000/callback")
    assert refused.status_code == 400 and "Location" not in refused.headers
    app.config["ENVIRONMENT"] = "sandbox"
    assert client.get(AUTHORIZE + "http://127.0.0.1:5000/callback").status_code == 200


def test_cli_flags_of_the_2026_platform(tmp_path):
    app, _realm = build(parse_args(["--db", str(tmp_path / "p.sqlite"), "--empty", "--environment",
                                    "production", "--coreplus-cap", "500000", "--refresh-grace", "24h",
                                    "--tax-mode", "ca", "--unknown-fields"]))
    assert app.config["ENVIRONMENT"] == "production" and app.config["COREPLUS_CAP"] == 500000
    assert app.config["REFRESH_TOKEN_GRACE_SECONDS"] == 86400 and app.config["TAX_MODE"] == "ca"
    assert app.config["UNKNOWN_RESPONSE_FIELDS"] is True and app.config["DELETED_NAME_SUFFIX"] is True
    strict, _ = build(parse_args(["--db", str(tmp_path / "s.sqlite"), "--empty"]))
    assert strict.config["REFRESH_TOKEN_GRACE_SECONDS"] == 0 and strict.config["COREPLUS_CAP"] is None
    assert strict.config["ENVIRONMENT"] == "sandbox"
