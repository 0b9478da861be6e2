"""Shared fixtures: an app on a fresh database per test, a client, a CLI runner, and logins per role."""
from __future__ import annotations

import pytest

from app import create_app
from extensions import db as _db
from tests.dburl import test_database_url

# Shared fixtures that live in modules of their own (usable from every test folder).
pytest_plugins = ["tests.fixtures.data"]


def _database_url(tmp_path) -> str:
    # CARELEDGER_TEST_DATABASE_URL switches the whole suite to PostgreSQL (see Makefile).
    return test_database_url(tmp_path)


@pytest.fixture(autouse=True)
def _close_idle_database_connections():
    """After each test, close the pooled connections of every app's engine. An app a test made
    can outlive it (a worker thread, a cache), and its idle pool would keep its connections: on
    PostgreSQL a thousand tests then exhaust the server's connection slots. A pool that is still
    wanted simply reconnects."""
    yield
    for engines in list(_db._app_engines.values()):
        for engine in list(engines.values()):
            engine.dispose(close=True)


def _forget_request_globals():
    from flask import g

    for name in ("_login_user", "csrf_token"):
        g.pop(name, None)


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "QBO_SANDBOX_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        "BASE_URL": "http://localhost",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    })
    # The fixture keeps one app context open for the whole test and Flask reuses it for every
    # request a test client makes, so per-request caches in `g` (flask-login's user, flask-wtf's
    # CSRF token) would leak from one request or client to the next. Clear them first thing.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_request_globals)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(db):
    """Create a user with a role (and offices for Agency Users); password is 'pw-<role>'."""
    from models import Role, User

    def _make(role: Role = Role.OWNER, email: str | None = None, offices=()):
        user = User(email=email or f"{role.value}@example.test", name=role.label, role=role)
        user.set_password(f"pw-{role.value}")
        user.offices = list(offices)
        db.session.add(user)
        db.session.commit()
        return user

    return _make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def csrf_token(self, path: str = "/login") -> str:
        import re

        page = self._client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'"X-CSRFToken": "([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, email: str, password: str):
        token = self.csrf_token("/login")
        return self._client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def login_as(self, user):
        response = self.login(user.email, f"pw-{user.role.value}")
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):
        token = self.csrf_token("/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)
