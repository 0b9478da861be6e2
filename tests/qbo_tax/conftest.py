"""Export into companies with each tax mode: CareLedger's app connected (real OAuth tokens) to a
sandbox on a real socket whose company has automated sales tax (us-ast) or is Canadian (ca);
QuickBooks is then checked through python-quickbooks, as an independent client would see it."""
from __future__ import annotations

import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks

from extensions import db as _db
from tests.export.conftest import (CLIENT_ID, CLIENT_SECRET, REALM, app_config, connect, seed_books)
from tests.fixtures.sandbox import (build_sandbox, default_preferences, issue_tokens, serve,
                                    update_entity)


@pytest.fixture
def taxed_books(tmp_path, monkeypatch):
    """`taxed_books(mode)`: the export tests' books (12 invoices, a tax line on every other) in a
    company of that tax mode, its customers living in New York (8 % under AST). The cached tax
    settings the export fixture assumes are dropped: the exporter must read them itself."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # python-quickbooks over http://127.0.0.1
    made = []

    def _make(mode: str, **config):
        from app import create_app
        from services.qbo_tax import profile

        sandbox = build_sandbox(tmp_path / mode, throttle=True, client=(CLIENT_ID, CLIENT_SECRET, None),
                                companies=[(REALM, "Sunrise Home Care LLC",
                                            default_preferences(custom_txn_numbers=True), mode)])
        live, stop = serve(sandbox)
        app = create_app(app_config(tmp_path / mode, live.base_url, **config))
        with app.app_context():
            _db.drop_all()
            _db.create_all()
        connect(app, sandbox)
        books = seed_books(app, sandbox, live.base_url)
        for customer_id in set(books.customer_of.values()):
            update_entity(sandbox, REALM, "Customer", {"Id": customer_id, "SyncToken": "0", "BillAddr": {
                "Line1": "1 Main St", "City": "Albany", "CountrySubDivisionCode": "NY",
                "PostalCode": "12207", "Country": "USA"}})
        with app.app_context():
            profile.forget(REALM)
        made.append((app, stop))
        return books

    yield _make
    for app, stop in made:
        stop()
        with app.app_context():
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


def quickbooks_client(books) -> QuickBooks:
    """python-quickbooks pointed at the books' sandbox (an independent view of QuickBooks)."""
    tokens = issue_tokens(books.sandbox, CLIENT_ID, REALM)
    auth = AuthClient(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1/callback",
                      environment=f"{books.sandbox_url}/.well-known/openid_configuration")
    auth.access_token, auth.refresh_token = tokens["access_token"], tokens["refresh_token"]
    client = QuickBooks(auth_client=auth, refresh_token=tokens["refresh_token"], company_id=REALM,
                        minorversion=75)
    client.api_url_v3 = books.sandbox_url + "/v3"
    return client
