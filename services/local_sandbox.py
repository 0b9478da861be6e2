"""Mount the local QuickBooks Online sandbox inside this process, under QBO_SANDBOX_PREFIX.

The app still talks to it over HTTP like any QBO: only the URLs in config point here.

Mounted, the sandbox holds a copy of the agency's books, so its browser view (/app) is for a
signed-in Owner or Admin of this app (the same rule as the Sync Settings pages), and the whole
mount answers only to this installation's own host names (a DNS-rebinding page cannot read it).
"""
from __future__ import annotations

from functools import partial
from urllib.parse import quote, urlsplit

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WEB_VIEW_PATH = "/app"


def local_urls(base_url: str, prefix: str) -> dict:
    root = base_url.rstrip("/") + prefix
    return {
        "QBO_DISCOVERY_URL": f"{root}/.well-known/openid_configuration",
        "QBO_API_BASE_URL": root,
        "QBO_WEB_BASE_URL": f"{root}/app",
    }


def mount(app: Flask) -> None:
    import qbo_sandbox
    from demo_data.people import PAYERS, PEOPLE

    prefix = app.config["QBO_SANDBOX_PREFIX"]
    sandbox = qbo_sandbox.create_app({
        "SANDBOX_DATABASE": app.config["QBO_SANDBOX_DATABASE"],
        "DEMO_COMPANY": True,
        # The sandbox never imports the host: the demo company's clients come in here.
        "DEMO_PEOPLE": PEOPLE,
        "DEMO_PAYERS": PAYERS,
        # Sales tax of the demo company: "us-manual" (tax off) keeps today's exports as they are;
        # "us-ast" / "ca" model Intuit's automated sales tax / Canada (see the sandbox README).
        "TAX_MODE": app.config.get("QBO_SANDBOX_TAX_MODE", "us-manual"),
        "SECRET_KEY": app.config["SECRET_KEY"] + "-sandbox",
        # Fault-injection endpoints stay off inside the app: anyone who can reach CareLedger could
        # otherwise steer its QuickBooks. Tests use the knobs in-process; `python -m qbo_sandbox`
        # serves them when run on its own.
        "KNOBS_HTTP_ENABLED": bool(app.config.get("QBO_SANDBOX_KNOBS_HTTP", False)),
        # The sandbox's own check of its browser view (True = allowed); SandboxGuard below
        # applies the same function in front of it.
        "WEB_VIEW_GATE": partial(manager_signed_in, app),
        # The browser pages answer to the loopback names and to this app's own host name.
        "ALLOWED_HOSTS": [urlsplit(app.config["BASE_URL"]).hostname or "localhost"],
    })
    for key, value in local_urls(app.config["BASE_URL"], prefix).items():
        app.config.setdefault(key, value)
    app.config.setdefault("QBO_REDIRECT_URI", app.config["BASE_URL"].rstrip("/") + "/accounting/quickbooks/callback")
    _register_local_client(app, sandbox)
    app.extensions["qbo_sandbox_app"] = sandbox
    guard = SandboxGuard(sandbox, allowed_hosts(app.config["BASE_URL"]), partial(viewer_of, app),
                         prefix=prefix)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: guard})


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
    from services.sessions import enforce_limits

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


def _register_local_client(app: Flask, sandbox) -> None:
    """Register this app as an OAuth client of the sandbox, and the demo company's bookkeeper as
    the person who signs in to "QuickBooks" in the connect pop-up."""
    from demo_data.logins import LOCAL_QBO_LOGIN
    from qbo_sandbox import oauth

    oauth.register_client(sandbox, app.config["QBO_CLIENT_ID"], app.config["QBO_CLIENT_SECRET"],
                          redirect_uris=[app.config["QBO_REDIRECT_URI"]], name="CareLedger")
    realm_id = sandbox.config["DEMO_REALM_ID"]
    oauth.register_user(sandbox, LOCAL_QBO_LOGIN["email"], LOCAL_QBO_LOGIN["password"], realm_id,
                        given_name="Sam", family_name="Bookkeeper")
