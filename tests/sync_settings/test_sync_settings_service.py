"""Sync settings service: rows, kinds needing items, Save's validation and storage."""
from __future__ import annotations

from sqlalchemy import select

from models import Client, LineKind
from models.sync_settings import (DocNumberSource, ItemMapping, LineGrouping, NameFormat,
                                  OfficeMapping, PayerMode, SyncSettings, slot_for)
from services.sync_settings import catalog as qbo_catalog
from services import sync_settings as svc
from tests.sync_settings.conftest import build_sandbox


def item_id(catalog, name):
    return next(i["Id"] for i in catalog.items if i["Name"] == name)


def full_items(agency, catalog) -> dict:
    pc, comp = agency.types
    return {slot_for(LineKind.SERVICE, pc.id): item_id(catalog, "Personal Care"),
            slot_for(LineKind.SERVICE, comp.id): item_id(catalog, "Companion"),
            slot_for(LineKind.SERVICE): item_id(catalog, "Personal Care"),  # same item twice is fine
            "mileage": item_id(catalog, "Mileage"), "expense": item_id(catalog, "Expense Reimbursement"),
            "holiday_premium": item_id(catalog, "Holiday Premium"),
            "overtime_premium": item_id(catalog, "Overtime Premium"), "discount": item_id(catalog, "Discount")}


def test_rows_cover_each_service_type_a_default_and_every_other_kind_but_tax(app, agency):
    rows = svc.item_rows()
    pc, comp = agency.types
    assert [r.slot for r in rows] == [f"service:{comp.id}", f"service:{pc.id}", "service:default",
                                      "mileage", "expense", "holiday_premium", "overtime_premium",
                                      "discount"]
    assert [r.label for r in rows][:2] == ["Companion", "Personal Care"]


def test_kinds_needing_items_come_from_finalized_invoices_only(app, db, agency):
    assert svc.kinds_needing_items(db.session) == set()
    agency.add_invoice(["service", "mileage", "tax"])
    agency.add_invoice(["discount", "holiday_premium"], finalized=False)  # a draft does not count
    agency.add_invoice(["service"], service_type=agency.types[1])
    pc, comp = agency.types
    assert svc.kinds_needing_items(db.session) == {f"service:{pc.id}", f"service:{comp.id}", "mileage"}


def test_missing_slots_accept_the_default_service_item():
    needed = {"service:1", "service:2", "mileage"}
    assert svc.missing_slots(needed, {"service:1": "11"}) == {"service:2", "mileage"}
    assert svc.missing_slots(needed, {"service:default": "10", "mileage": "16"}) == set()


def test_save_refuses_when_a_needed_kind_has_no_item(app, db, agency, sandbox, qbo, make_user):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    agency.add_invoice(["service", "mileage", "overtime_premium"])
    items = full_items(agency, catalog)
    items.update({"mileage": "", "overtime_premium": ""})

    result = svc.save(sandbox.realm_id, svc.SettingsInput(items=items), catalog, make_user())

    assert not result.ok
    assert set(result.errors) == {"mileage", "overtime_premium"}
    assert "Mileage" in result.errors["mileage"]
    assert db.session.scalars(select(ItemMapping)).all() == []
    assert db.session.scalars(select(SyncSettings)).all() == []


def test_inactive_items_are_flagged_and_refused(app, db, agency, sandbox, qbo, make_user):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    user = make_user()
    assert svc.save(sandbox.realm_id, svc.SettingsInput(items=full_items(agency, catalog)), catalog, user).ok

    mileage = catalog.item(item_id(catalog, "Mileage"))
    qbo.update("Item", {"Id": mileage["Id"], "SyncToken": mileage["SyncToken"], "Active": False}, "off-m")
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)

    chosen = {slot: row.qbo_item_id for slot, row in svc.item_mappings(sandbox.realm_id).items()}
    assert svc.inactive_slots(chosen, catalog) == {"mileage"}
    result = svc.save(sandbox.realm_id, svc.SettingsInput(items=chosen), catalog, user)
    assert not result.ok and "inactive" in result.errors["mileage"]


def test_save_stores_items_and_options_per_realm(app, db, agency, sandbox, qbo, make_user):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    agency.add_invoice(["service", "mileage"])
    net30 = next(t["Id"] for t in catalog.terms if t["Name"] == "Net 30")
    data = svc.SettingsInput(items=full_items(agency, catalog), doc_number_prefix=" CL- ", term_id=net30,
                             description=["service", "date"], line_grouping="per_service_type",
                             customer_name_format="first_last", payer_mode="client",
                             office_class=True, office_department=True)
    result = svc.save(sandbox.realm_id, data, catalog, make_user())
    assert result.ok, result.errors

    settings = svc.settings_for(sandbox.realm_id)
    assert settings.doc_number_source == DocNumberSource.AGENCY
    assert settings.doc_number_prefix == "CL-"
    assert (settings.term_id, settings.term_name) == (net30, "Net 30")
    assert settings.description_fields == ["service", "date"]
    assert settings.line_grouping == LineGrouping.PER_SERVICE_TYPE
    assert settings.customer_name_format == NameFormat.FIRST_LAST
    assert settings.payer_mode == PayerMode.CLIENT
    # The company does not track classes or locations: those options are not kept.
    assert settings.office_class is False and settings.office_department is False
    mappings = svc.item_mappings(sandbox.realm_id)
    assert mappings["mileage"].qbo_item_name == "Mileage"
    assert mappings[f"service:{agency.types[0].id}"].qbo_item_id == mappings["service:default"].qbo_item_id
    assert svc.settings_for("other-realm").id is None  # another company starts from defaults

    # Clearing a row removes its mapping.
    data.items["holiday_premium"] = ""
    assert svc.save(sandbox.realm_id, data, catalog, make_user(email="b@example.test")).ok
    assert "holiday_premium" not in svc.item_mappings(sandbox.realm_id)


def test_office_class_and_location_when_the_company_tracks_them(app, db, agency, tmp_path, make_user):
    from tests.fixtures.sandbox import default_preferences

    sandbox = build_sandbox(tmp_path / "tracking", default_preferences(track_departments=True,
                                                                        class_per_line=True))
    catalog = qbo_catalog.refresh_catalog(sandbox.client(), sandbox.realm_id)
    assert catalog.tracks_departments and catalog.tracks_classes and catalog.class_per_line
    main, lake = agency.offices
    lakeside_class = next(c["Id"] for c in catalog.classes if c["Name"] == "Lakeside")
    main_department = next(d["Id"] for d in catalog.departments if d["Name"] == "Main Office")
    data = svc.SettingsInput(items=full_items(agency, catalog), office_class=True, office_department=True,
                             office_classes={lake.id: lakeside_class, main.id: ""},
                             office_departments={main.id: main_department, lake.id: ""})
    assert svc.save(sandbox.realm_id, data, catalog, make_user()).ok
    settings = svc.settings_for(sandbox.realm_id)
    assert settings.office_class and settings.office_department and settings.class_per_line
    rows = {r.office_id: r for r in db.session.scalars(select(OfficeMapping))}
    assert (rows[lake.id].qbo_class_name, rows[lake.id].qbo_department_id) == ("Lakeside", None)
    assert (rows[main.id].qbo_class_id, rows[main.id].qbo_department_name) == (None, "Main Office")

    bad = svc.SettingsInput(items=full_items(agency, catalog), office_class=True,
                            office_classes={lake.id: "no-such-class"})
    assert "office_class_%d" % lake.id in svc.save(sandbox.realm_id, bad, catalog, make_user(email="c@x.test")).errors


def test_doc_number_prefix_is_checked_against_the_longest_invoice_number(app, db, agency, sandbox, qbo, make_user):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    agency.add_invoice(["service"], number="LAKE-2026-0000123")   # 17 characters
    items = full_items(agency, catalog)
    too_long = svc.SettingsInput(items=items, doc_number_prefix="CARE-")  # 5 + 17 = 22
    result = svc.save(sandbox.realm_id, too_long, catalog, make_user())
    assert not result.ok and "22" in result.errors["doc_number_prefix"]
    fits = svc.SettingsInput(items=items, doc_number_prefix="CL-")
    assert svc.save(sandbox.realm_id, fits, catalog, make_user(email="d@x.test")).ok
    # QuickBooks numbering ignores the prefix limit.
    qbo_numbers = svc.SettingsInput(items=items, doc_number_source="qbo", doc_number_prefix="CARE-")
    assert svc.save(sandbox.realm_id, qbo_numbers, catalog, make_user(email="e@x.test")).ok


def test_other_option_checks(app, db, agency, sandbox, qbo):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    errors = svc.validate(svc.SettingsInput(term_id="999", description=["date", "date"],
                                            line_grouping="weekly", payer_mode="nobody"),
                          catalog, db.session)
    assert set(errors) == {"term_id", "description", "line_grouping", "payer_mode"}


def test_client_display_name_formats():
    # The one rule Add to QuickBooks uses (services/mapping/customer.py): no middle name, names
    # made safe for QBO (":" is its sub-customer separator).
    from services.mapping.customer import client_display_name

    client = Client(first_name="José", middle_name="Antonio", last_name="Hernández", suffix="Jr.")
    assert client_display_name(client, NameFormat.LAST_FIRST) == "Hernández, José Jr."
    assert client_display_name(client, "first_last") == "José Hernández Jr."
    assert client_display_name(Client(first_name="Ann", last_name="Lee: Jr"), NameFormat.LAST_FIRST) == "Lee - Jr, Ann"
