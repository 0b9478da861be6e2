"""Mounted in CareLedger (services/local_sandbox.py), the sandbox's browser view asks the host:
an Owner's or Admin's CareLedger session may look, an Agency User or a stranger gets the 403."""
from __future__ import annotations

import pytest

from tests.conftest import AuthActions


@pytest.fixture
def host(tmp_path):
    from app import create_app
    from extensions import db
    from models import Role, User

    app = create_app({"TESTING": True, "SECRET_KEY": "mounted-test", "WTF_CSRF_ENABLED": True,
                      "INSTANCE_PATH": str(tmp_path / "instance"), "BASE_URL": "http://localhost",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                      "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
                      "QBO_SANDBOX_ENABLED": True})
    with app.app_context():
        db.create_all()
        for role in (Role.OWNER, Role.AGENCY_USER):
            user = User(email=f"{role.value}@example.test", name=role.label, role=role)
            user.set_password(f"pw-{role.value}")
            db.session.add(user)
        db.session.commit()
    return app


def _signed_in(host, role: str):
    client = host.test_client()
    answer = AuthActions(client).login(f"{role}@example.test", f"pw-{role}")
    assert answer.status_code == 302
    return client


def test_strangers_and_agency_users_get_the_403_owners_see_the_books(host):
    page = host.test_client().get("/qbo-sandbox/app/customers")
    assert page.status_code == 403 and b"Sign in to CareLedger as an Owner or Admin" in page.data
    assert _signed_in(host, "agency_user").get("/qbo-sandbox/app/customers").status_code == 403
    books = _signed_in(host, "owner").get("/qbo-sandbox/app/customers")
    assert books.status_code == 200 and b"Sunrise Home Care LLC" in books.data
    assert host.test_client().get("/qbo-sandbox/app/signin").status_code == 404


def test_the_hosts_own_callable_replaces_the_default(tmp_path):
    from app import create_app
    seen = []
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                      "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
                      "QBO_SANDBOX_ENABLED": True, "BASE_URL": "http://localhost",
                      "QBO_SANDBOX_WEB_VIEW_GATE": lambda environ: seen.append(environ) or True})
    assert app.test_client().get("/qbo-sandbox/app/customers").status_code == 200 and seen
