"""`flask qbo match-file CLIENTS.csv CUSTOMERS.json`: run the matching engine on two files and
print `client_id,qbo_customer_id,score,status,reason` for every client (CSV on stdout)."""
from __future__ import annotations

import sys

import click


@click.command("match-file")
@click.argument("clients_csv", type=click.Path(exists=True, dir_okay=False))
@click.argument("customers_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--summary/--no-summary", default=False,
              help="Also print counts per status on stderr.")
def match_file_command(clients_csv: str, customers_json: str, summary: bool) -> None:
    """Match a clients CSV against a QBO customers JSON (a query response) and print proposals."""
    from services.matching.files import match_files

    try:
        proposals = match_files(clients_csv, customers_json, sys.stdout)
    except (ValueError, KeyError) as error:
        raise click.ClickException(f"Could not read the files: {error}") from None
    if summary:
        counts: dict[str, int] = {}
        for p in proposals:
            counts[p.status] = counts.get(p.status, 0) + 1
        click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())), err=True)
