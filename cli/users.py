"""`flask users create`: login accounts from the command line (e.g. a real installation's first Owner).

The same rules as the Users page (services/agency/users.py): a unique e-mail, a password of at least
MIN_PASSWORD_LENGTH characters, offices for an Agency User. A refusal prints why and exits 1.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage login accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["owner", "admin", "agency_user"]), required=True)
@click.option("--office", "office_codes", multiple=True,
              help="Office code an Agency User works in (repeat for several).")
@click.password_option()
def create_user(email: str, name: str, role: str, office_codes: tuple[str, ...], password: str) -> None:
    """Create a login account (e.g. the first Owner of a real installation)."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from extensions import db
    from models import Office, Role
    from services.agency.users import UserRuleError, create_user as create_account

    office_ids = list(db.session.scalars(select(Office.id).where(Office.code.in_(office_codes))))
    if len(office_ids) != len(set(office_codes)):
        raise click.ClickException("Unknown office code among: " + ", ".join(office_codes))
    try:
        user = create_account(name, email, Role(role), password, office_ids)
        db.session.commit()
    except UserRuleError as refused:
        db.session.rollback()
        raise click.ClickException(f"{refused} Nothing was changed.") from None
    except IntegrityError:  # the same e-mail created a moment ago by someone else
        db.session.rollback()
        raise click.ClickException("Another account already uses this e-mail. Nothing was changed.") from None
    click.echo(f"Created {role} {user.email}")
