"""The corrections engine's writes: loading claimed work, final states (fenced by the lease), the
export record and the local copy of QuickBooks' side kept true, and the audit trail."""
from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import Invoice
from models.corrections import ActionKind, ActionStatus, InvoiceAction, InvoiceRevision
from models.export import InvoiceExport
from qbo.errors import QboError
from services.corrections import ledger
from services.corrections.digest import digest
from services.export import audit

DONE_EVENT = {ActionKind.UPDATE: "updated", ActionKind.VOID: "voided", ActionKind.DELETE: "deleted"}


def record_of(action: InvoiceAction) -> InvoiceExport:
    return db.session.get(InvoiceExport, action.export_id)


def load_work(ids: list[int], owner: str) -> dict:
    """The claimed actions still ours, each with its update body mapped from its revision by the
    export's own mapping (prepare.map_one); an update that no longer maps is refused here."""
    from services.corrections.decide import Work
    from services.export.prepare import load_refs, map_one
    from services.mapping.invoice import MappingError
    from services.sync_settings import settings_for

    actions = [a for a in db.session.scalars(select(InvoiceAction).where(InvoiceAction.id.in_(ids))
                                             .order_by(InvoiceAction.id))
               if a.lease_owner == owner and a.status == ActionStatus.SENDING]
    work: dict[int, Work] = {}
    updates = [a for a in actions if a.kind == ActionKind.UPDATE]
    if updates:
        realm_id = updates[0].realm_id
        settings = settings_for(realm_id)
        invoices = {i.id: i for i in db.session.scalars(select(Invoice).where(
            Invoice.id.in_([a.invoice_id for a in updates])))}
        refs = load_refs(realm_id, settings, [i.client_id for i in invoices.values()])
    for action in actions:
        if action.kind != ActionKind.UPDATE:
            work[action.id] = Work(action)
            continue
        revision = db.session.get(InvoiceRevision, action.revision_id) if action.revision_id else None
        try:
            if revision is None:
                raise MappingError("The correction this update was for no longer exists.")
            mapped = map_one(invoices[action.invoice_id], action.realm_id, settings, refs,
                             lines=list(revision.lines), generation=record_of(action).generation or 1)
        except MappingError as error:
            finish(action, owner, ActionStatus.REFUSED, f"The correction cannot be sent: {error}")
            continue
        work[action.id] = Work(action, body=mapped.body, new_total=mapped.qbo_total)
    db.session.commit()
    return work


def finish(action: InvoiceAction, owner: str, status: ActionStatus, message: str, *, doc: dict | None = None,
           conflict: dict | None = None, new_total: Decimal | None = None, body: dict | None = None) -> bool:
    """Write the final state if we still hold the lease; then the export record, the local copy of
    the invoice's QuickBooks state and the audit event. Caller commits."""
    if status == ActionStatus.DONE:
        message = message or _done_words(action, doc, new_total)
    values = dict(status=status, message=message, conflict=json.dumps(conflict) if conflict else None)
    if doc is not None:
        values.update(sync_token_after=str(doc.get("SyncToken", "")), total_after=_money(doc.get("TotalAmt")))
    if not ledger.finish(action.id, owner, **values):
        return False
    if status == ActionStatus.DONE:
        _keep_true(action, doc, new_total)
    event = DONE_EVENT[action.kind] if status == ActionStatus.DONE else (
        "undo_skipped" if status == ActionStatus.SKIPPED else "refused")
    audit.record(action.realm_id, event, invoice_id=action.invoice_id, job_id=action.job_id,
                 user_id=action.requested_by_id, actor="worker", request_id=action.request_id,
                 qbo_id=action.qbo_id, detail=f"{action.kind.label}: {message}")
    return True


def _done_words(action: InvoiceAction, doc: dict | None, new_total) -> str:
    if action.kind == ActionKind.UPDATE and doc is not None:
        words = f"Updated in QuickBooks: total {_money(doc.get('TotalAmt'))}, SyncToken {doc.get('SyncToken')}"
        if new_total is not None and _money(doc.get("TotalAmt")) != _money(new_total):
            words += f" — but CareLedger sent {_money(new_total)}: check the company's tax settings"
        return words
    return "Voided in QuickBooks" if action.kind == ActionKind.VOID else "Deleted in QuickBooks"


def _keep_true(action: InvoiceAction, doc: dict | None, new_total) -> None:
    """The export record names the QuickBooks invoice as it now is; the status shown (Open,
    Voided, Deleted) follows at once rather than at the next check."""
    from services.mapping.payment import parse_invoice
    from services.payments.apply import Applied, apply_invoices

    record = record_of(action)
    if doc is not None:
        record.sync_token = str(doc.get("SyncToken", record.sync_token))
        record.qbo_digest = digest(doc)
        if action.kind == ActionKind.UPDATE:
            record.qbo_total = _money(doc.get("TotalAmt"))
            record.expected_total = new_total
    tombstone = {"Id": action.qbo_id, "status": "Deleted"}
    seen = doc if doc is not None and action.kind != ActionKind.DELETE else (
        tombstone if action.kind == ActionKind.DELETE else None)
    if seen is not None:
        apply_invoices(action.realm_id, [parse_invoice(seen)], Applied())


def audit_sent(realm_id: str, group, batch_request_id: str) -> None:
    for w, _plan in group:
        audit.record(realm_id, "qbo_sent", invoice_id=w.action.invoice_id, job_id=w.action.job_id,
                     user_id=w.action.requested_by_id, actor="worker", request_id=w.action.request_id,
                     qbo_id=w.action.qbo_id,
                     detail=f"{w.action.kind.label}: attempt {w.action.attempts}, batch requestid {batch_request_id}")
    db.session.commit()


def release(pending: dict, owner: str, message: str) -> None:
    """Back to the queue (to be read and decided again), e.g. when QuickBooks must be reconnected."""
    for w in pending.values():
        ledger.finish(w.action.id, owner, status=ActionStatus.QUEUED, message=message)
    pending.clear()
    db.session.commit()


def refuse_all(pending: dict, owner: str, message: str) -> None:
    for w in list(pending.values()):
        finish(w.action, owner, ActionStatus.REFUSED, message)
    pending.clear()
    db.session.commit()


def plain_refusal(error: QboError, action: InvoiceAction) -> str:
    from services.corrections.decide import period_closed

    what = {"update": "updated", "void": "voided", "delete": "deleted"}[action.kind.value]
    if period_closed(error):
        return (f"QuickBooks' books are closed for this invoice's date (5010 Account Period Closed), so it "
                f"was not {what}. Nothing changed; the bookkeeper can reopen the period in QuickBooks "
                "(Account and Settings › Advanced › Close the books) and you can press again.")
    if error.code == "5010":
        return (f"The invoice kept changing in QuickBooks while CareLedger wrote it, so it was not {what}. "
                "Nothing changed; press again.")
    detail = error.detail or str(error)
    return f"QuickBooks refused it, so it was not {what} (nothing changed): {detail}"


def _money(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:  # noqa: BLE001
        return None
