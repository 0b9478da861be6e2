"""Seed a large agency into a throwaway SQLite database for the load benchmark: 5,000 clients
(most linked to cached QuickBooks customers, the rest proposed by the matcher), finalized batches
of 1,000 and 100 invoices plus a year of small ones, sync settings with item mappings, and a
connection marked connected (no tokens: the pages measured never call QuickBooks).

    .venv/bin/python -m bench.large_agency /tmp/agency.sqlite [--clients 5000] [--invoices 1000]

Rows go in with Core executemany (seconds, not minutes). `exported` of the big batch's invoices
get an export record in QuickBooks, so the pages draw every kind of row.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REALM = "9341453100000777"
OWNER = ("owner@bench.test", "bench-owner-pw")
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Abena"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson"]


@dataclass
class Seeded:
    database_url: str
    big_batch_id: int
    small_batch_id: int
    invoices_big: int
    invoices_small: int


def app_config(database_url: str, instance: Path) -> dict:
    return {"SECRET_KEY": "bench-load", "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
            "QBO_SANDBOX_ENABLED": False, "QBO_EXPORT_WORKER": "off", "QBO_ENVIRONMENT": "local",
            "QBO_API_BASE_URL": "http://127.0.0.1:9", "BASE_URL": "http://127.0.0.1",
            "SESSION_COOKIE_SECURE": False, "LOGIN_MAX_FAILURES": 10_000}


def _name(n: int) -> tuple[str, str]:
    return FIRST[n % len(FIRST)], f"{LAST[(n // len(FIRST)) % len(LAST)]}{'' if n < 600 else n // 600}"


def seed(path: Path, clients: int = 5000, invoices: int = 1000, small: int = 100, exported: int = 600) -> Seeded:
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from app import create_app
    from extensions import db
    from models import (Agency, BatchStatus, Client, CustomerLink, Invoice, InvoiceBatch, InvoiceLine, LineKind,
                        LinkKind, LinkSource, Office, Payer, PayerKind, ServiceType, User)
    from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus
    from models.matching_state import CustomerListState, QboCustomerCopy
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from models.sync_settings import ItemMapping, SyncSettings
    from models.users import Role

    url = f"sqlite:///{path}"
    app = create_app(app_config(url, path.parent / "instance"))
    with app.app_context():
        db.create_all()
        agency = Agency(name="Large Bench Care")
        offices = [Office(agency=agency, name=f"Office {c}", code=c) for c in ("NORTH", "SOUTH", "EAST")]
        owner = User(email=OWNER[0], name="Bench Owner", role=Role.OWNER,
                     password_hash=generate_password_hash(OWNER[1]))
        service = ServiceType(name="Personal care", code="PC")
        payer = Payer(name="State Medicaid Waiver", kind=PayerKind.MEDICAID_WAIVER)
        db.session.add_all(offices + [owner, service, payer])
        db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED, environment="local",
                                     realm_id=REALM, company_name="Large Bench Care LLC"))
        db.session.add(SyncSettings(realm_id=REALM))
        db.session.add(ItemMapping(realm_id=REALM, slot="service:default", qbo_item_id="1",
                                   qbo_item_name="Home care visit"))
        db.session.flush()
        office_ids = [o.id for o in offices]
        db.session.execute(insert(Client), [
            dict(code=f"C{n:05d}", office_id=office_ids[0] if n < clients * 0.6 else office_ids[1 + n % 2],
                 first_name=_name(n)[0], last_name=_name(n)[1]) for n in range(clients)])
        client_ids = list(db.session.scalars(select(Client.id).order_by(Client.id)))
        db.session.execute(insert(QboCustomerCopy), [
            dict(realm_id=REALM, qbo_id=str(1000 + n), display_name=f"{_name(n)[1]}, {_name(n)[0]}",
                 fully_qualified_name=f"{_name(n)[1]}, {_name(n)[0]}") for n in range(clients + clients // 10)])
        db.session.add(CustomerListState(realm_id=REALM, customer_count=clients + clients // 10))
        linked = int(clients * 0.95)  # the rest: left for Client Matching to propose
        db.session.execute(insert(CustomerLink), [
            dict(realm_id=REALM, kind=LinkKind.CLIENT, client_id=client_ids[n], qbo_customer_id=str(1000 + n),
                 qbo_display_name=f"{_name(n)[1]}, {_name(n)[0]}", source=LinkSource.MANUAL)
            for n in range(linked)])
        start = date(2026, 10, 1)
        big = _batch(db, InvoiceBatch, "B-2026-10-BIG", office_ids[0], start)
        small_batch = _batch(db, InvoiceBatch, "B-2026-10-SMALL", office_ids[1], start)
        history = [_batch(db, InvoiceBatch, f"B-2025-{m:02d}-{c}", office_ids[k], date(2025, m, 1))
                   for m in range(1, 13) for k, c in enumerate(("N", "S", "E"))]
        number = 100000
        plan = [(big, invoices), (small_batch, small)] + [(b, 20) for b in history]
        for batch, count in plan:
            rows = []
            for n in range(count):
                client = client_ids[(n * 7 + batch) % clients]
                rows.append(dict(batch_id=batch, number=str(number), client_id=client,
                                 payer_id=payer.id if n % 5 == 0 else None,
                                 invoice_date=start + timedelta(days=14), due_date=start + timedelta(days=44),
                                 period_start=start, period_end=start + timedelta(days=13)))
                number += 1
            db.session.execute(insert(Invoice), rows)
        ids = db.session.execute(select(Invoice.id, Invoice.batch_id)).all()
        lines = []
        for invoice_id, _batch_id in ids:
            hours = Decimal(2 + invoice_id % 5)
            lines.append(dict(invoice_id=invoice_id, position=1, kind=LineKind.SERVICE, service_type_id=service.id,
                              description="Visit", service_date=start, quantity=hours, rate=Decimal("28.50"),
                              amount=hours * Decimal("28.50")))
            lines.append(dict(invoice_id=invoice_id, position=2, kind=LineKind.SERVICE, service_type_id=service.id,
                              description="Visit", service_date=start + timedelta(days=3), quantity=Decimal("3.5"),
                              rate=Decimal("31.00"), amount=Decimal("108.50")))
            if invoice_id % 2 == 0:
                lines.append(dict(invoice_id=invoice_id, position=3, kind=LineKind.TAX, description="Tax",
                                  quantity=Decimal(1), rate=Decimal("4.10"), amount=Decimal("4.10")))
        db.session.execute(insert(InvoiceLine), lines)
        db.session.execute(InvoiceBatch.__table__.update().values(status=BatchStatus.FINALIZED.value))
        job = ExportJob(realm_id=REALM, batch_id=big, requested_by_id=owner.id, status=JobStatus.DONE,
                        selected=exported, queued=exported)
        db.session.add(job)
        db.session.flush()
        big_ids = list(db.session.scalars(select(Invoice.id).where(Invoice.batch_id == big).order_by(Invoice.number)))
        linked_clients = set(client_ids[:linked])
        clients_of = dict(db.session.execute(select(Invoice.id, Invoice.client_id).where(Invoice.batch_id == big)).all())
        chosen = [i for i in big_ids if clients_of[i] in linked_clients][:exported]
        db.session.execute(insert(InvoiceExport), [
            dict(realm_id=REALM, invoice_id=invoice_id, job_id=job.id, status=ExportStatus.EXPORTED,
                 request_id=f"{invoice_id:032x}", doc_number=str(invoice_id), qbo_id=str(50000 + invoice_id),
                 qbo_total=Decimal("100.00"), attempts=1) for invoice_id in chosen])
        db.session.commit()
        from services.client_matching.proposals import recompute_proposals

        recompute_proposals(REALM)
        db.session.commit()
        return Seeded(url, big, small_batch, invoices, small)


def _batch(db, InvoiceBatch, number: str, office_id: int, start: date) -> int:
    from models import BatchStatus

    batch = InvoiceBatch(number=number, office_id=office_id, status=BatchStatus.DRAFT, period_start=start,
                         period_end=start + timedelta(days=13))
    db.session.add(batch)
    db.session.flush()
    return batch.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--invoices", type=int, default=1000)
    args = parser.parse_args()
    seeded = seed(args.path, args.clients, args.invoices)
    print(seeded)


if __name__ == "__main__":
    main()
