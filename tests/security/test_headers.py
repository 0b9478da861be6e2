"""Finding 6: every page carries a Content-Security-Policy allowing scripts and styles from this
site only, signed-in pages are never cached, and no template holds inline script or style."""
from __future__ import annotations

import pathlib
import re

from models import Role

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "templates"


def test_pages_carry_a_strict_csp_and_signed_in_pages_no_store(client, auth, make_user):
    login_page = client.get("/login")
    policy = login_page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    auth.login_as(make_user(Role.OWNER))
    for path in ("/", "/clients", "/billing/batches", "/users"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["Content-Security-Policy"] == policy
    assert "no-store" not in (client.get("/static/css/app.css").headers.get("Cache-Control") or "")


def test_no_template_holds_inline_script_handlers_or_styles():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
                                 r"|\son[a-z]+\s*=|\sstyle\s*=|<style", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}")
    assert offenders == []
