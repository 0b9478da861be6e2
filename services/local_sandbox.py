"""Mount the local QuickBooks Online sandbox inside this process, under QBO_SANDBOX_PREFIX.

The app still talks to it over HTTP like any QBO: only the URLs in config point here.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware


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
        # Who may open the sandbox's company pages (/qbo-sandbox/app): the host decides, with
        # its own callable (environ -> bool) when configured, else CareLedger's managers.
        "WEB_VIEW_GATE": app.config.get("QBO_SANDBOX_WEB_VIEW_GATE") or _managers_only(app),
        # The browser pages answer to the loopback names and to this app's own host name.
        "ALLOWED_HOSTS": [urlsplit(app.config["BASE_URL"]).hostname or "localhost"],
    })
    for key, value in local_urls(app.config["BASE_URL"], prefix).items():
        app.config.setdefault(key, value)
    app.config.setdefault("QBO_REDIRECT_URI", app.config["BASE_URL"].rstrip("/") + "/accounting/quickbooks/callback")
    _register_local_client(app, sandbox)
    app.extensions["qbo_sandbox_app"] = sandbox
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: sandbox})


def _managers_only(app: Flask):
    """The sandbox's WEB_VIEW_GATE: True when the request carries the CareLedger session of an
    Owner or Admin (a minimal stand-in until the host's own callable is configured)."""
    def gate(environ) -> bool:
        from flask_login import current_user

        from access import MANAGERS

        with app.request_context(environ):
            return bool(current_user.is_authenticated and current_user.role in MANAGERS)
    return gate


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
