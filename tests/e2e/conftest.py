"""Browser tests: the full app (with the local QBO sandbox mounted) on a real socket, driven by
Playwright in the system's headless Chromium.

Skipped, with the reason and the way to enable them printed, when Chromium or Playwright is
missing; under CI (CI set in the environment) a missing browser fails the run instead, so a green CI
always includes them. Every browser wait is bounded (BROWSER_TIMEOUT_MS), and pytest-timeout ends any
test that still hangs.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if candidate and os.path.exists(candidate) else None


BROWSER_TIMEOUT_MS = 15_000


def missing_browser_reason() -> str | None:
    if chromium_path() is None:
        return ("Chromium not found: install it (Debian: `sudo apt-get install chromium`; `make test` "
                "does this when run as root) or set CHROMIUM_PATH to a Chromium binary")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: `.venv/bin/pip install -r requirements-dev.txt`"
    return None


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "/e2e/" in str(item.fspath)]
    reason = missing_browser_reason() if browser_items else None
    if reason and os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests, but: {reason}")
    for item in browser_items:
        item.add_marker(pytest.mark.e2e)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveApp:
    url: str
    app: object
    sandbox: object | None

    def path(self, path: str) -> str:
        return self.url + path


class _ServerThread(threading.Thread):
    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server

    def run(self):
        self.server.serve_forever()


def start_live_app(tmp_path: Path, seed_demo: bool = True, extra_config: dict | None = None) -> tuple:
    """Bind a socket first so the app knows its own URL (the OAuth redirect URI needs it)."""
    from app import create_app
    from extensions import db

    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    config = {
        "TESTING": False,
        "SECRET_KEY": "e2e-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite'}",
        "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
        "QBO_SANDBOX_ENABLED": True,
        "BASE_URL": url,
        "LOGIN_MAX_FAILURES": 50,
    }
    config.update(extra_config or {})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        if seed_demo:
            from services.demo_seed import ensure_demo_data

            ensure_demo_data(app)
    server.app = app
    thread = _ServerThread(server)
    thread.start()
    return server, LiveApp(url=url, app=app, sandbox=app.extensions.get("qbo_sandbox_app"))


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    server, live = start_live_app(tmp_path_factory.mktemp("live"))
    yield live
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS, timeout=60_000)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)              # pop-ups and new pages too
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live: LiveApp, email: str, password: str) -> None:
    page.goto(live.path("/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("#sign-in")
    page.wait_for_url(live.path("/"))


@pytest.fixture
def signed_in(page, live_app):
    """A page signed in as the demo Owner."""
    from demo_data.logins import DEMO_LOGINS

    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])
    return page


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SANDBOX_COMPANY = "Sunrise Home Care LLC"


def ensure_connected(live: LiveApp) -> str:
    """Connect the live app to its embedded sandbox's demo company (what the pop-up does), unless
    it already is; returns the realm id."""
    from extensions import db
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from qbo.oauth import TokenSet
    from services.qbo_connection.tokens import store_token_set
    from tests.fixtures.sandbox import issue_tokens

    realm = live.sandbox.config["DEMO_REALM_ID"]
    with live.app.app_context():
        conn = db.session.get(QboConnection, CONNECTION_ID)
        if conn is not None and conn.status == ConnectionStatus.CONNECTED:
            return realm
        if conn is None:
            conn = QboConnection(id=CONNECTION_ID)
            db.session.add(conn)
        conn.status, conn.environment, conn.realm_id = ConnectionStatus.CONNECTED, "local", realm
        conn.company_name = SANDBOX_COMPANY
        db.session.commit()
        store_token_set(TokenSet.from_response(issue_tokens(
            live.sandbox, live.app.config["QBO_CLIENT_ID"], realm,
            scope="com.intuit.quickbooks.accounting openid")))
    return realm


def ensure_disconnected_now(live: LiveApp) -> None:
    from services.qbo_connection.connect import disconnect

    with live.app.app_context():
        disconnect()


def sign_in_as(page, live: LiveApp, role: str) -> dict:
    from demo_data.logins import DEMO_LOGINS

    login = DEMO_LOGINS[role]
    sign_in(page, live, login["email"], login["password"])
    return login
