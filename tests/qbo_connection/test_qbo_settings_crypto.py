"""Environment selection by configuration, and token encryption at rest."""
from __future__ import annotations

import os
import stat

import pytest
from cryptography.fernet import Fernet

from qbo.settings import ConfigurationError, settings_from_config


def test_intuit_sandbox_and_production_urls():
    sandbox = settings_from_config({"QBO_ENVIRONMENT": "sandbox"})
    assert sandbox.api_base_url == "https://sandbox-quickbooks.api.intuit.com"
    assert sandbox.web_base_url == "https://app.sandbox.qbo.intuit.com/app"
    assert sandbox.discovery_url.endswith("openid_sandbox_configuration")
    production = settings_from_config({"QBO_ENVIRONMENT": "production"})
    assert production.api_base_url == "https://quickbooks.api.intuit.com"
    assert production.web_base_url == "https://app.qbo.intuit.com/app"
    assert production.discovery_url.endswith("/openid_configuration")
    assert production.minor_version == 75


def test_explicit_urls_override_and_missing_keys_are_named():
    s = settings_from_config({"QBO_ENVIRONMENT": "production",
                              "QBO_DISCOVERY_URL": "http://127.0.0.1:9/d",
                              "QBO_API_BASE_URL": "http://127.0.0.1:9/"})
    assert s.discovery_url == "http://127.0.0.1:9/d"
    assert s.api_base_url == "http://127.0.0.1:9"
    assert set(s.missing()) == {"QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_REDIRECT_URI"}
    derived = settings_from_config({"QBO_ENVIRONMENT": "production", "BASE_URL": "https://books.example/"})
    assert derived.redirect_uri == "https://books.example/accounting/quickbooks/callback"
    assert "secret" not in repr(settings_from_config({"QBO_CLIENT_SECRET": "secret"}))


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigurationError):
        settings_from_config({"QBO_ENVIRONMENT": "staging"})


def test_key_file_is_generated_0600_in_instance_and_reused(app):
    from services.qbo_connection import crypto as qbo_crypto

    token = qbo_crypto.encrypt("at-secret-value")
    assert "at-secret-value" not in token
    path = app.config["TOKEN_ENCRYPTION_KEY_FILE"]
    assert os.path.dirname(path) == app.instance_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    app.extensions.pop("qbo.token_cipher")  # a restart reads the same file
    assert qbo_crypto.decrypt(token) == "at-secret-value"


def test_env_key_wins_and_supports_rotation(app):
    from services.qbo_connection import crypto as qbo_crypto

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["TOKEN_ENCRYPTION_KEY"] = old
    app.extensions.pop("qbo.token_cipher", None)
    token = qbo_crypto.encrypt("rt")
    app.config["TOKEN_ENCRYPTION_KEY"] = f"{new},{old}"
    app.extensions.pop("qbo.token_cipher")
    assert qbo_crypto.decrypt(token) == "rt"
    rotated = qbo_crypto.rotate(token)
    app.config["TOKEN_ENCRYPTION_KEY"] = new
    app.extensions.pop("qbo.token_cipher")
    assert qbo_crypto.decrypt(rotated) == "rt"
    with pytest.raises(qbo_crypto.TokenKeyError):
        qbo_crypto.decrypt(token)
