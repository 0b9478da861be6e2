"""The connection's status as people see it (Installation tab, status endpoint, `flask qbo status`):
company, environment, who connected and when, sign-in expiry, last call and last problem; never tokens."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app

from extensions import db
from models.qbo import ConnectionStatus
from qbo.errors import QboError
from qbo.settings import ENVIRONMENT_LABELS, ConfigurationError
from services.qbo_connection import runtime as qbo_runtime
from services.qbo_connection.client import connected_client, get_connection
from services.qbo_connection.messages import plain_error

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ConnectionView:
    status: ConnectionStatus
    environment: str
    environment_label: str
    realm_id: str | None = None
    company_name: str = ""
    previous_company_name: str = ""
    connected_by: str = ""
    connected_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    refresh_hard_expires_at: datetime | None = None
    last_refreshed_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    disconnected_at: datetime | None = None
    config_missing: list[str] = field(default_factory=list)

    @property
    def is_connected(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED

    @property
    def needs_reconnect(self) -> bool:
        return self.status == ConnectionStatus.RECONNECT_REQUIRED

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def generation(self) -> str:
        """Changes whenever a connection is made; the waiting page polls for it."""
        return f"{self.status.value}:{self.realm_id or ''}:" \
               f"{self.connected_at.isoformat() if self.connected_at else ''}"

    def as_public_dict(self) -> dict:
        """What the status endpoint and CLI may show (never tokens)."""
        def iso(value):
            return value.isoformat() if value else None

        return {"status": self.status.value, "connected": self.is_connected,
                "needs_reconnect": self.needs_reconnect, "environment": self.environment,
                "company_name": self.company_name, "realm_id": self.realm_id,
                "connected_by": self.connected_by, "connected_at": iso(self.connected_at),
                "refresh_expires_at": iso(self.refresh_expires_at),
                "refresh_hard_expires_at": iso(self.refresh_hard_expires_at),
                "last_success_at": iso(self.last_success_at), "last_error": self.last_error,
                "last_error_at": iso(self.last_error_at), "generation": self.generation}


def connection_status() -> ConnectionView:
    try:
        settings = qbo_runtime.settings()
        environment, missing = settings.environment, settings.missing()
    except ConfigurationError as exc:
        environment, missing = str(current_app.config.get("QBO_ENVIRONMENT")), [str(exc)]
    conn = get_connection()
    view = ConnectionView(status=ConnectionStatus.NOT_CONNECTED, environment=environment,
                          environment_label=ENVIRONMENT_LABELS.get(environment, environment),
                          config_missing=missing)
    if conn is None:
        return view
    status = conn.status
    now = _now()
    if status == ConnectionStatus.CONNECTED and (
            (conn.refresh_expires_at and conn.refresh_expires_at <= now)
            or (conn.refresh_hard_expires_at and conn.refresh_hard_expires_at <= now)):
        status = ConnectionStatus.RECONNECT_REQUIRED  # found out on the next call; say it now
    view.status = status
    view.environment = conn.environment or environment
    view.environment_label = ENVIRONMENT_LABELS.get(view.environment, view.environment)
    view.realm_id = conn.realm_id
    view.company_name = conn.company_name
    view.previous_company_name = conn.previous_company_name
    view.connected_by = (f"{conn.connected_by.name} ({conn.connected_by.email})"
                         if conn.connected_by else "")
    view.connected_at = conn.connected_at
    view.refresh_expires_at = conn.refresh_expires_at
    view.refresh_hard_expires_at = conn.refresh_hard_expires_at
    view.last_refreshed_at = conn.last_refreshed_at
    view.last_success_at = conn.last_success_at
    view.last_error = conn.last_error
    view.last_error_at = conn.last_error_at
    view.disconnected_at = conn.disconnected_at
    return view


def check_connection() -> ConnectionView:
    """Make one real call (CompanyInfo) so status shows fresh facts; refreshes the name."""
    return check_connection_answer()[0]


def check_connection_answer() -> tuple[ConnectionView, str | None]:
    """check_connection(), plus the problem in plain words when QuickBooks did not answer
    (None when it did): the Installation tab's "Check connection" says OK or not."""
    problem = None
    try:
        info = connected_client().company_info()
        name = str(info.get("CompanyName") or "")
        conn = get_connection()
        if conn is not None and name and name != conn.company_name:
            conn.company_name = name
            db.session.commit()
    except QboError as exc:
        log.info("QuickBooks check failed: %s", type(exc).__name__)
        problem = plain_error(exc)
    db.session.expire_all()
    return connection_status(), problem
