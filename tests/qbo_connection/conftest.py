"""Connection tests: CareLedger and the local QBO sandbox each on a real socket (threads), a
requests session playing the person's browser across both (sign-in and consent forms included).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from tests.fixtures.sandbox import build_sandbox, register_client, register_user, serve
from tests.sandbox.oauth_browser import Browser, authorize

REALM = "9341453050298475"
COMPANY = "Sunrise Home Care LLC"
OTHER_REALM = "9341453050291111"
OTHER_COMPANY = "Brightside Senior Living"
CLIENT_ID = "careledger-connect-tests"
CLIENT_SECRET = "connect-tests-secret-0123456789"
QBO_USER = ("bookkeeper@sunrise.example", "qbo-pass-1")
OTHER_QBO_USER = ("owner@brightside.example", "qbo-pass-2")
CALLBACK_PATH = "/accounting/quickbooks/callback"


def make_sandbox(tmp_path, **config):
    sandbox = build_sandbox(tmp_path, companies=[(REALM, COMPANY), (OTHER_REALM, OTHER_COMPANY)], **config)
    register_user(sandbox, *QBO_USER, REALM)
    register_user(sandbox, *OTHER_QBO_USER, OTHER_REALM)
    return sandbox


@dataclass
class Live:
    url: str
    app: object
    sandbox: object
    sandbox_url: str

    def path(self, path: str) -> str:
        return self.url + path


def start(tmp_path, sandbox, **extra):
    from app import create_app
    from extensions import db

    sandbox_live, stop_sandbox = serve(sandbox)
    server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "connect-tests",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "QBO_SANDBOX_ENABLED": False,
        "QBO_ENVIRONMENT": "local",
        "QBO_DISCOVERY_URL": f"{sandbox_live.base_url}/.well-known/openid_configuration",
        "QBO_API_BASE_URL": sandbox_live.base_url,
        "QBO_WEB_BASE_URL": f"{sandbox_live.base_url}/app",
        "QBO_CLIENT_ID": CLIENT_ID,
        "QBO_CLIENT_SECRET": CLIENT_SECRET,
        "QBO_REDIRECT_URI": url + CALLBACK_PATH,
        "QBO_EXPORT_WORKER": "off",
        "QBO_RETRY_BASE_DELAY": 0.01,
        "BASE_URL": url,
        "LOG_LEVEL": "DEBUG",
    }
    config.update(extra)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    register_client(sandbox, CLIENT_ID, CLIENT_SECRET, [url + CALLBACK_PATH])
    server.app = app
    import threading

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(5)
        server.server_close()
        stop_sandbox()

    return Live(url, app, sandbox, sandbox_live.base_url), stop


@pytest.fixture
def sandbox(tmp_path):
    return make_sandbox(tmp_path)


@pytest.fixture
def live(tmp_path, sandbox):
    from qbo.oauth import clear_discovery_cache

    clear_discovery_cache()
    live, stop = start(tmp_path, sandbox)
    yield live
    stop()


def make_login(live: Live, role: str = "owner"):
    from extensions import db
    from models import Role, User

    with live.app.app_context():
        email = f"{role}@careledger.test"
        if db.session.query(User).filter_by(email=email).first() is None:
            user = User(email=email, name=f"{role.title()} Person", role=Role(role))
            user.set_password(f"pw-{role}")
            db.session.add(user)
            db.session.commit()
    return email, f"pw-{role}"


class Person(Browser):
    """One browser: CareLedger's session and the sandbox's sign-in live in the same cookie jar."""

    def __init__(self, live: Live):
        super().__init__()
        self.live = live

    def csrf(self, path: str) -> str:
        page = self.http.get(self.live.path(path)).text
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or \
            re.search(r'"X-CSRFToken": "([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def sign_in(self, role: str = "owner") -> "Person":
        email, password = make_login(self.live, role)
        response = self.http.post(self.live.path("/login"), data={
            "email": email, "password": password, "csrf_token": self.csrf("/login")},
            allow_redirects=False)
        assert response.status_code == 302, response.text
        return self

    def start_connect(self, mode: str = "popup") -> requests.Response:
        token = self.csrf("/accounting/quickbooks")
        return self.http.post(self.live.path("/accounting/quickbooks/connect"),
                              data={"csrf_token": token, "mode": mode}, allow_redirects=False)

    def authorization_url(self, mode: str = "popup") -> str:
        response = self.start_connect(mode)
        assert response.status_code == 303, response.text
        location = response.headers["Location"]
        assert location.startswith(self.live.sandbox_url), location
        return location

    def connect(self, qbo_user=QBO_USER, decision: str = "authorize", mode: str = "popup"):
        """The whole dance; returns (callback URL, CareLedger's response to it)."""
        params = authorize(self, self.authorization_url(mode), *qbo_user, decision=decision)
        callback = self.live.path(CALLBACK_PATH) + "?" + "&".join(f"{k}={v}" for k, v in params.items())
        return callback, self.http.get(callback, allow_redirects=False)

    def sign_out_of_quickbooks(self) -> None:
        """Forget the sandbox's sign-in (as if another QuickBooks user used this browser)."""
        for cookie in [c for c in self.http.cookies if c.name == "qbo_sandbox_session"]:
            self.http.cookies.clear(cookie.domain, cookie.path, cookie.name)

    def get(self, path: str, **kwargs):
        return self.http.get(urljoin(self.live.url, path), **kwargs)


@pytest.fixture
def person(live):
    return Person(live).sign_in("owner")


def same_origin(url: str, other: str) -> bool:
    return urlsplit(url)[:2] == urlsplit(other)[:2]
