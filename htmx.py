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


# --- toasts: results where the person looks ---------------------------------------------------
# base.html has one toast region (#toasts, aria-live) at the top of the viewport; a full page
# shows the flashed messages there. An htmx answer carries them too: any message flashed while an
# htmx request is served is sent out of band into the same region, replacing what it showed, so
# results never pile up. A view needs nothing but flask.flash(message, level).

def toast_region_html(messages: list[tuple[str, str]], oob: bool = False) -> str:
    """The region's markup (templates/_macros/ui.html: toast_region) for (level, message) pairs."""
    from flask import get_template_attribute

    return str(get_template_attribute("_macros/ui.html", "toast_region")(messages, oob=oob))


def deliver_flashes_as_toasts(response):
    """after_request: an htmx fragment answer takes the pending flashes with it (out of band).
    Redirects, errors a page swaps nothing of, and non-HTML answers leave them for the next page."""
    from flask import get_flashed_messages, session

    if not htmx or "_flashes" not in session:
        return response
    if not 200 <= response.status_code < 300 or response.status_code == 204 \
            or "HX-Redirect" in response.headers:      # htmx swaps nothing of these
        return response
    if not response.mimetype == "text/html" or response.direct_passthrough:
        return response
    messages = get_flashed_messages(with_categories=True)
    response.set_data(response.get_data(as_text=True) + toast_region_html(messages, oob=True))
    return response
