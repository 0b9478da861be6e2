"""Valid access tokens from the stored connection, refreshed early, rotated without loss.

Refreshing is guarded by a lease on the connection row, taken with a compare-and-swap on
`token_version`:
    UPDATE … SET lease=me WHERE token_version=v AND (no lease or lease expired)
Only the holder calls Intuit's token endpoint; it then writes the rotated pair and bumps the
version in one UPDATE guarded by its lease. Everyone else waits for the version to move and
re-reads the winner's tokens, so nobody sends a superseded refresh token (the sandbox, like a
strict Intuit, kills the chain at once when one is reused). This works the same on SQLite and
PostgreSQL, across threads and processes, and holds no transaction open during the HTTP call.

All reads and writes here go through their own short connections (`db.engine.begin()`), never
the request's ORM session: the token state must be fresh, and committing it must not commit
whatever else a request has pending.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from extensions import db
from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
from qbo.errors import (NotFoundError, QboError, ReconnectRequired,
                        StaleObjectError, TransientError, ValidationError)
from qbo.oauth import TokenSet
from services.qbo_connection import crypto as qbo_crypto
from services.qbo_connection import runtime as qbo_runtime
from services.qbo_connection.messages import plain_error

log = logging.getLogger(__name__)
T = QboConnection.__table__

REFRESH_EARLY = timedelta(minutes=5)      # refresh this long before the access token expires
LEASE_SECONDS = 90                        # > connect + read timeout of the token call
WAIT_FOR_OTHER_REFRESH = 45.0             # how long a loser waits for the winner's tokens
SUCCESS_WRITE_INTERVAL = 30.0             # at most one "last successful call" write per 30 s

_last_success_write: dict[int, float] = {}
_success_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def read_row(app: Flask | None = None):
    """The connection row as a plain Row, read fresh on its own connection (or None)."""
    app = app or current_app._get_current_object()
    with db.engine.connect() as conn:
        return conn.execute(select(T).where(T.c.id == CONNECTION_ID)).first()


_ROW_KEY = "careledger.qbo_connection_row"  # in the request's environ: `g` can outlive a request


def page_row(app: Flask | None = None):
    """The connection row for what a page shows (realm, status, company, hard expiry): read once
    per request, where a page asks three to five times. Any commit or token write in this
    process forgets it. Tokens are always read fresh (`read_row`)."""
    if not has_request_context():
        return read_row(app)
    environ = request.environ
    if _ROW_KEY not in environ:
        environ[_ROW_KEY] = read_row(app)
    return environ[_ROW_KEY]


def forget_page_row(*_args) -> None:
    if has_request_context():
        request.environ.pop(_ROW_KEY, None)


event.listen(Session, "after_commit", forget_page_row)  # connecting and disconnecting commit


def _execute(statement) -> int:
    forget_page_row()
    with db.engine.begin() as conn:
        return conn.execute(statement).rowcount


def _reconnect_error(row) -> ReconnectRequired:
    if row is None or row.status == ConnectionStatus.NOT_CONNECTED:
        return ReconnectRequired("QuickBooks is not connected yet.")
    if row.status == ConnectionStatus.DISCONNECTED:
        return ReconnectRequired("QuickBooks was disconnected.")
    return ReconnectRequired("The QuickBooks connection has expired; reconnect to QuickBooks.")


def store_token_set(tokens: TokenSet, *, expected_version: int | None = None,
                    lease_owner: str | None = None, extra: dict | None = None) -> int:
    """Write a new token pair (encrypted) and bump the version. Returns rows changed (0 = lost CAS)."""
    values = dict(
        access_token_enc=qbo_crypto.encrypt(tokens.access_token),
        refresh_token_enc=qbo_crypto.encrypt(tokens.refresh_token),
        access_expires_at=tokens.access_expires_at,
        refresh_expires_at=tokens.refresh_expires_at,
        token_version=T.c.token_version + 1,
        refresh_lease_owner=None,
        refresh_lease_until=None,
        last_refreshed_at=_now(),
        **(extra or {}),
    )
    if tokens.refresh_hard_expires_at is not None:
        # The hard expiry counts from the grant's first issue; a refresh that does not repeat it
        # (the header ignored) leaves the stored date alone rather than forgetting it.
        values["refresh_hard_expires_at"] = tokens.refresh_hard_expires_at
    statement = update(T).where(T.c.id == CONNECTION_ID)
    if expected_version is not None:
        statement = statement.where(T.c.token_version == expected_version)
    if lease_owner is not None:
        statement = statement.where(T.c.refresh_lease_owner == lease_owner)
    return _execute(statement.values(**values))


def mark_reconnect_required(reason: str, *, expected_version: int | None = None) -> None:
    """The refresh token is dead: forget the tokens, keep realm, company, settings and matches."""
    statement = update(T).where(T.c.id == CONNECTION_ID, T.c.status == ConnectionStatus.CONNECTED)
    if expected_version is not None:
        statement = statement.where(T.c.token_version == expected_version)
    _execute(statement.values(
        status=ConnectionStatus.RECONNECT_REQUIRED, access_token_enc=None, refresh_token_enc=None,
        access_expires_at=None, token_version=T.c.token_version + 1, refresh_lease_owner=None,
        refresh_lease_until=None, last_error=reason[:500], last_error_at=_now()))
    log.warning("QuickBooks connection needs reconnecting: %s", reason)


class StoredTokens:
    """The TokenSource (qbo.client) backed by the connection row."""

    def __init__(self, app: Flask | None = None, *, realm_id: str | None = None,
                 refresh_early: timedelta = REFRESH_EARLY):
        self.app = app or current_app._get_current_object()
        self.realm_id = realm_id
        self.refresh_early = refresh_early

    # --- TokenSource ---------------------------------------------------------------------------
    def access_token(self) -> str:
        row = self._usable_row()
        if row.access_expires_at and row.access_expires_at - self.refresh_early > _now():
            return self._decrypt(row, row.access_token_enc)
        return self._refresh(row)

    def refreshed_after_rejection(self, rejected: str) -> str:
        row = self._usable_row()
        current = self._decrypt(row, row.access_token_enc)
        if current != rejected:
            return current  # someone refreshed while our call was in flight
        return self._refresh(row)

    def record_success(self) -> None:
        with _success_lock:
            key = id(self.app)
            if time.monotonic() - _last_success_write.get(key, 0.0) < SUCCESS_WRITE_INTERVAL:
                return
            _last_success_write[key] = time.monotonic()
        with self.app.app_context():
            _execute(update(T).where(T.c.id == CONNECTION_ID).values(last_success_at=_now()))

    def record_failure(self, error: QboError) -> None:
        # Problems with one record belong to the feature that sent it; here only the health of
        # the connection itself is recorded.
        if isinstance(error, (ValidationError, NotFoundError, StaleObjectError)):
            return
        if isinstance(error, ReconnectRequired):
            return  # already recorded where it was detected
        with self.app.app_context():
            _execute(update(T).where(T.c.id == CONNECTION_ID).values(
                last_error=plain_error(error)[:500], last_error_at=_now()))

    # --- internals -------------------------------------------------------------------------
    def _usable_row(self):
        with self.app.app_context():
            row = read_row(self.app)
        if row is None or row.status != ConnectionStatus.CONNECTED or not row.refresh_token_enc:
            raise _reconnect_error(row)
        if self.realm_id and row.realm_id != self.realm_id:
            raise ReconnectRequired("The QuickBooks company changed while this task was running.")
        return row

    def _decrypt(self, row, value: str | None) -> str:
        if not value:
            raise _reconnect_error(row)
        try:
            with self.app.app_context():
                return qbo_crypto.decrypt(value)
        except qbo_crypto.TokenKeyError as error:
            raise ReconnectRequired(str(error)) from None

    def _refresh(self, row) -> str:
        with self.app.app_context():
            return self._refresh_in_context(row)

    def _refresh_in_context(self, row) -> str:
        now = _now()
        hard_dead = row.refresh_hard_expires_at and row.refresh_hard_expires_at <= now
        if (row.refresh_expires_at and row.refresh_expires_at <= now) or hard_dead:
            mark_reconnect_required("The QuickBooks refresh token expired.",
                                    expected_version=row.token_version)
            raise ReconnectRequired("The QuickBooks connection has expired; reconnect to QuickBooks.")

        owner = uuid.uuid4().hex
        version = row.token_version
        deadline = time.monotonic() + WAIT_FOR_OTHER_REFRESH
        pause = 0.02
        while not self._take_lease(version, owner):
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
            fresh = read_row(self.app)
            if fresh is None or fresh.token_version != version:
                # The winner finished: use its tokens (or its verdict that the chain is dead).
                if fresh is None or fresh.status != ConnectionStatus.CONNECTED:
                    raise _reconnect_error(fresh)
                return self._decrypt(fresh, fresh.access_token_enc)
            if time.monotonic() > deadline:
                raise TransientError("Another token refresh is taking too long; try again.",
                                     ambiguous=False)

        try:
            refresh_token = self._decrypt(row, row.refresh_token_enc)
            tokens = qbo_runtime.oauth_flow().refresh(refresh_token)
        except ReconnectRequired as error:
            mark_reconnect_required(
                "QuickBooks no longer accepts this connection (the authorization was revoked or "
                "has expired).", expected_version=version)
            raise ReconnectRequired(
                "The QuickBooks connection has expired; reconnect to QuickBooks.") from error
        except BaseException:
            self._release_lease(owner)
            raise
        if store_token_set(tokens, expected_version=version, lease_owner=owner) != 1:
            # Only possible if our lease ran out (token call slower than LEASE_SECONDS).
            log.error("QuickBooks token refresh finished after its lease expired; "
                      "the rotated refresh token may be lost")
        log.info("QuickBooks access token refreshed (version %s)", version + 1)
        return tokens.access_token

    def _take_lease(self, version: int, owner: str) -> bool:
        now = _now()
        return _execute(update(T).where(
            T.c.id == CONNECTION_ID,
            T.c.status == ConnectionStatus.CONNECTED,
            T.c.token_version == version,
            or_(T.c.refresh_lease_until.is_(None), T.c.refresh_lease_until < now),
        ).values(refresh_lease_owner=owner,
                 refresh_lease_until=now + timedelta(seconds=LEASE_SECONDS))) == 1

    def _release_lease(self, owner: str) -> None:
        _execute(update(T).where(T.c.id == CONNECTION_ID, T.c.refresh_lease_owner == owner)
                 .values(refresh_lease_owner=None, refresh_lease_until=None))


__all__ = ["StoredTokens", "store_token_set", "mark_reconnect_required", "read_row",
           "AuthenticationError"]
