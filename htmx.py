"""The response side of htmx, in one place (the request side is flask-htmx's `htmx`).

A URL serves the whole page to a normal request and one named block of the same template to an
htmx request that targets it. Boosted navigation also sends HX-Request, so it gets the full page;
every such response says `Vary: HX-Request` so no cache hands one to the other.
"""
from __future__ import annotations

from flask import current_app, make_response, render_template
from jinja2_fragments.flask import render_block

from extensions import htmx


def is_fragment_request() -> bool:
    """An htmx request for part of a page (not boosted navigation, which wants the whole page)."""
    return bool(htmx) and not htmx.boosted


def vary(response):
    response.headers["Vary"] = "HX-Request"
    return response


def render_page(template: str, block: str | None = None, **context):
    """Render `template`, or only `block` of it when htmx asks for a fragment."""
    if block and is_fragment_request():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return vary(make_response(body))


def render_blocks(template: str, blocks: list[str], **context) -> str:
    """Several blocks of one template in one response (out-of-band swaps after the first: each
    block must be a top-level element carrying hx-swap-oob)."""
    return "".join(render_block(template, name, **context) for name in blocks)


def redirect_to_login(login_url: str):
    """For htmx: a 401 whose HX-Redirect sends the whole window to sign in (a plain 302 would be
    swapped into the target)."""
    response = current_app.response_class(status=401)
    response.headers["HX-Redirect"] = login_url
    return response
