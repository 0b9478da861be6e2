"""Application factory of the local QuickBooks Online sandbox.

Config keys (all optional):
  SANDBOX_DATABASE        SQLAlchemy URL of the sandbox's own database (default: in memory)
  THROTTLE_ENABLED        apply Intuit's rate limits (default True; a knob can flip it)
  KNOBS_HTTP_ENABLED      serve /_sandbox/* control endpoints (default True, for local use)
  DEMO_COMPANY            create the demo agency's books on start if missing (default False)
  DEMO_REALM_ID           realm id of the demo company (default 9341453172471531)
  DEMO_PEOPLE / DEMO_PAYERS  the demo company's clients and payers, passed in by the host
                          (default: the sandbox's own, qbo_sandbox/demo/people.py)
  DEMO_CAREGIVERS         the demo company's caregivers, some entered as Employees / Vendors
                          (default: the sandbox's own, qbo_sandbox/demo/people.py)
  EMPTY_COMPANY_REALM_ID  create an empty company with this realm id on start (optional)
  WEB_VIEW_ENABLED        serve the /app browser view (default True)
  WEB_VIEW_GATE           optional callable(environ) -> bool: the host decides who sees /app
                          (True = allowed, False = 403); unset = the sandbox's own sign-in
  ALLOWED_HOSTS           host names the browser pages answer to besides the loopback names
  SIGNIN_MAX_FAILURES / SIGNIN_WINDOW_SECONDS  the sign-in throttle (5 per e-mail per 900 s)
  COREPLUS_CAP            monthly CorePlus reads per realm before 429 (default None: no cap)
  ENVIRONMENT             "sandbox" or "production" (production: Intuit's redirect URI policy)
  DELETED_NAME_SUFFIX     inactive names get " (deleted)" as in QBO (default False: what the
                          app's tests expect; `python -m qbo_sandbox` turns it on)
  UNKNOWN_RESPONSE_FIELDS add fields no client knows to every entity answered (default False)
  WEBHOOK_ENABLED, WEBHOOK_URLS, WEBHOOK_VERIFIER_TOKEN, WEBHOOK_CONTENT_TYPE, WEBHOOK_FORMAT,
  WEBHOOK_TIME_COMPRESSION, WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_BACKGROUND, WEBHOOK_ENTITIES
                          the webhook emitter (qbo_sandbox/webhooks; off by default)
  TAX_MODE                tax mode of companies made on start: us-ast, us-manual (default), ca
  ACCESS_TOKEN_LIFETIME / REFRESH_TOKEN_LIFETIME / AUTH_CODE_LIFETIME  read by the OAuth half
"""
from __future__ import annotations

from flask import Flask

from qbo_sandbox import db
from qbo_sandbox import store as store_module  # registers the API tables on db.Base
from qbo_sandbox.control.knobs import Knobs
from qbo_sandbox.control.throttle import Throttle
from qbo_sandbox.control.usage import Usage

DEFAULTS = {
    "SANDBOX_DATABASE": "sqlite://",
    "THROTTLE_ENABLED": True,
    "KNOBS_HTTP_ENABLED": True,
    "DEMO_COMPANY": False,
    "DEMO_REALM_ID": "9341453172471531",
    "WEB_VIEW_ENABLED": True,
    "WEB_VIEW_GATE": None,
    "COREPLUS_CAP": None,
    "ENVIRONMENT": "sandbox",
    "DELETED_NAME_SUFFIX": False,
    "UNKNOWN_RESPONSE_FIELDS": False,
    "TAX_MODE": "us-manual",
    "ALLOWED_HOSTS": (),
    "ACCESS_TOKEN_LIFETIME": 3600,
    "REFRESH_TOKEN_LIFETIME": 8726400,
    "AUTH_CODE_LIFETIME": 300,
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)
    db.init_db(app, app.config["SANDBOX_DATABASE"])
    _register_oauth(app)  # needs the engine; creates its own tables
    app.extensions["qbo_sandbox.store"] = store_module.Store(app.extensions["qbo_sandbox.engine"])
    app.extensions["qbo_sandbox.knobs"] = Knobs(app)
    app.extensions["qbo_sandbox.throttle"] = Throttle()
    app.extensions["qbo_sandbox.usage"] = Usage()
    from qbo_sandbox import webhooks
    webhooks.init_app(app)

    from qbo_sandbox.hosts import check_host
    app.before_request(check_host)
    from qbo_sandbox.accounting.views import bp as api_bp
    app.register_blueprint(api_bp)
    if app.config["KNOBS_HTTP_ENABLED"]:
        from qbo_sandbox.control import webhook_views  # noqa: F401  (adds its routes to bp)
        from qbo_sandbox.control.views import bp as control_bp
        app.register_blueprint(control_bp)
    if app.config["WEB_VIEW_ENABLED"]:
        from qbo_sandbox.demo import actions  # noqa: F401  (adds the buttons' routes to bp)
        from qbo_sandbox.demo import web_time  # noqa: F401  (Employees, Vendors, Time pages)
        from qbo_sandbox.demo.web import bp as web_bp
        app.register_blueprint(web_bp)

    from qbo_sandbox.control.faults import KnobGate
    app.wsgi_app = KnobGate(app.wsgi_app, app)
    _seed(app)
    return app


def _register_oauth(app: Flask) -> None:
    from qbo_sandbox import oauth

    oauth.init_app(app)


def _seed(app: Flask) -> None:
    from qbo_sandbox.accounting import company as companies
    store = app.extensions["qbo_sandbox.store"]
    if app.config.get("DEMO_COMPANY"):
        from qbo_sandbox import demo
        demo.ensure_demo_company(app)
    realm = app.config.get("EMPTY_COMPANY_REALM_ID")
    if realm:
        with store.transaction() as tx:
            if tx.company(realm) is None:
                companies.create_company(tx, realm, app.config.get("EMPTY_COMPANY_NAME", "Sandbox Company"),
                                         tax_mode=app.config["TAX_MODE"])
