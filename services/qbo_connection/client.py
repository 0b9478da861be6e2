"""The way in to QuickBooks: the stored connection row, the company CareLedger works with
(`current_realm`), and a client for it (`connected_client`). Every feature that calls QuickBooks
gets its client here."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context

from extensions import db
from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
from qbo.client import QboClient
from qbo.errors import ReconnectRequired
from qbo.retry import NO_RETRY
from services.qbo_connection import runtime as qbo_runtime
from services.qbo_connection.read_budget import RealmMeter
from services.qbo_connection.tokens import StoredTokens, page_row, read_row


def get_connection(create: bool = False) -> QboConnection | None:
    conn = db.session.get(QboConnection, CONNECTION_ID, populate_existing=True)
    if conn is None and create:
        conn = QboConnection(id=CONNECTION_ID, status=ConnectionStatus.NOT_CONNECTED, token_version=0)
        db.session.add(conn)
        db.session.flush()
    return conn


def _retry_for(rt):
    """A page's requests (a person waiting) give up on a long 429 wait at once; background work
    (exports, change checks, the CLI: no request) waits it out."""
    return rt.page_retry if has_request_context() else rt.retry


def connected_client(app: Flask | None = None, retries: bool = True) -> QboClient:
    """A QboClient for the connected company; tokens refresh themselves as needed.
    `retries=False`: one attempt per call (a caller that must answer at once, or that decides
    itself what to repeat). Raises ReconnectRequired when there is no usable connection."""
    app = app or current_app._get_current_object()
    row = read_row(app)
    if row is None or row.status != ConnectionStatus.CONNECTED:
        raise ReconnectRequired("QuickBooks is not connected." if row is None or
                                row.status != ConnectionStatus.RECONNECT_REQUIRED else
                                "The QuickBooks connection has expired; reconnect to QuickBooks.")
    rt = qbo_runtime.runtime(app)
    pacer = rt.pacers.for_realm(row.realm_id)
    return QboClient(rt.http, base_url=rt.settings.api_base_url, realm_id=row.realm_id,
                     tokens=StoredTokens(app, realm_id=row.realm_id),
                     minor_version=rt.settings.minor_version, retry=_retry_for(rt) if retries else NO_RETRY,
                     admit=lambda method, path: pacer.acquire(is_batch=(path == "batch")),
                     meter=RealmMeter(app, row.realm_id))


def current_realm(app: Flask | None = None, *, connected: bool = True) -> str | None:
    """The QuickBooks company (realm id) CareLedger works with. `connected=True`: only while the
    connection is usable (exports). `connected=False`: the company last connected, whose
    settings and matches stay readable after a disconnect or an expired sign-in."""
    row = page_row(app)
    if row is None or not row.realm_id:
        return None
    if connected and row.status != ConnectionStatus.CONNECTED:
        return None
    return row.realm_id


def unreachable_reason(app: Flask | None = None) -> str | None:
    """Why the QuickBooks API address does not accept a connection right now, in plain words
    (None when it does). Opens and closes one TCP connection; sends no request."""
    settings = qbo_runtime.runtime(app).settings
    url = urlsplit(settings.api_base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=settings.connect_timeout).close()
    except OSError as error:
        return f"nothing answers at {url.scheme}://{url.hostname}:{port} ({error.strerror or error})."
    return None
