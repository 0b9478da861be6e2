"""The read budget and the connection's hard expiry, against the export tests' live sandbox
(real OAuth tokens, throttles on) and the app connected to it."""
from __future__ import annotations

import pytest

from extensions import db as _db
from tests.export.conftest import books, export_app, make_export_app, sandbox_live  # noqa: F401  (fixtures)


class RequestCounter:
    """Accounting API requests arriving at the sandbox, whatever their answer."""

    def __init__(self, sandbox_app):
        self.paths: list[str] = []
        inner = sandbox_app.wsgi_app

        def counting(environ, start_response):
            if "/v3/company/" in environ.get("PATH_INFO", ""):
                self.paths.append(environ["PATH_INFO"].rsplit("/", 1)[-1])
            return inner(environ, start_response)

        sandbox_app.wsgi_app = counting


def signed_in(app, email="owner@example.test", password="pw-owner"):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


def agency_user(app):
    from models import Role
    from tests.fixtures.agency import UserFactory

    with app.app_context():
        UserFactory(email="user@example.test", role=Role.AGENCY_USER)
        _db.session.commit()
    return signed_in(app, "user@example.test", "pw-agency_user")


@pytest.fixture
def counter(books):
    return RequestCounter(books.sandbox)
