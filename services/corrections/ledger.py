"""The corrections' exactly-once ledger (`invoice_actions`): queueing at most one action per
write (UNIQUE dedupe_key, INSERT … ON CONFLICT DO NOTHING), and the claim / watermark / fenced
finish of services/export/records.py, run on this table."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models._types import utcnow
from models.corrections import ActionKind, ActionStatus, InvoiceAction
from models.export import ExportJob, JobStatus, new_request_id
from services.export import records

TABLE = InvoiceAction.__table__


def dedupe_key(kind: ActionKind, qbo_id: str, revision_id: int | None = None) -> str:
    """One update per (QuickBooks invoice, revision); one removal (void or delete) per invoice."""
    if kind == ActionKind.UPDATE:
        return f"update:{qbo_id}:{revision_id}"
    return f"remove:{qbo_id}"


def queue(realm_id: str, rows: list[dict], retry_refused: bool = True) -> list[int]:
    """Insert actions (dicts of InvoiceAction columns with `dedupe_key`); an existing refused one
    for the same key is queued again with a new request id (QuickBooks would replay the old
    refusal for the old one). Returns the ids of the actions this call queued. Caller commits."""
    if not rows:
        return []
    now = utcnow()
    values = [dict(row, realm_id=realm_id, status=ActionStatus.QUEUED.value, request_id=new_request_id(),
                   attempts=0, stale_retries=0, message="", created_at=now, updated_at=now) for row in rows]
    for row in values:
        row["kind"] = getattr(row["kind"], "value", row["kind"])
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TABLE)
    statement = insert.values(values).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(TABLE.c.id)
    queued = list(db.session.execute(statement).scalars())
    if retry_refused:
        wanted = {row["dedupe_key"]: row for row in rows}
        for action_id, key in db.session.execute(select(TABLE.c.id, TABLE.c.dedupe_key).where(
                TABLE.c.dedupe_key.in_(list(wanted)), TABLE.c.status == ActionStatus.REFUSED.value)).all():
            changed = db.session.execute(
                update(TABLE).where(TABLE.c.id == action_id, TABLE.c.status == ActionStatus.REFUSED.value)
                .values(status=ActionStatus.QUEUED.value, request_id=new_request_id(), attempts=0,
                        stale_retries=0, message="", conflict=None, lease_owner=None,
                        lease_expires_at=None, finished_at=None, updated_at=now,
                        job_id=wanted[key].get("job_id"), requested_by_id=wanted[key].get("requested_by_id"))
            ).rowcount
            if changed:
                queued.append(action_id)
    return queued


def by_key(key: str) -> InvoiceAction | None:
    return db.session.scalar(select(InvoiceAction).where(InvoiceAction.dedupe_key == key))


def claim(realm_id: str, owner: str, lease_seconds: float, ids: list[int] | None = None,
          limit: int = records.BATCH_SIZE) -> list[int]:
    """Claim queued (or lease-expired) actions of the realm — only `ids` when given (a page that
    runs its own single action)."""
    if ids is None:
        return records.claim(realm_id, owner, lease_seconds, limit=limit, table=TABLE)
    now = utcnow()
    claimable = or_(TABLE.c.status == ActionStatus.QUEUED.value,
                    and_(TABLE.c.status == ActionStatus.SENDING.value, TABLE.c.lease_expires_at < now))
    from datetime import timedelta

    taken = list(db.session.execute(
        update(TABLE).where(TABLE.c.id.in_(ids), claimable)
        .values(status=ActionStatus.SENDING.value, lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
        .returning(TABLE.c.id)).scalars())
    db.session.commit()
    return sorted(taken)


def mark_sending(ids: list[int], owner: str, lease_seconds: float) -> list[int]:
    return records.mark_sending(ids, owner, lease_seconds, table=TABLE)


def finish(action_id: int, owner: str, **values) -> bool:
    if values.get("status") in (ActionStatus.DONE, ActionStatus.REFUSED, ActionStatus.SKIPPED):
        values.setdefault("finished_at", utcnow())
    return records.finish(action_id, owner, table=TABLE, **values)


def realms_with_work() -> list[str]:
    now = utcnow()
    return list(db.session.scalars(select(InvoiceAction.realm_id).where(
        or_(InvoiceAction.status == ActionStatus.QUEUED,
            and_(InvoiceAction.status == ActionStatus.SENDING, InvoiceAction.lease_expires_at < now))).distinct()))


def job_counts(job_id: int) -> dict[str, int]:
    rows = db.session.execute(select(InvoiceAction.status, func.count()).where(
        InvoiceAction.job_id == job_id).group_by(InvoiceAction.status)).all()
    counts = {status.value: 0 for status in ActionStatus}
    for status, n in rows:
        counts[ActionStatus(status).value] = n
    return counts


def close_finished_undo_jobs() -> None:
    """Undo jobs whose actions are all final become done. Caller commits."""
    for job in db.session.scalars(select(ExportJob).where(ExportJob.kind == "undo",
                                                          ExportJob.status == JobStatus.RUNNING)):
        counts = job_counts(job.id)
        if counts["queued"] == 0 and counts["sending"] == 0:
            job.status, job.finished_at = JobStatus.DONE, utcnow()
            job.message = (f"Undo finished: {counts['done']} removed from QuickBooks, {counts['skipped']} left "
                           f"alone, {counts['refused']} refused.")
