"""Finding 1: the mounted sandbox's browser view (a copy of the agency's QuickBooks: client names,
addresses, invoice lines) is for signed-in Owners and Admins only, and the mounted sandbox answers
only to this installation's own host names (no DNS rebinding)."""
from __future__ import annotations

import re

import pytest

from app import create_app
from extensions import db
from models import Agency, Office, Role, User
from tests.conftest import AuthActions

BASE_URL = "http://127.0.0.1:5999"
VIEWS = ["/qbo-sandbox/app/customers", "/qbo-sandbox/app/invoices", "/qbo-sandbox/app/items",
         "/qbo-sandbox/app/customerdetail?nameId=1", "/qbo-sandbox/app/invoice?txnId=1"]


@pytest.fixture
def mounted(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                      "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
                      "QBO_SANDBOX_ENABLED": True, "BASE_URL": BASE_URL})
    with app.app_context():
        db.create_all()
        office = Office(agency=Agency(name="A"), name="North", code="N")
        for role in Role:
            user = User(email=f"{role.value}@example.test", name=role.label, role=role)
            user.set_password(f"pw-{role.value}")
            user.offices = [office] if role == Role.AGENCY_USER else []
            db.session.add(user)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _signed_in(app, role: Role):
    client = app.test_client()
    response = AuthActions(client).login(f"{role.value}@example.test", f"pw-{role.value}")
    assert response.status_code == 302
    return client


def _a_customer_name(app) -> str:
    page = _signed_in(app, Role.OWNER).get("/qbo-sandbox/app/customers").get_data(as_text=True)
    names = re.findall(r'customerdetail\?nameId=\d+[^"]*">([^<]+)<', page)
    assert names, "the demo company lists customers"
    return names[0].strip()


@pytest.mark.parametrize("path", VIEWS)
def test_anonymous_cannot_read_the_sandbox_view(mounted, path):
    name = _a_customer_name(mounted)
    response = mounted.test_client().get(path)
    assert response.status_code != 200
    assert name not in response.get_data(as_text=True)


def test_owner_and_admin_read_it_and_an_agency_user_is_refused(mounted):
    name = _a_customer_name(mounted)
    for role in (Role.OWNER, Role.ADMIN):
        response = _signed_in(mounted, role).get("/qbo-sandbox/app/customers")
        assert response.status_code == 200 and name in response.get_data(as_text=True)
    refused = _signed_in(mounted, Role.AGENCY_USER).get("/qbo-sandbox/app/customers")
    assert refused.status_code == 403
    assert name not in refused.get_data(as_text=True)


def test_a_signed_out_cookie_no_longer_opens_the_view(mounted):
    client = _signed_in(mounted, Role.OWNER)
    assert client.get("/qbo-sandbox/app/customers").status_code == 200
    AuthActions(client).logout()
    assert client.get("/qbo-sandbox/app/customers").status_code != 200


def test_a_foreign_host_name_is_refused_even_with_a_managers_cookie(mounted):
    client = _signed_in(mounted, Role.OWNER)
    for path in ("/qbo-sandbox/app/customers", "/qbo-sandbox/.well-known/openid_configuration"):
        response = client.get(path, headers={"Host": "rebind.attacker.example:5999"})
        assert response.status_code == 400, path
    assert client.get("/qbo-sandbox/.well-known/openid_configuration",
                      base_url=BASE_URL).status_code == 200


def test_anonymous_is_sent_to_sign_in_and_comes_back(mounted):
    client = mounted.test_client()
    response = client.get("/qbo-sandbox/app/customers?q=a")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fqbo-sandbox%2Fapp%2Fcustomers%3Fq%3Da"
    signed_in = AuthActions(client)
    token = signed_in.csrf_token("/login")
    back = client.post(response.headers["Location"], data={
        "email": "owner@example.test", "password": "pw-owner", "csrf_token": token})
    assert back.headers["Location"] == "/qbo-sandbox/app/customers?q=a"
