"""The guard in front of the mounted sandbox (services/qbo_connection/local.py mounts it).

Mounted, the sandbox holds a copy of the agency's books, so its browser view (/app) is for a
signed-in Owner or Admin of this app (the same rule as the Sync Settings pages), and the whole
mount answers only to this installation's own host names (a DNS-rebinding page cannot read it).
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask
from werkzeug.wrappers import Response

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WEB_VIEW_PATH = "/app"


def allowed_hosts(base_url: str) -> frozenset[str]:
    """Host names the mounted sandbox answers to: the configured base URL's, and loopback names
    (which no rebinding page can make a browser send for its own origin)."""
    return LOOPBACK_HOSTS | {(urlsplit(base_url).hostname or "").lower()}


def _host_name(environ) -> str:
    host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()
    if host.startswith("["):  # [::1]:5000
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def viewer_of(app: Flask, environ) -> str:
    """"manager", "other" or "anonymous": who the request's CareLedger session belongs to (its
    sign-out, idle and lifetime rules included)."""
    from flask_login import current_user

    from access import MANAGERS
    from services.agency.sessions import enforce_limits

    with app.request_context(dict(environ)):
        enforce_limits()
        if not current_user.is_authenticated:
            return "anonymous"
        return "manager" if current_user.role in MANAGERS else "other"


def manager_signed_in(app: Flask, environ) -> bool:
    """The sandbox's WEB_VIEW_GATE: True when an Owner or Admin of this app is signed in."""
    return viewer_of(app, environ) == "manager"


class SandboxGuard:
    """WSGI wrapper in front of the mounted sandbox: the Host check for every path, the manager
    gate for the browser view (anonymous → this app's sign-in page, other roles → 403)."""

    def __init__(self, sandbox, hosts: frozenset[str], viewer, prefix: str):
        self.sandbox, self.hosts, self.viewer, self.prefix = sandbox, hosts, viewer, prefix

    def __call__(self, environ, start_response):
        if _host_name(environ) not in self.hosts:
            return Response("Unknown host name.", 400, mimetype="text/plain")(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if path == WEB_VIEW_PATH or path.startswith(WEB_VIEW_PATH + "/"):
            viewer = self.viewer(environ)
            if viewer != "manager":
                return self._refusal(environ, viewer)(environ, start_response)
        return self.sandbox(environ, start_response)

    def _refusal(self, environ, viewer: str) -> Response:
        if viewer == "anonymous":
            mounted_at = environ.get("SCRIPT_NAME", "")  # the app's own root + the prefix
            app_root = mounted_at[:-len(self.prefix)] if mounted_at.endswith(self.prefix) else ""
            target = mounted_at + environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                target += "?" + environ["QUERY_STRING"]
            response = Response("Sign in first.", 302, mimetype="text/plain")
            response.headers["Location"] = f"{app_root}/login?next=" + quote(target, safe="")
            return response
        return Response("Only an Owner or Admin of CareLedger may open the QuickBooks sandbox view.",
                        403, mimetype="text/plain")
