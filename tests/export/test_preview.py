"""The preview sends nothing, and its totals and lines are what export then creates in QuickBooks,
invoice by invoice: on the demo agency's data and on rounding-sensitive rates."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from extensions import db
from tests.export.conftest import REALM, run_jobs, seed_books, start_job
from tests.fixtures.sandbox import create_entity, doc_numbers, entity_id, usage_of


def preview_of(books, invoice_ids=None, live=True):
    from models import InvoiceBatch
    from services.export import preview
    from services.export.client import make_client

    with books.app.app_context():
        batch = db.session.get(InvoiceBatch, books.batch_id)
        found = preview.build(batch, invoice_ids, REALM, make_client(books.app) if live else None)
        db.session.expunge_all()
        return found


def assert_preview_is_what_export_created(books, found):
    from models.export import InvoiceExport

    docs = {doc["Id"]: doc for doc in books.qbo_invoices()}
    with books.app.app_context():
        records = {r.invoice_id: r for r in db.session.scalars(db.select(InvoiceExport))}
    compared = 0
    for p in found.sendable:
        doc = docs[records[p.invoice_id].qbo_id]
        assert Decimal(str(doc["TotalAmt"])) == p.qbo_total == p.agency_subtotal, p.number
        assert doc["DocNumber"] == p.doc_number and doc["CustomerRef"]["value"] == p.customer_id
        sent = [(l["SalesItemLineDetail"]["ItemRef"]["value"], Decimal(str(l["SalesItemLineDetail"]["Qty"])),
                 Decimal(str(l["SalesItemLineDetail"]["UnitPrice"])), Decimal(str(l["Amount"])), l.get("Description", ""))
                for l in doc["Line"] if l["DetailType"] == "SalesItemLineDetail"]
        shown = [(l.item_id, l.qty, l.rate, l.amount, l.description) for l in p.lines]
        assert sent == shown, p.number
        compared += 1
    return compared


def test_preview_sends_nothing_and_equals_the_export(books):
    before_numbers, before_usage = doc_numbers(books.sandbox, REALM), usage_of(books.sandbox, REALM)
    found = preview_of(books)
    assert doc_numbers(books.sandbox, REALM) == before_numbers
    assert usage_of(books.sandbox, REALM)["writes"] == before_usage["writes"]
    assert found.checked_in_qbo and len(found.sendable) == 12
    assert found.by_customer()[0][1] == 1 and sum(a for _n, _c, a in found.by_item()) == found.qbo_total
    start_job(books)
    run_jobs(books)
    assert assert_preview_is_what_export_created(books, found) == 12
    again = preview_of(books)
    assert not again.sendable and all("In QuickBooks" in p.already for p in again.invoices)


def _rounding_batch(books):
    """A second batch: an amount rounded another way (2.33 h × $27.50 billed $64.07), a mileage
    rate of $0.655 and a rate with 3 decimals, for the 12 books' customers."""
    from models import BatchStatus, Invoice, LineKind
    from models.sync_settings import ItemMapping
    from tests.fixtures.agency import InvoiceBatchFactory, InvoiceFactory, ServiceLineFactory

    with books.app.app_context():
        first = db.session.get(Invoice, books.invoice_ids[0])
        mileage = create_entity(books.sandbox, REALM, "Item", {"Name": "Mileage", "Type": "Service",
                                "IncomeAccountRef": {"value": entity_id(books.sandbox, REALM, "Account", "Services")}})
        db.session.add(ItemMapping(realm_id=REALM, slot="mileage", qbo_item_id=mileage["Id"], qbo_item_name="Mileage"))
        batch = InvoiceBatchFactory(number="B-0002", office=first.batch.office)
        start = batch.period_start
        service = first.lines[0].service_type
        for n, invoice_id in enumerate(books.invoice_ids):
            client = db.session.get(Invoice, invoice_id).client
            lines = [ServiceLineFactory.build(position=1, service_type=service, quantity=Decimal("2.33"),
                                              rate=Decimal("27.50"), amount=Decimal("64.07")),
                     ServiceLineFactory.build(position=2, kind=LineKind.MILEAGE, service_type=None, description="Mileage",
                                              quantity=Decimal(37 + n), rate=Decimal("0.655")),
                     ServiceLineFactory.build(position=3, service_type=service, service_date=start + timedelta(days=3),
                                              quantity=Decimal("1.25"), rate=Decimal("33.333"))]
            InvoiceFactory(batch=batch, number=str(7001 + n), client=client, lines=lines)
        db.session.flush()
        batch.status = BatchStatus.FINALIZED
        db.session.commit()
        return batch.id


def test_rounding_sensitive_rates_preview_equals_the_export(books):
    from models.sync_settings import LineGrouping, SyncSettings

    books.batch_id = _rounding_batch(books)
    found = preview_of(books)
    rewritten = found.sendable[0].warnings
    assert any("sent as 1 × $64.07" in w for w in rewritten), rewritten
    assert found.sendable[0].lines[1].rate == Decimal("0.655")
    start_job(books, books_invoice_ids(books))
    run_jobs(books)
    assert assert_preview_is_what_export_created(books, found) == 12

    # One line per service type: the two service lines (different rates) are summed.
    with books.app.app_context():
        db.session.scalar(db.select(SyncSettings)).line_grouping = LineGrouping.PER_SERVICE_TYPE
        db.session.commit()
    books.batch_id = _first_batch_id(books)
    grouped = preview_of(books)
    assert all(len(p.lines) == 1 for p in grouped.sendable)
    start_job(books)
    run_jobs(books)
    assert assert_preview_is_what_export_created(books, grouped) == 12


def books_invoice_ids(books):
    from models import Invoice

    with books.app.app_context():
        return list(db.session.scalars(db.select(Invoice.id).where(Invoice.batch_id == books.batch_id)))


def _first_batch_id(books):
    from models import Invoice

    with books.app.app_context():
        return db.session.get(Invoice, books.invoice_ids[0]).batch_id


def test_demo_agency_preview_equals_the_export(export_app, sandbox_live):
    from models import BatchStatus, CustomerLink, Invoice, InvoiceBatch, LineKind, LinkKind, LinkSource, User
    from models.sync_settings import ItemMapping, SyncSettings
    from services.demo_seed import seed_demo_agency
    from services.qbo_tax.profile import TaxProfile, store
    from tests.export.conftest import Books

    sandbox = sandbox_live.app
    with export_app.app_context():
        seed_demo_agency(db.session)
        batch = db.session.scalars(db.select(InvoiceBatch).where(InvoiceBatch.status == BatchStatus.FINALIZED)
                                   .order_by(InvoiceBatch.period_end.desc())).first()
        invoices = db.session.scalars(db.select(Invoice).where(Invoice.batch_id == batch.id,
                                                               Invoice.payer_id.is_(None))).all()[:25]
        income = entity_id(sandbox, REALM, "Account", "Services")
        db.session.add(SyncSettings(realm_id=REALM))
        for slot in ["service:default"] + [k.value for k in LineKind if k not in (LineKind.SERVICE, LineKind.TAX)]:
            item = create_entity(sandbox, REALM, "Item", {"Name": f"Demo {slot.replace(':', ' ')}", "Type": "Service",
                                                          "IncomeAccountRef": {"value": income}})
            db.session.add(ItemMapping(realm_id=REALM, slot=slot, qbo_item_id=item["Id"], qbo_item_name=item["Name"]))
        for invoice in invoices:
            customer = create_entity(sandbox, REALM, "Customer", {"DisplayName": f"{invoice.client.full_name} {invoice.client.code}"})
            db.session.add(CustomerLink(realm_id=REALM, kind=LinkKind.CLIENT, client_id=invoice.client_id,
                                        qbo_customer_id=customer["Id"], qbo_display_name=customer["DisplayName"],
                                        source=LinkSource.MANUAL))
        db.session.commit()
        store(TaxProfile(realm_id=REALM, country="US"))
        owner = db.session.scalar(db.select(User).order_by(User.id))
        books = Books(app=export_app, sandbox=sandbox, sandbox_url=sandbox_live.base_url, batch_id=batch.id,
                      invoice_ids=[i.id for i in invoices], user_id=owner.id)
    found = preview_of(books, books.invoice_ids)
    assert len(found.sendable) == len(books.invoice_ids), [p.problem for p in found.invoices if p.problem]
    start_job(books)
    run_jobs(books)
    assert assert_preview_is_what_export_created(books, found) == len(books.invoice_ids)
