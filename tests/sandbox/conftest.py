"""Fixtures for sandbox tests: a sandbox app, and the same app served on a real socket.

Independent QBO clients (intuit-oauth, python-quickbooks) make real HTTP requests, so
`live_sandbox` runs the sandbox with werkzeug on 127.0.0.1:<free port> in a background thread.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from qbo_sandbox import create_app
from qbo_sandbox.db import Company, session_for

TEST_REALM = "9341453050298475"
TEST_COMPANY = "Sunrise Home Care LLC"


def make_sandbox_app(tmp_path, **config):
    """A sandbox app on a fresh SQLite file (threads of the live server share it)."""
    app = create_app({"TESTING": True, "SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}",
                      **config})
    if "qbo_oauth" not in app.blueprints:  # until create_app wires the OAuth half itself
        from qbo_sandbox import oauth

        oauth.init_app(app)
    with session_for(app) as s, s.begin():
        if s.get(Company, TEST_REALM) is None:
            s.add(Company(realm_id=TEST_REALM, name=TEST_COMPANY))
    return app


@dataclass
class LiveSandbox:
    app: Flask
    base_url: str  # http://127.0.0.1:PORT[/prefix], no trailing slash

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid_configuration"


def serve(app, prefix: str = ""):
    """Start `app` on a free port (optionally mounted under `prefix` as inside CareLedger).
    Returns (LiveSandbox, stop)."""
    wsgi = app
    if prefix:
        wsgi = DispatcherMiddleware(Flask("outer"), {prefix: app})
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(5)
        server.server_close()

    return LiveSandbox(app, f"http://127.0.0.1:{server.server_port}{prefix}"), stop


@pytest.fixture
def sandbox_app(tmp_path):
    return make_sandbox_app(tmp_path)


@pytest.fixture
def live_sandbox(sandbox_app):
    live, stop = serve(sandbox_app)
    yield live
    stop()
