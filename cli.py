"""Command-line entry points (`flask …`), grouped by feature; each calls a plain service function."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    __import__("cli_data").register(app)  # demo seed, clients/invoices CSV import
    __import__("cli_export").register(app)  # flask qbo export --batch N; starts the export worker
    __import__("cli_matching").register(app)  # flask qbo match-file CLIENTS.csv CUSTOMERS.json
    __import__("cli_qbo").register(app)  # flask qbo status / disconnect / rotate-key


demo_cli = AppGroup("demo", help="The demo agency.")
users_cli = AppGroup("users", help="Manage login accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["owner", "admin", "agency_user"]), required=True)
@click.password_option()
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create a login account (e.g. the first Owner of a real installation)."""
    from extensions import db
    from models import Role, User

    user = User(email=email.strip().lower(), name=name, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {user.email}")
