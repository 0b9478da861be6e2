"""Visits as TimeActivity objects through the invoice exporter's engine (services/export/engine.py):
the same claims, leases, request ids, batch requests, pacing, backoff and retries. What differs
is said here: the ledger (time_exports), what is created, and how a visit whose send had no clear
answer is found again in QuickBooks — a TimeActivity has no DocNumber, so the engine looks at the
time activities of those days and knows ours by the visit's marker in the Description and the
same employee or vendor.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from extensions import db
from models import Invoice, InvoiceLine
from models._types import utcnow
from models.export import ExportStatus
from models.time_export import TimeExport, TimeExportJob
from qbo.client import quote
from services.export.client import ExportClient, make_client
from services.export.engine import ExportEngine, NotExportable, Prepared
from services.time_export import ledger
from services.time_export.mapping import time_activity_body, visit_marker, worker_key_of
from services.time_export.settings import time_rules
from services.time_export.visits import load_visit_refs, why_not


class TimeClient(ExportClient):
    """The engine's port, reading time activities instead of invoices."""

    def query(self, sql: str) -> list[dict]:
        return list(self.client.query(sql).get("TimeActivity") or [])


def make_time_client(app=None) -> TimeClient:
    return TimeClient(make_client(app).client)


def prepare_group(records: list[TimeExport], client=None) -> dict[int, Prepared | NotExportable]:
    """The engine's PrepareFn for visits: each record's TimeActivity body, or why it cannot be."""
    if not records:
        return {}
    realm_id = records[0].realm_id
    lines = {line.id: line for line in db.session.scalars(
        select(InvoiceLine).where(InvoiceLine.id.in_([r.line_id for r in records]))
        .options(joinedload(InvoiceLine.invoice).joinedload(Invoice.client),
                 joinedload(InvoiceLine.service_type), joinedload(InvoiceLine.caregiver)))}
    refs = load_visit_refs(realm_id, list(lines.values()))
    rules = time_rules(realm_id)
    fields = list(refs.settings.description_fields)
    answer: dict[int, Prepared | NotExportable] = {}
    for record in records:
        line = lines.get(record.line_id)
        if line is None:
            answer[record.id] = NotExportable("The visit no longer exists", code="missing")
            continue
        reason = why_not(line, refs)
        if reason:
            answer[record.id] = NotExportable(reason + ": match it, then press Retry.", code="mapping")
            continue
        customer = refs.customer_for(line)
        body = time_activity_body(line, refs.workers[line.caregiver_id], customer,
                                  rules[line.service_type_id], line.invoice_id in refs.billed_invoices,
                                  fields)
        answer[record.id] = Prepared(
            record_id=record.id, invoice_id=line.id, doc_number="", customer_id=customer.value,
            expected_total=Decimal("0"), body=body, request_id=record.request_id,
            attempts=record.attempts, job_id=record.job_id, user_id=record.requested_by_id,
            memo_marker=visit_marker(line.id))
    return answer


def is_ours(found: dict, prepared: Prepared) -> bool:
    """A time activity is this visit's when it carries the visit's marker for the same person."""
    body = prepared.body
    ref = f"{body['NameOf']}Ref"
    return (found.get("NameOf") == body["NameOf"]
            and str((found.get(ref) or {}).get("value")) == str(body[ref]["value"])
            and prepared.memo_marker in (found.get("Description") or ""))


class TimeEngine(ExportEngine):
    entity = "TimeActivity"
    record_model = TimeExport
    job_model = TimeExportJob

    def _subject_id(self, record) -> int:
        return record.line_id

    def _remember(self, record, prepared: Prepared) -> None:
        record.worker_key = worker_key_of(prepared.body)

    def _event(self, realm_id: str, action: str, subject_id: int | None, **values) -> None:
        ledger.record_event(realm_id, action, line_id=subject_id, **values)

    def _created(self, realm_id: str, p: Prepared, result: dict) -> None:
        self._finish(p.record_id, realm_id, ExportStatus.EXPORTED, "exported", invoice_id=p.invoice_id,
                     job_id=p.job_id, request_id=p.request_id, qbo_id=str(result.get("Id")),
                     exported_at=utcnow(), error_code=None, last_error=None)

    def _lookup_and_adopt(self, client, pacer, candidates: list[Prepared], pending: dict,
                          conflict_fails: bool) -> None:
        """Find the candidates' time activities (those of their days); adopt ours. Those not
        found stay pending: surely not created, safe to send again."""
        days = ", ".join(quote(d) for d in sorted({p.body["TxnDate"] for p in candidates}))
        self.stats["lookups"] += 1
        found = client.client.query_all("TimeActivity", f"TxnDate IN ({days})")
        for p in candidates:
            ours = sorted((t for t in found if is_ours(t, p)), key=lambda t: int(t["Id"]))
            if not ours:
                continue
            detail = f"{p.body['TxnDate']}, {p.memo_marker}"
            if len(ours) > 1:
                detail += f"; WARNING: {len(ours) - 1} more QuickBooks time activit(ies) carry this marker"
            self._finish(p.record_id, client.realm_id, ExportStatus.EXPORTED, "adopted",
                         invoice_id=p.invoice_id, job_id=p.job_id, request_id=p.request_id,
                         qbo_id=str(ours[0]["Id"]), adopted=True, exported_at=utcnow(),
                         error_code=None, last_error=None, detail=detail)
            pending.pop(p.record_id, None)
        db.session.commit()
