"""CLI for getting data in: `flask demo seed|ensure`, `flask clients import`, `flask invoices import`.

Each command calls a plain service function and exits non-zero when it did not do its job, so
scripts (and `make run`) can rely on the exit status.
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from cli import demo_cli

clients_cli = AppGroup("clients", help="Agency clients.")
invoices_cli = AppGroup("invoices", help="Invoice batches.")


def register(app: Flask) -> None:
    demo_cli.add_command(seed_command)
    demo_cli.add_command(ensure_command)
    app.cli.add_command(clients_cli)
    app.cli.add_command(invoices_cli)


@click.command("seed")
@click.option("--reset", is_flag=True, help="Delete EVERY row of the CareLedger database first, then seed.")
@click.option("--yes", is_flag=True, help="Do not ask before --reset deletes data.")
@click.option("--seed", "rng_seed", type=int, default=None, help="Random seed (default: the documented one).")
def seed_command(reset: bool, yes: bool, rng_seed: int | None) -> None:
    """Seed the demo agency "Sunrise Home Care" (does nothing if the database already has data)."""
    from extensions import db
    from services.demo_seed import DEFAULT_SEED, seed_demo_agency

    if reset and not yes:
        click.confirm("--reset deletes every client, batch, invoice, user and QuickBooks link in "
                      f"{current_app.config['SQLALCHEMY_DATABASE_URI']}. Continue?", abort=True)
    report = seed_demo_agency(db.session, rng_seed=DEFAULT_SEED if rng_seed is None else rng_seed, reset=reset)
    click.echo(report.text())


@click.command("ensure")
def ensure_command() -> None:
    """Seed the demo agency only if the database is empty (used by `make run`)."""
    from services.demo_seed import ensure_demo_data

    from demo_data.logins import LOCAL_QBO_LOGIN

    click.echo(ensure_demo_data(current_app).text())
    if current_app.config.get("QBO_SANDBOX_ENABLED") and current_app.config.get("QBO_ENVIRONMENT") == "local":
        click.echo(f"  Local QuickBooks sandbox sign-in: {LOCAL_QBO_LOGIN['email']:<28} {LOCAL_QBO_LOGIN['password']}"
                   "   (in the Connect-to-QuickBooks pop-up)")
    click.echo(f"\nOpen {current_app.config['BASE_URL']} in your browser.")


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
