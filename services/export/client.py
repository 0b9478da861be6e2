"""The engine's view of QuickBooks: a connected `qbo.client.QboClient`, adapted to `QboPort`.

The client is built with no retries of its own (`NO_RETRY`): the engine decides what to repeat,
because it alone knows whether a send may have been committed (and must be looked up first) and
it paces the whole realm on a 429 instead of one thread sleeping 60 s. The client still refreshes
an expired access token once on a 401 (token expiry mid-export), through the stored connection.
"""
from __future__ import annotations

from flask import Flask, current_app

from qbo.client import QboClient
from qbo.errors import QboError, ReconnectRequired
from qbo.retry import NO_RETRY


class ExportClient:
    """QboPort over a QboClient."""

    def __init__(self, client: QboClient):
        self.client = client
        self.realm_id = client.realm_id

    def query(self, sql: str) -> list[dict]:
        return list(self.client.query(sql).get("Invoice") or [])

    def batch(self, items: list[dict], request_id: str) -> dict[str, dict | QboError]:
        results = self.client.batch(items, request_id=request_id)
        return {bid: (result.error if result.error is not None else (result.data or {}))
                for bid, result in results.items()}

    def create_invoice(self, body: dict, request_id: str) -> dict:
        return self.client.create("Invoice", body, request_id=request_id)


def connected_realm(app: Flask | None = None) -> str | None:
    """The realm of the current QuickBooks connection, if connected."""
    from models.qbo import ConnectionStatus
    from services import qbo_tokens

    row = qbo_tokens.read_row(app)
    if row is None or row.status != ConnectionStatus.CONNECTED or not row.realm_id:
        return None
    return row.realm_id


def make_client(app: Flask | None = None, refresh: bool = False) -> ExportClient:
    """A client for the connected company; ReconnectRequired when there is none."""
    from services import qbo_runtime, qbo_tokens

    app = app or current_app._get_current_object()
    realm_id = connected_realm(app)
    if realm_id is None:
        raise ReconnectRequired("QuickBooks is not connected.")
    runtime = qbo_runtime.runtime(app)
    client = QboClient(runtime.http, base_url=runtime.settings.api_base_url, realm_id=realm_id,
                       tokens=qbo_tokens.StoredTokens(app, realm_id=realm_id),
                       minor_version=int(app.config.get("QBO_MINOR_VERSION", 75)), retry=NO_RETRY)
    return ExportClient(client)


def invoice_url(qbo_id: str, app: Flask | None = None) -> str:
    """Where a person sees the invoice in QuickBooks (the local sandbox's page, or Intuit's)."""
    app = app or current_app._get_current_object()
    base = (app.config.get("QBO_WEB_BASE_URL") or "https://app.qbo.intuit.com/app").rstrip("/")
    return f"{base}/invoice?txnId={qbo_id}"
