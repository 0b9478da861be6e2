"""Opaque credential strings in Intuit-like shapes, and their hashes.

Nothing is encoded in them that the server reads back: they are random, looked up by sha256.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
import time

_ALNUM = string.ascii_letters + string.digits
# Intuit's access tokens look like compact JWEs with header {"enc":"A128CBC-HS256","alg":"dir"}.
_JWE_DIR_HEADER = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0"
_PLAUSIBLE = re.compile(r"^[A-Za-z0-9._~+/=-]{32,4096}$")


def _b64(nbytes: int) -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).rstrip(b"=").decode()


def _ab11() -> str:
    # Intuit's codes and refresh tokens: "AB11" + 10-digit epoch + 36 letters/digits (50 chars).
    return "AB11" + str(int(time.time())) + "".join(secrets.choice(_ALNUM) for _ in range(36))


def new_access_token() -> str:
    return f"{_JWE_DIR_HEADER}..{_b64(16)}.{_b64(640)}.{_b64(16)}"


def new_refresh_token() -> str:
    return _ab11()


def new_authorization_code() -> str:
    return _ab11()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_plausible(token: str) -> bool:
    """False for values no Intuit server would take for a token ("Malformed bearer token")."""
    return bool(token) and _PLAUSIBLE.match(token) is not None


def new_intuit_tid() -> str:
    # Shape of Intuit's transaction-id header, e.g. "1-6163c3f2-31e83ec954b9ba7a79e4df14".
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
