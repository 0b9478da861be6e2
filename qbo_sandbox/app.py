"""Application factory of the local QuickBooks Online sandbox (skeleton; grows with the API)."""
from __future__ import annotations

from flask import Flask

from qbo_sandbox import db

DEFAULTS = {
    "SANDBOX_DATABASE": "sqlite://",
    "ACCESS_TOKEN_LIFETIME": 3600,
    "REFRESH_TOKEN_LIFETIME": 8726400,
    "AUTH_CODE_LIFETIME": 300,
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)
    db.init_db(app, app.config["SANDBOX_DATABASE"])
    return app
