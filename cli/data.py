"""`flask clients import` and `flask invoices import`: CSV files in, all rows or none.

Each command calls a plain service function and exits non-zero when it did not do its job, so
scripts can rely on the exit status.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

clients_cli = AppGroup("clients", help="Agency clients.")
invoices_cli = AppGroup("invoices", help="Invoice batches.")


def _report(result) -> None:
    if result.ok:
        click.echo(result.summary)
        return
    click.echo(result.summary, err=True)
    for error in result.errors:
        click.echo(f"  {error}", err=True)
    click.get_current_context().exit(1)


@clients_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_clients_command(file: str) -> None:
    """Import clients from a CSV file (upsert by client_code; all rows or none)."""
    from extensions import db
    from services.imports import import_clients_csv

    with open(file, "rb") as stream:
        _report(import_clients_csv(stream, db.session))


@invoices_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--finalize", is_flag=True, help="Finalize the batches in the file after importing them.")
def import_invoices_command(file: str, finalize: bool) -> None:
    """Import invoice lines from a CSV file into draft batches (all rows or none)."""
    from extensions import db
    from services.imports import import_invoices_csv

    with open(file, "rb") as stream:
        _report(import_invoices_csv(stream, db.session, finalize=finalize))
