"""`flask qbo undo --job N`: take an export run back out of QuickBooks (void or delete each invoice
it created that has no payment, per the company's setting), in the foreground with the same
worker, ledger and leases as the background undo. Killed mid-run, run it again: each invoice is
voided or deleted once."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("undo")
@click.option("--job", "job_id", type=int, required=True, help="The export run (job id) to undo.")
@click.option("--user", "user_email", default=None, help="Record the undo as this user (e-mail).")
@click.option("--threads", type=int, default=None, help="Worker threads (default QBO_EXPORT_THREADS).")
@click.option("--timeout", type=float, default=None, help="Give up waiting after this many seconds.")
@with_appcontext
def undo_command(job_id, user_email, threads, timeout):
    """Undo one export run: its invoices without a payment are voided (or deleted) in QuickBooks."""
    from extensions import db
    from models.export import ExportJob
    from services.corrections import service
    from services.corrections.revisions import CorrectionRefused
    from services.export.worker import ExportWorker
    from cli.export import _find_user

    job = db.session.get(ExportJob, job_id)
    if job is None or job.kind != "export":
        raise click.ClickException(f"No export run {job_id}.")
    try:  # a run killed earlier left its undo running: this joins it and resumes the rest
        started = service.start_undo(_find_user(user_email), job, source="cli")
    except CorrectionRefused as refused:
        raise click.ClickException(str(refused)) from None
    undo = started.job
    click.echo(f"Undo of export run {job.id} (job {undo.id}): {started.message}")
    undo_id = undo.id

    def unfinished() -> bool:
        progress = service.undo_progress(db.session.get(ExportJob, undo_id))
        return progress.counts["queued"] + progress.counts["sending"] > 0

    if unfinished():
        worker = ExportWorker(current_app._get_current_object(), threads=threads)
        if not worker.run_until(lambda: not unfinished(), timeout=timeout):
            click.echo("Timed out waiting; the rest stays queued and will be resumed.")
    service.close_finished_undo_jobs()
    db.session.commit()
    counts = service.undo_progress(db.session.get(ExportJob, undo_id)).counts
    click.echo(f"Summary: {counts['done']} removed, {counts['skipped']} left alone, {counts['refused']} refused")
    sys.exit(0 if counts["refused"] == 0 and counts["queued"] + counts["sending"] == 0 else 1)

