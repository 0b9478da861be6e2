"""CareLedger application factory: `create_app(test_config=None)` assembles the app in named steps."""
from __future__ import annotations

import logging
import os

from flask import Flask, render_template

import config as config_module
import converters
import memory
from access import enforce_access
from extensions import csrf, db, htmx, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    # Tests (and CARELEDGER_INSTANCE_PATH) keep their files out of the project's instance/.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or config_module.instance_path_from_environment()
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    register_config(app, test_config)
    register_logging(app)
    register_extensions(app)
    register_finalized_batch_lock(app)
    converters.install(app)  # before the blueprints: their <int:> rules use the bounded converter
    register_blueprints(app)
    register_request_hooks(app)
    memory.install(app)  # glibc arenas capped, freed memory handed back after heavy pages
    register_error_handlers(app)
    register_templating(app)
    register_cli(app)
    register_background_export(app)
    mount_local_sandbox(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    from services.instance_files import secure_dir, secure_sqlite_file

    secure_dir(app.instance_path)  # 0700, its files 0600
    app.config.from_mapping(config_module.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment())
    if test_config:
        app.config.update(test_config)
    config_module.ensure_generated_secrets(app.config, app.instance_path)
    # the cookie's own expiry follows the session lifetime (services/agency/sessions.py checks both limits)
    app.config["PERMANENT_SESSION_LIFETIME"] = int(app.config["SESSION_LIFETIME_SECONDS"])
    for key in ("SQLALCHEMY_DATABASE_URI", "QBO_SANDBOX_DATABASE"):
        secure_sqlite_file(app.config.get(key))


def register_logging(app: Flask) -> None:
    from qbo.redaction import install_redaction

    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    app.logger.setLevel(level)
    install_redaction()


def register_extensions(app: Flask) -> None:
    import models  # noqa: F401  (registers every table on db.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        from models import User

        return User.from_session_id(session_id)


def register_finalized_batch_lock(app: Flask) -> None:
    """Finalized batches are read-only for every code path: refuse their changes at flush."""
    from models.billing import install_finalized_batch_lock

    install_finalized_batch_lock(db.session)


def register_blueprints(app: Flask) -> None:
    from blueprints import all_blueprints

    for blueprint in all_blueprints():
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from services.agency.sessions import enforce_limits

    app.before_request(enforce_limits)
    app.before_request(enforce_access)

    @app.after_request
    def security_headers(response):
        from flask import request
        from flask_login import current_user

        response.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        if request.endpoint != "static" and current_user.is_authenticated:
            # Pages of a signed-in person stay out of shared and browser caches (back button after
            # sign-out on a shared computer).
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_error_handlers(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from converters import OutOfRange

    def page(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    app.register_error_handler(403, lambda e: page(403, "Not allowed",
                               "Your role does not allow this page. Ask an Owner or Admin."))
    app.register_error_handler(404, lambda e: page(404, "Not found",
                               "There is nothing at this address."))
    app.register_error_handler(400, lambda e: page(400, "Bad request", e.description
                               if isinstance(e, OutOfRange) else "The request could not be understood."))
    app.register_error_handler(413, lambda e: page(413, "File too large", (
                               f"Requests are limited to {app.config['MAX_CONTENT_LENGTH'] // 2**20} MB; "
                               "CSV imports to 5 MB. Nothing was saved.")))
    app.register_error_handler(CSRFError, lambda e: page(400, "Form expired",
                               "The form was too old or came from elsewhere. Reload the page and try again."))
    app.register_error_handler(500, lambda e: page(500, "Something went wrong",
                               "The error was logged. Nothing you entered was saved; please try again."))


def register_templating(app: Flask) -> None:
    from templating import register_templating as register

    register(app)


def register_cli(app: Flask) -> None:
    from cli import register_commands

    register_commands(app)


def register_background_export(app: Flask) -> None:
    """A serving process runs the export worker: `wsgi.py` starts it at once, `flask run` with its
    first request. CLI commands serve no request, so they start no thread."""
    from services.export import worker

    worker.start_with_first_request(app)
    from services.time_export import worker as time_worker

    time_worker.start_with_first_request(app)   # visits as time activities (issue 17)
    from services.payments import runner

    runner.start_with_first_request(app)  # the QuickBooks change check (issue 15)


def mount_local_sandbox(app: Flask) -> None:
    """Serve the local QuickBooks Online sandbox from this process when it is the chosen QBO."""
    from services.qbo_connection import local

    if local.is_enabled(app.config):
        local.mount(app)
