"""The local QuickBooks Online sandbox inside this process: the only module that imports `qbo_sandbox`.

`mount` serves it under QBO_SANDBOX_PREFIX, behind `sandbox_guard.SandboxGuard` (this
installation's host names only; the browser view for Owners and Admins). The app still talks to it
over HTTP like any QBO: only the URLs in config point here. A process that serves no requests (a CLI
command) reaches the same mounted sandbox in-process with `reach_in_process`, so no server has to
be running.
"""
from __future__ import annotations

import hashlib
from functools import partial
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from services.qbo_connection.sandbox_guard import SandboxGuard, allowed_hosts, manager_signed_in, viewer_of

EXTENSION_KEY = "qbo_sandbox_app"


def is_enabled(config) -> bool:
    """The local sandbox is the chosen QuickBooks and this app serves it."""
    return bool(config.get("QBO_SANDBOX_ENABLED")) and config.get("QBO_ENVIRONMENT") == "local"


def local_urls(base_url: str, prefix: str) -> dict:
    root = base_url.rstrip("/") + prefix
    return {
        "QBO_DISCOVERY_URL": f"{root}/.well-known/openid_configuration",
        "QBO_API_BASE_URL": root,
        "QBO_WEB_BASE_URL": f"{root}/app",
    }


def mount(app: Flask) -> None:
    import qbo_sandbox
    from demo_data.caregivers import DEMO_CAREGIVERS
    from demo_data.people import PAYERS, PEOPLE

    prefix = app.config["QBO_SANDBOX_PREFIX"]
    sandbox = qbo_sandbox.create_app({
        "SANDBOX_DATABASE": app.config["QBO_SANDBOX_DATABASE"],
        "DEMO_COMPANY": True,
        # The sandbox never imports the host: the demo company's clients come in here.
        "DEMO_PEOPLE": PEOPLE,
        "DEMO_PAYERS": PAYERS,
        "DEMO_CAREGIVERS": DEMO_CAREGIVERS,
        # Sales tax of the demo company: "us-manual" (tax off) keeps today's exports as they are;
        # "us-ast" / "ca" model Intuit's automated sales tax / Canada (see the sandbox README).
        "TAX_MODE": app.config["QBO_SANDBOX_TAX_MODE"],
        "SECRET_KEY": app.config["SECRET_KEY"] + "-sandbox",
        # Fault-injection endpoints stay off inside the app: anyone who can reach CareLedger could
        # otherwise steer its QuickBooks. Tests use the knobs in-process; `python -m qbo_sandbox`
        # serves them when run on its own.
        "KNOBS_HTTP_ENABLED": bool(app.config["QBO_SANDBOX_KNOBS_HTTP"]),
        # The sandbox's own check of its browser view (True = allowed); SandboxGuard applies the
        # same function in front of it.
        "WEB_VIEW_GATE": partial(manager_signed_in, app),
        # The browser pages answer to the loopback names and to this app's own host name.
        "ALLOWED_HOSTS": [urlsplit(app.config["BASE_URL"]).hostname or "localhost"],
    })
    for key, value in local_urls(app.config["BASE_URL"], prefix).items():
        app.config.setdefault(key, value)
    app.config.setdefault("QBO_REDIRECT_URI", app.config["BASE_URL"].rstrip("/") + "/accounting/quickbooks/callback")
    _register_local_client(app, sandbox)
    app.extensions[EXTENSION_KEY] = sandbox
    guard = SandboxGuard(sandbox, allowed_hosts(app.config["BASE_URL"]), partial(viewer_of, app),
                         prefix=prefix)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: guard})


def _register_local_client(app: Flask, sandbox) -> None:
    """Register this app as an OAuth client of the sandbox, and the demo company's bookkeeper as
    the person who signs in to "QuickBooks" in the connect pop-up.

    Every process on this instance shares the sandbox's database: a CLI command (or a second
    server) with another base URL must not take the running server's redirect URI away, so a
    registration only ever gains URIs, and is written only when something is missing."""
    from demo_data.logins import LOCAL_QBO_LOGIN
    from qbo_sandbox import oauth
    from qbo_sandbox.oauth import store

    client_id, secret = app.config["QBO_CLIENT_ID"], app.config["QBO_CLIENT_SECRET"]
    wanted = app.config["QBO_REDIRECT_URI"]
    found = store.get_client(sandbox, client_id)
    same_secret = found is not None and found.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    if found is None or not same_secret or (found.redirect_uris is not None and wanted not in found.redirect_uris):
        uris = list(found.redirect_uris or ()) if found is not None else []
        if wanted not in uris:
            uris.append(wanted)
        oauth.register_client(sandbox, client_id, secret, redirect_uris=uris, name="CareLedger")
    realm_id = sandbox.config["DEMO_REALM_ID"]
    oauth.register_user(sandbox, LOCAL_QBO_LOGIN["email"], LOCAL_QBO_LOGIN["password"], realm_id,
                        given_name="Sam", family_name="Bookkeeper")


def mounted_sandbox(app: Flask):
    """The sandbox app mounted in `app`, or None."""
    return app.extensions.get(EXTENSION_KEY)


def reach_in_process(app: Flask) -> bool:
    """When the sandbox is mounted here, send this process's QuickBooks calls to it through WSGI
    instead of a socket (a CLI command has no server listening at BASE_URL). True if it did."""
    import httpx2

    from services.qbo_connection import runtime as qbo_runtime

    if mounted_sandbox(app) is None:
        return False
    if app.config.get("QBO_HTTP_TRANSPORT") is None:
        app.config["QBO_HTTP_TRANSPORT"] = httpx2.WSGITransport(app=app)
        qbo_runtime.reset(app)
    return True
