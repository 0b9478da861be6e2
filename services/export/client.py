"""The engine's view of QuickBooks: a connected `qbo.client.QboClient`, adapted to `QboPort`.

The client is built with no retries of its own (`NO_RETRY`): the engine decides what to repeat,
because it alone knows whether a send may have been committed (and must be looked up first) and
it paces the whole realm on a 429 instead of one thread sleeping 60 s. The client still refreshes
an expired access token once on a 401 (token expiry mid-export), through the stored connection.
"""
from __future__ import annotations

from flask import Flask, current_app

from qbo.client import QboClient
from qbo.errors import QboError


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

    def pace_with(self, pacer) -> None:
        """Every request this client sends is admitted by `pacer` right before it leaves; batch
        requests count against the batch limit too."""
        self.client.admit = lambda method, path: pacer.acquire(is_batch=(path == "batch"))


def make_client(app: Flask | None = None) -> ExportClient:
    """A client for the connected company, without retries of its own (see above);
    ReconnectRequired when there is none. A fresh one after a 401 reads the stored tokens anew."""
    from services.qbo_connection import connected_client

    return ExportClient(connected_client(app or current_app._get_current_object(), retries=False))


def invoice_url(qbo_id: str, app: Flask | None = None) -> str:
    """Where a person sees the invoice in QuickBooks (the local sandbox's page, or Intuit's)."""
    app = app or current_app._get_current_object()
    base = (app.config.get("QBO_WEB_BASE_URL") or "https://app.qbo.intuit.com/app").rstrip("/")
    return f"{base}/invoice?txnId={qbo_id}"
