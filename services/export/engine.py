"""The export engine: sends one claimed group of invoices to QuickBooks, exactly once.

A group (≤30 records this worker has claimed under a lease) goes out as one batch request.
The rules that make it exactly-once:
1. Before any send, `attempts` is raised and committed (records.mark_sending). A record with
   attempts > 0 may already be in QuickBooks — after a timeout, a 5xx, a dropped connection or a
   killed worker — so before sending it again we look it up by DocNumber and adopt what is ours.
2. Every resend of the same group carries the same batch requestid (derived from the records'
   stored request ids), so QuickBooks replays a committed answer instead of executing twice.
3. A 6140 (duplicate DocNumber) is looked up too: our own earlier push is adopted, not an error.
4. Results are written only while we still hold the lease (records.finish is fenced).
What is known *not* to have executed (429, 401, a connection refused before sending) is resent
without a lookup.
"""
from __future__ import annotations

import logging
import random
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Protocol

from extensions import db
from models._types import to_cents, utcnow
from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus
from qbo.client import quote
from qbo.errors import (AuthenticationError, DuplicateDocumentNumberError, QboError,
                        ReadAllowanceExhausted, ReconnectRequired, ThrottledError, TransientError)
from qbo.retry import backoff_ceiling
from services.export import audit, records
from services.corrections.digest import digest
from services.export.pacing import RealmPacer
from services.qbo_tax import profile as tax_profile
from services.qbo_tax.reconcile import total_problem

log = logging.getLogger(__name__)

# Batch requestids must be ≤36 characters (PROTOCOL §2): a uuid5 in canonical form is exactly 36.
_BATCH_NAMESPACE = uuid.UUID("6f1c2d1e-8a4b-4e0e-9a53-0c1f6f1b7e21")


class QboPort(Protocol):
    """What the engine needs from a connected QBO client (adapted from qbo.QboClient)."""

    realm_id: str

    def query(self, sql: str) -> list[dict]: ...

    def batch(self, items: list[dict], request_id: str) -> dict[str, dict | QboError]: ...

    def pace_with(self, pacer: "RealmPacer") -> None:
        """Have every HTTP request admitted by `pacer` at the moment it is sent."""


class NotExportable(Exception):
    """The invoice cannot be sent as it stands (no linked customer, totals disagree, …)."""

    def __init__(self, message: str, code: str = "mapping"):
        super().__init__(message)
        self.code = code


@dataclass
class Prepared:
    """An invoice ready to send: the QBO body and what identifies it as ours in QuickBooks."""

    record_id: int
    invoice_id: int
    doc_number: str
    customer_id: str
    expected_total: Decimal   # agency total minus tax = the QBO TotalAmt we expect
    body: dict
    request_id: str
    attempts: int
    job_id: int | None = None
    user_id: int | None = None
    memo_marker: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def bid(self) -> str:
        return str(self.record_id)  # bId ≤10 characters: a record id is


# (records of one group, the group's paced client) → per record id, the Prepared invoice or why
# it cannot be sent. The client is for the rare read preparing needs (the company's tax settings
# when they are not cached yet), so that read is paced like every other request.
PrepareFn = Callable[[list, QboPort], dict]


def batch_request_id(group: list[Prepared]) -> str:
    """Same members → same requestid, so a resend of an unanswered batch is replayed by QBO."""
    key = ",".join(sorted(p.request_id for p in group))
    return str(uuid.uuid5(_BATCH_NAMESPACE, key))


def is_ours(found: dict, prepared: Prepared) -> bool:
    """A QBO invoice with our DocNumber is ours when it bills the same customer the same total
    (tax excluded), or carries our memo marker."""
    customer = str((found.get("CustomerRef") or {}).get("value", ""))
    try:
        total = to_cents(Decimal(str(found.get("TotalAmt"))))
    except Exception:  # noqa: BLE001 — a missing/odd TotalAmt just means "not provably ours"
        total = None
    if customer == prepared.customer_id and total == to_cents(prepared.expected_total):
        return True
    marker = prepared.memo_marker
    return bool(marker) and marker in (found.get("PrivateNote") or "") and customer == prepared.customer_id


def plain_words(error: QboError) -> str:
    """The refusal as a person would say it (shown on the batch page)."""
    if isinstance(error, ReadAllowanceExhausted):  # only a look-up reads; the batch is a write
        return ("This invoice may already be in QuickBooks and must be looked up before it is sent "
                "again, but QuickBooks has stopped answering reads for this month (the app's monthly "
                "read allowance is used up). Press Retry when the month turns, or check QuickBooks.")
    code = error.code
    detail = error.detail or str(error)
    known = {
        "6070": "An amount is not quantity × rate",
        "610": "Something on the invoice (customer, item, class or account) is inactive in QuickBooks",
        "2500": "The invoice refers to something QuickBooks does not have (customer, item or tax code)",
        "6000": "QuickBooks refused the invoice",
        "2020": "A required field is missing",
        "2050": "A field is too long for QuickBooks",
    }
    head = known.get(code, "QuickBooks refused the invoice")
    return f"{head}: {detail}" if detail and detail not in head else head


@dataclass
class EngineOptions:
    lease_seconds: float = 120.0
    max_tries: int = 10          # sends of one group that ended ambiguous/transient before giving up
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    auth_retries: int = 1
    reconnect_wait: float = 60.0  # after a refused sign-in, leave the realm alone this long
    throttle_wait_max: float | None = None  # cap on a 429's wait (tests only; None honours it fully)


class ExportEngine:
    # What is created, in which ledger, and the hooks that know an invoice (_subject_id, _remember,
    # _created, _event, _lookup_and_adopt): services/time_export/engine.py runs visits as
    # TimeActivity objects through this same engine by setting these and overriding the hooks.
    entity = "Invoice"
    record_model = InvoiceExport
    job_model = ExportJob

    def __init__(self, client_factory: Callable[..., QboPort], prepare: PrepareFn,
                 pacer_for: Callable[[str], RealmPacer], owner: str,
                 options: EngineOptions | None = None, sleep=time.sleep, prepare_lock=None):
        self.client_factory = client_factory
        self.prepare = prepare
        self.pacer_for = pacer_for
        self.owner = owner
        self.options = options or EngineOptions()
        self.sleep = sleep
        # Shared by a worker's threads: one maps its group at a time, at full speed, instead of
        # all of them sharing the interpreter and finishing together; so the first group is
        # sent early and the others follow one by one while earlier ones are in flight.
        self.prepare_lock = prepare_lock if prepare_lock is not None else nullcontext()
        self.blocked_until: dict[str, float] = {}
        self.stats = {"batches": 0, "lookups": 0, "throttled": 0, "transient": 0,
                      "send_seconds": 0.0, "prepare_seconds": 0.0}

    # -- one group ------------------------------------------------------------------------
    def run_group(self, client: QboPort, ids: list[int]) -> QboPort:
        """Process claimed records to a final state (or release them). Returns the client in
        use (it may have been replaced after a token refresh)."""
        realm_id = client.realm_id
        pacer = self.pacer_for(realm_id)
        # The pacer admits each request inside the client, right before it leaves (after our
        # writes and any token refresh, and for every resend): taking a slot here, before the
        # local work, let requests bunch up at Intuit and provoke 429s (issue 19).
        client.pace_with(pacer)
        started = time.monotonic()
        pending = self._prepare_all(ids, client)
        self.stats["prepare_seconds"] += time.monotonic() - started
        known_unsent: set[int] = set()
        tries = 0
        auth_failures = 0
        while pending:
            maybe_sent = [p for p in pending.values()
                          if p.attempts > 0 and p.record_id not in known_unsent]
            sending = False  # a failure before the batch call (in the look-up) proves nothing sent
            try:
                if maybe_sent:
                    db.session.commit()  # nothing of ours stays uncommitted over a network call
                    self._lookup_and_adopt(client, pacer, maybe_sent, pending, conflict_fails=True)
                    if not pending:
                        break
                group = list(pending.values())
                kept = set(self._mark_sending([p.record_id for p in group]))
                for p in group:
                    if p.record_id not in kept:  # our lease lapsed and another worker took over
                        pending.pop(p.record_id)
                group = [p for p in group if p.record_id in kept]
                if not group:
                    break
                for p in group:
                    p.attempts += 1
                known_unsent.difference_update(p.record_id for p in group)
                request_id = batch_request_id(group)
                self._audit_sent(realm_id, group, request_id)
                self.stats["batches"] += 1
                sending = True
                sent_at = time.monotonic()
                try:
                    results = client.batch(
                        [{"bId": p.bid, "operation": "create", self.entity: p.body} for p in group],
                        request_id=request_id)
                finally:
                    self.stats["send_seconds"] += time.monotonic() - sent_at
            except ThrottledError as error:
                self.stats["throttled"] += 1
                wait = error.retry_after
                if self.options.throttle_wait_max is not None:
                    wait = min(wait, self.options.throttle_wait_max)
                pacer.pause(wait)
                if sending:
                    known_unsent.update(pending)  # a 429 is refused at the gate: nothing executed
                continue
            except ReconnectRequired as error:
                self._release(pending, f"QuickBooks needs to be reconnected: {error}", pause_jobs=True)
                self.blocked_until[realm_id] = time.monotonic() + self.options.reconnect_wait
                return client
            except AuthenticationError as error:
                if sending:
                    known_unsent.update(pending)  # a 401 rejects the whole batch unexecuted (§5)
                auth_failures += 1
                if auth_failures > self.options.auth_retries:
                    self._release(pending, f"QuickBooks refused our sign-in: {error}", pause_jobs=True)
                    self.blocked_until[realm_id] = time.monotonic() + self.options.reconnect_wait
                    return client
                client = self.client_factory()  # a new client reads the stored tokens again
                client.pace_with(pacer)
                continue
            except TransientError as error:
                self.stats["transient"] += 1
                tries += 1
                if sending and not error.ambiguous:
                    known_unsent.update(pending)
                if tries >= self.options.max_tries:
                    self._fail_all(realm_id, pending, "unavailable",
                                   f"QuickBooks did not answer after {tries} tries ({error}). "
                                   "Press Retry; it will be checked before it is sent again.")
                    return client
                self.sleep(self._backoff(tries))
                continue
            except QboError as error:  # the whole request refused (e.g. a malformed look-up)
                self._fail_all(realm_id, pending, error.code or "error", plain_words(error))
                return client
            self._apply_results(client, pacer, pending, group, results, known_unsent)
            if pending:  # items whose outcome the answer left unknown (or throttled): go again
                tries += 1
                if tries >= self.options.max_tries:
                    self._fail_all(realm_id, pending, "unavailable",
                                   f"QuickBooks gave no clear answer after {tries} tries. Press "
                                   "Retry; it will be checked before it is sent again.")
                    break
                self.sleep(self._backoff(tries))
        self._close_finished_jobs()
        db.session.commit()
        return client

    # -- steps ----------------------------------------------------------------------------
    def _mark_sending(self, ids: list[int]) -> list[int]:
        """The watermark, committed with the "sent" audit events by _audit_sent."""
        return records.mark_sending(ids, self.owner, self.options.lease_seconds,
                                    table=self.record_model.__table__, commit=False)

    def _close_finished_jobs(self) -> None:
        records.close_finished_jobs(self.job_model, self.record_model)

    def _subject_id(self, record) -> int:
        """What the audit trail names a record by (Prepared.invoice_id carries the same)."""
        return record.invoice_id

    def _remember(self, record, prepared: Prepared) -> None:
        """Keep on the record what identifies the prepared invoice as ours in QuickBooks."""
        record.qbo_customer_id = prepared.customer_id
        record.expected_total = prepared.expected_total

    def _event(self, realm_id: str, action: str, subject_id: int | None, **values) -> None:
        audit.record(realm_id, action, invoice_id=subject_id, **values)

    def _prepare_all(self, ids: list[int], client: QboPort) -> dict[int, Prepared]:
        """The group mapped and checked; what it writes (refusals, what identifies each invoice
        as ours) is committed with the send's watermark, or before a look-up."""
        pending: dict[int, Prepared] = {}
        with self.prepare_lock:
            mine = [record for record in db.session.scalars(
                        db.select(self.record_model).where(self.record_model.id.in_(ids))
                        .order_by(self.record_model.id))
                    if record.lease_owner == self.owner and record.status == ExportStatus.SENDING]
            prepared = self.prepare(mine, client)
        for record in mine:
            outcome = prepared.get(record.id) or NotExportable("Could not be prepared", code="mapping")
            if isinstance(outcome, NotExportable):
                self._finish(record.id, record.realm_id, ExportStatus.FAILED, "failed",
                             invoice_id=self._subject_id(record), job_id=record.job_id,
                             error_code=outcome.code, last_error=str(outcome))
                continue
            self._remember(record, outcome)
            pending[record.id] = outcome
        return pending

    def _lookup_and_adopt(self, client: QboPort, pacer: RealmPacer, candidates: list[Prepared],
                          pending: dict[int, Prepared], conflict_fails: bool) -> None:
        """Find candidates in QBO; adopt ours, fail the ones whose DocNumber another invoice
        holds. Those not found stay pending (safe to send).

        With DocNumbers: `DocNumber in (…)`. When QuickBooks numbers invoices itself (a sync
        setting), there is no DocNumber to search: we search the customers' invoices and know
        ours by the memo the mapping writes (batch and invoice number)."""
        realm_id = client.realm_id
        numbered = [p for p in candidates if p.doc_number]
        unnumbered = [p for p in candidates if not p.doc_number]
        if numbered:
            numbers = ", ".join(quote(n) for n in sorted({p.doc_number for p in numbered}))
            found = self._query(client, pacer,
                                f"select * from Invoice where DocNumber in ({numbers}) maxresults 1000")
            for p in numbered:
                matches = [inv for inv in found if inv.get("DocNumber") == p.doc_number]
                ours = sorted((inv for inv in matches if is_ours(inv, p)), key=lambda i: int(i["Id"]))
                if ours:
                    self._adopt(realm_id, p, ours[0], duplicates=len(ours) - 1)
                    pending.pop(p.record_id, None)
                elif matches and conflict_fails:
                    other = matches[0]
                    self._finish(p.record_id, realm_id, ExportStatus.FAILED, "failed",
                                 invoice_id=p.invoice_id, job_id=p.job_id, error_code="6140",
                                 request_id=p.request_id,
                                 last_error=(f"Invoice number {p.doc_number} is already used in "
                                             f"QuickBooks by another invoice (Id {other.get('Id')}, "
                                             f"customer {(other.get('CustomerRef') or {}).get('name', '?')}, "
                                             f"total {other.get('TotalAmt')})."))
                    pending.pop(p.record_id, None)
        if unnumbered:
            customers = ", ".join(quote(c) for c in sorted({p.customer_id for p in unnumbered}))
            found = self._query(client, pacer,
                                f"select * from Invoice where CustomerRef in ({customers}) maxresults 1000")
            for p in unnumbered:
                ours = sorted((inv for inv in found if p.memo_marker
                               and inv.get("PrivateNote") == p.memo_marker and is_ours(inv, p)),
                              key=lambda i: int(i["Id"]))
                if ours:
                    self._adopt(realm_id, p, ours[0], duplicates=len(ours) - 1)
                    pending.pop(p.record_id, None)
        db.session.commit()

    def _query(self, client: QboPort, pacer: RealmPacer, sql: str) -> list[dict]:
        self.stats["lookups"] += 1  # admitted by the pacer inside the client
        return client.query(sql)

    def _apply_results(self, client, pacer, pending, group, results, known_unsent) -> None:
        realm_id = client.realm_id
        duplicates: list[Prepared] = []
        with db.session.no_autoflush:  # the audit events go in one flush at the commit
            self._record_results(realm_id, group, results, pending, duplicates, known_unsent)
        if duplicates or pending:  # a look-up or a resend follows: commit before it
            db.session.commit()
        if duplicates:
            # Our earlier push (a send whose answer we never saw) or someone else's invoice.
            self._lookup_and_adopt(client, pacer, duplicates, pending, conflict_fails=True)
            for p in duplicates:
                if p.record_id in pending:  # 6140 but nothing found: cannot resend blindly
                    self._finish(p.record_id, realm_id, ExportStatus.FAILED, "failed",
                                 invoice_id=p.invoice_id, job_id=p.job_id, error_code="6140",
                                 last_error=f"QuickBooks says invoice number {p.doc_number} is "
                                            "already used, but no invoice with it can be found.")
                    pending.pop(p.record_id)
            db.session.commit()

    def _record_results(self, realm_id, group, results, pending, duplicates, known_unsent) -> None:
        for p in group:
            result = results.get(p.bid)
            if isinstance(result, dict):
                self._created(realm_id, p, result)
                pending.pop(p.record_id, None)
            elif isinstance(result, DuplicateDocumentNumberError):
                duplicates.append(p)
            elif isinstance(result, ThrottledError):
                known_unsent.add(p.record_id)
            elif isinstance(result, (TransientError, AuthenticationError)) or result is None:
                continue  # unknown outcome for this item: stays pending, looked up next round
            elif isinstance(result, QboError):
                self._finish(p.record_id, realm_id, ExportStatus.FAILED, "failed",
                             invoice_id=p.invoice_id, job_id=p.job_id, request_id=p.request_id,
                             error_code=result.code or "error", last_error=plain_words(result))
                pending.pop(p.record_id, None)

    def _created(self, realm_id: str, p: Prepared, result: dict) -> None:
        """QuickBooks answered with the created invoice: record it."""
        # The total is checked from this answer itself: no read-back (issue 13).
        problem = total_problem(result, p.expected_total)
        self._finish(p.record_id, realm_id, ExportStatus.EXPORTED, "exported",
                     invoice_id=p.invoice_id, job_id=p.job_id, request_id=p.request_id,
                     qbo_id=str(result.get("Id")), sync_token=str(result.get("SyncToken", "0")),
                     qbo_total=_money(result.get("TotalAmt")), exported_at=utcnow(),
                     qbo_digest=digest(result),
                     error_code="total" if problem else None, last_error=problem)
        if problem:
            tax_profile.forget(realm_id)

    def _adopt(self, realm_id: str, p: Prepared, found: dict, duplicates: int) -> None:
        detail = f"DocNumber {p.doc_number}, total {found.get('TotalAmt')}"
        if duplicates:
            detail += f"; WARNING: {duplicates} more QuickBooks invoice(s) carry this number"
        self._finish(p.record_id, realm_id, ExportStatus.EXPORTED, "adopted", invoice_id=p.invoice_id,
                     job_id=p.job_id, request_id=p.request_id, qbo_id=str(found.get("Id")),
                     sync_token=str(found.get("SyncToken", "0")), qbo_total=_money(found.get("TotalAmt")),
                     adopted=True, exported_at=utcnow(), error_code=None, last_error=None, detail=detail,
                     qbo_digest=digest(found))

    def _finish(self, record_id: int, realm_id: str, status: ExportStatus, action: str, *,
                invoice_id: int, job_id: int | None, detail: str = "", request_id: str | None = None,
                **values) -> None:
        if records.finish(record_id, self.owner, table=self.record_model.__table__, status=status, **values):
            self._event(realm_id, action, invoice_id, job_id=job_id, actor="worker",
                        request_id=request_id, qbo_id=values.get("qbo_id"),
                        detail=detail or values.get("last_error") or "")

    def _audit_sent(self, realm_id: str, group: list[Prepared], batch_request_id: str) -> None:
        """The "sent" events, committed with _mark_sending's watermark: before the send, as the
        exactly-once rules require, in one commit."""
        for p in group:
            self._event(realm_id, "sent", p.invoice_id, job_id=p.job_id, actor="worker",
                        request_id=p.request_id,
                        detail=f"attempt {p.attempts}, batch requestid {batch_request_id}, bId {p.bid}")
        db.session.commit()

    def _release(self, pending: dict[int, Prepared], message: str, pause_jobs: bool) -> None:
        """Give records back to the queue (unsent, or to be checked) and pause their jobs."""
        job_ids = set()
        for p in pending.values():
            records.finish(p.record_id, self.owner, table=self.record_model.__table__,
                           status=ExportStatus.QUEUED, last_error=message, error_code="auth")
            job_ids.add(p.job_id)
        if pause_jobs:
            jobs = db.select(self.job_model).where(self.job_model.id.in_(job_ids - {None}))
            for job in db.session.scalars(jobs):
                job.status = JobStatus.PAUSED
                job.message = message
                self._event(job.realm_id, "paused", None, job_id=job.id, actor="worker", detail=message)
        pending.clear()
        db.session.commit()

    def _fail_all(self, realm_id: str, pending: dict[int, Prepared], code: str, message: str) -> None:
        for p in list(pending.values()):
            self._finish(p.record_id, realm_id, ExportStatus.FAILED, "failed", invoice_id=p.invoice_id,
                         job_id=p.job_id, request_id=p.request_id, error_code=code, last_error=message)
        pending.clear()
        db.session.commit()

    def _backoff(self, tries: int) -> float:
        """Equal jitter (at least half the ceiling): the engine's waits stay predictable."""
        ceiling = backoff_ceiling(tries - 1, self.options.backoff_base, self.options.backoff_cap)
        return ceiling * random.uniform(0.5, 1.0)


def _money(value) -> Decimal | None:
    try:
        return to_cents(Decimal(str(value)))
    except Exception:  # noqa: BLE001
        return None
