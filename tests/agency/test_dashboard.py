"""The home page leads with QuickBooks, then what needs attention (scoped to the viewer's
offices) and the next step."""
from datetime import datetime, timedelta, timezone

from models.qbo import ConnectionStatus, QboConnection


def _connect(db):
    db.session.add(QboConnection(id=1, status=ConnectionStatus.CONNECTED, realm_id="9341453050298475",
                                 company_name="Sunrise Home Care LLC", environment="local",
                                 refresh_expires_at=datetime.now(timezone.utc) + timedelta(days=100)))
    db.session.commit()


def test_not_connected_the_next_step_is_connecting(client, login, data, db):
    login("owner")
    html = client.get("/").get_data(as_text=True)
    assert "QuickBooks is not connected." in html and "Connect to QuickBooks" in html
    assert 'id="dash-attention"' not in html


def test_connected_it_names_the_company_and_what_needs_attention(client, login, data, db):
    _connect(db)
    login("owner")
    html = client.get("/").get_data(as_text=True)
    assert "Connected to Sunrise Home Care LLC" in html
    assert "active clients not matched" in html or "active client not matched" in html
    assert "not exported" in html and "Open Sync Settings" in html   # no settings saved yet
