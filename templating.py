"""Jinja filters and globals shared by every page."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from flask import Flask, current_app, request, url_for
from flask_login import current_user

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def money(value) -> str:
    if value is None:
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def human_date(value) -> str:
    """The one date format of every page: "1 Dec 2026"; a moment adds the time, "1 Dec 2026, 14:05
    UTC" (stored times are UTC, and the page says so rather than guess the reader's zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = value.astimezone(timezone.utc) if value.tzinfo else value
        return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"
    if isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return str(value)


def iso_moment(value) -> str:
    """For <time datetime="…">: machine-readable, with the zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat() if value else ""


_HOLE = 987654321987  # an id no row has: the URL is built once around it and each row fills it in


def row_url(endpoint: str, id_name: str, id_value, **fixed) -> str:
    """url_for(endpoint, **fixed, **{id_name: id_value}) for tables that build the same link
    for every row: the URL is built once per request and the id put in (url_for is ~20 µs; a
    table of 50 rows builds ~200 links)."""
    patterns = request.environ.setdefault("careledger.row_url_patterns", {})
    key = (endpoint, id_name, tuple(sorted(fixed.items())))
    pattern = patterns.get(key)
    if pattern is None:
        pattern = patterns[key] = url_for(endpoint, **fixed, **{id_name: _HOLE}).replace(str(_HOLE), "{}")
    return pattern.format(id_value)


def _allowed_endpoints() -> frozenset[str]:
    """Endpoints the signed-in user may reach, so menus show only what works for them. Views and
    their roles are fixed once the app is built, so the set is worked out once per role (every
    page, poll and partial renders through here; walking ~200 views each time cost ~1 ms)."""
    if not current_user.is_authenticated:
        return frozenset()
    by_role = current_app.extensions.setdefault("templating.allowed_endpoints", {})
    role = current_user.role
    allowed = by_role.get(role)
    if allowed is None:
        allowed = by_role[role] = frozenset(
            endpoint for endpoint, view in current_app.view_functions.items()
            if getattr(view, "access", None) == "public"
            or (getattr(view, "access", None) and role in view.access))
    return allowed


def register_templating(app: Flask) -> None:
    from htmx import deliver_flashes_as_toasts

    app.add_template_filter(money, "money")
    app.add_template_filter(human_date, "date")
    app.add_template_filter(iso_moment, "iso")
    app.add_template_global(row_url, "row_url")
    app.after_request(deliver_flashes_as_toasts)

    @app.context_processor
    def navigation():
        return {"nav_endpoints": _allowed_endpoints()}
