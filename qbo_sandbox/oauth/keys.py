"""The RSA key that signs ID tokens, published at the jwks endpoint.

Uses joserfc (the JOSE library by Authlib's author, an Authlib dependency): Authlib 1.9
deprecates its own `authlib.jose` in its favour.
Without OAUTH_SIGNING_KEY_PEM in config, each app instance generates a key at start-up, so
ID tokens from an earlier run stop verifying after a restart (they are only checked at issue).
"""
from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import RSAKey

_EXT = "qbo_sandbox.oauth.signing_key"


def init_signing_key(app) -> None:
    pem = app.config.get("OAUTH_SIGNING_KEY_PEM")
    params = {"use": "sig", "alg": "RS256"}
    if pem:
        key = RSAKey.import_key(pem, parameters=params)
        key.ensure_kid()
    else:
        key = RSAKey.generate_key(2048, parameters=params, auto_kid=True)
    app.extensions[_EXT] = key


def jwks(app) -> dict:
    return {"keys": [app.extensions[_EXT].as_dict(private=False)]}


def sign_id_token(app, *, issuer: str, client_id: str, sub: str, realm_id: str | None,
                  auth_time: float, lifetime: int = 3600) -> str:
    """An RS256 ID token with the claims Intuit's carry (iss, aud list, realmid, sub, auth_time...)."""
    key = app.extensions[_EXT]
    now = int(time.time())
    claims = {"sub": sub, "aud": [client_id]}
    if realm_id:
        claims["realmid"] = realm_id
    claims.update({"auth_time": int(auth_time), "iss": issuer, "exp": now + lifetime, "iat": now})
    return jwt.encode({"kid": key.kid, "alg": "RS256"}, claims, key)
