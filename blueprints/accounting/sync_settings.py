"""Accounting > QuickBooks Integration > Sync Settings tab.

Thin views over services/sync_settings/ (rows, validation, save; catalog.py: the company
lists, cached per realm).  Everyone signed in may look; Owners and Admins change
things (each write endpoint is declared MANAGERS, so the server refuses Agency Users whatever
the page shows). htmx swaps the item table in place on Refresh and after creating an item; the
page also works as plain forms.
"""
from __future__ import annotations

import uuid
from datetime import date, time
from types import SimpleNamespace

from flask import flash, redirect, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

import converters
from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.accounting.blueprint import bp
from extensions import db
from htmx import is_fragment_request, render_page
from models import LineKind
from models.sync_settings import DESCRIPTION_FIELDS
from qbo.errors import DuplicateNameError, QboError, TransientError
from services.sync_settings import catalog as qbo_catalog
from services import sync_settings as svc
from services.mapping.invoice import MAX_DOC_NUMBER, visit_description
from services.sync_settings.suggestions import suggest_items
from services.time_export.settings import time_rows
from services.qbo_connection import connected_client, connection_status, current_realm
from services.qbo_connection.messages import plain_error

TEMPLATE = "accounting/sync_settings.html"
DUPLICATE_ITEM = "An item with this name already exists in QuickBooks — pick it from the list"
SEARCH_THRESHOLD = 10  # item lists longer than this get a filter box per row


def _can_manage() -> bool:
    return current_user.role in MANAGERS


def _realm_id() -> str | None:
    return current_realm(connected=False)


def _sample_description(fields: list[str]) -> str:
    sample = SimpleNamespace(kind=LineKind.SERVICE, service_type=SimpleNamespace(name="Personal Care"),
                             description="", service_date=date(2026, 3, 2),
                             caregiver_name="Alicia Moreno", start_time=time(9), end_time=time(13))
    return visit_description(sample, fields) or "(no description)"


def _form_input() -> svc.SettingsInput:
    form = request.form
    office_ids = converters.ids(key.split("_")[-1] for key in form
                                if key.startswith(("office_class_", "office_department_")))
    return svc.SettingsInput(
        items={key[len("item:"):]: form.get(key, "").strip() for key in form if key.startswith("item:")},
        doc_number_source=form.get("doc_number_source", "agency"),
        doc_number_prefix=form.get("doc_number_prefix", ""),
        term_id=form.get("term_id", "").strip(),
        description=[f for f in (form.get(f"description_{n}", "") for n in range(1, 5)) if f],
        line_grouping=form.get("line_grouping", "per_visit"),
        customer_name_format=form.get("customer_name_format", "last_first"),
        payer_mode=form.get("payer_mode", "payer_subcustomer"),
        office_class=form.get("office_class") == "on",
        office_department=form.get("office_department") == "on",
        office_classes={i: form.get(f"office_class_{i}", "") for i in office_ids},
        office_departments={i: form.get(f"office_department_{i}", "") for i in office_ids},
    )


def _saved_input(realm_id: str) -> svc.SettingsInput:
    """The stored settings in the form's shape (what the page shows before any edit)."""
    settings = svc.settings_for(realm_id)
    offices = svc.office_mappings(realm_id)
    value = lambda option: getattr(option, "value", option)  # noqa: E731
    return svc.SettingsInput(
        items={slot: row.qbo_item_id for slot, row in svc.item_mappings(realm_id).items()},
        doc_number_source=value(settings.doc_number_source),
        doc_number_prefix=settings.doc_number_prefix or "",
        term_id=settings.term_id or "",
        description=settings.description_fields,
        line_grouping=value(settings.line_grouping),
        customer_name_format=value(settings.customer_name_format),
        payer_mode=value(settings.payer_mode),
        office_class=settings.office_class, office_department=settings.office_department,
        office_classes={i: row.qbo_class_id or "" for i, row in offices.items()},
        office_departments={i: row.qbo_department_id or "" for i, row in offices.items()},
    )


def _suggestions(realm_id: str | None, catalog) -> dict[str, str]:
    """Items suggested for the rows with no saved item (only for those who can save them: a
    read-only viewer sees what is saved, nothing else)."""
    if not realm_id or catalog is None or not catalog.loaded or not _can_manage():
        return {}
    return suggest_items(svc.item_rows(), catalog.items, svc.item_mappings(realm_id))


def _context(realm_id: str | None, catalog, data: svc.SettingsInput, errors=None, message="",
             load_error="", create=None, suggested=None) -> dict:
    from models import Office

    needed = svc.kinds_needing_items(db.session) if realm_id else set()
    inactive = svc.inactive_slots(data.items, catalog) if catalog is not None else set()
    longest = svc.longest_invoice_number(db.session)
    return dict(
        qbo_connection=connection_status(), realm_id=realm_id, catalog=catalog, data=data, errors=errors or {}, message=message,
        load_error=load_error, can_manage=_can_manage(), rows=svc.item_rows(),
        needed=needed, inactive=inactive, missing=svc.missing_slots(needed, data.items),
        suggested=_suggestions(realm_id, catalog) if suggested is None else suggested,
        item_label=qbo_catalog.item_label, searchable=bool(catalog) and
        len(catalog.selectable_items) > SEARCH_THRESHOLD,
        description_fields=DESCRIPTION_FIELDS, description_labels=svc.DESCRIPTION_LABELS,
        description_preview=_sample_description(data.description),
        longest_number=longest, prefix_room=max(0, MAX_DOC_NUMBER - longest),
        max_doc_number=MAX_DOC_NUMBER,
        offices=db.session.query(Office).order_by(Office.name).all(),
        create=create or {"name": "", "account_id": "", "use_for": "", "error": "", "created": None,
                          "request_id": uuid.uuid4().hex},
        oob=False,
        # Sync Settings › Time (templates/accounting/_time_settings.html)
        time_rows=time_rows(realm_id) if realm_id else [], time_errors={}, time_message="",
    )


def _load_catalog(realm_id: str | None):
    """(catalog, error text). Only calls QBO when nothing is cached yet for this company."""
    if not realm_id:
        return None, ""
    try:
        return qbo_catalog.catalog_for(connected_client, realm_id), ""
    except QboError as error:
        db.session.rollback()
        return qbo_catalog.cached_catalog(realm_id), plain_error(error)


@bp.route("/quickbooks/sync-settings")
@roles(EVERYONE_LOGGED_IN)
def sync_settings():
    realm_id = _realm_id()
    catalog, load_error = _load_catalog(realm_id)
    data = _saved_input(realm_id) if realm_id else svc.SettingsInput()
    # Rows with no saved item open on the suggested one (badged "suggested" until saved). Only
    # here: a re-shown form or a Refresh keeps what the user left in the drop-downs, even empty.
    suggested = _suggestions(realm_id, catalog)
    for slot, item_id in suggested.items():
        data.items.setdefault(slot, item_id)
    return render_page(TEMPLATE, **_context(realm_id, catalog, data, load_error=load_error,
                                            suggested=suggested))


@bp.route("/quickbooks/sync-settings", methods=["POST"])
@roles(MANAGERS)
def sync_settings_save():
    realm_id = _realm_id()
    if not realm_id:
        flash("Connect QuickBooks before saving sync settings.", "warning")
        return redirect(url_for("accounting.sync_settings"))
    catalog = qbo_catalog.cached_catalog(realm_id)
    data = _form_input()
    if not catalog.loaded:
        context = _context(realm_id, catalog, data, message="QuickBooks' lists are not loaded yet; "
                           "press Refresh, then Save.")
        return render_page(TEMPLATE, **context)
    result = svc.save(realm_id, data, catalog, current_user)
    if not result.ok:
        db.session.rollback()
        # 200 with the errors on the page (htmx 2 would not swap a 4xx; plain forms re-render).
        return render_page(TEMPLATE, **_context(realm_id, catalog, data, result.errors, result.message))
    flash(result.message + " Next: match your clients to QuickBooks customers.", "success")
    return redirect(url_for("accounting.client_matching"))


@bp.route("/quickbooks/sync-settings/refresh", methods=["POST"])
@roles(MANAGERS)
def sync_settings_refresh():
    """Reload QuickBooks' lists; the item table comes back with the choices still unsaved."""
    realm_id = _realm_id()
    load_error = ""
    catalog = None
    if realm_id:
        try:
            catalog = qbo_catalog.refresh_catalog(connected_client(), realm_id)
        except QboError as error:
            db.session.rollback()
            catalog, load_error = qbo_catalog.cached_catalog(realm_id), plain_error(error)
    data = _form_input() if any(k.startswith("item:") for k in request.form) else \
        (_saved_input(realm_id) if realm_id else svc.SettingsInput())
    context = _context(realm_id, catalog, data, load_error=load_error)
    if is_fragment_request():
        return render_block(TEMPLATE, "item_mapping", **context)
    if load_error:
        flash(load_error, "danger")
    return redirect(url_for("accounting.sync_settings"))


def _create_item(realm_id: str | None, catalog, create: dict, data) -> tuple[dict, object]:
    """Send the new item to QuickBooks; returns the form state to show next and the catalog."""
    account = catalog.find(catalog.income_accounts, create["account_id"]) if catalog else None
    if not realm_id:
        return {**create, "error": "Connect QuickBooks first."}, catalog
    if account is None:
        return {**create, "error": "Choose the income account for the item."}, catalog
    try:
        item = qbo_catalog.create_service_item(connected_client(), realm_id, create["name"],
                                               account, create["request_id"])
    except qbo_catalog.ItemNameInvalid as error:
        return {**create, "error": str(error)}, catalog
    except DuplicateNameError:
        # QBO answered for good and would replay this answer for the same requestid: the
        # next submit (with another name) is a new attempt and needs a new id.
        return {**create, "error": DUPLICATE_ITEM, "request_id": uuid.uuid4().hex}, catalog
    except QboError as error:
        db.session.rollback()
        retry_id = create["request_id"] if isinstance(error, TransientError) else uuid.uuid4().hex
        return {**create, "error": plain_error(error), "request_id": retry_id}, catalog  # ambiguous: same id
    if create["use_for"] in {row.slot for row in svc.item_rows()}:
        data.items[create["use_for"]] = str(item["Id"])
    return ({"name": "", "account_id": create["account_id"], "use_for": "", "error": "",
             "created": item, "request_id": uuid.uuid4().hex},  # a new form, a new id
            qbo_catalog.cached_catalog(realm_id))


@bp.route("/quickbooks/sync-settings/items", methods=["POST"])
@roles(MANAGERS)
def sync_settings_create_item():
    """Create a Service item in QuickBooks from the tab. The form's request id makes a retried
    submit harmless; a 6240 (name taken) is a message, not an error page."""
    realm_id = _realm_id()
    form = request.form
    create = {"name": form.get("new_item_name", ""), "account_id": form.get("new_item_account", ""),
              "use_for": form.get("new_item_use_for", ""), "error": "", "created": None,
              "request_id": form.get("new_item_request_id") or uuid.uuid4().hex}
    data = _form_input() if any(k.startswith("item:") for k in form) else \
        (_saved_input(realm_id) if realm_id else svc.SettingsInput())
    create, catalog = _create_item(realm_id, qbo_catalog.cached_catalog(realm_id) if realm_id else None,
                                   create, data)
    context = _context(realm_id, catalog, data, create=create)
    if is_fragment_request():
        body = render_block(TEMPLATE, "create_item", **context)
        if create["created"]:
            context["oob"] = True
            body += render_block(TEMPLATE, "item_mapping", **context)
        return body
    flash(f"Created “{create['created']['Name']}” in QuickBooks." if create["created"]
          else create["error"], "success" if create["created"] else "danger")
    return redirect(url_for("accounting.sync_settings") + "#create-item")
