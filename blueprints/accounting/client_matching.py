"""Accounting > QuickBooks Integration > Client Matching: thin views over
services/client_matching/ (creation.py: Add to QuickBooks).

Everyone signed in may look (Agency Users see only their offices' clients); only Owners and
Admins (MANAGERS) may refresh, save, accept, unlink or create. Every POST carries the CSRF token
(a hidden field, or the X-CSRFToken header htmx sends from <body hx-headers>).
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user

import converters
from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.accounting.blueprint import bp
from extensions import db
from htmx import is_fragment_request, render_page
from models.clients import Client, Payer
from models.matching_state import PendingCreation, ProposalKind
from models.sync_settings import PayerMode
from qbo.errors import QboError
from services import client_matching as cm
from services.client_matching import creation as cc
from services.mapping.customer import DISPLAY_NAME_MAX, clean_name
from services.agency.offices import visible_offices
from services.qbo_connection import connection_status, current_realm
from services.qbo_connection.messages import plain_error

TEMPLATE = "accounting/client_matching.html"
PER_PAGE = 50


def _realm() -> str | None:
    return current_realm(connected=False)


def _filters(source) -> dict:
    office = source.get("office", type=converters.bounded_int)
    state = source.get("state", "all")
    return {"office": office, "q": (source.get("q") or "").strip()[:100],
            "state": state if state in cm.FILTERS else "all",
            "page": max(1, source.get("page", 1, type=converters.bounded_page) or 1),
            "ppage": max(1, source.get("ppage", 1, type=converters.bounded_page) or 1)}   # "Clients under payers" page


def _page(messages=None, status: int = 200, kept=(), saved: bool = False):
    """The full tab, or just the matching section for htmx (filters, paging, saves). `kept`: the
    rows whose choice a Save refused (the browser keeps those choices on screen)."""
    filters = _filters(request.values)
    realm = _realm()
    manager = current_user.role in MANAGERS
    messages = list(messages or [])
    counts = cm.counts(realm, current_user, filters["office"]) if realm else {}
    if realm and request.method == "GET":
        # Proposals on arrival: from the stored customer list, read again when missing or stale.
        arrival = cm.ensure_proposals(_qbo, realm, unproposed=counts["without_proposal"])
        if arrival.problem:
            messages.append(("warning", arrival.problem))
        if arrival.changed:
            counts = cm.counts(realm, current_user, filters["office"])
    context = dict(qbo_connection=connection_status(), filters=filters, realm=realm,
                   can_manage=manager, messages=messages, kept=list(kept), saved=saved,
                   offices=visible_offices(current_user), filter_labels=cm.FILTER_LABELS)
    if realm:
        settings = cm.creation_settings(realm)
        page, rows = cm.client_rows(realm, current_user, office_id=filters["office"],
                                    search=filters["q"], state=filters["state"],
                                    page=filters["page"], per_page=PER_PAGE, counted=counts)
        show_payers = settings.payer_mode == PayerMode.PAYER_SUBCUSTOMER
        context.update(page=page, rows=rows, counts=counts,
                       list_state=cm.list_state(realm), settings=settings,
                       payers=cm.payer_rows(realm) if show_payers else [],
                       show_payers=show_payers, suggest_names=_suggester(realm))
        if show_payers:
            pair_page, pairs = cm.pair_rows(realm, current_user, office_id=filters["office"],
                                            search=filters["q"], page=filters["ppage"], per_page=PER_PAGE)
            context.update(pair_page=pair_page, pairs=pairs)
    response = render_page(TEMPLATE, block="matching_section", **context)
    response.status_code = status
    return response


def _suggester(realm: str):
    """suggest(row) → distinguishing names for a NAME_TAKEN row, skipping names known as taken."""
    taken: set[str] | None = None

    def suggest(row):
        nonlocal taken
        if taken is None:
            taken = cm.taken_display_names(realm)
        return cc.suffixed_names(row, taken)
    return suggest


def _back(messages, kept=(), saved: bool = False):
    """After a POST: htmx gets the re-rendered section; a plain form gets flash + redirect."""
    if is_fragment_request():
        return _page(messages, kept=kept, saved=saved)
    for category, text in messages:
        flash(text, category)
    filters = _filters(request.values)
    args = {k: v for k, v in filters.items() if v and not (k == "state" and v == "all")
            and not (k in ("page", "ppage") and v == 1)}
    return redirect(url_for("accounting.client_matching", **args))


def _require_realm() -> str:
    realm = _realm()
    if not realm:
        abort(409)
    return realm


def _qbo():
    from services.qbo_connection import connected_client

    return connected_client()


@bp.route("/quickbooks/client-matching")
@roles(EVERYONE_LOGGED_IN)
def client_matching():
    return _page()


@bp.route("/quickbooks/client-matching/refresh", methods=["POST"])
@roles(MANAGERS)
def client_matching_refresh():
    realm = _require_realm()
    try:
        state = cm.refresh_customers(_qbo(), realm)
    except QboError as error:
        db.session.rollback()
        return _back([("danger", "The customer list was not refreshed. " + plain_error(error))])
    return _back([("success", f"Read {state.customer_count} customers from QuickBooks and "
                              "updated the proposed matches.")])


@bp.route("/quickbooks/client-matching/candidates/<kind>/<int:subject_id>")
@roles(EVERYONE_LOGGED_IN)
def client_matching_candidates(kind: str, subject_id: int):
    """The searchable drop-down of one row, swapped in place by htmx as the person types."""
    realm = _require_realm()
    pkind = _kind(kind)
    _check_subject(pkind, subject_id)
    current = request.args.get(f"customer_{kind}_{subject_id}", "")
    options = cm.keep_current_choice(
        realm, cm.candidates_for(realm, pkind, subject_id, request.args.get("find", "")), current)
    from jinja2_fragments.flask import render_block

    linked = cm.candidates_own_link(realm, pkind, subject_id)
    return render_block(TEMPLATE, "candidate_select", kind=kind, subject_id=subject_id,
                        options=options, selected=current, can_manage=current_user.role in MANAGERS,
                        linked=linked)


@bp.route("/quickbooks/client-matching/candidates/pair/<int:subject_id>/<int:payer_id>")
@roles(EVERYONE_LOGGED_IN)
def client_matching_pair_candidates(subject_id: int, payer_id: int):
    """The drop-down of one "Clients under payers" row: that payer's sub-customers only."""
    realm = _require_realm()
    _check_pair(subject_id, payer_id)
    sid = f"{subject_id}_{payer_id}"
    current = request.args.get(f"customer_pair_{sid}", "")
    options = cm.keep_current_choice(
        realm, cm.pair_candidates(realm, subject_id, payer_id, request.args.get("find", "")), current)
    from jinja2_fragments.flask import render_block

    return render_block(TEMPLATE, "candidate_select", kind="pair", subject_id=sid, options=options,
                        selected=current, can_manage=current_user.role in MANAGERS,
                        linked=bool(cm.pair_link(realm, subject_id, payer_id)))


@bp.route("/quickbooks/client-matching/why/<kind>/<subject_id>")
@roles(MANAGERS)
def client_matching_why(kind: str, subject_id: str):
    """The Score and Why of a row for the customer just chosen in its drop-down (JSON for
    static/js/client_matching.js): the engine's words for that pair, not the old proposal's."""
    _require_realm()
    customer = request.args.get("customer", "")
    if kind == "pair":
        pair = converters.ids(subject_id.split("_"))   # a pair row: "<client id>_<payer id>"
        if len(pair) != 2:
            abort(404)
        _check_pair(*pair)
        pkind, subject = ProposalKind.PAIR, pair[0]
        linked = cm.pair_link(_realm(), *pair) is not None
    else:
        pkind = _kind(kind)
        try:
            subject = converters.bounded_int(subject_id)
        except ValueError:
            abort(404)
        _check_subject(pkind, subject)
        linked = cm.candidates_own_link(_realm(), pkind, subject)
    answer = cm.explain_choice(_realm(), pkind, subject, customer, linked=linked)
    return jsonify(score=answer.score, status=answer.status, why=answer.why, customer=customer)


def _check_pair(client_id: int, payer_id: int) -> None:
    _check_subject(ProposalKind.CLIENT, client_id)
    if db.session.get(Payer, payer_id) is None:
        abort(404)


def _kind(kind: str) -> ProposalKind:
    if kind not in (ProposalKind.CLIENT.value, ProposalKind.PAYER.value):
        abort(404)   # pairs have their own routes (they need the payer too)
    return ProposalKind(kind)


def _check_subject(kind: ProposalKind, subject_id: int) -> None:
    if kind == ProposalKind.PAYER:
        if db.session.get(Payer, subject_id) is None:
            abort(404)
        return
    client = db.session.get(Client, subject_id)
    if client is None or not current_user.can_see_office(client.office_id):
        abort(404)


@bp.route("/quickbooks/client-matching/save", methods=["POST"])
@roles(MANAGERS)
def client_matching_save():
    """Save every row the person changed (on any page: the browser sends them all) and every
    automatic match not yet saved, then send the Add to QuickBooks requests."""
    realm = _require_realm()
    messages, creations, failed, decided = [], [], [], {}
    for kind in (ProposalKind.CLIENT, ProposalKind.PAYER):
        ids = converters.ids(request.form.getlist(f"row_{kind.value}"))
        decided[kind] = set(ids)
        choices = [cm.Choice(i, request.form.get(f"customer_{kind.value}_{i}", ""),
                             request.form.get(f"create_{kind.value}_{i}") == "on") for i in ids]
        result = cm.save_choices(realm, kind, choices, current_user.id)
        creations += result.creations
        failed += result.failed
        messages += _result_messages(result, "payer" if kind == ProposalKind.PAYER else "client")
    payers_changed = any(k.startswith("customer_payer_") or k.startswith("create_payer_") for k in request.form)
    pair_result, pair_keys = _save_pairs(realm)
    creations += pair_result.creations
    failed += pair_result.failed
    messages += _result_messages(pair_result, "client-under-payer")
    auto = cm.accept_all_auto(realm, current_user, skip_clients=decided[ProposalKind.CLIENT],
                              skip_payers=decided[ProposalKind.PAYER], skip_pairs=pair_keys, with_payers=True)
    messages += [("danger", e) for e in auto.errors]
    if auto.linked:
        messages.append(("success", f"Saved {auto.linked} automatic match{'es' if auto.linked != 1 else ''}."))
    messages += _create(realm, creations)
    if payers_changed and cm.creation_settings(realm).payer_mode == PayerMode.PAYER_SUBCUSTOMER:
        # A payer just linked (or created) makes its pairs matchable: propose them now.
        cm.recompute_pair_proposals(realm)
        db.session.commit()
    if not messages:
        messages.append(("info", "Nothing to save: no choice was changed and every automatic match is saved."))
    return _back(messages, kept=failed, saved=True)


def _result_messages(result: cm.SaveResult, noun: str) -> list[tuple[str, str]]:
    messages = [("danger", e) for e in result.errors] + [("info", n) for n in result.notes]
    done = result.linked + result.changed + result.removed
    if done:
        messages.append(("success", f"Saved {done} {noun} match{'es' if done != 1 else ''}."))
    return messages


def _save_pairs(realm: str) -> tuple[cm.SaveResult, set[tuple[int, int]]]:
    """The "Clients under payers" rows of the form (row_pair = "<client id>_<payer id>"), and
    the (client, payer) keys the form decided."""
    choices = []
    for value in request.form.getlist("row_pair"):
        client_id, _, payer_id = value.partition("_")
        pair = converters.ids([client_id, payer_id])
        if len(pair) != 2:
            continue
        choices.append(cm.PairChoice(pair[0], pair[1],
                                     request.form.get(f"customer_pair_{value}", ""),
                                     request.form.get(f"create_pair_{value}") == "on"))
    keys = {(c.client_id, c.payer_id) for c in choices}
    if not choices:
        return cm.SaveResult(), keys
    allowed = cm.visible_client_ids(current_user, {c.client_id for c in choices})
    return cm.save_pair_choices(realm, choices, current_user.id, allowed), keys


def _create(realm: str, creations) -> list[tuple[str, str]]:
    """Write pending rows for the new requests, then send every pending one (retries included)."""
    settings = cm.creation_settings(realm)
    rows, skipped = cc.request_creations(realm, creations, settings.name_format, current_user.id)
    if not rows and not cc.has_pending(realm):
        return [("info", s + ".") for s in skipped]
    try:
        outcome = cc.process_pending(_qbo(), realm)
    except QboError as error:
        return [("danger", "Nothing was created in QuickBooks. " + plain_error(error) +
                 " Your choices are kept; press Save again to retry.")]
    messages = [("info", s + ".") for s in skipped]
    if outcome.created:
        messages.append(("success", "Created in QuickBooks: " +
                         ", ".join(r.display_name for r in outcome.created) + "."))
    if outcome.adopted:
        messages.append(("success", "Found already in QuickBooks and linked: " +
                         ", ".join(r.display_name for r in outcome.adopted) + "."))
    for row in outcome.name_taken:
        messages.append(("warning", row.last_error + " Choose below: link to it, or create with "
                                    "a distinguishing name."))
    for row in outcome.failed:
        messages.append(("danger", f"“{row.display_name}” was not created: {row.last_error}"))
    if outcome.error:
        messages.append(("danger", f"{outcome.error} {len(outcome.still_pending)} customer(s) are "
                                   "waiting; press Save again to retry — nothing will be created twice."))
    return messages


@bp.route("/quickbooks/client-matching/unlink/pair/<int:subject_id>/<int:payer_id>", methods=["POST"])
@roles(MANAGERS)
def client_matching_unlink_pair(subject_id: int, payer_id: int):
    realm = _require_realm()
    _check_pair(subject_id, payer_id)
    removed = cm.remove_pair_link(realm, subject_id, payer_id)
    return _back([("success", "The link was removed.") if removed else ("info", "There was no link.")])


@bp.route("/quickbooks/client-matching/accept-auto", methods=["POST"])
@roles(MANAGERS)
def client_matching_accept_auto():
    realm = _require_realm()
    result = cm.accept_all_auto(realm, current_user, _filters(request.values)["office"])
    messages = [("danger", e) for e in result.errors]
    messages.insert(0, ("success", f"Accepted {result.linked} automatic match"
                                   f"{'es' if result.linked != 1 else ''}."))
    return _back(messages)


@bp.route("/quickbooks/client-matching/unlink/<kind>/<int:subject_id>", methods=["POST"])
@roles(MANAGERS)
def client_matching_unlink(kind: str, subject_id: int):
    realm = _require_realm()
    pkind = _kind(kind)
    _check_subject(pkind, subject_id)
    removed = cm.remove_link(realm, pkind, subject_id)
    return _back([("success", "The link was removed.") if removed else ("info", "There was no link.")])


def _creation(creation_id: int) -> PendingCreation:
    row = db.session.get(PendingCreation, creation_id)
    if row is None or row.realm_id != _realm():
        abort(404)
    if row.client_id:
        _check_subject(ProposalKind.CLIENT, row.client_id)
    return row


@bp.route("/quickbooks/client-matching/creation/<int:creation_id>/link", methods=["POST"])
@roles(MANAGERS)
def client_matching_link_conflict(creation_id: int):
    """After 6240: "that customer is this client" — link to the customer holding the name."""
    row = _creation(creation_id)
    error = cc.link_to_conflict(row, current_user.id)
    return _back([("danger", error)] if error else [("success", f"Linked to “{row.display_name}”.")])


@bp.route("/quickbooks/client-matching/creation/<int:creation_id>/rename", methods=["POST"])
@roles(MANAGERS)
def client_matching_create_renamed(creation_id: int):
    """After 6240: create under a distinguishing name (one of the offered ones, or typed)."""
    row = _creation(creation_id)
    name = clean_name(request.form.get("new_name", ""), DISPLAY_NAME_MAX)
    if not name or name == row.display_name:
        return _back([("danger", "Choose a different name for the new customer.")])
    from models.links import LinkKind

    request_ = cc.CreationRequest(LinkKind(row.link_kind), client_id=row.client_id,
                                  payer_id=row.payer_id, parent_qbo_id=row.parent_qbo_id,
                                  display_name=name)
    return _back(_create(row.realm_id, [request_]))


@bp.route("/quickbooks/client-matching/creation/<int:creation_id>/cancel", methods=["POST"])
@roles(MANAGERS)
def client_matching_cancel_creation(creation_id: int):
    cc.cancel(_creation(creation_id))
    return _back([("info", "The request to create this customer was dropped.")])
