"""Drive the sandbox's sign-in and consent pages over HTTP as a browser would: parse the
forms, post their fields and the pressed button, follow redirects until one leaves the sandbox."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests


@dataclass
class Form:
    id: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, value)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: dict[str, Form] = {}
        self.ids: set[str] = set()
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "form":
            self._form = Form(a.get("id", ""), a.get("action", ""), a.get("method", "get").lower())
            self.forms[self._form.id] = self._form
        elif self._form and tag == "input" and a.get("name"):
            self._form.fields[a["name"]] = a.get("value", "")
        elif self._form and tag == "button":
            self._form.buttons[a.get("id", "")] = (a.get("name", ""), a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


@dataclass
class Page:
    url: str
    status: int
    html: str
    forms: dict[str, Form]
    ids: set[str]


class Browser:
    def __init__(self):
        self.http = requests.Session()

    def _page(self, resp) -> Page:
        parser = _FormParser()
        parser.feed(resp.text)
        return Page(resp.url, resp.status_code, resp.text, parser.forms, parser.ids)

    def _follow(self, resp):
        """Follow redirects within the sandbox's origin; stop at one that leaves it."""
        origin = urlsplit(resp.url)[:2]
        while resp.is_redirect:
            target = urljoin(resp.url, resp.headers["Location"])
            if urlsplit(target)[:2] != origin:
                return resp, target
            resp = self.http.get(target, allow_redirects=False)
        return resp, None

    def open(self, url):
        resp, left_to = self._follow(self.http.get(url, allow_redirects=False))
        return (self._page(resp), left_to)

    def submit(self, page: Page, form_id: str, button_id: str, **values):
        form = page.forms[form_id]
        data = dict(form.fields)
        data.update(values)
        name, value = form.buttons[button_id]
        if name:
            data[name] = value
        resp = self.http.post(urljoin(page.url, form.action), data=data, allow_redirects=False)
        resp, left_to = self._follow(resp)
        return self._page(resp), left_to


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def authorize(browser: Browser, auth_url: str, email: str, password: str,
              decision: str = "authorize") -> dict[str, str]:
    """Sign in if asked, press Authorize or Cancel, return the callback's query parameters."""
    page, left = browser.open(auth_url)
    assert left is None, f"redirected away before consent: {left}"
    if "signin-form" in page.forms:
        page, left = browser.submit(page, "signin-form", "signin", email=email, password=password)
        assert left is None and "consent-form" in page.forms, page.html
    page, left = browser.submit(page, "consent-form", decision)
    assert left is not None, page.html
    return query_of(left)
