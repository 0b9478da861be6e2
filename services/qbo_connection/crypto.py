"""Encryption of OAuth tokens at rest (Fernet: AES-128-CBC + HMAC-SHA256, with a timestamp).

The key is never in the database. It comes from TOKEN_ENCRYPTION_KEY (config or environment;
use this when several hosts share one database), else from the file TOKEN_ENCRYPTION_KEY_FILE
in instance/, created with mode 0600 on first use. TOKEN_ENCRYPTION_KEY may list several keys
separated by commas: the first encrypts, all decrypt, so a key can be rotated without
reconnecting (`flask qbo rotate-key` re-encrypts with the first).
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

_EXTENSION = "qbo.token_cipher"


class TokenKeyError(RuntimeError):
    """The stored tokens cannot be decrypted with the configured key(s)."""


def _read_or_create_key_file(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key.decode()


def configured_keys(config) -> list[str]:
    raw = config.get("TOKEN_ENCRYPTION_KEY") or os.environ.get("TOKEN_ENCRYPTION_KEY") or ""
    keys = [k.strip() for k in str(raw).split(",") if k.strip()]
    if keys:
        return keys
    path = config.get("TOKEN_ENCRYPTION_KEY_FILE") or os.path.join(
        current_app.instance_path, "token_encryption.key")
    return [_read_or_create_key_file(Path(path))]


def build_cipher(keys: list[str]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
    except (ValueError, TypeError):
        raise TokenKeyError("TOKEN_ENCRYPTION_KEY is not a valid Fernet key "
                            "(32 url-safe base64 bytes; make one with "
                            "`python -c 'from cryptography.fernet import Fernet; "
                            "print(Fernet.generate_key().decode())'`)") from None


def cipher() -> MultiFernet:
    app = current_app._get_current_object()
    found = app.extensions.get(_EXTENSION)
    if found is None:
        found = app.extensions[_EXTENSION] = build_cipher(configured_keys(app.config))
    return found


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenKeyError("The stored QuickBooks tokens cannot be decrypted with the configured "
                            "key; was TOKEN_ENCRYPTION_KEY or instance/token_encryption.key "
                            "changed? Reconnect to QuickBooks.") from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first (newest) key."""
    return cipher().rotate(ciphertext.encode()).decode()
