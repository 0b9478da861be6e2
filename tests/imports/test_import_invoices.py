"""Invoice batches CSV import: draft batches from good files; every kind of bad row refused whole."""
from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from models import BatchStatus, Invoice, InvoiceBatch, LineKind
from services.imports import import_clients_csv, import_invoices_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "demo_data" / "examples"
COLUMNS = ("batch_number,office,period_start,period_end,invoice_number,client_code,payer,invoice_date,due_date,"
           "line_kind,service_type,service_date,caregiver,start_time,end_time,quantity,rate,description,taxable")
HEADER = COLUMNS + "\n"
BATCH = "B-2026-11-MAIN-02,Main Office,2026-11-01,2026-11-15"
VISIT = f"{BATCH},INV-1,C0001,,2026-11-16,,service,Personal Care,2026-11-03,Grace Liu,09:00,13:00,4,32.50,,"


def _row(**changes) -> str:
    """A good visit row with some cells replaced by column name."""
    cells = dict(zip(COLUMNS.split(","), VISIT.split(",")))
    cells.update(changes)
    return ",".join(cells.values()) + "\n"


def _batch(db, number):
    db.session.expire_all()
    return db.session.scalar(select(InvoiceBatch).where(InvoiceBatch.number == number))


def test_example_files_import_into_the_seeded_demo(db, seeded):
    with open(EXAMPLES / "clients.csv", "rb") as stream:
        assert import_clients_csv(stream, db.session).ok
    with open(EXAMPLES / "invoices.csv", "rb") as stream:
        result = import_invoices_csv(stream, db.session)
    assert result.ok, result.errors
    assert result.created == 3
    assert "3 invoices (11 lines) into 2 draft batches" in result.summary
    lake = _batch(db, "B-2026-11-LAKE-02")
    assert lake.status == BatchStatus.DRAFT and lake.office.name == "Lakeside"
    first = next(i for i in lake.invoices if i.number == "INV-30001")
    assert [l.kind for l in first.lines][:3] == [LineKind.SERVICE, LineKind.SERVICE, LineKind.HOLIDAY_PREMIUM]
    assert first.lines[0].start_time == time(9) and first.lines[0].end_time == time(13)
    assert first.lines[0].caregiver_name == "Grace Liu" and first.lines[0].service_type.code == "PC"
    assert first.total == Decimal("368.94")  # 130+130+65+15.68+38.20+3.06-13.00
    assert first.tax == Decimal("3.06") and any(l.taxable for l in first.lines)
    va = next(i for i in lake.invoices if i.number == "INV-30002")
    assert va.payer.name == "VA Community Care Network" and va.due_date == date(2026, 12, 31)
    north = _batch(db, "B-2026-11-NORTH-02").invoices[0]
    assert north.due_date == date(2026, 12, 16)  # empty due_date: invoice date + 30 days


def test_rows_of_one_invoice_need_not_be_adjacent_and_amount_is_derived(db, reference_data, csv_file):
    text = (HEADER + _row() + _row(invoice_number="INV-2", client_code="C0002")
            + _row(service_date="2026-11-04", quantity="2.25", rate="28.1234", start_time="9:00 AM",
                   end_time="11:15 AM"))
    result = import_invoices_csv(csv_file(text), db.session)
    assert result.ok, result.errors
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-1"))
    assert len(invoice.lines) == 2
    assert invoice.lines[1].amount == Decimal("63.28")  # round(2.25 x 28.1234, 2)
    assert invoice.lines[1].end_time == time(11, 15)


def test_adds_to_an_existing_draft_batch_and_can_finalize(db, reference_data, csv_file):
    assert import_invoices_csv(csv_file(HEADER + _row()), db.session).ok
    result = import_invoices_csv(csv_file(HEADER + _row(invoice_number="INV-2", client_code="C0002")),
                                 db.session, finalize=True)
    assert result.ok, result.errors
    batch = _batch(db, "B-2026-11-MAIN-02")
    assert batch.status == BatchStatus.FINALIZED and batch.finalized_at is not None
    assert sorted(i.number for i in batch.invoices) == ["INV-1", "INV-2"]


def test_us_dates_money_signs_and_discount(db, reference_data, csv_file):
    text = (HEADER + _row(period_start="11/1/2026", period_end="11/15/2026", invoice_date="11/16/2026",
                          rate="$32.50")
            + _row(line_kind="discount", service_type="", service_date="", start_time="", end_time="",
                   quantity="1", rate="(10.00)", description="Courtesy credit"))
    result = import_invoices_csv(csv_file(text), db.session)
    assert result.ok, result.errors
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-1"))
    assert invoice.total == Decimal("120.00")


BAD_ROWS = {
    "unknown office": (_row(office="Downtown"), "office", "Unknown office"),
    "unknown service type": (_row(service_type="Gardening"), "service_type", "Unknown service type"),
    "service without type": (_row(service_type=""), "service_type", "needs a service_type"),
    "service without date": (_row(service_date=""), "service_date", "needs a service_date"),
    "unknown payer": (_row(payer="Acme Health"), "payer", "Unknown payer 'Acme Health'"),
    "unknown client": (_row(client_code="C9999"), "client_code", "Unknown client code 'C9999'"),
    "bad date": (_row(service_date="2026-02-30"), "service_date", "not a date"),
    "two-digit year": (_row(invoice_date="11/16/26"), "invoice_date", "not a date"),
    "service date outside period": (_row(service_date="2026-11-20"), "service_date", "outside the period"),
    "period backwards": (_row(period_end="2026-10-15"), "period_end", "before period_start"),
    "due before invoice": (_row(due_date="2026-11-01"), "due_date", "before invoice_date"),
    "bad number": (_row(quantity="four"), "quantity", "not a number"),
    "too many decimals": (_row(quantity="4.125"), "quantity", "more than 2 decimal places"),
    "negative hours": (_row(quantity="-4"), "quantity", "not positive"),
    "zero hours": (_row(quantity="0"), "quantity", "not positive"),
    "visit over 24 hours": (_row(quantity="25", start_time="", end_time=""), "quantity", "more than 24"),
    "negative rate": (_row(rate="-32.50"), "rate", "negative"),
    "positive discount": (_row(line_kind="discount", rate="5"), "rate", "needs a negative rate"),
    "end before start": (_row(start_time="13:00", end_time="09:00"), "end_time", "not after start_time"),
    "only a start time": (_row(end_time=""), "end_time", "both start_time and end_time"),
    "bad time": (_row(start_time="25:00"), "start_time", "not a time of day"),
    "unknown line kind": (_row(line_kind="tip"), "line_kind", "Unknown line_kind 'tip'"),
    "missing quantity": (_row(quantity=""), "quantity", "required"),
    "bad taxable": (_row(taxable="sometimes"), "taxable", "not yes/no"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_bad_row_imports_nothing_and_names_line_and_reason(db, reference_data, csv_file, row_counts, case):
    bad, column, fragment = BAD_ROWS[case]
    good_other = _row(invoice_number="INV-2", client_code="C0002")
    text = HEADER + good_other + "\n" + bad  # blank line 3: the bad row is physical line 4
    before = row_counts()
    result = import_invoices_csv(csv_file(text), db.session)
    assert not result.ok and result.created == 0
    assert row_counts() == before
    assert [(e.line, e.column) for e in result.errors] == [(4, column)], result.errors
    assert fragment in result.errors[0].message


def test_lines_of_one_invoice_disagreeing_are_refused(db, reference_data, csv_file, row_counts):
    text = (HEADER + _row()
            + _row(client_code="C0002", service_date="2026-11-04")
            + _row(payer="VA Community Care Network", service_date="2026-11-05")
            + _row(invoice_date="2026-11-17", service_date="2026-11-06"))
    result = import_invoices_csv(csv_file(text), db.session)
    assert not result.ok and row_counts()["Invoice"] == 0
    assert [(e.line, e.column) for e in result.errors] == [(3, "client_code"), (4, "payer"), (5, "invoice_date")]
    assert "on line 2" in result.errors[0].message and "must agree" in result.errors[0].message


def test_rows_of_one_batch_disagreeing_on_office_or_period_are_refused(db, reference_data, csv_file):
    text = (HEADER + _row() + _row(invoice_number="INV-2", client_code="C0002", office="Lakeside")
            + _row(invoice_number="INV-3", period_end="2026-11-30"))
    result = import_invoices_csv(csv_file(text), db.session)
    assert [(e.line, e.column) for e in result.errors] == [(3, "batch_number"), (4, "batch_number")]
    assert "on line 2" in result.errors[0].message


def test_invoice_number_already_used_is_refused(db, reference_data, csv_file, row_counts):
    assert import_invoices_csv(csv_file(HEADER + _row()), db.session).ok
    before = row_counts()
    result = import_invoices_csv(csv_file(HEADER + _row(batch_number="B-OTHER", invoice_number="inv-1")),
                                 db.session)
    assert not result.ok and row_counts() == before
    assert result.errors[0].line == 2 and result.errors[0].column == "invoice_number"
    assert "INV-1 is already used (batch B-2026-11-MAIN-02)" in result.errors[0].message


def test_rows_for_a_finalized_batch_are_refused(db, reference_data, csv_file, row_counts):
    assert import_invoices_csv(csv_file(HEADER + _row()), db.session, finalize=True).ok
    before = row_counts()
    result = import_invoices_csv(csv_file(HEADER + _row(invoice_number="INV-2")), db.session)
    assert not result.ok and row_counts() == before
    assert (result.errors[0].line, result.errors[0].column) == (2, "batch_number")
    assert "is finalized" in result.errors[0].message


def test_existing_draft_batch_with_another_office_is_refused(db, reference_data, csv_file):
    assert import_invoices_csv(csv_file(HEADER + _row()), db.session).ok
    result = import_invoices_csv(csv_file(HEADER + _row(invoice_number="INV-2", office="Lakeside")), db.session)
    assert not result.ok and "already exists for Main Office" in result.errors[0].message


def test_missing_required_column_is_reported_on_the_header(db, reference_data, csv_file):
    header = HEADER.replace(",rate", "")
    result = import_invoices_csv(csv_file(header + "x\n"), db.session)
    assert [(e.line, e.column) for e in result.errors] == [(1, "rate")]


def test_every_bad_row_is_listed_not_only_the_first(db, reference_data, csv_file):
    text = HEADER + _row(quantity="-1") + _row(invoice_number="INV-2", client_code="NOPE") + _row(rate="abc")
    result = import_invoices_csv(csv_file(text), db.session)
    assert [e.line for e in result.errors] == [2, 3, 4]
    assert "3 lines have problems" in result.summary


def test_amount_column_when_given_must_match(db, reference_data, csv_file):
    header = HEADER.rstrip("\n") + ",amount\n"
    result = import_invoices_csv(csv_file(header + _row().rstrip("\n") + ",120.00\n"), db.session)
    assert not result.ok and result.errors[0].column == "amount"
    assert "130.00" in result.errors[0].message
