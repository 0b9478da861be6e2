"""The buttons of the browser view: what a bookkeeper does in QuickBooks after CareLedger sent an
invoice — "Receive payment", "Void", "Delete" on an invoice; rename, "Make inactive"/"Make
active" and "Merge into…" on a customer.

Thin views over `accounting/bookkeeping.py`: each POST needs the form's CSRF token (the
sandbox's session), acts only on a company the viewer may see (the same check as the pages),
and shows QuickBooks' refusal in plain words without changing anything. What they change reaches
CDC and the webhook emitter exactly as the same change made through the API.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for

from qbo_sandbox import webhooks
from qbo_sandbox.accounting import bookkeeping, faults
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.demo.web import _company, _store, bp
from qbo_sandbox.oauth import signin

EXPIRED = "This form has expired. Reload the page and try again."


def _act(action, *args) -> tuple[bool, str]:
    """Run one bookkeeping action in its own transaction; (done, QuickBooks' refusal if not)."""
    if not signin.csrf_ok():
        return False, EXPIRED
    try:
        with _store().transaction() as tx:
            company, _ = _company(tx)
            ctx = Ctx(tx, company["realm_id"], company,
                      deleted_suffix=current_app.config["DELETED_NAME_SUFFIX"])
            action(ctx, *args)
    except faults.QboFault as fault:
        first = fault.errors[0]
        return False, first.detail or first.message
    webhooks.publish(current_app, company["realm_id"], ctx.changes, ctx.now)
    return True, ""


def _back(endpoint: str, done: bool, message: str, ok_text: str, **ids):
    flash(ok_text if done else message, "ok" if done else "error")
    return redirect(url_for(endpoint, realmId=request.args.get("realmId"), **ids), 303)


def _id(name: str) -> str:
    value = request.args.get(name, "")
    if not value.isdigit():
        abort(404)
    return value


@bp.post("/invoice/receive-payment")
def receive_payment():
    txn_id = _id("txnId")
    amount = request.form.get("amount", "")
    done, message = _act(bookkeeping.receive_payment, txn_id, amount)
    return _back(".invoice", done, message, f"Payment of {amount} received.", txnId=txn_id)


@bp.post("/invoice/void")
def void_invoice():
    txn_id = _id("txnId")
    done, message = _act(bookkeeping.void_invoice, txn_id)
    return _back(".invoice", done, message, "Invoice voided.", txnId=txn_id)


@bp.post("/invoice/delete")
def delete_invoice():
    txn_id = _id("txnId")
    done, message = _act(bookkeeping.delete_invoice, txn_id)
    if done:
        return _back(".invoices", done, message, "Invoice deleted.")
    return _back(".invoice", done, message, "", txnId=txn_id)


@bp.post("/customer/rename")
def rename_customer():
    name_id = _id("nameId")
    name = request.form.get("display_name", "")
    done, message = _act(bookkeeping.rename_customer, name_id, name)
    return _back(".customer_detail", done, message, f"Customer renamed to {name.strip()}.", nameId=name_id)


@bp.post("/customer/active")
def set_customer_active():
    name_id = _id("nameId")
    active = request.form.get("active") == "true"
    done, message = _act(bookkeeping.set_customer_active, name_id, active)
    text = "Customer made active." if active else "Customer made inactive."
    return _back(".customer_detail", done, message, text, nameId=name_id)


@bp.post("/customer/merge")
def merge_customer():
    name_id = _id("nameId")
    into = request.form.get("into", "")
    done, message = _act(bookkeeping.merge_customers, name_id, into)
    if done:
        return _back(".customer_detail", done, message, "Customers merged.", nameId=into)
    return _back(".customer_detail", done, message, "", nameId=name_id)
