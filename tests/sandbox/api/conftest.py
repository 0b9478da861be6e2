"""Fixtures for the Accounting API half: a company, real OAuth tokens, in-process and live clients.

Tokens come from the OAuth half's `issue_tokens_for_tests`, so every API call in these tests goes
through the real bearer check.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import httpx2
import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks

from qbo_sandbox import create_app, oauth
from qbo_sandbox.company import create_company, default_preferences
from tests.sandbox.conftest import serve

REALM = "9341453172471531"
OTHER_REALM = "9341453172470000"
CLIENT_ID = "careledger-tests"
CLIENT_SECRET = "s3cret-for-tests"
REDIRECT = "http://127.0.0.1/callback"


def build_app(tmp_path, preferences=None, **config):
    app = create_app({"TESTING": True, "THROTTLE_ENABLED": False,
                      "SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'api.sqlite'}", **config})
    store = app.extensions["qbo_sandbox.store"]
    with store.transaction() as tx:
        create_company(tx, REALM, "Sunrise Home Care LLC",
                       preferences=preferences or default_preferences())
        create_company(tx, OTHER_REALM, "Other Books LLC")
    oauth.register_client(app, CLIENT_ID, CLIENT_SECRET, [REDIRECT])
    return app


def access_token(app, realm=REALM) -> str:
    return oauth.issue_tokens_for_tests(app, CLIENT_ID, realm)["access_token"]


@dataclass
class Api:
    """A thin JSON client for the sandbox (in-process or over a socket)."""

    http: httpx2.Client
    realm: str = REALM

    def url(self, tail: str) -> str:
        return f"/v3/company/{self.realm}/{tail}"

    def get(self, tail, **params):
        params.setdefault("minorversion", "75")
        return self.http.get(self.url(tail), params=params)

    def post(self, tail, body, **params):
        params.setdefault("minorversion", "75")
        return self.http.post(self.url(tail), params=params, content=json.dumps(body),
                              headers={"Content-Type": "application/json"})

    def query(self, text, method="GET"):
        if method == "GET":
            return self.get("query", query=text)
        return self.http.post(self.url("query"), params={"minorversion": "75"}, content=text,
                              headers={"Content-Type": "application/text"})

    def ok(self, response) -> dict:
        assert response.status_code == 200, response.text
        return response.json()

    def create(self, entity, body, **params) -> dict:
        data = self.ok(self.post(entity.lower(), body, **params))
        return data[entity]

    def rows(self, text) -> list:
        data = self.ok(self.query(text))["QueryResponse"]
        return next((v for k, v in data.items() if isinstance(v, list)), [])


def make_api(app, token=None, realm=REALM) -> Api:
    headers = {"Accept": "application/json"}
    if token is not False:
        headers["Authorization"] = f"Bearer {token or access_token(app, realm)}"
    http = httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://sandbox.test",
                        headers=headers)
    return Api(http, realm)


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path)


@pytest.fixture
def api(app):
    client = make_api(app)
    yield client
    client.http.close()


@pytest.fixture
def live(app):
    server, stop = serve(app)
    yield server
    stop()


@pytest.fixture(autouse=True)
def _plain_http_oauth(monkeypatch):
    # requests-oauthlib refuses http:// unless told the transport is local on purpose.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def qb(app, live):
    """python-quickbooks 0.9.12 pointed at the live sandbox (PROTOCOL.md §10)."""
    tokens = oauth.issue_tokens_for_tests(app, CLIENT_ID, REALM)
    auth_client = AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT, environment=live.discovery_url)
    auth_client.access_token = tokens["access_token"]
    auth_client.refresh_token = tokens["refresh_token"]
    client = QuickBooks(auth_client=auth_client, refresh_token=tokens["refresh_token"],
                        company_id=REALM, minorversion=75)
    client.api_url_v3 = live.base_url + "/v3"
    return client


@pytest.fixture
def setup(api):
    """A few entities most tests need: an income account, two items, a customer."""
    income = api.rows("SELECT * FROM Account WHERE Name = 'Services'")[0]
    personal = api.create("Item", {"Name": "Personal Care", "Type": "Service", "UnitPrice": 32.5,
                                   "IncomeAccountRef": {"value": income["Id"]}})
    mileage = api.create("Item", {"Name": "Mileage", "Type": "Service", "UnitPrice": 0.67,
                                  "IncomeAccountRef": {"value": income["Id"]}})
    customer = api.create("Customer", {"DisplayName": "Alvarez, Maria", "GivenName": "Maria",
                                       "FamilyName": "Alvarez"})
    return {"income": income, "personal": personal, "mileage": mileage, "customer": customer}


def invoice_body(setup, *lines, **extra) -> dict:
    """Invoice JSON for the `setup` customer; lines are (item, qty, price[, amount])."""
    out = []
    for line in lines or ((setup["personal"], 4, "32.50"),):
        item, qty, price = line[:3]
        amount = line[3] if len(line) > 3 else None
        from decimal import Decimal
        out.append({"Amount": float(amount if amount is not None else Decimal(str(qty)) * Decimal(price)),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": qty,
                                            "UnitPrice": float(price)}})
    body = {"CustomerRef": {"value": setup["customer"]["Id"]}, "Line": out}
    body.update(extra)
    return body
