"""Accounting > QuickBooks Integration > Caregiver Matching: thin views over
services/caregiver_matching/, with Client Matching's page behaviour (its filters, row macros,
Save bar and static/js/client_matching.js: choices kept across pages, one Save for all, the Why
of a changed row). Everyone signed in may look (their offices' caregivers); only Owners and
Admins (MANAGERS) refresh, save, unlink or add to QuickBooks. Every POST carries the CSRF token.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

import converters
from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.accounting.blueprint import bp
from blueprints.accounting.client_matching import _filters, _qbo, _realm, _require_realm, _result_messages
from extensions import db
from htmx import is_fragment_request, render_page
from qbo.errors import QboError
from services import caregiver_matching as cgm
from services.agency.offices import visible_offices
from services.caregiver_matching import creation, proposals, saving, table
from services.caregiver_matching.workers import list_state
from services.client_matching import FILTER_LABELS, Choice
from services.qbo_connection import connection_status
from services.qbo_connection.messages import plain_error
from services.caregivers.records import caregiver_for

TEMPLATE = "accounting/caregiver_matching.html"
KIND = "caregiver"
PAGES = {"candidates": "accounting.caregiver_matching_candidates", "why": "accounting.caregiver_matching_why",
         "unlink": "accounting.caregiver_matching_unlink", "what": "employees and vendors",
         "none": "— no employee or vendor (remove the link) —"}


def _page(messages=None, kept=(), saved: bool = False):
    filters, realm = _filters(request.values), _realm()
    messages = list(messages or [])
    if realm and request.method == "GET":
        problem = cgm.ensure_proposals(_qbo, realm)
        if problem:
            messages.append(("warning", problem))
    context = dict(qbo_connection=connection_status(), filters=filters, realm=realm, pages=PAGES,
                   can_manage=current_user.role in MANAGERS, messages=messages, kept=list(kept),
                   saved=saved, offices=visible_offices(current_user), filter_labels=FILTER_LABELS)
    if realm:
        page, rows = table.caregiver_rows(realm, current_user, office_id=filters["office"],
                                          search=filters["q"], state=filters["state"], page=filters["page"])
        context.update(page=page, rows=rows, list_state=list_state(realm),
                       counts=table.counts(realm, current_user, filters["office"]))
    return render_page(TEMPLATE, block="matching_section", **context)


def _back(messages, kept=(), saved: bool = False):
    if is_fragment_request():
        return _page(messages, kept=kept, saved=saved)
    for category, text in messages:
        flash(text, category)
    args = {k: v for k, v in _filters(request.values).items()
            if v and not (k == "state" and v == "all") and not (k in ("page", "ppage") and v == 1)}
    return redirect(url_for("accounting.caregiver_matching", **args))


def _caregiver(kind: str, subject_id) -> object:
    """The caregiver of a row, if the user may see it (404 otherwise, as for clients)."""
    try:
        caregiver = caregiver_for(current_user, converters.bounded_int(subject_id)) if kind == KIND else None
    except ValueError:
        caregiver = None
    if caregiver is None:
        abort(404)
    return caregiver


@bp.route("/quickbooks/caregiver-matching")
@roles(EVERYONE_LOGGED_IN)
def caregiver_matching():
    return _page()


@bp.route("/quickbooks/caregiver-matching/refresh", methods=["POST"])
@roles(MANAGERS)
def caregiver_matching_refresh():
    realm = _require_realm()
    try:
        state = proposals.refresh_workers(_qbo(), realm)
    except QboError as error:
        db.session.rollback()
        return _back([("danger", "The employee and vendor lists were not refreshed. " + plain_error(error))])
    return _back([("success", f"Read {state.worker_count} employees and vendors from QuickBooks and "
                              "updated the proposed matches.")])


@bp.route("/quickbooks/caregiver-matching/candidates/<kind>/<subject_id>")
@roles(EVERYONE_LOGGED_IN)
def caregiver_matching_candidates(kind: str, subject_id: str):
    """The searchable drop-down of one row, swapped in place by htmx as the person types."""
    realm, caregiver = _require_realm(), _caregiver(kind, subject_id)
    current = request.args.get(f"customer_{KIND}_{caregiver.id}", "")
    options = table.keep_current_choice(
        realm, proposals.candidates_for(realm, caregiver, request.args.get("find", "")), current)
    return render_block(TEMPLATE, "candidate_select", kind=KIND, subject_id=caregiver.id, options=options,
                        selected=current, can_manage=current_user.role in MANAGERS, pages=PAGES,
                        linked=saving.link_of(realm, caregiver.id) is not None)


@bp.route("/quickbooks/caregiver-matching/why/<kind>/<subject_id>")
@roles(MANAGERS)
def caregiver_matching_why(kind: str, subject_id: str):
    """The Score and Why of a row for the worker just chosen (JSON for client_matching.js)."""
    realm, caregiver = _require_realm(), _caregiver(kind, subject_id)
    key = request.args.get("customer", "")
    answer = proposals.explain_choice(realm, caregiver, key, linked=saving.link_of(realm, caregiver.id) is not None)
    return jsonify(score=answer.score, status=answer.status, why=answer.why, customer=key)


@bp.route("/quickbooks/caregiver-matching/save", methods=["POST"])
@roles(MANAGERS)
def caregiver_matching_save():
    """Save every changed row (on any page: the browser sends them all) and every automatic
    match, then send the Add to QuickBooks requests."""
    realm = _require_realm()
    ids = converters.ids(request.form.getlist(f"row_{KIND}"))
    choices = [Choice(i, request.form.get(f"customer_{KIND}_{i}", ""),
                      request.form.get(f"create_{KIND}_{i}") == "on") for i in ids]
    allowed = {i for i in ids if caregiver_for(current_user, i) is not None}
    result = saving.save_choices(realm, choices, current_user.id, allowed)
    messages = _result_messages(result, "caregiver")
    auto = saving.accept_all_auto(realm, current_user, skip=set(ids))
    messages += [("danger", e) for e in auto.errors]
    if auto.linked:
        messages.append(("success", f"Saved {auto.linked} automatic match{'es' if auto.linked != 1 else ''}."))
    messages += _create(realm, result.creations)
    if not messages:
        messages.append(("info", "Nothing to save: no choice was changed and every automatic match is saved."))
    return _back(messages, kept=result.failed, saved=True)


def _create(realm: str, caregiver_ids) -> list[tuple[str, str]]:
    """Write pending rows for the new requests, then send every pending one (retries included)."""
    creation.request_creations(realm, caregiver_ids, current_user.id)
    if not creation.has_pending(realm):
        return []
    try:
        outcome = creation.process_pending(_qbo(), realm)
    except QboError as error:
        return [("danger", "Nothing was created in QuickBooks. " + plain_error(error) +
                 " Your choices are kept; press Save again to retry.")]
    messages = [("success", f"Added to QuickBooks as {row.entity.lower()}: “{row.display_name}”."
                 + (f" {row.renamed_because}" if row.renamed_because else "")) for row in outcome.created]
    messages += [("danger", f"“{row.display_name}” was not created: {row.last_error}") for row in outcome.failed]
    if outcome.error:
        messages.append(("danger", f"{outcome.error} {len(outcome.still_pending)} caregiver(s) are waiting; "
                                   "press Save again to retry — nothing will be created twice."))
    return messages


@bp.route("/quickbooks/caregiver-matching/unlink/<kind>/<subject_id>", methods=["POST"])
@roles(MANAGERS)
def caregiver_matching_unlink(kind: str, subject_id: str):
    realm, caregiver = _require_realm(), _caregiver(kind, subject_id)
    removed = saving.remove_link(realm, caregiver.id)
    return _back([("success", "The link was removed.") if removed else ("info", "There was no link.")])
