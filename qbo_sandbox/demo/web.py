"""A small browser view of a sandbox company, like opening QuickBooks: customers, items,
invoices with lines and balances. Deep links follow QBO's: /app/invoice?txnId=ID and
/app/customerdetail?nameId=ID. Read-only; `?realmId=` picks the company (default: the first)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from qbo_sandbox import jsonutil

bp = Blueprint("qbo_sandbox_web", __name__, url_prefix="/app", template_folder="templates",
               static_folder="static", static_url_path="/static")
PAGE = 100


def _store():
    return current_app.extensions["qbo_sandbox.store"]


def _company(tx):
    realms = tx.companies()
    if not realms:
        abort(404, "No sandbox company yet.")
    wanted = request.args.get("realmId") or realms[0]["realm_id"]
    company = tx.company(wanted)
    if company is None:
        abort(404, "No such company.")
    return company, realms


def _rows(tx, sql, params):
    return tx.run_select(sql, params)


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.get("/")
def home():
    return redirect(url_for(".customers", **request.args))


@bp.get("/customers")
def customers():
    q = (request.args.get("q") or "").strip()
    show_inactive = request.args.get("inactive") == "1"
    page = _page()
    with _store().transaction() as tx:
        company, realms = _company(tx)
        where = "realm_id = :realm AND type = 'Customer' AND deleted = 0"
        params = {"realm": company["realm_id"]}
        if not show_inactive:
            where += " AND active = 1"
        if q:
            where += " AND json_extract(doc, '$.FullyQualifiedName') LIKE :q"
            params["q"] = f"%{q}%"
        total = tx.run_scalar(f"SELECT count(*) FROM sandbox_entity WHERE {where}", params)
        rows = _rows(tx, f"SELECT doc FROM sandbox_entity WHERE {where} "
                         f"ORDER BY json_extract(doc, '$.FullyQualifiedName') COLLATE NOCASE "
                         f"LIMIT {PAGE} OFFSET {(page - 1) * PAGE}", params)
    return render_template("sandbox_web/customers.html", company=company, realms=realms, rows=rows,
                           q=q, show_inactive=show_inactive, page=page, total=total, page_size=PAGE)


@bp.get("/customerdetail")
def customer_detail():
    with _store().transaction() as tx:
        company, realms = _company(tx)
        customer = _get(tx, company, "Customer", request.args.get("nameId"))
        invoices = tx.by_customer(company["realm_id"], "Invoice", [int(customer["Id"])])
        payments = tx.by_customer(company["realm_id"], "Payment", [int(customer["Id"])])
        children = tx.children(company["realm_id"], "Customer", int(customer["Id"]))
    return render_template("sandbox_web/customer.html", company=company, realms=realms,
                           customer=customer, invoices=invoices, payments=payments, children=children)


@bp.get("/items")
def items():
    with _store().transaction() as tx:
        company, realms = _company(tx)
        rows = tx.all_docs(company["realm_id"], "Item")
        accounts = {a["Id"]: a for a in tx.all_docs(company["realm_id"], "Account")}
    return render_template("sandbox_web/items.html", company=company, realms=realms, rows=rows,
                           accounts=accounts)


@bp.get("/invoices")
def invoices():
    page = _page()
    with _store().transaction() as tx:
        company, realms = _company(tx)
        params = {"realm": company["realm_id"]}
        where = "realm_id = :realm AND type = 'Invoice' AND deleted = 0"
        total = tx.run_scalar(f"SELECT count(*) FROM sandbox_entity WHERE {where}", params)
        rows = _rows(tx, f"SELECT doc FROM sandbox_entity WHERE {where} ORDER BY id DESC "
                         f"LIMIT {PAGE} OFFSET {(page - 1) * PAGE}", params)
    return render_template("sandbox_web/invoices.html", company=company, realms=realms, rows=rows,
                           page=page, total=total, page_size=PAGE)


@bp.get("/invoice")
def invoice():
    with _store().transaction() as tx:
        company, realms = _company(tx)
        doc = _get(tx, company, "Invoice", request.args.get("txnId"))
    return render_template("sandbox_web/invoice.html", company=company, realms=realms, invoice=doc,
                           raw=jsonutil.dumps(doc))


def _get(tx, company, etype, raw_id):
    if not raw_id or not str(raw_id).isdigit():
        abort(404)
    doc = tx.get(company["realm_id"], etype, int(raw_id))
    if doc is None:
        abort(404)
    return doc
