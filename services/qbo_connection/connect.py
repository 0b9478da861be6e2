"""Connecting: OAuth with a checked single-use `state`, the callback, switching company, and
disconnecting. The browser session is passed in as a mapping, never read from `request`."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import MutableMapping

from sqlalchemy import delete, update

from extensions import db
from models.qbo import ConnectionStatus, QboConnection, QboOAuthState
from models.users import User
from qbo.errors import QboError
from qbo.oauth import TokenSet
from qbo.settings import ConfigurationError
from services.qbo_connection import crypto as qbo_crypto
from services.qbo_connection import runtime as qbo_runtime
from services.qbo_connection.client import get_connection
from services.qbo_connection.messages import plain_error
from services.qbo_connection.realm_check import RealmNotVerified, verified_company_name

log = logging.getLogger(__name__)


STATE_TTL = timedelta(minutes=10)   # an authorization must finish within this


SESSION_STATE = "qbo_oauth_state"


SESSION_SWITCH = "qbo_pending_switch"


REFUSED_STATE = ("This QuickBooks sign-in could not be verified: it did not start from this "
                 "browser, was already used, or took too long. Nothing was changed. "
                 "Start again with “Connect to QuickBooks”.")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class StateRefused(Exception):
    """The callback's `state` is forged, replayed, foreign or stale."""


@dataclass
class CallbackResult:
    outcome: str                      # connected | confirm_switch | denied | refused | failed
    message: str
    mode: str = "page"                # how the attempt was started: popup or page
    state_id: int | None = None
    company_name: str = ""
    previous_company_name: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "connected"


def begin_connect(user: User, session: MutableMapping, mode: str = "page") -> str:
    """Record a fresh single-use `state` bound to this browser session; return Intuit's URL."""
    settings = qbo_runtime.settings()
    missing = settings.missing()
    if missing:
        raise ConfigurationError("set " + ", ".join(missing))
    state = secrets.token_urlsafe(32)
    db.session.execute(delete(QboOAuthState).where(QboOAuthState.created_at < _now() - timedelta(days=1)))
    db.session.add(QboOAuthState(state_hash=_hash(state), user_id=user.id,
                                 mode="popup" if mode == "popup" else "page"))
    db.session.commit()
    session[SESSION_STATE] = state  # a newer attempt in the same browser replaces an older one
    return qbo_runtime.oauth_flow().authorization_url(state)


def _consume_state(state: str, session: MutableMapping, user: User) -> QboOAuthState:
    expected = session.get(SESSION_STATE)
    if not state or not expected or not hmac.compare_digest(str(state), str(expected)):
        raise StateRefused(REFUSED_STATE)  # a junk callback leaves the attempt in progress alone
    session.pop(SESSION_STATE, None)
    row = db.session.query(QboOAuthState).filter_by(state_hash=_hash(state)).one_or_none()
    if row is None or row.user_id != user.id or row.created_at < _now() - STATE_TTL:
        raise StateRefused(REFUSED_STATE)
    # Single use even against a replayed session cookie: only one UPDATE can win.
    won = db.session.execute(update(QboOAuthState).where(
        QboOAuthState.id == row.id, QboOAuthState.used_at.is_(None)).values(used_at=_now())).rowcount
    db.session.commit()
    if won != 1:
        raise StateRefused(REFUSED_STATE)
    db.session.refresh(row)
    return row


def handle_callback(args: MutableMapping, session: MutableMapping, user: User) -> CallbackResult:
    """Finish an authorization from the redirect's query (`code`, `state`, `realmId` or `error`)."""
    try:
        attempt = _consume_state(args.get("state", ""), session, user)
    except StateRefused as refused:
        log.warning("QuickBooks callback refused: bad or replayed state (user %s)", user.id)
        return CallbackResult("refused", str(refused))
    mode = attempt.mode

    error = args.get("error")
    if error:
        if error == "access_denied":
            return CallbackResult("denied", "You cancelled the connection in QuickBooks, so "
                                  "nothing was changed. Click “Connect to QuickBooks” to try again.",
                                  mode)
        return CallbackResult("failed", f"QuickBooks did not complete the connection ({error}). "
                              "Nothing was changed; try again.", mode)
    code, realm_id = args.get("code"), args.get("realmId")
    if not code or not realm_id:
        return CallbackResult("failed", "QuickBooks sent back an incomplete answer (no "
                              "authorization code or company id). Nothing was changed.", mode)

    try:
        tokens = qbo_runtime.oauth_flow().exchange_code(code)
    except QboError as exc:
        log.warning("QuickBooks code exchange failed: %s", type(exc).__name__)
        return CallbackResult("failed", "QuickBooks did not accept the sign-in: "
                              f"{plain_error(exc)} Nothing was changed; try again.", mode)
    try:  # before anything is switched or revoked: is realm_id really this grant's company?
        company = verified_company_name(tokens, realm_id)
    except RealmNotVerified as refused:
        log.warning("QuickBooks callback refused: realm %s not verified for the new grant", realm_id)
        return CallbackResult("refused", str(refused), mode)

    conn = get_connection(create=True)
    if conn.realm_id and conn.realm_id != realm_id:
        attempt.pending_realm_id = realm_id
        attempt.pending_company_name = company
        attempt.pending_tokens_enc = qbo_crypto.encrypt(_tokens_json(tokens))
        db.session.commit()
        session[SESSION_SWITCH] = attempt.id
        return CallbackResult(
            "confirm_switch",
            "This is a different QuickBooks company from the one CareLedger used before.",
            mode, state_id=attempt.id, company_name=company or f"company {realm_id}",
            previous_company_name=conn.company_name or f"company {conn.realm_id}")

    _activate(conn, realm_id, company, tokens, user)
    return CallbackResult("connected", f"Connected to {company or 'QuickBooks'}.", mode,
                          company_name=company)


def _tokens_json(tokens: TokenSet) -> str:
    def iso(value):
        return value.isoformat() if value else None

    return json.dumps({"access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                       "access_expires_at": iso(tokens.access_expires_at),
                       "refresh_expires_at": iso(tokens.refresh_expires_at),
                       "refresh_hard_expires_at": iso(tokens.refresh_hard_expires_at)})


def _tokens_from_json(text: str) -> TokenSet:
    data = json.loads(text)

    def when(key):
        return datetime.fromisoformat(data[key]) if data.get(key) else None

    return TokenSet(data["access_token"], data["refresh_token"], when("access_expires_at"),
                    when("refresh_expires_at"), when("refresh_hard_expires_at"))


def _activate(conn: QboConnection, realm_id: str, company: str, tokens: TokenSet, user: User) -> None:
    old_refresh = None
    same_company = conn.realm_id == realm_id
    if conn.realm_id and not same_company:
        if conn.status == ConnectionStatus.CONNECTED and conn.refresh_token_enc:
            old_refresh = conn.refresh_token_enc
        conn.previous_realm_id, conn.previous_company_name = conn.realm_id, conn.company_name
    conn.realm_id = realm_id
    conn.company_name = (company or conn.company_name) if same_company else company
    conn.environment = qbo_runtime.settings().environment
    conn.status = ConnectionStatus.CONNECTED
    conn.access_token_enc = qbo_crypto.encrypt(tokens.access_token)
    conn.refresh_token_enc = qbo_crypto.encrypt(tokens.refresh_token)
    conn.access_expires_at = tokens.access_expires_at
    conn.refresh_expires_at = tokens.refresh_expires_at
    conn.refresh_hard_expires_at = tokens.refresh_hard_expires_at
    conn.token_version = (conn.token_version or 0) + 1   # any refresher in flight loses its CAS
    conn.refresh_lease_owner = conn.refresh_lease_until = None
    conn.connected_by_id = user.id
    conn.connected_at = conn.last_refreshed_at = conn.last_success_at = _now()
    conn.last_error, conn.last_error_at, conn.disconnected_at = "", None, None
    db.session.commit()
    log.info("QuickBooks connected to realm %s by user %s", realm_id, user.id)
    if old_refresh:  # the old company's grant is no longer used: end it at Intuit
        _revoke_quietly(old_refresh)


def _pending_attempt(state_id, user: User, session: MutableMapping) -> QboOAuthState | None:
    if not state_id or session.get(SESSION_SWITCH) != int(state_id):
        return None
    row = db.session.get(QboOAuthState, int(state_id))
    if (row is None or row.user_id != user.id or not row.pending_tokens_enc
            or row.created_at < _now() - STATE_TTL):
        return None
    return row


def pending_switch(state_id, user: User, session: MutableMapping) -> CallbackResult | None:
    row = _pending_attempt(state_id, user, session)
    if row is None:
        return None
    conn = get_connection()
    return CallbackResult("confirm_switch", "", row.mode, state_id=row.id,
                          company_name=row.pending_company_name or f"company {row.pending_realm_id}",
                          previous_company_name=(conn.company_name or f"company {conn.realm_id}")
                          if conn else "")


def confirm_switch(state_id, user: User, session: MutableMapping) -> CallbackResult:
    row = _pending_attempt(state_id, user, session)
    if row is None:
        return CallbackResult("refused", "That company switch has expired or was already "
                              "decided. Nothing was changed.")
    session.pop(SESSION_SWITCH, None)
    tokens = _tokens_from_json(qbo_crypto.decrypt(row.pending_tokens_enc))
    realm, company, mode = row.pending_realm_id, row.pending_company_name, row.mode
    row.pending_tokens_enc = None
    conn = get_connection(create=True)
    _activate(conn, realm, company, tokens, user)
    return CallbackResult("connected", f"Switched to {company or 'the new QuickBooks company'}.",
                          mode, company_name=company)


def cancel_switch(state_id, user: User, session: MutableMapping) -> CallbackResult:
    row = _pending_attempt(state_id, user, session)
    session.pop(SESSION_SWITCH, None)
    if row is None:
        return CallbackResult("refused", "That company switch has expired or was already decided.")
    tokens = _tokens_from_json(qbo_crypto.decrypt(row.pending_tokens_enc))
    row.pending_tokens_enc = None
    db.session.commit()
    _revoke_quietly(qbo_crypto.encrypt(tokens.refresh_token))
    return CallbackResult("denied", "Kept the current QuickBooks company; the other company's "
                          "access was given back.", row.mode)


def _revoke_quietly(refresh_token_enc: str) -> bool:
    try:
        qbo_runtime.oauth_flow().revoke(qbo_crypto.decrypt(refresh_token_enc))
        return True
    except (QboError, qbo_crypto.TokenKeyError) as exc:
        log.warning("Could not revoke a QuickBooks token: %s", type(exc).__name__)
        return False


@dataclass
class DisconnectResult:
    revoked: bool
    message: str


def disconnect() -> DisconnectResult:
    """Revoke the grant at Intuit and forget the tokens; realm, settings and matches stay."""
    conn = get_connection()
    if conn is None or conn.status == ConnectionStatus.NOT_CONNECTED:
        return DisconnectResult(False, "QuickBooks was not connected.")
    token_enc = conn.refresh_token_enc or conn.access_token_enc
    revoked = True
    problem = ""
    if token_enc:
        try:
            qbo_runtime.oauth_flow().revoke(qbo_crypto.decrypt(token_enc))
        except (QboError, qbo_crypto.TokenKeyError) as exc:
            revoked, problem = False, plain_error(exc)
            log.warning("QuickBooks revocation failed during disconnect: %s", type(exc).__name__)
    conn.status = ConnectionStatus.DISCONNECTED
    conn.access_token_enc = conn.refresh_token_enc = None
    conn.access_expires_at = None
    conn.token_version = (conn.token_version or 0) + 1
    conn.refresh_lease_owner = conn.refresh_lease_until = None
    conn.disconnected_at = _now()
    db.session.commit()
    company = conn.company_name or "QuickBooks"
    if revoked:
        return DisconnectResult(True, f"Disconnected from {company}. Settings and client matches "
                                "are kept for when you reconnect.")
    return DisconnectResult(False, f"CareLedger forgot its access to {company}, but QuickBooks could "
                            f"not be told ({problem}). To be sure, also disconnect CareLedger on "
                            "QuickBooks' Apps page.")
