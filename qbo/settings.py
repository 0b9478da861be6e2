"""Which QuickBooks Online this installation talks to, read from configuration in one place.

Three environments, and only the discovery document, the API/web base URLs, the client
id/secret and the redirect URI differ between them:
- `local`: the embedded sandbox (services/qbo_connection/local.py fills in its URLs);
- `sandbox`: Intuit's developer sandbox;
- `production`: real companies.
QBO_DISCOVERY_URL / QBO_API_BASE_URL / QBO_WEB_BASE_URL, when set, override the defaults.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

INTUIT = {
    "sandbox": {
        "discovery": "https://developer.api.intuit.com/.well-known/openid_sandbox_configuration",
        "api": "https://sandbox-quickbooks.api.intuit.com",
        "web": "https://app.sandbox.qbo.intuit.com/app",
    },
    "production": {
        "discovery": "https://developer.api.intuit.com/.well-known/openid_configuration",
        "api": "https://quickbooks.api.intuit.com",
        "web": "https://app.qbo.intuit.com/app",
    },
}
ENVIRONMENTS = ("local", "sandbox", "production")
ENVIRONMENT_LABELS = {
    "local": "Local sandbox (built in, for trying CareLedger out)",
    "sandbox": "Intuit developer sandbox",
    "production": "QuickBooks Online (production)",
}
SCOPES = ("com.intuit.quickbooks.accounting", "openid")
CALLBACK_PATH = "/accounting/quickbooks/callback"

# Keys the app config may lack because config.ENV_KEYS does not list them (yet): read the
# environment directly so operators can still set them.
_EXTRA_ENV = ("QBO_WEB_BASE_URL", "QBO_MINOR_VERSION", "QBO_CONNECT_TIMEOUT", "QBO_READ_TIMEOUT",
              "TOKEN_ENCRYPTION_KEY")


class ConfigurationError(RuntimeError):
    """QuickBooks is not configured well enough to connect (said plainly to the operator)."""


@dataclass(frozen=True)
class QboSettings:
    environment: str
    discovery_url: str
    api_base_url: str
    web_base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    minor_version: int = 75
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    scopes: tuple[str, ...] = SCOPES

    @property
    def label(self) -> str:
        return ENVIRONMENT_LABELS.get(self.environment, self.environment)

    def missing(self) -> list[str]:
        """Config keys that must still be set before anyone can connect."""
        needed = {"QBO_CLIENT_ID": self.client_id, "QBO_CLIENT_SECRET": self.client_secret,
                  "QBO_REDIRECT_URI": self.redirect_uri, "QBO_DISCOVERY_URL": self.discovery_url,
                  "QBO_API_BASE_URL": self.api_base_url}
        return [key for key, value in needed.items() if not value]


def _get(config, key, default=None):
    value = config.get(key)
    if value in (None, "") and key in _EXTRA_ENV:
        value = os.environ.get(key)
    return default if value in (None, "") else value


def settings_from_config(config) -> QboSettings:
    environment = str(_get(config, "QBO_ENVIRONMENT", "local")).strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(
            f"QBO_ENVIRONMENT={environment!r} is not one of {', '.join(ENVIRONMENTS)}")
    defaults = INTUIT.get(environment, {"discovery": "", "api": "", "web": ""})
    return QboSettings(
        environment=environment,
        discovery_url=_get(config, "QBO_DISCOVERY_URL", defaults["discovery"]),
        api_base_url=str(_get(config, "QBO_API_BASE_URL", defaults["api"])).rstrip("/"),
        web_base_url=str(_get(config, "QBO_WEB_BASE_URL", defaults["web"])).rstrip("/"),
        client_id=_get(config, "QBO_CLIENT_ID", ""),
        client_secret=_get(config, "QBO_CLIENT_SECRET", ""),
        # Default: this app's own callback under BASE_URL (what Intuit must have on file).
        redirect_uri=_get(config, "QBO_REDIRECT_URI", "") or (
            str(config.get("BASE_URL") or "").rstrip("/") + CALLBACK_PATH if config.get("BASE_URL") else ""),
        minor_version=int(_get(config, "QBO_MINOR_VERSION", 75)),
        connect_timeout=float(_get(config, "QBO_CONNECT_TIMEOUT", 5.0)),
        read_timeout=float(_get(config, "QBO_READ_TIMEOUT", 30.0)),
    )
