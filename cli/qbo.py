"""`flask qbo …`: the QuickBooks group. status | disconnect | rotate-key | poll live here; export and
match-file have modules of their own (cli/export.py, cli/matching.py) and join the group below.

Prints the same facts as the Installation tab; never prints a token. With the built-in local
sandbox, the CLI talks to the sandbox inside this process (no server needs to be running).
"""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from cli.export import export_command
from cli.export_time import export_time_command
from cli.matching import match_file_command
from cli.undo import undo_command

qbo_cli = AppGroup("qbo", help="QuickBooks Online.")
qbo_cli.add_command(export_command)
qbo_cli.add_command(export_time_command)
qbo_cli.add_command(match_file_command)
qbo_cli.add_command(undo_command)


def _use_in_process_sandbox() -> None:
    from services.qbo_connection import local as local_sandbox

    local_sandbox.reach_in_process(current_app._get_current_object())


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


@qbo_cli.command("status")
@click.option("--check", is_flag=True, help="Also make one call to QuickBooks (CompanyInfo).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_appcontext
def status_command(check: bool, as_json: bool) -> None:
    """Show the QuickBooks connection: company, environment, who/when, expiry, last call/error."""
    from services import qbo_connection

    if check:
        _use_in_process_sandbox()
        view = qbo_connection.check_connection()
    else:
        view = qbo_connection.connection_status()
    if as_json:
        click.echo(json.dumps(view.as_public_dict(), indent=2))
        return
    rows = [
        ("Status", view.status_label),
        ("Company", f"{view.company_name or '—'}" + (f" (company id {view.realm_id})" if view.realm_id else "")),
        ("Environment", view.environment_label),
        ("Connected by", f"{view.connected_by or '—'} at {_when(view.connected_at)}"),
        ("Sign-in valid until", _when(view.refresh_expires_at) if view.is_connected else "—"),
        ("Last successful call", _when(view.last_success_at)),
        ("Last problem", f"{view.last_error} ({_when(view.last_error_at)})" if view.last_error else "None"),
    ]
    if view.config_missing:
        rows.append(("Configuration missing", ", ".join(view.config_missing)))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{label.ljust(width)}  {value}")
    if view.needs_reconnect:
        click.echo("\nReconnect to QuickBooks: Accounting > QuickBooks Integration > Installation.")


@qbo_cli.command("disconnect")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def disconnect_command(yes: bool) -> None:
    """Revoke CareLedger's access at Intuit and forget the tokens (settings and matches stay)."""
    from services import qbo_connection

    view = qbo_connection.connection_status()
    if view.status.value == "not_connected":
        click.echo("QuickBooks was not connected.")
        return
    if not yes:
        click.confirm(f"Disconnect from {view.company_name or 'QuickBooks'}?", abort=True)
    _use_in_process_sandbox()
    result = qbo_connection.disconnect()
    click.echo(result.message)
    if not result.revoked:
        raise SystemExit(1)


@qbo_cli.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Re-encrypt stored tokens with the first key of TOKEN_ENCRYPTION_KEY (after adding a new one)."""
    from extensions import db
    from models.qbo import QboConnection, QboOAuthState
    from services.qbo_connection import crypto as qbo_crypto

    changed = 0
    for conn in db.session.query(QboConnection):
        for column in ("access_token_enc", "refresh_token_enc"):
            if getattr(conn, column):
                setattr(conn, column, qbo_crypto.rotate(getattr(conn, column)))
                changed += 1
    for state in db.session.query(QboOAuthState).filter(QboOAuthState.pending_tokens_enc.isnot(None)):
        state.pending_tokens_enc = qbo_crypto.rotate(state.pending_tokens_enc)
        changed += 1
    db.session.commit()
    click.echo(f"Re-encrypted {changed} stored token value(s) with the current key.")


@qbo_cli.command("poll")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_appcontext
def poll_command(as_json: bool) -> None:
    """Check QuickBooks once for payments, voids, deletes and customer changes (one CDC read).
    Waits for nothing: if another process is checking, says so and exits 1."""
    from services.payments.poll import poll_realm

    _use_in_process_sandbox()
    result = poll_realm(current_app._get_current_object())
    applied = result.applied
    if as_json:
        click.echo(json.dumps({"ran": result.ran, "ok": result.ok, "reason": result.reason,
                               "reads": result.reads, "since": result.since.isoformat() if result.since else None,
                               "invoices": applied.invoices, "payments": applied.payments,
                               "customers": applied.customers, "notes": applied.notes}, indent=2))
    elif result.ok:
        click.echo(f"Checked QuickBooks changes since {_when(result.since)} in {result.reads} read(s): "
                   f"{applied.invoices} invoice(s), {applied.payments} payment(s), {applied.customers} customer(s).")
        for note in applied.notes:
            click.echo(f"- {note}")
    else:
        click.echo(result.reason)
    if not result.ok:
        raise SystemExit(1)
