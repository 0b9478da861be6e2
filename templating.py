"""Jinja filters and globals shared by every page."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app
from flask_login import current_user


def money(value) -> str:
    if value is None:
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def short_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%b %d, %Y %H:%M UTC")
    if isinstance(value, date):
        return value.strftime("%b %d, %Y")
    return str(value)


def _allowed_endpoints() -> set[str]:
    """Endpoints the signed-in user may reach, so menus show only what works for them."""
    if not current_user.is_authenticated:
        return set()
    allowed = set()
    for endpoint, view in current_app.view_functions.items():
        access = getattr(view, "access", None)
        if access == "public" or (access and current_user.role in access):
            allowed.add(endpoint)
    return allowed


def register_templating(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(short_date, "date")

    @app.context_processor
    def navigation():
        return {"nav_endpoints": _allowed_endpoints()}
