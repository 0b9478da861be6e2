"""`flask qbo export-time --batch N`: the visits of a finalized batch to QuickBooks as time
activities, exactly once. Like `flask qbo export` (whose batch/user look-ups and reachability
check it uses): runs its own foreground time worker with the same claims and leases as a server's,
so it is safe alongside one, and a killed run is resumed by the next (or by a server)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.export import _find_batch, _find_user, _reach_quickbooks


@click.command("export-time")
@click.option("--batch", "batch_ref", required=True, help="Batch number (or database id).")
@click.option("--user", "user_email", default=None, help="Record the export as this user (e-mail).")
@click.option("--threads", type=int, default=None, help="Sender threads (default QBO_EXPORT_THREADS).")
@click.option("--timeout", type=float, default=None, help="Give up waiting after this many seconds.")
@with_appcontext
def export_time_command(batch_ref, user_email, threads, timeout):
    """Export a finalized batch's visits to QuickBooks Online as time activities, exactly once."""
    from services import time_export
    from services.export import ExportRefused
    from services.qbo_connection import current_realm
    from services.time_export.visits import batch_visits, load_visit_refs, why_not

    batch, user = _find_batch(batch_ref), _find_user(user_email)
    realm_id = current_realm()
    if not realm_id:
        raise click.ClickException("QuickBooks is not connected.")
    _reach_quickbooks()
    visits = batch_visits(batch.id)
    refs = load_visit_refs(realm_id, visits)
    reasons = {line.id: why_not(line, refs) for line in visits}
    for line in visits:
        if reasons[line.id]:
            click.echo(f"  skip {line.invoice.number} {line.service_date} {line.caregiver_name}: "
                       f"{reasons[line.id]}")
    try:
        job = time_export.start_time_export(user, batch, [line.id for line in visits], source="cli",
                                            realm_id=realm_id,
                                            actor=f"cli{(' ' + user.email) if user else ''}")
    except ExportRefused as error:
        raise click.ClickException(str(error)) from None
    line_ids = [i for i, reason in reasons.items() if not reason]
    click.echo(f"Batch {batch.number}: {len(visits)} visit(s), {job.queued} newly queued (job {job.id}).")
    counts = _run_until_finished(realm_id, line_ids, threads, timeout)
    click.echo("Summary: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if n))
    sys.exit(0 if counts["failed"] == 0 and counts["queued"] + counts["sending"] == 0 else 1)


def _counts(realm_id: str, line_ids: list[int]) -> dict[str, int]:
    from services import time_export

    counts = {"queued": 0, "sending": 0, "exported": 0, "failed": 0}
    states = time_export.states_for(realm_id, line_ids)
    for line_id in line_ids:
        record = states.get(line_id)
        if record is not None:
            counts[record.status.value] += 1
    return counts


def _run_until_finished(realm_id: str, line_ids: list[int], threads, timeout) -> dict[str, int]:
    from extensions import db
    from services import time_export
    from services.time_export import ledger
    from services.time_export.worker import TimeWorker

    def unfinished() -> bool:
        counts = _counts(realm_id, line_ids)
        return counts["queued"] + counts["sending"] > 0

    if unfinished():
        worker = TimeWorker(current_app._get_current_object(), threads=threads)
        if not worker.run_until(lambda: not unfinished(), timeout=timeout):
            click.echo("Timed out waiting; unfinished visits stay queued and will be resumed.")
    ledger.close_finished_jobs()
    db.session.commit()
    for line_id, record in time_export.states_for(realm_id, line_ids).items():
        if record.status.value == "failed":
            click.echo(f"  FAILED visit {line_id}: {record.last_error}")
    return _counts(realm_id, line_ids)
