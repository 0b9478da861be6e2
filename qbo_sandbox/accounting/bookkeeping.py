"""What a bookkeeper does in QuickBooks' own screens, as plain functions over the API's operations:
receive a payment, void or delete an invoice, rename, deactivate or merge a customer.

The browser view (`demo/actions.py`) and the control endpoint `/_sandbox/customers/merge` call
these; everything goes through `ops`, so the rules, SyncTokens, balances, CDC and webhook
events are exactly those of the same change made through the API.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from qbo_sandbox.accounting import faults, ops
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.accounting.rules.sales import money, refresh_customer_balance
from qbo_sandbox.accounting.schema import SPECS


def _current(ctx: Ctx, etype: str, entity_id) -> dict:
    return ops.read(ctx, SPECS[etype], str(entity_id))


def receive_payment(ctx: Ctx, invoice_id, amount_text: str) -> dict:
    """A Payment of `amount_text` applied to one invoice (full or partial)."""
    invoice = _current(ctx, "Invoice", invoice_id)
    try:
        amount = money(Decimal(str(amount_text).strip().replace(",", "").lstrip("$")))
    except (InvalidOperation, ValueError):
        raise faults.business_validation(f"{amount_text!r} is not an amount of money.")
    if amount <= 0:
        raise faults.business_validation("Enter an amount greater than zero.")
    body = {"CustomerRef": {"value": invoice["CustomerRef"]["value"]}, "TotalAmt": str(amount),
            "Line": [{"Amount": str(amount),
                      "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]}
    return ops.create(ctx, SPECS["Payment"], body)


def void_invoice(ctx: Ctx, invoice_id) -> dict:
    invoice = _current(ctx, "Invoice", invoice_id)
    return ops.void(ctx, SPECS["Invoice"], {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]})


def delete_invoice(ctx: Ctx, invoice_id) -> dict:
    invoice = _current(ctx, "Invoice", invoice_id)
    return ops.delete(ctx, SPECS["Invoice"], {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]})


def rename_customer(ctx: Ctx, customer_id, display_name: str) -> dict:
    customer = _current(ctx, "Customer", customer_id)
    if not (display_name or "").strip():
        raise faults.required_missing("DisplayName")
    body = {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True,
            "DisplayName": display_name.strip()}
    return ops.update(ctx, SPECS["Customer"], body)


def set_customer_active(ctx: Ctx, customer_id, active: bool) -> dict:
    customer = _current(ctx, "Customer", customer_id)
    body = {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": active}
    return ops.update(ctx, SPECS["Customer"], body)


def merge_customers(ctx: Ctx, loser_id, survivor_id) -> dict:
    """QuickBooks' merge: the loser's transactions move to the survivor and the loser is deleted.

    QuickBooks merges in its own screens only (the Accounting API has no merge operation); CDC
    then answers the loser as a deleted tombstone, and webhooks report `merged` on the survivor
    with the loser's id as `deletedId` (PROTOCOL.md §8, §11). A loser with sub-customers is
    refused here (what QuickBooks does with them is UNCONFIRMED).
    """
    loser = _current(ctx, "Customer", loser_id)
    survivor = _current(ctx, "Customer", survivor_id)
    if loser["Id"] == survivor["Id"]:
        raise faults.business_validation("A customer can't be merged into itself.")
    if ctx.tx.children(ctx.realm_id, "Customer", int(loser["Id"])):
        raise faults.business_validation(
            f"{loser['DisplayName']} has sub-customers; move them before merging.")
    target = {"value": survivor["Id"], "name": survivor.get("FullyQualifiedName", survivor["DisplayName"])}
    for etype in ("Invoice", "Payment"):
        for doc in ctx.tx.by_customer(ctx.realm_id, etype, [int(loser["Id"])]):
            doc["CustomerRef"] = dict(target)
            doc["SyncToken"] = str(int(doc["SyncToken"]) + 1)
            doc["MetaData"]["LastUpdatedTime"] = ctx.meta_now()
            ops.save(ctx, SPECS[etype], doc)
            ctx.changed(etype, doc["Id"], "updated")
    ops.save(ctx, SPECS["Customer"], {"domain": "QBO", "status": "Deleted", "Id": loser["Id"],
                                      "MetaData": {"LastUpdatedTime": ctx.meta_now()}})
    refresh_customer_balance(ctx, int(survivor["Id"]))
    merged = ctx.load("Customer", survivor["Id"])  # changed by the merge even at an equal balance
    merged["MetaData"]["LastUpdatedTime"] = ctx.meta_now()
    ctx.touch("Customer", merged)
    for (etype, _), doc in list(ctx.touched.items()):
        ops.save(ctx, SPECS[etype], doc)
    ctx.touched.clear()
    ctx.changed("Customer", survivor["Id"], "merged", deletedId=loser["Id"])
    return _current(ctx, "Customer", survivor["Id"])
