"""An Agency User sees and edits only their offices' clients and batches; others are 404 (no leak)."""
from __future__ import annotations

import re

from models import Client
from tests.agency.helpers import snapshot


def _office_options(html: str) -> list[str]:
    select = re.search(r'<select id="(?:client|batch)-office" name="office">(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]+)</option>", select)


def test_client_list_and_filter_offer_only_own_offices(client, login, data):
    login("agency_user")
    html = client.get("/clients?status=all").get_data(as_text=True)
    assert "Abbott, Ann M." in html and "Baker, Bob Jr." in html
    assert "Cole, Cara" not in html and "South Office" not in html
    assert _office_options(html) == ["North Office"]
    # a hand-typed other office reveals nothing
    sneaky = client.get(f"/clients?status=all&office={data.south.id}").get_data(as_text=True)
    assert "Cole, Cara" not in sneaky


def test_owner_filter_offers_all_offices(client, login, data):
    login("owner")
    assert _office_options(client.get("/clients").get_data(as_text=True)) == [
        "All offices", "North Office", "South Office"]


def test_other_offices_client_is_not_found_for_view_and_edit(client, login, csrf, db, data):
    login("agency_user")
    assert client.get(f"/clients/{data.cara.id}/edit").status_code == 404
    token = csrf("/clients")
    before = snapshot(db)
    response = client.post(f"/clients/{data.cara.id}/edit", data={
        "csrf_token": token, "code": "S-001", "office_id": data.north.id, "first_name": "Cara",
        "last_name": "Moved", "active": "y"})
    assert response.status_code == 404
    assert snapshot(db) == before


def test_cannot_create_or_move_a_client_into_another_office(client, login, csrf, db, data):
    login("agency_user")
    form = client.get("/clients/new").get_data(as_text=True)
    assert "South Office" not in form
    token = csrf("/clients/new")
    before = snapshot(db)
    created = client.post("/clients/new", data={"csrf_token": token, "code": "S-009", "office_id": data.south.id,
                                                "first_name": "Zed", "last_name": "Zane"})
    assert created.status_code == 200 and "Not a valid choice" in created.get_data(as_text=True)
    moved = client.post(f"/clients/{data.ann.id}/edit", data={
        "csrf_token": token, "code": "N-001", "office_id": data.south.id, "first_name": "Ann",
        "last_name": "Abbott", "active": "y"})
    assert moved.status_code == 200
    assert snapshot(db) == before
    assert db.session.get(Client, data.ann.id).office_id == data.north.id


def test_batches_and_invoices_of_other_offices_are_not_found(client, login, data):
    login("agency_user")
    finalized = client.get("/billing/batches").get_data(as_text=True)
    assert "B-N-01" in finalized and "B-S-01" not in finalized
    assert _office_options(finalized) == ["North Office"]
    drafts = client.get("/billing/drafts").get_data(as_text=True)
    assert "B-N-02" in drafts and "B-S-02" not in drafts
    assert "B-S-01" not in client.get(f"/billing/batches?office={data.south.id}").get_data(as_text=True)
    for url in (f"/billing/batches/{data.south_final.id}", f"/billing/batches/{data.south_draft.id}",
                f"/billing/invoices/{data.inv4.id}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/billing/batches/{data.north_final.id}").status_code == 200
    assert client.get(f"/billing/invoices/{data.inv1.id}").status_code == 200


def test_admin_cannot_finalize_what_does_not_exist_and_agency_user_sees_no_finalize_button(client, login, data):
    login("agency_user")
    html = client.get(f"/billing/batches/{data.north_draft.id}").get_data(as_text=True)
    assert "Finalize batch" not in html
