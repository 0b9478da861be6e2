"""One place for "full page or fragment" and htmx response headers.

A URL serves the whole page to a normal request and one named block of the same template to an
htmx request that targets it. Boosted navigation also sends HX-Request, so it gets the full page.
"""
from __future__ import annotations

import json

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_fragment_request() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def render_page(template: str, block: str | None = None, **context):
    """Render `template`, or only `block` of it when htmx asks for a fragment."""
    if block and is_fragment_request():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.headers["Vary"] = "HX-Request"
    return response


def trigger(response, event: str, detail=None):
    """Add an HX-Trigger event (merged with any already set)."""
    existing = response.headers.get("HX-Trigger")
    events = json.loads(existing) if existing else {}
    events[event] = detail if detail is not None else True
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def redirect_htmx(url: str):
    """A client-side redirect that htmx follows (a plain 302 would be swapped into the target)."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
