"""`flask demo seed|ensure`: the demo agency "Sunrise Home Care" (`make run` uses `ensure`)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="The demo agency.")


@demo_cli.command("seed")
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


@demo_cli.command("ensure")
def ensure_command() -> None:
    """Seed the demo agency only if the database is empty (used by `make run`)."""
    from demo_data.logins import LOCAL_QBO_LOGIN
    from services.qbo_connection import local as local_sandbox
    from services.demo_seed import ensure_demo_data

    click.echo(ensure_demo_data(current_app).text())
    if local_sandbox.is_enabled(current_app.config):
        click.echo(f"  Local QuickBooks sandbox sign-in: {LOCAL_QBO_LOGIN['email']:<28} {LOCAL_QBO_LOGIN['password']}"
                   "   (in the Connect-to-QuickBooks pop-up)")
    click.echo(f"\nOpen {current_app.config['BASE_URL']} in your browser.")
