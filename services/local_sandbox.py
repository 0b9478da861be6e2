"""Mount the local QuickBooks Online sandbox inside this process, under QBO_SANDBOX_PREFIX.

The app still talks to it over HTTP like any QBO: only the URLs in config point here.
"""
from __future__ import annotations

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

    prefix = app.config["QBO_SANDBOX_PREFIX"]
    sandbox = qbo_sandbox.create_app({
        "SANDBOX_DATABASE": app.config["QBO_SANDBOX_DATABASE"],
        "DEMO_COMPANY": True,
        "SECRET_KEY": app.config["SECRET_KEY"] + "-sandbox",
    })
    for key, value in local_urls(app.config["BASE_URL"], prefix).items():
        app.config.setdefault(key, value)
    app.config.setdefault("QBO_REDIRECT_URI", app.config["BASE_URL"].rstrip("/") + "/accounting/quickbooks/callback")
    _register_local_client(app, sandbox)
    app.extensions["qbo_sandbox_app"] = sandbox
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: sandbox})


def _register_local_client(app: Flask, sandbox) -> None:
    try:
        from qbo_sandbox import oauth
    except ImportError:  # the OAuth half of the sandbox has not landed yet
        return
    oauth.register_client(sandbox, app.config["QBO_CLIENT_ID"], app.config["QBO_CLIENT_SECRET"],
                          redirect_uris=[app.config["QBO_REDIRECT_URI"]], name="CareLedger")
