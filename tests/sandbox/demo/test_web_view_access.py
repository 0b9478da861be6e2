"""Who may see the browser view (/app): a signed-in sandbox user (their company only), or whoever
the host's WEB_VIEW_GATE lets in; never an anonymous visitor, never under a foreign Host name."""
from __future__ import annotations

import httpx2

from tests.fixtures.sandbox import OTHER_REALM, REALM, build_app, invoice_body, web_client

COMPANY_PAGES = ("/app/customers", "/app/invoices", "/app/items",
                 "/app/customerdetail?nameId=1", "/app/invoice?txnId=1")


def _anonymous(app, host="sandbox.test"):
    return httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url=f"http://{host}")


def test_anonymous_visitors_are_sent_to_the_sign_in_and_see_no_company_data(app, api, setup):
    api.create("Invoice", invoice_body(setup, DocNumber="5001"))
    web = _anonymous(app)
    for path in COMPANY_PAGES:
        page = web.get(path)
        assert page.status_code == 302 and "/app/signin?next=" in page.headers["Location"], path
        assert "Alvarez" not in page.text and "5001" not in page.text
    assert web.get("/app/signin").status_code == 200


def test_sign_in_returns_to_the_page_asked_for_and_shows_only_the_users_company(app, api, setup):
    web = web_client(app)
    assert "Alvarez, Maria" in web.get("/app/customers").text
    assert web.get("/app/customers", params={"realmId": OTHER_REALM}).status_code == 404
    assert "Other Books LLC" not in web.get("/app/customers").text


def test_sign_in_redirects_only_inside_the_view(app):
    from qbo_sandbox import oauth
    oauth.register_user(app, "bk@example.com", "pw-12345", REALM)
    for target, landing in (("https://evil.example/x", "/app/customers"), ("/app/items", "/app/items"),
                            ("//evil.example/app/x", "/app/customers")):
        web = _anonymous(app)
        form = web.get("/app/signin").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        done = web.post("/app/signin", params={"next": target},
                        data={"csrf_token": token, "email": "bk@example.com", "password": "pw-12345"})
        assert done.status_code == 303 and done.headers["Location"] == landing


def test_sign_in_needs_the_forms_csrf_token_and_sign_out_ends_the_session(app):
    web = web_client(app)
    assert _anonymous(app).post("/app/signin", data={"email": "x", "password": "y"}).status_code == 400
    page = web.get("/app/customers")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert web.post("/app/signout", data={"csrf_token": token}).status_code == 303
    assert web.get("/app/customers").status_code == 302


def test_the_hosts_gate_decides_when_it_is_set(tmp_path):
    seen = []

    def gate(environ):
        seen.append(environ["PATH_INFO"])
        return environ.get("HTTP_X_TEST_ROLE") == "owner"

    app = build_app(tmp_path, WEB_VIEW_GATE=gate)
    web = _anonymous(app)
    refused = web.get("/app/customers")
    assert refused.status_code == 403
    assert "Sign in to CareLedger as an Owner or Admin" in refused.text
    assert "Sunrise" not in refused.text
    allowed = web.get("/app/customers", headers={"X-Test-Role": "owner"})
    assert allowed.status_code == 200 and "Sunrise Home Care LLC" in allowed.text
    # The host's Owners and Admins may look at every company of the sandbox.
    assert web.get("/app/customers", params={"realmId": OTHER_REALM},
                   headers={"X-Test-Role": "owner"}).status_code == 200
    assert web.get("/app/signin", headers={"X-Test-Role": "owner"}).status_code == 404
    assert seen and all(path.startswith("/app") for path in seen)


def test_pages_of_the_view_are_not_cached_or_framed(app):
    page = web_client(app).get("/app/customers")
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Frame-Options"] == "DENY"


def test_a_foreign_host_name_is_refused_on_browser_pages_dns_rebinding(tmp_path):
    app = build_app(tmp_path, KNOBS_HTTP_ENABLED=True, ALLOWED_HOSTS=["books.example"])
    for host in ("evil.example", "127.0.0.1.evil.example"):
        web = _anonymous(app, host=host)
        for path in ("/app/customers", "/app/signin", "/_sandbox/knobs", "/connect/oauth2"):
            assert web.get(path).status_code == 400, (host, path)
    for host in ("localhost", "127.0.0.1", "[::1]", "books.example", "localhost:8765"):
        assert _anonymous(app, host=host).get("/app/signin").status_code == 200, host
    # The API itself answers any Host: it needs a bearer token a rebinding page does not have.
    assert _anonymous(app, host="evil.example").get(f"/v3/company/{REALM}/companyinfo/{REALM}"
                                                    ).status_code == 401


def test_out_of_range_ids_and_pages_never_answer_500(app):
    web = web_client(app)
    huge = "9" * 30
    assert web.get("/app/invoice", params={"txnId": huge}).status_code == 404
    assert web.get("/app/customerdetail", params={"nameId": huge}).status_code == 404
    for page in (huge, "0", "-3", "abc"):
        answer = web.get("/app/customers", params={"page": page})
        assert answer.status_code == 400 and "page number" in answer.text, page
    assert web.get("/app/invoices", params={"page": "1000000"}).status_code == 200
