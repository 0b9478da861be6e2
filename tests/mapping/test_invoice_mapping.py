"""The pure invoice mapping: objects built in memory, no database, no HTTP."""
from __future__ import annotations

import json
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

import pytest

from models import Client, Invoice, InvoiceBatch, InvoiceLine, LineKind, ServiceType
from models.sync_settings import (DocNumberSource, LineGrouping, PayerMode, SyncSettings, slot_for)
from services.mapping.invoice import (MappingError, MappingRefs, Ref, build_qbo_invoice,
                                      customer_key)

PC = ServiceType(id=1, name="Personal Care", code="PC")
COMP = ServiceType(id=2, name="Companion", code="COMP")
NEW_TYPE = ServiceType(id=9, name="Dementia Care", code="DEM")  # added after the mapping was saved


def qbo_round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def make_invoice(payer_id=None, number="10045", office_id=3):
    batch = InvoiceBatch(number="B-2026-03-A", office_id=office_id,
                         period_start=date(2026, 3, 1), period_end=date(2026, 3, 14))
    client = Client(id=7, code="C7", first_name="Rosa", last_name="Ibarra", office_id=office_id)
    invoice = Invoice(number=number, client_id=7, client=client, payer_id=payer_id,
                      invoice_date=date(2026, 3, 15), due_date=date(2026, 4, 14),
                      period_start=date(2026, 3, 1), period_end=date(2026, 3, 14))
    invoice.batch = batch
    return invoice


def visit(day, hours, rate="32.50", stype=PC, caregiver="Alicia Moreno", start=time(9), end=None,
          **kw):
    return InvoiceLine(kind=LineKind.SERVICE, service_type=stype, service_type_id=stype.id,
                       service_date=date(2026, 3, day), caregiver_name=caregiver,
                       start_time=start, end_time=end or time(13),
                       quantity=Decimal(hours), rate=Decimal(rate), **kw)


def line(kind, qty, rate, day=5, description="", **kw):
    return InvoiceLine(kind=kind, service_date=date(2026, 3, day), quantity=Decimal(qty),
                       rate=Decimal(rate), description=description, **kw)


def refs(**overrides):
    base = dict(
        customers={customer_key("client", 7, None): Ref("58", "Ibarra, Rosa"),
                   customer_key("client_under_payer", 7, 2): Ref("61", "Evergreen LTC:Ibarra, Rosa")},
        items={slot_for(LineKind.SERVICE, 1): Ref("11", "Personal Care"),
               slot_for(LineKind.SERVICE, 2): Ref("12", "Companion"),
               slot_for(LineKind.SERVICE): Ref("10", "Home Care Services"),
               slot_for(LineKind.MILEAGE): Ref("16", "Mileage"),
               slot_for(LineKind.EXPENSE): Ref("17", "Expense Reimbursement"),
               slot_for(LineKind.HOLIDAY_PREMIUM): Ref("18", "Holiday Premium"),
               slot_for(LineKind.OVERTIME_PREMIUM): Ref("19", "Overtime Premium"),
               slot_for(LineKind.DISCOUNT): Ref("20", "Discount")},
        classes={3: Ref("300", "Lakeside")}, departments={3: Ref("400", "Lakeside")})
    base.update(overrides)
    return MappingRefs(**base)


def sample_lines():
    return [
        visit(2, "4.00"),
        visit(4, "2.33", rate="27.50", caregiver="Brenda Okafor", end=time(11, 20)),
        line(LineKind.MILEAGE, "37", "0.655", description="Mileage to appointments"),
        line(LineKind.TAX, "1", "4.10", description="Sales tax"),
        line(LineKind.DISCOUNT, "1", "-10.00", description="Loyalty discount"),
    ]


def test_default_settings_produce_the_expected_invoice_json():
    invoice, lines = make_invoice(), sample_lines()
    mapped = build_qbo_invoice(invoice, lines, SyncSettings(), refs())
    body = mapped.body

    assert body["CustomerRef"] == {"value": "58", "name": "Ibarra, Rosa"}
    assert body["DocNumber"] == "10045"
    assert body["TxnDate"] == "2026-03-15"
    assert body["DueDate"] == "2026-04-14" and "SalesTermRef" not in body
    assert body["PrivateNote"] == "CareLedger batch B-2026-03-A · invoice 10045"
    assert "ClassRef" not in body and "DepartmentRef" not in body
    assert [l["SalesItemLineDetail"]["ItemRef"]["value"] for l in body["Line"]] == ["11", "11", "16", "20"]

    first = body["Line"][0]
    assert first["DetailType"] == "SalesItemLineDetail"
    assert first["Amount"] == 130.0
    assert first["Description"] == "03/02/2026 · Personal Care · Alicia Moreno · 9:00 AM–1:00 PM"
    assert first["SalesItemLineDetail"] == {
        "ItemRef": {"value": "11", "name": "Personal Care"}, "Qty": 4.0, "UnitPrice": 32.5,
        "TaxCodeRef": {"value": "NON"}, "ServiceDate": "2026-03-02"}
    # The body is plain JSON (the client sends it as is).
    json.dumps(body)


def test_tax_is_never_sent_and_every_line_is_non_taxable():
    mapped = build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs())
    text = json.dumps(mapped.body)
    assert "Sales tax" not in text and "TxnTaxDetail" not in text and "4.1" not in text
    assert all(l["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "NON"} for l in mapped.body["Line"])
    # 130.00 + 64.08 + 24.24 - 10.00; the 4.10 tax stays in the agency
    assert mapped.qbo_total == Decimal("208.32") == mapped.agency_total_ex_tax


def test_every_line_passes_qbos_amount_check_with_half_up_rounding():
    lines = [visit(2, "2.33", rate="27.50"),           # 64.075 → 64.08
             visit(3, "0.10", rate="32.50"),           # 3.25
             line(LineKind.MILEAGE, "37", "0.655"),    # 24.235 → 24.24
             line(LineKind.MILEAGE, "1", "0.655")]     # 0.655 → 0.66
    mapped = build_qbo_invoice(make_invoice(), lines, SyncSettings(), refs())
    amounts = []
    for l in mapped.body["Line"]:
        d = l["SalesItemLineDetail"]
        qty, price, amount = (Decimal(repr(d["Qty"])), Decimal(repr(d["UnitPrice"])),
                              Decimal(repr(l["Amount"])))
        assert qbo_round(qty * price) == amount
        amounts.append(amount)
    assert amounts == [Decimal("64.08"), Decimal("3.25"), Decimal("24.24"), Decimal("0.66")]
    # The agency's rate is what QBO shows.
    assert [l["SalesItemLineDetail"]["UnitPrice"] for l in mapped.body["Line"]] == [27.5, 32.5, 0.655, 0.655]
    assert mapped.warnings == []


def test_an_amount_rounded_differently_is_sent_exactly_and_explained():
    odd = visit(2, "3.5", rate="28.57", amount=Decimal("99.99"))  # 3.5 × 28.57 = 99.995 → 100.00 at QBO
    mapped = build_qbo_invoice(make_invoice(), [odd], SyncSettings(), refs())
    only = mapped.body["Line"][0]
    assert only["Amount"] == 99.99
    assert only["SalesItemLineDetail"]["Qty"] == 1.0
    assert only["SalesItemLineDetail"]["UnitPrice"] == 99.99
    assert only["Description"].endswith("· 3.5 h × $28.57")
    assert mapped.qbo_total == Decimal("99.99")
    assert len(mapped.warnings) == 1 and "3.5 h × $28.57" in mapped.warnings[0]


def test_discount_is_a_negative_line_to_the_discount_item():
    lines = [visit(2, "4"), line(LineKind.DISCOUNT, "1", "-12.50", description="Loyalty discount")]
    mapped = build_qbo_invoice(make_invoice(), lines, SyncSettings(), refs())
    discount = mapped.body["Line"][1]
    assert discount["DetailType"] == "SalesItemLineDetail"
    assert discount["Amount"] == -12.5
    assert discount["SalesItemLineDetail"]["ItemRef"]["value"] == "20"
    assert discount["SalesItemLineDetail"]["Qty"] == 1.0
    assert discount["SalesItemLineDetail"]["UnitPrice"] == -12.5
    assert "Loyalty discount" in discount["Description"]
    assert mapped.qbo_total == Decimal("117.50")


def test_a_negative_invoice_total_is_refused():
    lines = [visit(2, "1"), line(LineKind.DISCOUNT, "1", "-50")]
    with pytest.raises(MappingError, match="cannot be negative"):
        build_qbo_invoice(make_invoice(), lines, SyncSettings(), refs())


def test_premiums_mileage_and_expense_use_their_own_items():
    lines = [visit(2, "4"),
             line(LineKind.HOLIDAY_PREMIUM, "4", "16.25"),
             line(LineKind.OVERTIME_PREMIUM, "2", "16.25"),
             line(LineKind.EXPENSE, "1", "18.40", description="Groceries for client")]
    body = build_qbo_invoice(make_invoice(), lines, SyncSettings(), refs()).body
    assert [l["SalesItemLineDetail"]["ItemRef"]["value"] for l in body["Line"]] == ["11", "18", "19", "17"]
    assert "Groceries for client" in body["Line"][3]["Description"]


def test_a_service_type_without_its_own_row_uses_the_default_service_item():
    body = build_qbo_invoice(make_invoice(), [visit(2, "3", stype=NEW_TYPE)], SyncSettings(), refs()).body
    assert body["Line"][0]["SalesItemLineDetail"]["ItemRef"] == {"value": "10", "name": "Home Care Services"}


def test_a_kind_without_an_item_is_a_clear_error():
    no_mileage = refs()
    del no_mileage.items[slot_for(LineKind.MILEAGE)]
    with pytest.raises(MappingError, match="Mileage"):
        build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), no_mileage)


def test_doc_number_prefix_and_the_21_character_limit():
    settings = SyncSettings(doc_number_prefix="CL-")
    assert build_qbo_invoice(make_invoice(), sample_lines(), settings, refs()).body["DocNumber"] == "CL-10045"
    long_number = make_invoice(number="2026-LAKESIDE-000123")  # 20 chars; with "CL-" → 23
    with pytest.raises(MappingError, match="23 characters.*21"):
        build_qbo_invoice(long_number, sample_lines(), settings, refs())
    exactly = make_invoice(number="2026-LAKESIDE-0001234")  # 21 chars, no prefix
    assert build_qbo_invoice(exactly, sample_lines(), SyncSettings(), refs()).body["DocNumber"] == "2026-LAKESIDE-0001234"


def test_quickbooks_numbering_leaves_doc_number_out():
    settings = SyncSettings(doc_number_source=DocNumberSource.QBO, doc_number_prefix="CL-")
    body = build_qbo_invoice(make_invoice(), sample_lines(), settings, refs()).body
    assert "DocNumber" not in body
    assert "invoice 10045" in body["PrivateNote"]


def test_terms_replace_the_due_date():
    body = build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(),
                             refs(term=Ref("3", "Net 30"))).body
    assert body["SalesTermRef"] == {"value": "3", "name": "Net 30"}
    assert "DueDate" not in body


def test_description_template_chooses_and_orders_fields():
    settings = SyncSettings(description_template="caregiver,date")
    body = build_qbo_invoice(make_invoice(), sample_lines(), settings, refs()).body
    assert body["Line"][0]["Description"] == "Alicia Moreno · 03/02/2026"
    settings = SyncSettings(description_template="service,shift")
    body = build_qbo_invoice(make_invoice(), sample_lines(), settings, refs()).body
    assert body["Line"][1]["Description"] == "Personal Care · 9:00 AM–11:20 AM"
    settings = SyncSettings(description_template="")
    body = build_qbo_invoice(make_invoice(), [visit(2, "4")], settings, refs()).body
    assert "Description" not in body["Line"][0]


def test_one_line_per_service_type_sums_hours_and_keeps_a_shared_rate():
    lines = [visit(2, "4"), visit(3, "3.5", caregiver="Grace Liu"), visit(5, "2", stype=COMP, rate="28.00"),
             visit(9, "4.5"), line(LineKind.MILEAGE, "10", "0.655"), line(LineKind.MILEAGE, "12", "0.655", day=9)]
    settings = SyncSettings(line_grouping=LineGrouping.PER_SERVICE_TYPE)
    mapped = build_qbo_invoice(make_invoice(), lines, settings, refs())
    body = mapped.body
    assert len(body["Line"]) == 3
    pc, comp, miles = body["Line"]
    assert pc["SalesItemLineDetail"]["ItemRef"]["value"] == "11"
    assert pc["SalesItemLineDetail"]["Qty"] == 12.0 and pc["SalesItemLineDetail"]["UnitPrice"] == 32.5
    assert pc["Amount"] == 390.0
    assert "ServiceDate" not in pc["SalesItemLineDetail"]  # several dates: the range is in the text
    assert pc["Description"] == "03/02/2026–03/09/2026 · Personal Care · Alicia Moreno, Grace Liu · 3 visits"
    assert comp["SalesItemLineDetail"]["ServiceDate"] == "2026-03-05"
    assert miles["SalesItemLineDetail"]["Qty"] == 22.0 and miles["Amount"] == 14.41  # 6.55 + 7.86
    assert mapped.qbo_total == Decimal("460.41") and mapped.warnings == []


def test_grouped_line_with_mixed_rates_is_exact_and_describes_the_mix():
    lines = [visit(2, "4", rate="32.50"), visit(3, "3", rate="35.00")]
    settings = SyncSettings(line_grouping=LineGrouping.PER_SERVICE_TYPE, description_template="service")
    mapped = build_qbo_invoice(make_invoice(), lines, settings, refs())
    only = mapped.body["Line"][0]
    assert only["Amount"] == 235.0
    assert only["SalesItemLineDetail"]["Qty"] == 1.0 and only["SalesItemLineDetail"]["UnitPrice"] == 235.0
    assert only["Description"] == "Personal Care · 4 h × $32.50 + 3 h × $35.00"
    assert mapped.warnings


def test_grouped_line_whose_visit_roundings_do_not_add_up_is_sent_exactly():
    # 3 × round(2.33 × 27.50) = 3 × 64.08 = 192.24, but round(6.99 × 27.50) = 192.23
    lines = [visit(d, "2.33", rate="27.50") for d in (2, 3, 4)]
    settings = SyncSettings(line_grouping=LineGrouping.PER_SERVICE_TYPE)
    mapped = build_qbo_invoice(make_invoice(), lines, settings, refs())
    only = mapped.body["Line"][0]
    assert only["Amount"] == 192.24 and only["SalesItemLineDetail"]["UnitPrice"] == 192.24
    assert only["Description"].endswith("6.99 h × $27.50")
    assert mapped.qbo_total == mapped.agency_total_ex_tax == Decimal("192.24")


def test_payer_invoices_go_to_the_client_or_to_the_sub_customer_under_the_payer():
    invoice = make_invoice(payer_id=2)
    sub = build_qbo_invoice(invoice, sample_lines(), SyncSettings(payer_mode=PayerMode.PAYER_SUBCUSTOMER), refs())
    assert sub.body["CustomerRef"]["value"] == "61"
    own = build_qbo_invoice(invoice, sample_lines(), SyncSettings(payer_mode=PayerMode.CLIENT), refs())
    assert own.body["CustomerRef"]["value"] == "58"
    with pytest.raises(MappingError, match="Rosa Ibarra has no QuickBooks customer under its payer"):
        build_qbo_invoice(invoice, sample_lines(), SyncSettings(payer_mode=PayerMode.PAYER_SUBCUSTOMER),
                          refs(customers={}))


def test_office_class_and_location():
    header = SyncSettings(office_class=True, office_department=True)
    body = build_qbo_invoice(make_invoice(), sample_lines(), header, refs()).body
    assert body["ClassRef"] == {"value": "300", "name": "Lakeside"}
    assert body["DepartmentRef"] == {"value": "400", "name": "Lakeside"}
    assert all("ClassRef" not in l["SalesItemLineDetail"] for l in body["Line"])

    per_line = SyncSettings(office_class=True, class_per_line=True)
    body = build_qbo_invoice(make_invoice(), sample_lines(), per_line, refs()).body
    assert "ClassRef" not in body and "DepartmentRef" not in body
    assert all(l["SalesItemLineDetail"]["ClassRef"]["value"] == "300" for l in body["Line"])

    elsewhere = build_qbo_invoice(make_invoice(office_id=99), sample_lines(), header, refs())
    assert "ClassRef" not in elsewhere.body and len(elsewhere.warnings) == 2


def test_subtotal_mismatch_and_tax_only_invoices_are_refused():
    with pytest.raises(MappingError, match="subtotal"):
        build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs(),
                          agency_subtotal=Decimal("999.00"))
    ok = build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs(),
                           agency_subtotal=Decimal("208.32"))
    assert ok.qbo_total == Decimal("208.32")
    with pytest.raises(MappingError, match="no lines other than tax"):
        build_qbo_invoice(make_invoice(), [line(LineKind.TAX, "1", "3")], SyncSettings(), refs())
