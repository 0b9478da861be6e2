"""The export records: queueing (at most one per invoice and realm), atomic claims under a lease,
and result writes fenced by the lease owner.

Everything here is plain SQL through the session so it behaves the same on SQLite and PostgreSQL:
- queueing uses INSERT … ON CONFLICT DO NOTHING on the unique (realm_id, invoice_id), so two
  requests racing to export the same invoice end with one record and one send;
- claiming picks up to 30 claimable ids (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so
  concurrent workers never wait on or take each other's rows), then one UPDATE … WHERE id IN
  (those) AND still claimable … RETURNING; on SQLite, where writers are serialised, the repeated
  condition makes a racing second claim of the same rows take none of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models._types import utcnow
from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus, new_request_id

# Groups of at most this many invoices go out as one batch request (Intuit's maximum, §5).
BATCH_SIZE = 30


def _insert_ignore(table, keys=("realm_id", "invoice_id")):
    """INSERT … ON CONFLICT (keys) DO NOTHING, for rows given at execution (an executemany: one
    statement compiled once, not one VALUES list of ~12 parameters per row compiled every time);
    `keys`: the ledger's unique columns."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    raise RuntimeError(f"unsupported database {dialect}")


@dataclass(frozen=True)
class QueueOutcome:
    queued: list[int]          # invoice ids this call queued (new, or failed ones re-queued)
    already: list[int]         # invoice ids already exported or in progress: nothing to do


def queue_invoices(realm_id: str, job: ExportJob, invoices: list[tuple[int, str]],
                   user_id: int | None, retry_failed: bool = True) -> QueueOutcome:
    """Create (or re-queue) export records for (invoice_id, doc_number) pairs. Caller commits."""
    return queue_records(InvoiceExport, "invoice_id", realm_id, job.id,
                         {invoice_id: {"doc_number": doc_number} for invoice_id, doc_number in invoices},
                         user_id, retry_failed)


def queue_records(model, subject: str, realm_id: str, job_id: int, subjects: dict[int, dict],
                  user_id: int | None, retry_failed: bool = True) -> QueueOutcome:
    """Create (or re-queue) one ledger record per subject id (`subject`: the column naming it,
    unique with realm_id; the dict values: the record's own extra columns). Caller commits.

    New records get their request id here, committed before any worker can send them. A failed
    record re-queued by Retry gets a *new* request id: QBO answers a repeated requestid with the
    original response, so reusing it would only replay the old refusal.
    """
    if not subjects:
        return QueueOutcome([], [])
    now = utcnow()
    table = model.__table__
    key = table.c[subject]
    ids = list(subjects)
    before = set(db.session.scalars(select(key).where(table.c.realm_id == realm_id, key.in_(ids))))
    rows = [dict(realm_id=realm_id, **{subject: subject_id}, **extra, job_id=job_id,
                 status=ExportStatus.QUEUED.value, request_id=new_request_id(), attempts=0,
                 requested_by_id=user_id, created_at=now, updated_at=now, adopted=False)
            for subject_id, extra in subjects.items() if subject_id not in before]
    inserted: set[int] = set()
    if rows:
        statement = _insert_ignore(table, keys=("realm_id", subject)).returning(key)
        inserted = set(db.session.execute(statement, rows).scalars())
    requeued: set[int] = set()
    if retry_failed:
        failed = db.session.execute(select(table.c.id, key).where(
            table.c.realm_id == realm_id, key.in_(ids), table.c.status == ExportStatus.FAILED.value)).all()
        for record_id, subject_id in failed:
            # Conditional on still being failed: a concurrent Retry re-queues it only once.
            result = db.session.execute(
                update(table)
                .where(table.c.id == record_id, table.c.status == ExportStatus.FAILED.value)
                .values(status=ExportStatus.QUEUED.value, job_id=job_id, request_id=new_request_id(),
                        requested_by_id=user_id, error_code=None, last_error=None,
                        lease_owner=None, lease_expires_at=None, updated_at=now))
            if result.rowcount:
                requeued.add(subject_id)
    queued = [i for i in ids if i in inserted or i in requeued]
    return QueueOutcome(queued=queued, already=[i for i in ids if i not in set(queued)])


def claim(realm_id: str, owner: str, lease_seconds: float, limit: int = BATCH_SIZE,
          now: datetime | None = None, table=None) -> list[int]:
    """Atomically take up to `limit` queued (or lease-expired) records of this realm. Commits.

    Returns the claimed record ids. A record whose lease expired belonged to a worker that died
    (or stalled): it may have been sent, which its `attempts` tells the engine. `table`: another
    ledger with the same claim columns (the corrections' invoice_actions, issue 16).
    """
    now = now or utcnow()
    table = InvoiceExport.__table__ if table is None else table  # or another ledger (time_exports)
    claimable = or_(table.c.status == ExportStatus.QUEUED.value,
                    and_(table.c.status == ExportStatus.SENDING.value, table.c.lease_expires_at < now))
    # The candidates are picked by their own statement, not a subquery of the UPDATE: on
    # PostgreSQL an `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` may be re-evaluated while the
    # UPDATE runs alongside other claims and then take more than n rows (seen: 120 for a 30-limit).
    picker = (select(table.c.id).where(table.c.realm_id == realm_id, claimable)
              .order_by(table.c.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        picker = picker.with_for_update(skip_locked=True)  # locked until our commit
    picked = list(db.session.execute(picker).scalars())
    if not picked:
        db.session.commit()
        return []
    statement = (update(table)
                 .where(table.c.id.in_(picked), claimable)
                 .values(status=ExportStatus.SENDING.value, lease_owner=owner,
                         lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
                 .returning(table.c.id))
    ids = sorted(db.session.execute(statement).scalars())
    db.session.commit()
    return ids


def mark_sending(ids: list[int], owner: str, lease_seconds: float, table=None,
                 commit: bool = True) -> list[int]:
    """The watermark before a send: attempts + 1 and last_sent_at, committed (`commit=False`: the
    caller commits it, with its own writes, before sending). Returns ids still ours; only those
    may be sent."""
    if not ids:
        return []
    now = utcnow()
    table = InvoiceExport.__table__ if table is None else table
    statement = (update(table)
                 .where(table.c.id.in_(ids), table.c.lease_owner == owner,
                        table.c.status == ExportStatus.SENDING.value)
                 .values(attempts=table.c.attempts + 1, last_sent_at=now,
                         lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
                 .returning(table.c.id))
    kept = sorted(db.session.execute(statement).scalars())
    if commit:
        db.session.commit()
    return kept


def finish(record_id: int, owner: str, table=None, **values) -> bool:
    """Write a final (or released) state if we still hold the lease. Caller commits."""
    table = InvoiceExport.__table__ if table is None else table
    values.setdefault("updated_at", utcnow())
    values.setdefault("lease_owner", None)
    values.setdefault("lease_expires_at", None)
    if hasattr(values.get("status"), "value"):
        values["status"] = values["status"].value
    statement = _finish_statement(table, tuple(sorted(values)))
    params = {f"v_{name}": value for name, value in values.items()}
    result = db.session.execute(statement, dict(params, record_id=record_id, owner=owner))
    return bool(result.rowcount)


@lru_cache(maxsize=64)
def _finish_statement(table, names: tuple[str, ...]):
    # Built once per ledger and set of columns: an exporter writes a thousand results a minute,
    # and building the UPDATE cost more than running it.
    return (update(table)
            .where(table.c.id == bindparam("record_id"), table.c.lease_owner == bindparam("owner"),
                   table.c.status == ExportStatus.SENDING.value)
            .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}))


def realms_with_work(model=InvoiceExport) -> list[str]:
    now = utcnow()
    return list(db.session.scalars(select(model.realm_id).where(
        or_(model.status == ExportStatus.QUEUED,
            and_(model.status == ExportStatus.SENDING,
                 model.lease_expires_at < now))).distinct()))


def job_counts(job_id: int, model=InvoiceExport) -> dict[str, int]:
    rows = db.session.execute(select(model.status, func.count()).where(
        model.job_id == job_id).group_by(model.status)).all()
    counts = {status.value: 0 for status in ExportStatus}
    for status, n in rows:
        counts[ExportStatus(status).value] = n
    return counts


def close_finished_jobs(job_model=ExportJob, model=InvoiceExport) -> None:
    """Running (or paused, since resumed) jobs whose records are all final become done.
    Caller commits. (`job_model`, `model`: another ledger's jobs and records.)"""
    running = select(job_model).where(job_model.status.in_([JobStatus.RUNNING, JobStatus.PAUSED]))
    if job_model is ExportJob:  # an undo job closes on its own actions (services/corrections)
        running = running.where(ExportJob.kind == "export")
    running = db.session.scalars(running)
    for job in running:
        counts = job_counts(job.id, model)
        if counts["queued"] == 0 and counts["sending"] == 0:
            job.status = JobStatus.DONE
            job.finished_at = utcnow()
