"""Who may use which view. Deny by default: a view with no declaration is refused to everyone.

Views declare their audience with `@public` or `@roles(...)`; one `before_request` hook enforces it
for every endpoint, so nothing depends on a menu being hidden. Tests walk the URL map and check
each endpoint against its declaration.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from extensions import htmx
from htmx import redirect_to_login
from models.users import Role

EVERYONE_LOGGED_IN = frozenset(Role)
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
OWNER_ONLY = frozenset({Role.OWNER})


def public(view):
    view.access = "public"
    return view


def roles(*allowed: Role | frozenset):
    flat: set[Role] = set()
    for item in allowed:
        flat |= set(item) if isinstance(item, (set, frozenset)) else {item}

    def decorate(view):
        view.access = frozenset(flat)
        return view

    return decorate


def access_of(endpoint: str | None):
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is None:
        return None
    return getattr(view, "access", None)


def enforce_access():
    """before_request hook: the single gate every request passes."""
    if request.endpoint is None:  # 404s fall through to the not-found handler
        return None
    if request.endpoint == "static":
        return None
    access = access_of(request.endpoint)
    if access == "public":
        return None
    if not current_user.is_authenticated:
        login_url = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if htmx:
            return redirect_to_login(login_url)
        return redirect(login_url)
    if not access or current_user.role not in access:
        abort(403)
    return None


def office_scope_required(office_id: int | None) -> None:
    """Abort with 404 when the current user may not see this office's records (no leak of existence)."""
    if not current_user.can_see_office(office_id):
        abort(404)


def requires_manager(view):
    """For inline checks inside views that serve several roles (e.g. read for all, write for managers)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.role not in MANAGERS:
            abort(403)
        return view(*args, **kwargs)
    return wrapper
