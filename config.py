"""Configuration: safe defaults here; secrets and local choices from instance/ or the environment.

Precedence (last wins): defaults below → instance/config.py → environment variables → test_config.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

# Environment variables the app reads (name → config key). Documented in the README.
ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "QBO_ENVIRONMENT": "QBO_ENVIRONMENT",
    "QBO_CLIENT_ID": "QBO_CLIENT_ID",
    "QBO_CLIENT_SECRET": "QBO_CLIENT_SECRET",
    "QBO_REDIRECT_URI": "QBO_REDIRECT_URI",
    "QBO_DISCOVERY_URL": "QBO_DISCOVERY_URL",
    "QBO_API_BASE_URL": "QBO_API_BASE_URL",
    "QBO_WEB_BASE_URL": "QBO_WEB_BASE_URL",
    "QBO_MINOR_VERSION": "QBO_MINOR_VERSION",
    "QBO_CONNECT_TIMEOUT": "QBO_CONNECT_TIMEOUT",
    "QBO_READ_TIMEOUT": "QBO_READ_TIMEOUT",
    "TOKEN_ENCRYPTION_KEY": "TOKEN_ENCRYPTION_KEY",
    "QBO_SANDBOX_ENABLED": "QBO_SANDBOX_ENABLED",
    "QBO_SANDBOX_KNOBS_HTTP": "QBO_SANDBOX_KNOBS_HTTP",
    "QBO_READ_ALLOWANCE": "QBO_READ_ALLOWANCE",
    "CARELEDGER_BASE_URL": "BASE_URL",
    "LOG_LEVEL": "LOG_LEVEL",
    "SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "SESSION_LIFETIME_SECONDS": "SESSION_LIFETIME_SECONDS",
    "SESSION_IDLE_TIMEOUT_SECONDS": "SESSION_IDLE_TIMEOUT_SECONDS",
    "QBO_POLL_SECONDS": "QBO_POLL_SECONDS",
    "QBO_CHECK_MIN_GAP_SECONDS": "QBO_CHECK_MIN_GAP_SECONDS",
    "QBO_WEBHOOK_VERIFIER_TOKEN": "QBO_WEBHOOK_VERIFIER_TOKEN",
    "CARELEDGER_MALLOC_ARENA_MAX": "MALLOC_ARENA_MAX",
    "CARELEDGER_MEMORY_TRIM_MB": "MEMORY_TRIM_GROWTH_MB",
}

BOOLEAN_KEYS = {"QBO_SANDBOX_ENABLED", "QBO_SANDBOX_KNOBS_HTTP", "SESSION_COOKIE_SECURE"}
INTEGER_KEYS = {"SESSION_LIFETIME_SECONDS", "SESSION_IDLE_TIMEOUT_SECONDS", "QBO_POLL_SECONDS",
                "QBO_READ_ALLOWANCE", "QBO_CHECK_MIN_GAP_SECONDS", "MALLOC_ARENA_MAX", "MEMORY_TRIM_GROWTH_MB"}


def defaults(instance_path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "careledger.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A sign-in lasts at most SESSION_LIFETIME_SECONDS, and ends sooner after
        # SESSION_IDLE_TIMEOUT_SECONDS without a request (services/agency/sessions.py).
        "SESSION_LIFETIME_SECONDS": 12 * 3600,
        "SESSION_IDLE_TIMEOUT_SECONDS": 2 * 3600,
        "LOG_LEVEL": "INFO",
        # A worker's memory back near its resting size after heavy pages (memory.py); 0 = off.
        "MALLOC_ARENA_MAX": 2,
        "MEMORY_TRIM_GROWTH_MB": 16,
        "BASE_URL": "http://127.0.0.1:5000",
        # Login throttle: this many failures for one e-mail (or one address) in the window locks it.
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_FAILURE_WINDOW_SECONDS": 15 * 60,
        "LOGIN_ATTEMPT_RETENTION_SECONDS": 24 * 3600,  # older attempts are deleted at each sign-in
        "PAGE_SIZE": 25,
        # Scripts and styles only from this site's own files: no inline script, handler or style.
        "CONTENT_SECURITY_POLICY": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                                    "frame-ancestors 'self'"),
        # Request bodies above this answer 413; CSV imports stop at 5 MB with their own message.
        "MAX_CONTENT_LENGTH": 8 * 2**20,
        # QuickBooks Online: "local" is the embedded sandbox; "sandbox"/"production" are Intuit's.
        "QBO_ENVIRONMENT": "local",
        "QBO_SANDBOX_ENABLED": True,
        "QBO_SANDBOX_PREFIX": "/qbo-sandbox",
        "QBO_SANDBOX_DATABASE": "sqlite:///" + os.path.join(instance_path, "qbo_sandbox.sqlite"),
        "QBO_MINOR_VERSION": 75,
        "QBO_CONNECT_TIMEOUT": 5.0,
        "QBO_READ_TIMEOUT": 30.0,
        "QBO_SANDBOX_KNOBS_HTTP": False,  # the sandbox's fault knobs over HTTP (local experiments only)
        "QBO_SANDBOX_TAX_MODE": "us-ast",  # the demo company's sales tax (Intuit's US default): us-ast | us-manual | ca
        # The QuickBooks client's own retries (pages, CLI; the exporter decides its own).
        "QBO_RETRY_MAX_ATTEMPTS": 4,
        "QBO_RETRY_BASE_DELAY": 0.5,
        "QBO_RETRY_MAX_DELAY": 8.0,
        "QBO_RETRY_MAX_THROTTLE_WAIT": 60.0,
        # A page (a person waiting) does not sit out a 429's minute: past this many seconds it
        # says so in plain words at once; background work still waits (QBO_RETRY_MAX_THROTTLE_WAIT).
        "QBO_PAGE_MAX_THROTTLE_WAIT": 5.0,
        "QBO_CATALOG_PAGE_SIZE": 1000,  # rows per list query (QBO's maximum)
        "QBO_READ_ALLOWANCE": 500_000,  # CorePlus reads a month (Intuit's free Builder tier)
        # The exporter (README "Exporting invoices to QuickBooks" › Configuration).
        "QBO_EXPORT_WORKER": "auto",  # auto (on except in TESTING) | on | off
        "QBO_EXPORT_THREADS": 8,
        "QBO_EXPORT_POLL_SECONDS": 1.0,
        "QBO_EXPORT_LEASE_SECONDS": 120,
        "QBO_EXPORT_MAX_TRIES": 10,
        "QBO_EXPORT_BACKOFF_BASE": 0.5,
        "QBO_EXPORT_BACKOFF_CAP": 30,
        "QBO_EXPORT_RECONNECT_WAIT": 60,
        "QBO_EXPORT_THROTTLE_WAIT_MAX": None,  # None: wait as long as QuickBooks asks
        "QBO_EXPORT_LIMIT_PER_SECOND": 10,
        "QBO_EXPORT_LIMIT_PER_MINUTE": 500,
        "QBO_EXPORT_BATCH_LIMIT_PER_MINUTE": 40,
        "QBO_EXPORT_PACING_MARGIN": 0.15,
        # What happens in QuickBooks comes back (README "Payments, voids and changes from QuickBooks").
        "QBO_POLL_WORKER": "auto",          # auto (on except in TESTING) | on | off
        "QBO_POLL_SECONDS": 15 * 60,        # the scheduled change check, per company
        "QBO_POLL_TICK_SECONDS": 5.0,       # how often a serving process looks whether a check is due
        "QBO_POLL_LEASE_SECONDS": 300,      # one checker at a time across processes
        "QBO_POLL_OVERLAP_SECONDS": 60,     # each check starts this much before the last watermark
        "QBO_CHECK_MIN_GAP_SECONDS": 10,    # "Check QuickBooks now" reuses a good check this recent
        "QBO_WEBHOOK_VERIFIER_TOKEN": "",   # Intuit's verifier token; empty = webhooks endpoint off
    }


def instance_path_from_environment() -> str | None:
    """CARELEDGER_INSTANCE_PATH: where the database, secrets and sandbox files live (default:
    the project's instance/). Lets a second installation, or a test, use its own folder."""
    return os.environ.get("CARELEDGER_INSTANCE_PATH") or None


def _secret_file(instance_path: str, name: str, nbytes: int = 32) -> str:
    """Read a secret kept in instance/, creating it (mode 0600) on first run."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def from_environment() -> dict:
    values = {}
    for env_name, key in ENV_KEYS.items():
        if env_name in os.environ:
            raw = os.environ[env_name]
            if key in BOOLEAN_KEYS:
                values[key] = raw.lower() in ("1", "true", "yes", "on")
            elif key in INTEGER_KEYS:
                values[key] = int(raw)
            else:
                values[key] = raw
    url = values.get("SQLALCHEMY_DATABASE_URI", "")
    if url.startswith("postgres://"):  # Heroku-style URLs; SQLAlchemy wants the full dialect name
        values["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        values["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len("postgresql://"):]
    return values


def ensure_generated_secrets(config, instance_path: str) -> None:
    """Secrets nobody configured are generated once into instance/ and reused after."""
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_file(instance_path, "secret_key")
    if not config.get("TOKEN_ENCRYPTION_KEY"):
        config["TOKEN_ENCRYPTION_KEY_FILE"] = str(Path(instance_path) / "token_encryption.key")
    if config.get("QBO_ENVIRONMENT", "local") == "local":
        config.setdefault("QBO_CLIENT_ID", "careledger-local")
        if not config.get("QBO_CLIENT_SECRET"):
            config["QBO_CLIENT_SECRET"] = _secret_file(instance_path, "qbo_sandbox_client_secret")
