"""The browser view's Employees, Vendors and Time pages (what QuickBooks shows under Payroll,
Expenses › Vendors and Time): who the company pays and the time recorded for them."""
from __future__ import annotations

from flask import render_template, request

from qbo_sandbox.demo.web import PAGE, _company, _page, _rows, _store, bp

WORKER_LISTS = {"employees": "Employee", "vendors": "Vendor"}


def _worker_list(kind: str):
    etype = WORKER_LISTS[kind]
    show_inactive = request.args.get("inactive") == "1"
    with _store().transaction() as tx:
        company, realms = _company(tx)
        rows = tx.all_docs(company["realm_id"], etype, include_inactive=show_inactive)
    rows.sort(key=lambda d: d["DisplayName"].lower())
    return render_template("sandbox_web/workers.html", company=company, realms=realms, rows=rows,
                           etype=etype, kind=kind, show_inactive=show_inactive)


@bp.get("/employees")
def employees():
    return _worker_list("employees")


@bp.get("/vendors")
def vendors():
    return _worker_list("vendors")


@bp.get("/timeactivities")
def time_activities():
    page = _page()
    with _store().transaction() as tx:
        company, realms = _company(tx)
        params = {"realm": company["realm_id"]}
        where = "realm_id = :realm AND type = 'TimeActivity' AND deleted = 0"
        total = tx.run_scalar(f"SELECT count(*) FROM sandbox_entity WHERE {where}", params)
        rows = _rows(tx, f"SELECT doc FROM sandbox_entity WHERE {where} "
                         f"ORDER BY json_extract(doc, '$.TxnDate') DESC, id DESC "
                         f"LIMIT {PAGE} OFFSET {(page - 1) * PAGE}", params)
    return render_template("sandbox_web/time_activities.html", company=company, realms=realms, rows=rows,
                           page=page, total=total, page_size=PAGE)


@bp.get("/timeactivity")
def time_activity():
    """QBO's deep link to one time activity (/app/timeactivity?txnId=ID), as CareLedger's icons use it."""
    from qbo_sandbox.demo.web import _get

    with _store().transaction() as tx:
        company, realms = _company(tx)
        doc = _get(tx, company, "TimeActivity", request.args.get("txnId"))
    return render_template("sandbox_web/time_activities.html", company=company, realms=realms, rows=[doc],
                           page=1, total=1, page_size=PAGE)
