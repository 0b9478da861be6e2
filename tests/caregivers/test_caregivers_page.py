"""Caregivers page: the list for every role (scoped to their offices), add/edit for Owners and
Admins only — refused on the server, with CSRF — and the import upload."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from models import Caregiver, Invoice, InvoiceLine, WorkerKind
from tests.agency.helpers import snapshot

VALID = {"code": "CG-20", "office_id": "", "first_name": "Rosa", "last_name": "Gutiérrez",
         "preferred_name": "", "email": "Rosa@Example.com", "phone": "(555) 444-5555",
         "kind": "contractor", "active": "y"}


def _names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/caregivers/\d+(?:/edit)?">([^<]+)</a>', body)


@pytest.fixture
def south_carer(db, data):
    carer = Caregiver(code="CG-2", office=data.south, first_name="Luis", last_name="Ortega",
                      kind=WorkerKind.CONTRACTOR)
    gone = Caregiver(code="CG-3", office=data.north, first_name="Yolanda", last_name="Pierce", active=False)
    db.session.add_all([carer, gone])
    db.session.commit()
    return carer


def test_managers_see_every_office_and_the_edit_links(client, login, data, south_carer):
    login("admin")
    html = client.get("/caregivers").get_data(as_text=True)
    assert _names(html) == ["Liu, Grace", "Ortega, Luis"]  # Yolanda is inactive
    assert "1099 contractor" in html and "W-2 employee" in html and "Add caregiver" in html
    assert f'href="/caregivers/{south_carer.id}/edit"' in html
    everyone = client.get("/caregivers?status=all&q=pier").get_data(as_text=True)
    assert _names(everyone) == ["Pierce, Yolanda"]


def test_agency_users_read_their_offices_only(client, login, data, south_carer):
    login("agency_user")  # works in the North office
    html = client.get("/caregivers").get_data(as_text=True)
    assert _names(html) == ["Liu, Grace"] and "Add caregiver" not in html and "/edit" not in html
    shown = client.get(f"/caregivers/{data.grace.id}").get_data(as_text=True)
    assert "Grace Liu" in shown and "Only an Owner or Admin" in shown
    assert client.get(f"/caregivers/{south_carer.id}").status_code == 404  # another office
    assert client.get(f"/caregivers?office={data.south.id}").status_code == 200


def test_agency_user_cannot_add_edit_or_import_even_by_hand(client, login, csrf, db, data):
    login("agency_user")
    token = csrf("/caregivers")
    before = snapshot(db)
    assert client.get("/caregivers/new").status_code == 403
    assert client.post("/caregivers/new", data={**VALID, "office_id": data.north.id, "csrf_token": token}).status_code == 403
    assert client.post(f"/caregivers/{data.grace.id}/edit",
                       data={**VALID, "office_id": data.north.id, "csrf_token": token}).status_code == 403
    assert client.post("/caregivers/import", data={"csrf_token": token}).status_code == 403
    assert snapshot(db) == before


def test_add_a_caregiver(client, login, csrf, db, data):
    login("owner")
    token = csrf("/caregivers/new")
    response = client.post("/caregivers/new", data={**VALID, "office_id": data.south.id, "csrf_token": token})
    assert response.status_code == 302
    carer = db.session.scalar(select(Caregiver).where(Caregiver.code == "CG-20"))
    assert (carer.name, carer.email, carer.kind, carer.office_id, carer.active) == (
        "Rosa Gutiérrez", "rosa@example.com", WorkerKind.CONTRACTOR, data.south.id, True)
    listed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Caregiver Gutiérrez, Rosa added." in listed


def test_bad_input_and_a_taken_number_change_nothing(client, login, csrf, db, data):
    login("admin")
    token = csrf("/caregivers/new")
    before = snapshot(db)
    for bad, message in ((dict(code="CG-1"), "Another caregiver already has this caregiver number."),
                         (dict(code="cg-1"), "Another caregiver already has this caregiver number."),
                         (dict(code="CG 9"), "Use letters, digits"),
                         (dict(last_name=""), "This field is required."),
                         (dict(email="rosa@"), "Enter an e-mail address"),
                         (dict(kind="boss"), "Not a valid choice")):
        response = client.post("/caregivers/new", data={**VALID, "office_id": data.north.id, "csrf_token": token, **bad})
        assert response.status_code == 200 and message in response.get_data(as_text=True), bad
    assert snapshot(db) == before


def test_without_the_csrf_token_nothing_is_saved(client, login, db, data):
    login("owner")
    before = snapshot(db)
    response = client.post(f"/caregivers/{data.grace.id}/edit", data={**VALID, "office_id": data.north.id})
    assert response.status_code in (200, 400)
    assert snapshot(db) == before


def test_rename_reaches_draft_lines_but_never_finalized_invoices(client, login, csrf, db, data):
    for invoice in (data.inv1, data.inv3):  # inv1 is in a finalized batch, inv3 in a draft
        line = invoice.lines[0]
        db.session.execute(InvoiceLine.__table__.update().where(InvoiceLine.id == line.id)
                           .values(caregiver_id=data.grace.id, caregiver_name="Grace Liu"))
    db.session.commit()
    login("admin")
    token = csrf(f"/caregivers/{data.grace.id}/edit")
    form = {**VALID, "code": "CG-1", "first_name": "Grace", "last_name": "Lu", "kind": "employee",
            "office_id": data.north.id, "csrf_token": token}
    response = client.post(f"/caregivers/{data.grace.id}/edit", data=form, follow_redirects=True)
    assert "1 line(s) of draft invoices now show the new name" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invoice, data.inv3.id).lines[0].caregiver_name == "Grace Lu"
    assert db.session.get(Invoice, data.inv1.id).lines[0].caregiver_name == "Grace Liu"


def test_import_page(client, login, csrf, db, data):
    login("owner")
    token = csrf("/caregivers/import")
    good = "caregiver_code,first_name,last_name,office,kind\nCG-30,Imani,Clarke,North Office,W-2\n"
    response = client.post("/caregivers/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(good.encode()), "caregivers.csv")})
    assert response.status_code == 302
    assert db.session.scalar(select(Caregiver).where(Caregiver.code == "CG-30")).name == "Imani Clarke"
    bad = "caregiver_code,first_name,last_name,office\nCG-31,Ann,Lee,Nowhere\n"
    page = client.post("/caregivers/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(bad.encode()), "caregivers.csv")}).get_data(as_text=True)
    assert "Nothing was imported" in page and "Unknown office &#39;Nowhere&#39;." in page


def test_the_nav_link_follows_the_role(client, login, data):
    login("agency_user")
    assert 'href="/caregivers"' in client.get("/").get_data(as_text=True)
