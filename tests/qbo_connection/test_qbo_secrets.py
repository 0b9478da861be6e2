"""Tokens never sit readable in the database file, never reach a log (at DEBUG, httpx2 and authlib
included), never appear in a page; and the CLI prints status and disconnects."""
from __future__ import annotations

import logging
from pathlib import Path

import httpx2

from tests.qbo_connection.conftest import COMPANY, REALM
from tests.qbo_connection.test_qbo_connect_flow import age_access_token, api_status, call_company_info, stored

NOISY = ("", "httpx2", "httpcore2", "authlib", "werkzeug", "urllib3", "requests_oauthlib",
         "services", "qbo", "qbo_sandbox")


def test_tokens_are_not_readable_in_the_database_file(live, person):
    person.connect()
    _, access, refresh = stored(live)
    age_access_token(live)
    call_company_info(live)                    # a refresh writes a second pair
    _, access2, refresh2 = stored(live)
    db_file = Path(live.app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    assert COMPANY.encode() in raw                      # the file is the right one
    for secret in (access, refresh, access2, refresh2):
        assert secret.encode() not in raw
        assert secret[:24].encode() not in raw          # not even a prefix
    key_file = Path(live.app.config["TOKEN_ENCRYPTION_KEY_FILE"])
    assert key_file.read_bytes().strip() not in raw     # the key lives elsewhere


def test_no_token_in_logs_at_debug(live, person, caplog):
    for name in NOISY:
        caplog.set_level(logging.DEBUG, logger=name or None)
    callback, _ = person.connect()
    _, access, refresh = stored(live)
    age_access_token(live)
    call_company_info(live)
    _, access2, refresh2 = stored(live)
    person.http.post(live.path("/accounting/quickbooks/disconnect"),
                     data={"csrf_token": person.csrf("/accounting/quickbooks")})
    code = callback.split("code=")[1].split("&")[0]
    secrets = {"access": access, "refresh": refresh, "access2": access2, "refresh2": refresh2,
               "code": code, "client_secret": live.app.config["QBO_CLIENT_SECRET"]}

    assert len(caplog.records) > 20, "DEBUG logging did not capture the HTTP traffic"
    assert any(r.name.startswith("httpx2") for r in caplog.records)
    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for name, secret in secrets.items():
        assert secret not in text, f"{name} leaked into the logs"
        assert secret[-20:] not in text, f"the end of {name} leaked into the logs"


def test_cli_status_and_disconnect(live, person):
    person.connect()
    _, access, _ = stored(live)
    runner = live.app.test_cli_runner()
    result = runner.invoke(args=["qbo", "status"])
    assert result.exit_code == 0, result.output
    assert COMPANY in result.output and REALM in result.output
    assert "Owner Person" in result.output and "Connected" in result.output
    assert access not in result.output

    as_json = runner.invoke(args=["qbo", "status", "--json", "--check"])
    assert '"connected": true' in as_json.output

    result = runner.invoke(args=["qbo", "disconnect", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Disconnected from" in result.output
    assert api_status(live, access) == 401
    assert "Disconnected" in runner.invoke(args=["qbo", "status"]).output


def test_cli_rotate_key(live, person):
    from cryptography.fernet import Fernet

    person.connect()
    _, access, refresh = stored(live)
    old_key = Path(live.app.config["TOKEN_ENCRYPTION_KEY_FILE"]).read_text().strip()
    new_key = Fernet.generate_key().decode()
    live.app.config["TOKEN_ENCRYPTION_KEY"] = f"{new_key},{old_key}"
    live.app.extensions.pop("qbo.token_cipher", None)
    result = live.app.test_cli_runner().invoke(args=["qbo", "rotate-key"])
    assert "Re-encrypted 2" in result.output
    live.app.config["TOKEN_ENCRYPTION_KEY"] = new_key            # the old key is gone now
    live.app.extensions.pop("qbo.token_cipher", None)
    assert stored(live)[1:] == (access, refresh)
    assert httpx2.get(live.path("/login")).status_code == 200


def test_redaction_covers_child_loggers_and_handlers_added_later(app):
    import io

    stream = io.StringIO()
    late = logging.StreamHandler(stream)
    child = logging.getLogger("authlib.oauth2.rfc6749.grants.some_child")
    child.addHandler(late)
    child.setLevel(logging.DEBUG)
    try:
        child.debug("Issue token %s", {"access_token": "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JD",
                                       "refresh_token": "AB11700000000012345678901234567890"})
        logging.getLogger("somewhere.else").warning(
            "header Authorization: Bearer eyJabcdefghijklmnopqrstuvwxyz0123456789")
    finally:
        child.removeHandler(late)
    assert "eyJhbGciOiJkaXIi" not in stream.getvalue()
    assert "AB1170000000001234" not in stream.getvalue()
    assert "[REDACTED]" in stream.getvalue()


def test_cli_reaches_the_mounted_local_sandbox_without_a_server(tmp_path):
    """`flask qbo disconnect` on a default installation: no server runs, the sandbox is in-process."""
    from app import create_app
    from extensions import db
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from qbo.oauth import TokenSet
    from services.qbo_connection.tokens import store_token_set
    from tests.fixtures.sandbox import bearer_is_valid, issue_tokens

    app = create_app({"TESTING": True, "SECRET_KEY": "cli-local", "INSTANCE_PATH": str(tmp_path / "i"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                      "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
                      "QBO_SANDBOX_ENABLED": True, "QBO_EXPORT_WORKER": "off",
                      "BASE_URL": "http://127.0.0.1:9"})   # nothing listens there
    sandbox = app.extensions["qbo_sandbox_app"]
    realm = sandbox.config["DEMO_REALM_ID"]
    issued = issue_tokens(sandbox, app.config["QBO_CLIENT_ID"], realm)
    with app.app_context():
        db.create_all()
        db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED,
                                     realm_id=realm, company_name="Sunrise Home Care LLC"))
        db.session.commit()
        store_token_set(TokenSet.from_response(issued))
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["qbo", "status", "--check"])
    assert "Last successful call" in checked.output and "None" in checked.output.split("Last problem")[1]
    result = runner.invoke(args=["qbo", "disconnect", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Disconnected from Sunrise Home Care LLC" in result.output
    assert not bearer_is_valid(sandbox, issued["access_token"])
