"""`flask qbo export --batch N --dry-run`: the batch page's preview as text (services/export/preview.py),
sending nothing to QuickBooks (it only reads there: numbers in use, inactive items and customers)."""
from __future__ import annotations

import click


def _money(value) -> str:
    return f"${value:,.2f}"


def print_preview(batch, invoice_ids, realm_id: str) -> int:
    """Print the preview; returns the exit code (0, or 1 when some invoice cannot be exported)."""
    from extensions import db
    from qbo.errors import QboError
    from services.export import preview
    from services.export.client import make_client

    try:
        client = make_client()
    except QboError:
        client = None
    found = preview.build(batch, invoice_ids, realm_id, client)
    db.session.commit()
    click.echo(f"Batch {batch.number}: preview, nothing sent.")
    if found.qbo_problem:
        click.echo(f"  ! {found.qbo_problem}")
    for p in found.invoices:
        if p.problem:
            click.echo(f"Invoice {p.number} ({p.client_name}): CANNOT BE EXPORTED: {p.problem}")
            continue
        note = f" [{p.already}]" if p.already else ""
        click.echo(f"Invoice {p.number} → {p.doc_number}, customer {p.customer}{note}")
        for line in p.lines:
            served = line.service_date.isoformat() if line.service_date else "-"
            where = f" [{line.class_name}]" if line.class_name else ""
            click.echo(f"    {served}  {line.item}{where}  {line.qty.normalize()} × {line.rate} = "
                       f"{_money(line.amount)}  {line.description}")
        click.echo(f"    QuickBooks total {_money(p.qbo_total)} (tax excluded) · agency {_money(p.agency_subtotal)}"
                   f" + tax {_money(p.agency_tax)}")
        for warning in p.warnings:
            click.echo(f"    ! {warning}")
    click.echo("By item: " + "; ".join(f"{name} {_money(amount)} ({n} lines)" for name, n, amount in found.by_item()))
    click.echo("By customer: " + "; ".join(f"{name} {_money(amount)}" for name, _n, amount in found.by_customer()))
    click.echo(f"Would send {len(found.sendable)} invoice(s), QuickBooks total {_money(found.qbo_total)}, "
               f"{found.warning_count} warning(s).")
    return 1 if any(p.problem for p in found.invoices) else 0
