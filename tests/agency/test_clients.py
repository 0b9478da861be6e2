"""Clients pages: list (filters, search, pagination, htmx fragment), add/edit with validation, CSV import."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from models import Client
from services.agency.clients import list_name
from tests.agency.helpers import snapshot

VALID = {
    "code": "N-010", "first_name": "Dora", "middle_name": "", "last_name": "Diaz", "suffix": "",
    "preferred_name": "", "email": "dora@example.com", "phone": "(555) 444-5555",
    "address_line1": "1 Main St", "address_line2": "", "city": "Albany", "state": "ny",
    "postal_code": "12207", "active": "y",
}


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/clients/\d+/edit">([^<]+)</a>', body)


def test_list_name_is_last_first_initial_suffix(data):
    assert list_name(data.ann) == "Abbott, Ann M."
    assert list_name(data.bob) == "Baker, Bob Jr."
    assert list_name(data.cara) == "Cole, Cara"


def test_list_shows_active_clients_with_details(client, login, data):
    login("owner")
    html = client.get("/clients").get_data(as_text=True)
    assert _rows(html) == ["Abbott, Ann M.", "Cole, Cara"]  # Bob is inactive
    assert "Annie" in html and "North Office" in html and "(555) 123-4567" in html
    assert "ann@example.com" in html and "badge-green" in html


@pytest.mark.parametrize("query, expected", [
    ("status=all", ["Abbott, Ann M.", "Baker, Bob Jr.", "Cole, Cara"]),
    ("status=inactive", ["Baker, Bob Jr."]),
    ("status=all&q=abbott", ["Abbott, Ann M."]),
    ("status=all&q=Ann Abbott", ["Abbott, Ann M."]),
    ("status=all&q=S-001", ["Cole, Cara"]),
    ("status=all&q=BOB@EXAMPLE", ["Baker, Bob Jr."]),
    ("status=all&q=5552223333", ["Cole, Cara"]),           # digits find "555 222 3333"
    ("status=all&q=123-4567", ["Abbott, Ann M."]),
    ("status=all&q=%25", []),                              # LIKE wildcards are literal
    ("status=all&office={south}", ["Cole, Cara"]),
])
def test_filters_and_search(client, login, data, query, expected):
    login("admin")
    html = client.get("/clients?" + query.format(south=data.south.id)).get_data(as_text=True)
    assert _rows(html) == expected


def test_empty_search_shows_a_friendly_message(client, login, data):
    login("owner")
    html = client.get("/clients?q=nobody-like-this").get_data(as_text=True)
    assert "No clients match these filters" in html


def test_no_clients_at_all_shows_the_add_prompt(client, make_user, auth, db):
    from models import Agency, Office

    office = Office(agency=Agency(name="A"), name="Only", code="O")
    db.session.add(office)
    db.session.commit()
    auth.login_as(make_user())
    assert "No clients yet" in client.get("/clients").get_data(as_text=True)


def test_pagination_and_htmx_fragment(app, client, login, data):
    app.config["PAGE_SIZE"] = 2
    login("owner")
    first = client.get("/clients?status=all").get_data(as_text=True)
    assert _rows(first) == ["Abbott, Ann M.", "Baker, Bob Jr."]
    # the pager link works as a plain link and as htmx, and keeps the filters
    assert 'href="/clients?status=all&amp;page=2"' in first
    assert 'hx-get="/clients?status=all&amp;page=2"' in first

    fragment = client.get("/clients?status=all&page=2", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in body and "<form" not in body
    assert _rows("<tbody>" + body.split("<tbody>", 1)[1]) == ["Cole, Cara"]

    boosted = client.get("/clients?status=all", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_every_hx_get_has_a_plain_link_or_form_action(client, login, data, app):
    app.config["PAGE_SIZE"] = 1
    login("owner")
    html = client.get("/clients?status=all").get_data(as_text=True)
    for tag in re.findall(r"<(?:a|form)\b[^>]*hx-get=[^>]*>", html):
        assert ("href=" in tag) or ('method="get"' in tag and "action=" in tag), tag


def test_filter_form_works_without_javascript(client, login, data):
    login("owner")
    html = client.get("/clients").get_data(as_text=True)
    form = re.search(r'<form class="filters[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/clients"' in form
    assert 'name="q"' in html and 'name="office"' in html and 'name="status"' in html


def test_add_client(client, login, csrf, db, data):
    login("agency_user")
    token = csrf("/clients/new")
    response = client.post("/clients/new", data={**VALID, "office_id": data.north.id, "csrf_token": token})
    assert response.status_code == 302
    dora = db.session.scalar(select(Client).where(Client.code == "N-010"))
    assert dora.office_id == data.north.id and dora.state == "NY" and dora.active
    assert "Diaz, Dora" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("email", "dora@", "Enter an e-mail address"),
    ("phone", "12345", "Enter a 10-digit phone number"),
    ("phone", "call me", "Enter a 10-digit phone number"),
    ("postal_code", "1220", "Enter a ZIP code"),
    ("state", "New York", "2-letter state code"),
    ("last_name", "", "This field is required"),
    ("code", "N-001", "Another client already has this client number"),
])
def test_add_client_validation_shows_messages_and_saves_nothing(client, login, csrf, db, data,
                                                                 field, value, message):
    login("owner")
    token = csrf("/clients/new")
    before = snapshot(db)
    response = client.post("/clients/new", data={**VALID, "office_id": data.north.id, field: value,
                                                 "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and "Nothing was saved" in html
    assert snapshot(db) == before


def test_accepted_phone_and_zip_shapes(client, login, csrf, db, data):
    login("owner")
    token = csrf("/clients/new")
    response = client.post("/clients/new", data={**VALID, "office_id": data.north.id, "csrf_token": token,
                                                 "phone": "+1 555.444.5555 ext. 12", "postal_code": "12207-1234"})
    assert response.status_code == 302


def test_edit_client(client, login, csrf, db, data):
    login("agency_user")
    page = client.get(f"/clients/{data.ann.id}/edit").get_data(as_text=True)
    assert 'value="Abbott"' in page
    token = csrf(f"/clients/{data.ann.id}/edit")
    form = {**VALID, "code": "N-001", "first_name": "Ann", "last_name": "Abbott-Smith",
            "office_id": data.north.id, "csrf_token": token}
    form.pop("active")  # unticked checkbox: deactivate
    response = client.post(f"/clients/{data.ann.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert data.ann.last_name == "Abbott-Smith" and data.ann.active is False


def test_edit_client_with_bad_input_changes_nothing(client, login, csrf, db, data):
    login("owner")
    token = csrf(f"/clients/{data.ann.id}/edit")
    before = snapshot(db)
    response = client.post(f"/clients/{data.ann.id}/edit", data={
        **VALID, "code": "N-001", "first_name": "Changed", "email": "not-an-email",
        "office_id": data.north.id, "csrf_token": token})
    assert response.status_code == 200
    assert "Enter an e-mail address" in response.get_data(as_text=True)
    assert snapshot(db) == before


# -- CSV import (services.imports does the parsing; the page shows its result) -------------------

HEADER = "client_code,first_name,last_name,office,email,phone\n"


def _upload(client, token, text: str, name="clients.csv"):
    return client.post("/clients/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data")


def test_import_with_bad_rows_lists_each_and_imports_nothing(client, login, csrf, db, data):
    login("admin")
    token = csrf("/clients/import")
    before = snapshot(db)
    csv_text = (HEADER
                + "N-100,Eve,Evans,North Office,eve@example.com,\n"
                + "N-101,Finn,,North Office,,\n"           # line 3: no last name
                + "N-102,Gus,Grant,Atlantis,,\n")           # line 4: unknown office
    response = _upload(client, token, csv_text)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = re.findall(r'<tr class="row-error"><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>', html)
    assert {(line, column) for line, column, _ in errors} >= {("3", "last_name"), ("4", "office")}
    assert any("Atlantis" in message for _, _, message in errors)
    assert "Nothing was imported" in html
    assert snapshot(db) == before


def test_import_success_flashes_summary(client, login, csrf, db, data):
    login("owner")
    token = csrf("/clients/import")
    response = _upload(client, token, HEADER + "N-100,Eve,Evans,North Office,eve@example.com,\n"
                                               "N-001,Ann,Abbott,North Office,ann@example.com,\n")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 created" in html and "Evans, Eve" in html
    assert db.session.scalar(select(func.count()).select_from(Client)) == 4


def test_import_requires_a_csv_file(client, login, csrf):
    login("owner")
    token = csrf("/clients/import")
    html = client.post("/clients/import", data={"csrf_token": token},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a CSV file" in html
    html = _upload(client, token, "hello", name="notes.pdf").get_data(as_text=True)
    assert "Upload a .csv file" in html
