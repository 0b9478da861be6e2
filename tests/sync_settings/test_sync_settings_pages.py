"""The Sync Settings tab through Flask's test client, connected to the local QBO sandbox in-process
(QBO_HTTP_TRANSPORT = httpx2.WSGITransport), with real tokens the sandbox issued."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from extensions import db as _db
from models import Role
from models.sync_settings import ItemMapping, SyncSettings
from tests.sync_settings.conftest import CLIENT_ID, SANDBOX_BASE, build_sandbox

URL = "/accounting/quickbooks/sync-settings"


@pytest.fixture
def sandbox(tmp_path):
    return build_sandbox(tmp_path / "qbo")


@pytest.fixture
def app(tmp_path, sandbox):
    """This module's app: the usual test app plus a QBO connection to the sandbox."""
    from tests.dburl import test_database_url

    url = test_database_url(tmp_path)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
        "QBO_SANDBOX_ENABLED": False, "WTF_CSRF_ENABLED": True, "BASE_URL": "http://localhost",
        "INSTANCE_PATH": str(tmp_path / "instance"), "QBO_ENVIRONMENT": "local",
        "QBO_API_BASE_URL": SANDBOX_BASE, "QBO_HTTP_TRANSPORT": sandbox.transport,
        "QBO_CLIENT_ID": CLIENT_ID, "QBO_CLIENT_SECRET": "sync-tests-secret",
        "QBO_REDIRECT_URI": "http://127.0.0.1/callback",
        "QBO_DISCOVERY_URL": f"{SANDBOX_BASE}/.well-known/openid_configuration",
        "QBO_RETRY_MAX_ATTEMPTS": 1, "QBO_CATALOG_PAGE_SIZE": 4, "QBO_EXPORT_WORKER": "off",
    })
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        connect(app, sandbox)
        yield app
        _db.session.remove()
        _db.drop_all()


def connect(app, sandbox) -> None:
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from qbo.oauth import TokenSet
    from services.qbo_connection.tokens import store_token_set
    from tests.fixtures.sandbox import issue_tokens

    _db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED,
                                  environment="local", realm_id=sandbox.realm_id,
                                  company_name="Sunrise Home Care LLC"))
    _db.session.commit()
    store_token_set(TokenSet.from_response(issue_tokens(sandbox.app, CLIENT_ID, sandbox.realm_id)))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def options_of(html: str, slot: str) -> list[str]:
    select_html = re.search(rf'<select name="item:{re.escape(slot)}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]+)</option>", select_html)


def chosen_id(html: str, slot: str) -> str | None:
    select_html = re.search(rf'<select name="item:{re.escape(slot)}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected', select_html)
    return found.group(1) if found else None


def item_ids(sandbox) -> dict[str, str]:
    return {i["Name"]: i["Id"] for i in sandbox.client().query_all("Item")}


def form_for(page: str, agency, ids: dict, **overrides) -> dict:
    pc, comp = agency.types
    data = {"csrf_token": csrf(page), f"item:service:{pc.id}": ids["Personal Care"],
            f"item:service:{comp.id}": ids["Companion"], "item:service:default": ids["Personal Care"],
            "item:mileage": ids["Mileage"], "item:expense": ids["Expense Reimbursement"],
            "item:holiday_premium": ids["Holiday Premium"], "item:overtime_premium": ids["Overtime Premium"],
            "item:discount": ids["Discount"], "doc_number_source": "agency", "doc_number_prefix": "",
            "term_id": "", "description_1": "date", "description_2": "service",
            "description_3": "caregiver", "description_4": "shift", "line_grouping": "per_visit",
            "customer_name_format": "last_first", "payer_mode": "payer_subcustomer"}
    data.update(overrides)
    return data


def test_first_visit_loads_items_from_quickbooks_with_their_income_account(client, auth, make_user, agency):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    pc = agency.types[0]
    offered = options_of(page, f"service:{pc.id}")
    assert "Mileage — Reimbursed Income" in offered
    assert "Skilled Nursing — Nursing Income" in offered
    assert "Personal Care — Home Care Income" in offered
    assert len(offered) == 1 + 12  # "none" + every active Service/NonInventory item (3 pages of 4)
    # one row per service type, the default, and each other kind; tax has none
    for slot in (f"service:{pc.id}", "service:default", "mileage", "expense", "holiday_premium",
                 "overtime_premium", "discount"):
        assert f'name="item:{slot}"' in page
    assert "tax" not in re.findall(r'name="item:([^"]+)"', page)
    assert "Sales tax is never sent" in page and "non-taxable" in page
    assert 'id="save-sync-settings"' in page and 'id="refresh-items"' in page


def test_save_stores_the_choices_and_goes_to_client_matching(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.ADMIN))
    page = client.get(URL).get_data(as_text=True)
    ids = item_ids(sandbox)
    response = client.post(URL, data=form_for(page, agency, ids, doc_number_prefix="CL-",
                                              line_grouping="per_service_type",
                                              description_1="service", description_2="date",
                                              description_3="", description_4=""))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounting/quickbooks/client-matching")
    settings = _db.session.scalar(select(SyncSettings))
    assert settings.doc_number_prefix == "CL-" and settings.description_template == "service,date"
    mappings = {m.slot: m.qbo_item_id for m in _db.session.scalars(select(ItemMapping))}
    assert mappings["mileage"] == ids["Mileage"]
    assert mappings[f"service:{agency.types[0].id}"] == mappings["service:default"]  # same item twice

    again = client.get(URL).get_data(as_text=True)
    assert chosen_id(again, "mileage") == ids["Mileage"]
    assert 'value="CL-"' in again


def test_save_refuses_missing_items_for_finalized_lines_and_highlights_the_rows(client, auth, make_user, agency, sandbox):
    agency.add_invoice(["service", "mileage", "discount"])
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    assert page.count("On finalized invoices") == 3
    data = form_for(page, agency, item_ids(sandbox), **{"item:mileage": "", "item:discount": ""})
    response = client.post(URL, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    highlighted = re.findall(r'<tr data-slot="([^"]+)" class="row-error">', html)
    assert sorted(highlighted) == ["discount", "mileage"]
    assert "Finalized invoices have Mileage lines" in html
    assert _db.session.scalar(select(SyncSettings)) is None
    # what was typed is kept
    assert chosen_id(html, "expense") == item_ids(sandbox)["Expense Reimbursement"]


def test_an_item_made_inactive_in_quickbooks_is_flagged_on_load(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    ids = item_ids(sandbox)
    assert client.post(URL, data=form_for(page, agency, ids)).status_code == 302

    qbo = sandbox.client()
    mileage = qbo.read("Item", ids["Mileage"])
    qbo.update("Item", {"Id": mileage["Id"], "SyncToken": mileage["SyncToken"], "Active": False}, "off-1")
    refreshed = client.post(f"{URL}/refresh", data={"csrf_token": csrf(page)},
                            headers={"HX-Request": "true"}).get_data(as_text=True)
    assert refreshed.lstrip().startswith('<div id="item-mapping"')   # only the table comes back
    assert "Mileage (inactive in QuickBooks)" in refreshed

    page = client.get(URL).get_data(as_text=True)
    assert 'id="inactive-warning"' in page
    assert re.findall(r'<tr data-slot="([^"]+)" class="row-error">', page) == ["mileage"]
    response = client.post(URL, data=form_for(page, agency, ids))  # still the inactive Mileage
    assert response.status_code == 200 and "inactive in QuickBooks; choose another" in response.get_data(as_text=True)


def test_refresh_swaps_the_drop_downs_and_keeps_unsaved_choices(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    qbo = sandbox.client()
    account = qbo.query_all("Account", "Name = 'Home Care Income'")[0]
    qbo.create("Item", {"Name": "Dementia Care", "Type": "Service",
                        "IncomeAccountRef": {"value": account["Id"]}}, "dem-1")
    assert "Dementia Care" not in page  # cached: no QBO call on a plain page load
    ids = item_ids(sandbox)
    response = client.post(f"{URL}/refresh", headers={"HX-Request": "true"},
                           data={"csrf_token": csrf(page), "item:mileage": ids["Mileage"]})
    html = response.get_data(as_text=True)
    assert "Dementia Care — Home Care Income" in options_of(html, "mileage")
    assert chosen_id(html, "mileage") == ids["Mileage"]
    assert "<html" not in html


def test_create_item_from_the_tab_and_pick_it_for_a_row(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    account_id = re.search(r'<option value="(\d+)"[^>]*>Home Care Income</option>', page).group(1)
    request_id = re.search(r'name="new_item_request_id" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf(page), "new_item_name": "Live-in Care", "new_item_account": account_id,
            "new_item_use_for": "holiday_premium", "new_item_request_id": request_id}
    html = client.post(f"{URL}/items", data=form, headers={"HX-Request": "true"}).get_data(as_text=True)

    assert "Created “Live-in Care” in QuickBooks" in html
    assert 'hx-swap-oob="outerHTML"' in html  # the item table is swapped too
    created = sandbox.client().query_all("Item", "Name = 'Live-in Care'")
    assert len(created) == 1 and created[0]["Type"] == "Service"
    assert created[0]["IncomeAccountRef"]["value"] == account_id
    assert chosen_id(html, "holiday_premium") == created[0]["Id"]
    new_request_id = re.search(r'name="new_item_request_id" value="([^"]+)"', html).group(1)
    assert new_request_id != request_id

    # The same submit again (a retry) does not create a second item.
    client.post(f"{URL}/items", data=form, headers={"HX-Request": "true"})
    assert len(sandbox.client().query_all("Item", "Name = 'Live-in Care'")) == 1


def test_create_item_with_a_name_quickbooks_already_has(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    account_id = re.search(r'<option value="(\d+)"[^>]*>Home Care Income</option>', page).group(1)
    response = client.post(f"{URL}/items", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf(page), "new_item_name": "Mileage", "new_item_account": account_id,
        "new_item_request_id": "dup-try-1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An item with this name already exists in QuickBooks — pick it from the list" in html
    assert 'value="Mileage"' in html  # the form keeps what was typed
    assert "hx-swap-oob" not in html
    assert len(sandbox.client().query_all("Item", "Name = 'Mileage'")) == 1
    # QBO answered for good, so the next attempt (another name) carries a new requestid and works.
    next_id = re.search(r'name="new_item_request_id" value="([^"]+)"', html).group(1)
    assert next_id != "dup-try-1"
    html = client.post(f"{URL}/items", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf(page), "new_item_name": "Mileage (agency car)", "new_item_account": account_id,
        "new_item_request_id": next_id}).get_data(as_text=True)
    assert "Created “Mileage (agency car)” in QuickBooks" in html
    assert client.get(URL).status_code == 200


def test_agency_user_reads_the_chosen_items_as_text_and_has_no_save(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.AGENCY_USER))
    page = client.get(URL).get_data(as_text=True)
    assert client.get(URL).status_code == 200
    assert 'id="read-only-note"' in page
    assert re.findall(r'<select name="item:', page) == []     # the items as text, no drop-downs
    assert 'class="item-chosen"' in page
    assert 'id="save-sync-settings"' not in page and 'id="refresh-items"' not in page
    assert 'id="create-item-form"' not in page
    token = csrf(page)
    ids = item_ids(sandbox)
    assert client.post(URL, data=form_for(page, agency, ids)).status_code == 403
    assert client.post(f"{URL}/refresh", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{URL}/items", data={"csrf_token": token, "new_item_name": "X",
                                             "new_item_account": "5"}).status_code == 403
    assert _db.session.scalar(select(SyncSettings)) is None
    assert sandbox.client().query_all("Item", "Name = 'X'") == []


def test_office_options_appear_only_when_the_company_tracks_them(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    assert 'id="office-options"' not in page
    qbo = sandbox.client()
    prefs = qbo.preferences()
    qbo.update("Preferences", {"Id": prefs.get("Id", "1"), "SyncToken": prefs["SyncToken"],
                               "AccountingInfoPrefs": {"TrackDepartments": True, "ClassTrackingPerTxn": True}},
               "prefs-1")
    client.post(f"{URL}/refresh", data={"csrf_token": csrf(page)})
    page = client.get(URL).get_data(as_text=True)
    assert 'id="office-options"' in page
    assert 'name="office_department"' in page and 'name="office_class"' in page
    main = agency.offices[0]
    classes = {c["Name"]: c["Id"] for c in qbo.query_all("Class")}
    response = client.post(URL, data=form_for(page, agency, item_ids(sandbox), office_class="on",
                                              **{f"office_class_{main.id}": classes["Main Office"]}))
    assert response.status_code == 302
    settings = _db.session.scalar(select(SyncSettings))
    assert settings.office_class and not settings.office_department and not settings.class_per_line


def test_without_a_connection_the_tab_says_connect_first(client, auth, make_user, db):
    from models.qbo import QboConnection

    db.session.delete(db.session.get(QboConnection, 1))
    db.session.commit()
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    assert "Connect QuickBooks first" in page and "sync-settings-form" not in page


def badged(html: str) -> list[str]:
    """The rows showing the "suggested" badge."""
    rows = re.findall(r'<tr data-slot="([^"]+)"(.*?)</tr>', html, re.S)
    return sorted(slot for slot, cell in rows if 'class="badge badge-amber suggested"' in cell)


def page_form(html: str) -> dict:
    """What the browser would submit for the item drop-downs as the page shows them."""
    slots = re.findall(r'<select name="item:([^"]+)"', html)
    return {f"item:{slot}": chosen_id(html, slot) or "" for slot in slots}


def test_rows_without_a_saved_item_open_on_the_company_item_of_that_name(client, auth, make_user, agency, sandbox):
    agency.add_invoice(["service", "mileage", "discount"])
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    ids = item_ids(sandbox)
    pc, comp = agency.types
    expected = {f"service:{pc.id}": ids["Personal Care"], f"service:{comp.id}": ids["Companion"],
                "mileage": ids["Mileage"], "expense": ids["Expense Reimbursement"],
                "holiday_premium": ids["Holiday Premium"], "overtime_premium": ids["Overtime Premium"],
                "discount": ids["Discount"]}
    for slot, item in expected.items():
        assert chosen_id(page, slot) == item, slot
    assert chosen_id(page, "service:default") is None   # no item is named like "any other service type"
    assert badged(page) == sorted(expected)
    assert 'id="suggested-note"' in page
    assert 'class="badge badge-red"' not in page   # the finalized kinds are covered by suggestions
    assert _db.session.scalars(select(ItemMapping)).all() == []   # nothing saved by looking

    # Save stores the suggestions like any choice; afterwards they are saved, not suggested.
    form = form_for(page, agency, ids)
    form.update(page_form(page))
    assert client.post(URL, data=form).status_code == 302
    mappings = {m.slot: m.qbo_item_id for m in _db.session.scalars(select(ItemMapping))}
    assert mappings == expected
    again = client.get(URL).get_data(as_text=True)
    assert badged(again) == [] and 'id="suggested-note"' not in again
    assert chosen_id(again, "discount") == ids["Discount"]


def test_saved_rows_and_inactive_items_are_never_suggested(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    ids = item_ids(sandbox)
    # Mileage deliberately saved to another item; Holiday premium left without one.
    form = form_for(page, agency, ids, **{"item:mileage": ids["Expense Reimbursement"],
                                          "item:holiday_premium": ""})
    assert client.post(URL, data=form).status_code == 302

    qbo = sandbox.client()
    holiday = qbo.read("Item", ids["Holiday Premium"])
    qbo.update("Item", {"Id": holiday["Id"], "SyncToken": holiday["SyncToken"], "Active": False}, "off-h")
    client.post(f"{URL}/refresh", data={"csrf_token": csrf(page)})

    page = client.get(URL).get_data(as_text=True)
    assert chosen_id(page, "mileage") == ids["Expense Reimbursement"]   # the saved choice stands
    assert chosen_id(page, "holiday_premium") is None   # its only namesake is inactive now
    assert badged(page) == []


def test_a_cleared_suggestion_stays_cleared_when_save_is_refused(client, auth, make_user, agency, sandbox):
    agency.add_invoice(["service", "mileage"])
    auth.login_as(make_user(Role.OWNER))
    page = client.get(URL).get_data(as_text=True)
    form = form_for(page, agency, item_ids(sandbox))
    form.update(page_form(page))
    form["item:mileage"] = ""
    html = client.post(URL, data=form).get_data(as_text=True)
    assert "Nothing was saved" in html
    assert chosen_id(html, "mileage") is None
    assert re.findall(r'<tr data-slot="([^"]+)" class="row-error">', html) == ["mileage"]
    assert "discount" in badged(html) and "mileage" not in badged(html)


def test_a_read_only_viewer_sees_what_is_saved_without_suggestions(client, auth, make_user, agency, sandbox):
    auth.login_as(make_user(Role.AGENCY_USER))
    page = client.get(URL).get_data(as_text=True)
    assert all(chosen is None for chosen in
               (chosen_id(page, slot) for slot in re.findall(r'<select name="item:([^"]+)"', page)))
    assert badged(page) == [] and 'id="suggested-note"' not in page
