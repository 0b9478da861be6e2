"""`flask caregivers import`: a caregivers CSV in, all rows or none (exit 1 with every problem)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from cli.data import _report

caregivers_cli = AppGroup("caregivers", help="The agency's caregivers.")


@caregivers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_caregivers_command(file: str) -> None:
    """Import caregivers from a CSV file (upsert by caregiver_code; all rows or none)."""
    from extensions import db
    from services.imports import import_caregivers_csv

    with open(file, "rb") as stream:
        _report(import_caregivers_csv(stream, db.session))
