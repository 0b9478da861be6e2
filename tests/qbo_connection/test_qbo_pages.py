"""The tab shell, the Installation tab per role, and the reconnect banner (no QuickBooks needed)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import ConnectionStatus, QboConnection, Role


def _connection(db, status=ConnectionStatus.CONNECTED, **extra):
    now = datetime.now(timezone.utc)
    conn = QboConnection(id=1, status=status, realm_id="9341453050298475",
                         company_name="Sunrise Home Care LLC", environment="local",
                         refresh_expires_at=now + timedelta(days=100), **extra)
    db.session.add(conn)
    db.session.commit()
    return conn


@pytest.mark.parametrize("path", ["/accounting/quickbooks", "/accounting/quickbooks/sync-settings",
                                  "/accounting/quickbooks/client-matching"])
def test_every_tab_links_all_three(client, auth, make_user, path):
    auth.login_as(make_user(Role.AGENCY_USER))
    page = client.get(path).get_data(as_text=True)
    for href in ("/accounting/quickbooks\"", "/accounting/quickbooks/sync-settings",
                 "/accounting/quickbooks/client-matching"):
        assert href in page
    assert page.count('aria-current="page"') == 1


def test_agency_user_sees_status_read_only(client, auth, make_user, db):
    _connection(db)
    auth.login_as(make_user(Role.AGENCY_USER))
    page = client.get("/accounting/quickbooks").get_data(as_text=True)
    assert "Sunrise Home Care LLC" in page
    assert "Only an Owner or Admin can connect" in page
    assert 'action="/accounting/quickbooks/connect"' not in page
    assert "qbo-disconnect" not in page


@pytest.mark.parametrize("method, path", [("post", "/accounting/quickbooks/connect"),
                                          ("get", "/accounting/quickbooks/callback?state=x&code=y"),
                                          ("post", "/accounting/quickbooks/disconnect"),
                                          ("post", "/accounting/quickbooks/check"),
                                          ("get", "/accounting/quickbooks/switch/1")])
def test_agency_user_cannot_change_the_connection(client, auth, make_user, db, method, path):
    _connection(db)
    auth.login_as(make_user(Role.AGENCY_USER))
    token = auth.csrf_token("/accounting/quickbooks")
    response = getattr(client, method)(path, data={"csrf_token": token} if method == "post" else None)
    assert response.status_code == 403
    assert db.session.get(QboConnection, 1).status == ConnectionStatus.CONNECTED


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_managers_get_connect_and_disconnect(client, auth, make_user, db, role):
    _connection(db)
    auth.login_as(make_user(role))
    page = client.get("/accounting/quickbooks").get_data(as_text=True)
    assert 'action="/accounting/quickbooks/connect"' in page
    assert 'id="qbo-disconnect"' in page


@pytest.mark.parametrize("path", ["/accounting/quickbooks", "/accounting/quickbooks/sync-settings",
                                  "/accounting/quickbooks/client-matching"])
def test_reconnect_banner_on_every_tab(client, auth, make_user, db, path):
    _connection(db, status=ConnectionStatus.RECONNECT_REQUIRED)
    auth.login_as(make_user(Role.ADMIN))
    page = client.get(path).get_data(as_text=True)
    assert 'id="qbo-reconnect-banner"' in page
    assert "Reconnect to QuickBooks" in page
    assert "settings and client\n  matches are kept" in page or "client matches are kept" in page.replace("\n  ", " ")


def test_banner_when_refresh_token_is_past_its_expiry(client, auth, make_user, db):
    conn = _connection(db)
    conn.refresh_expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    db.session.commit()
    auth.login_as(make_user(Role.AGENCY_USER))
    page = client.get("/accounting/quickbooks/sync-settings").get_data(as_text=True)
    assert 'id="qbo-reconnect-banner"' in page
    assert "Ask an Owner or Admin to reconnect" in page


def test_no_banner_when_connected(client, auth, make_user, db):
    _connection(db)
    auth.login_as(make_user(Role.OWNER))
    assert "qbo-reconnect-banner" not in client.get("/accounting/quickbooks/client-matching").get_data(as_text=True)


def test_status_json_never_carries_tokens(client, auth, make_user, db):
    from services.qbo_connection import crypto as qbo_crypto

    _connection(db, access_token_enc=qbo_crypto.encrypt("AT-secret"),
                refresh_token_enc=qbo_crypto.encrypt("RT-secret"))
    auth.login_as(make_user(Role.AGENCY_USER))
    body = client.get("/accounting/quickbooks/status").get_data(as_text=True)
    assert '"connected": true' in body.replace('":true', '": true')
    assert "secret" not in body and "token_enc" not in body


def test_a_page_reads_the_connection_once_yet_sees_a_change_committed_in_its_request(app, db):
    """Pages ask for the realm several times per request (page_row keeps the first answer), but a
    commit in the same request (connecting, disconnecting) or a token write is seen at once."""
    from sqlalchemy import event

    from services.qbo_connection import current_realm
    from services.qbo_connection.tokens import mark_reconnect_required

    _connection(db)
    reads = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM qbo_connections" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context("/"):
            assert current_realm() == "9341453050298475"
            assert current_realm(connected=False) == "9341453050298475"
            assert len(reads) == 1                                  # the second ask is remembered
            conn = db.session.get(QboConnection, 1)
            conn.status = ConnectionStatus.DISCONNECTED
            db.session.commit()                                     # a commit forgets it
            assert current_realm() is None
            assert current_realm(connected=False) == "9341453050298475"
            conn.status = ConnectionStatus.CONNECTED
            db.session.commit()
            assert current_realm() == "9341453050298475"
            mark_reconnect_required("refresh token revoked")        # so does a token write
            assert current_realm() is None
        with app.test_request_context("/"):
            before = len(reads)
            assert current_realm() is None                          # a new request reads afresh
            assert len(reads) == before + 1
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
