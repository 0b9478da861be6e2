"""A small browser view of a sandbox company, like opening QuickBooks: customers, items,
invoices with lines and balances. Deep links follow QBO's: /app/invoice?txnId=ID and
/app/customerdetail?nameId=ID; `?realmId=` picks the company (default: the first). The pages'
buttons (receive a payment, void, delete, rename, deactivate, merge) live in `actions.py`.

Who may look: when the host sets WEB_VIEW_GATE (a callable taking the WSGI environ), it decides
(True = allowed, False = a 403 page); otherwise a sandbox user signs in (/app/signin) and sees
only their own company.
"""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, g, redirect, render_template, request, session,
                   url_for)

from qbo_sandbox import jsonutil
from qbo_sandbox.oauth import signin
from qbo_sandbox.store import MAX_ID

bp = Blueprint("qbo_sandbox_web", __name__, url_prefix="/app", template_folder="templates",
               static_folder="static", static_url_path="/static")
PAGE = 100
MAX_PAGE_NUMBER = 1_000_000
OPEN_ENDPOINTS = ("qbo_sandbox_web.static", "qbo_sandbox_web.signin")
GATE_REFUSED = "Sign in to CareLedger as an Owner or Admin to see the QuickBooks sandbox's company."


@bp.before_request
def _who_may_look():
    gate = current_app.config.get("WEB_VIEW_GATE")
    if gate is not None:
        if request.endpoint == "qbo_sandbox_web.signin":
            abort(404)  # the host signs people in, not the sandbox
        if not gate(request.environ):
            return render_template("sandbox_web/refused.html", message=GATE_REFUSED), 403
        g.web_realm = None  # the host's Owners and Admins see every company
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    user = signin.current_user(current_app)
    if user is None:
        return redirect(url_for(".signin", next=request.full_path))
    g.web_realm = user.realm_id
    return None


@bp.context_processor
def _signout_form():
    return {"signout_csrf": signin.csrf_token}


@bp.after_request
def _private(resp):
    resp.headers.setdefault("Cache-Control", "no-store")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


@bp.route("/signin", methods=["GET", "POST"], endpoint="signin")
def signin_page():
    error, status, email = None, 200, ""
    if request.method == "POST":
        email = request.form.get("email", "")
        if not signin.csrf_ok():
            error, status = "This form has expired. Try again.", 400
        else:
            result = signin.attempt(current_app, email, request.form.get("password"))
            if result.user is not None:
                return redirect(_safe_next(request.args.get("next")), 303)
            error = signin.THROTTLED_MESSAGE if result.throttled else signin.WRONG_MESSAGE
            status = 429 if result.throttled else 200
    return render_template("sandbox_web/signin.html", error=error, email=email,
                           csrf_token=signin.csrf_token()), status


@bp.post("/signout")
def signout():
    if signin.csrf_ok():
        session.clear()
    return redirect(url_for(".signin"), 303)


def _safe_next(target: str | None) -> str:
    """Back to the page asked for, only ever a path of this view (never another site)."""
    if target and target.startswith(bp.url_prefix + "/") and "\\" not in target:
        return request.script_root + target
    return url_for(".customers")


def _store():
    return current_app.extensions["qbo_sandbox.store"]


def _company(tx):
    realms = tx.companies()
    if g.get("web_realm"):
        realms = [r for r in realms if r["realm_id"] == g.web_realm]
    if not realms:
        abort(404, "No sandbox company yet.")
    wanted = request.args.get("realmId") or realms[0]["realm_id"]
    if wanted not in {r["realm_id"] for r in realms}:
        abort(404, "No such company.")
    company = tx.company(wanted)
    return company, realms


def _rows(tx, sql, params):
    return tx.run_select(sql, params)


def _page() -> int:
    raw = request.args.get("page", "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_NUMBER:
        abort(400, f"The page number must be a whole number from 1 to {MAX_PAGE_NUMBER:,}.")
    return int(raw)


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
        targets = [c for c in tx.all_docs(company["realm_id"], "Customer", include_inactive=False)
                   if c["Id"] != customer["Id"]]
    return render_template("sandbox_web/customer.html", company=company, realms=realms,
                           customer=customer, invoices=invoices, payments=payments, children=children,
                           merge_targets=sorted(targets, key=lambda c: c["FullyQualifiedName"].lower()))


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
    if not raw_id or not str(raw_id).isdigit() or int(raw_id) > MAX_ID:
        abort(404)
    doc = tx.get(company["realm_id"], etype, int(raw_id))
    if doc is None:
        abort(404)
    return doc
