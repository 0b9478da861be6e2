"""`flask qbo export --batch N`: export a finalized batch to QuickBooks from the command line.

Runs synchronously in this process (its own worker threads, the same claims and leases as the
background exporter, so it is safe alongside a running server), prints progress and a summary.
Killing it mid-run loses nothing: run it again (or let a server's worker pick up the expired
leases) and every invoice still ends in QuickBooks exactly once.

No server needs to be running: with the built-in sandbox the command reaches the sandbox mounted
in this very process; any other QuickBooks gets one call first, and when that fails the command
stops at once with the reason, before anything is queued.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

STATUSES = ("queued", "sending", "exported", "failed")


@click.command("export")
@click.option("--batch", "batch_ref", required=True, help="Batch number (or database id).")
@click.option("--invoice", "invoice_numbers", multiple=True,
              help="Only these invoice numbers (default: every eligible invoice of the batch).")
@click.option("--user", "user_email", default=None, help="Record the export as this user (e-mail).")
@click.option("--threads", type=int, default=None, help="Sender threads (default QBO_EXPORT_THREADS).")
@click.option("--timeout", type=float, default=None, help="Give up waiting after this many seconds.")
@click.option("--dry-run", is_flag=True, help="Print what QuickBooks would get (the preview); send nothing.")
@with_appcontext
def export_command(batch_ref, invoice_numbers, user_email, threads, timeout, dry_run):
    """Export a finalized batch's invoices to QuickBooks Online, exactly once."""
    from services import export
    from services.export.prepare import eligibility
    from services.qbo_connection import current_realm

    batch, user = _find_batch(batch_ref), _find_user(user_email)
    invoices = _invoices_of(batch, invoice_numbers)
    realm_id = current_realm()
    if not realm_id:
        raise click.ClickException("QuickBooks is not connected.")
    _reach_quickbooks()
    if dry_run:
        from cli.export_preview import print_preview

        sys.exit(print_preview(batch, [i.id for i in invoices] if invoice_numbers else None, realm_id))
    allowed = eligibility(invoices, realm_id)
    for invoice in invoices:
        if not allowed[invoice.id].ok:
            click.echo(f"  skip {invoice.number}: {allowed[invoice.id].reason}")
    try:
        job = export.start_export(user, batch, [i.id for i in invoices], source="cli",
                                  realm_id=realm_id, actor=f"cli{(' ' + user.email) if user else ''}")
    except export.ExportRefused as error:
        raise click.ClickException(str(error)) from None
    invoice_ids = [i.id for i in invoices if allowed[i.id].ok]
    click.echo(f"Batch {batch.number}: {len(invoices)} invoice(s), {job.queued} newly queued "
               f"(job {job.id}).")
    _run_until_finished(realm_id, invoice_ids, threads, timeout)
    counts = _counts(realm_id, invoice_ids)
    summary(invoice_ids, realm_id)
    sys.exit(0 if counts["failed"] == 0 and counts["queued"] + counts["sending"] == 0 else 1)


def _find_batch(batch_ref: str):
    from sqlalchemy import or_, select

    from extensions import db
    from models import InvoiceBatch

    conditions = [InvoiceBatch.number == batch_ref]
    if batch_ref.isdigit():
        conditions.append(InvoiceBatch.id == int(batch_ref))
    batch = db.session.scalar(select(InvoiceBatch).where(or_(*conditions)))
    if batch is None:
        raise click.ClickException(f"No batch {batch_ref!r}.")
    return batch


def _find_user(user_email: str | None):
    from sqlalchemy import select

    from extensions import db
    from models import User

    if not user_email:
        return None
    user = db.session.scalar(select(User).where(User.email == user_email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user {user_email!r}.")
    return user


def _invoices_of(batch, invoice_numbers) -> list:
    from sqlalchemy import select

    from extensions import db
    from models import Invoice

    invoices = list(db.session.scalars(select(Invoice).where(Invoice.batch_id == batch.id)
                                       .order_by(Invoice.number)))
    if invoice_numbers:
        invoices = [i for i in invoices if i.number in set(invoice_numbers)]
    return invoices


def _reach_quickbooks() -> None:
    """The embedded sandbox in-process; otherwise QuickBooks' address must answer a connection now,
    so an unreachable QuickBooks is reported at once instead of after minutes of back-off. (Only a
    TCP connect: no request that would count against Intuit's limits, which the pacer shares.)"""
    from services.qbo_connection import local as local_sandbox
    from services.qbo_connection.client import unreachable_reason

    app = current_app._get_current_object()
    if local_sandbox.reach_in_process(app):
        return
    problem = unreachable_reason(app)
    if problem:
        raise click.ClickException(f"QuickBooks could not be reached: {problem} Nothing was queued.")


def _counts(realm_id: str, invoice_ids: list[int]) -> dict[str, int]:
    from sqlalchemy import func, select

    from extensions import db
    from models.export import InvoiceExport

    rows = db.session.execute(select(InvoiceExport.status, func.count()).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.invoice_id.in_(invoice_ids))
        .group_by(InvoiceExport.status)).all()
    found = {getattr(status, "value", status): n for status, n in rows}
    return {status: found.get(status, 0) for status in STATUSES}


def _run_until_finished(realm_id: str, invoice_ids: list[int], threads, timeout) -> None:
    """Also resumes what an earlier run left unfinished (its records are queued, or sending under
    a lease that expires if that run was killed): we wait for every chosen invoice, not only
    the ones this run queued."""
    from extensions import db
    from services.export import records
    from services.export.worker import ExportWorker

    last = {"line": ""}

    def unfinished() -> bool:
        counts = _counts(realm_id, invoice_ids)
        return counts["queued"] + counts["sending"] > 0

    def tick():
        c = _counts(realm_id, invoice_ids)
        line = (f"  {c['exported'] + c['failed']}/{len(invoice_ids)} done "
                f"({c['exported']} exported, {c['failed']} failed, {c['sending']} sending)")
        if line != last["line"]:
            click.echo(line)
            last["line"] = line

    if unfinished():
        worker = ExportWorker(current_app._get_current_object(), threads=threads)
        if not worker.run_until(lambda: not unfinished(), on_tick=tick, timeout=timeout):
            click.echo("Timed out waiting; unfinished invoices stay queued and will be resumed.")
    records.close_finished_jobs()
    db.session.commit()


def summary(invoice_ids: list[int], realm_id: str) -> None:
    from extensions import db
    from models import Invoice
    from services import export

    states = export.states_for(realm_id, invoice_ids)
    numbers = {i.id: i.number for i in db.session.scalars(
        db.select(Invoice).where(Invoice.id.in_(invoice_ids)))}
    counts: dict[str, int] = {}
    for invoice_id in invoice_ids:
        record = states.get(invoice_id)
        status = record.status.value if record else "not exported"
        counts[status] = counts.get(status, 0) + 1
        if record and record.status.value == "failed":
            click.echo(f"  FAILED {numbers[invoice_id]}: {record.last_error}")
    click.echo("Summary: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
