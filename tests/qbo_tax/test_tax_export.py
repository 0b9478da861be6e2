"""Issue 13: whatever the company's sales tax, an exported invoice ends in QuickBooks with
TotalTax 0 and TotalAmt = agency total − tax, as python-quickbooks reads it back; the export reads
the company's tax settings once (not per invoice) and never reads an invoice back."""
from __future__ import annotations

from decimal import Decimal

from quickbooks.objects.invoice import Invoice as QbInvoice

from extensions import db
from models import Invoice
from models.export import ExportStatus
from tests.export.conftest import REALM, records_by_invoice, run_jobs, start_job
from tests.fixtures.sandbox import usage_of
from tests.qbo_tax.conftest import quickbooks_client


def _agency_totals(books) -> dict[str, Decimal]:
    with books.app.app_context():
        rows = db.session.scalars(db.select(Invoice).where(Invoice.id.in_(books.invoice_ids))).all()
        assert any(Decimal(i.tax) > 0 for i in rows)  # the books do carry agency tax
        return {i.number: (Decimal(i.total) - Decimal(i.tax)).quantize(Decimal("0.01")) for i in rows}


def _assert_no_tax_in_quickbooks(books) -> None:
    expected = _agency_totals(books)
    found = QbInvoice.all(qb=quickbooks_client(books), max_results=1000)
    assert sorted(i.DocNumber for i in found) == sorted(expected)
    for invoice in found:
        assert Decimal(str(invoice.TxnTaxDetail.TotalTax or 0)) == 0, invoice.DocNumber
        assert Decimal(str(invoice.TotalAmt)) == expected[invoice.DocNumber], invoice.DocNumber


def test_export_to_an_automated_sales_tax_company_pushes_no_tax(taxed_books):
    books = taxed_books("us-ast")
    before = usage_of(books.sandbox, REALM)
    start_job(books)
    with books.app.app_context():
        run_jobs(books)
    used = usage_of(books.sandbox, REALM)
    # Preferences + CompanyInfo once for the whole export; then writes only (one batch of 12).
    assert used["reads"] - before["reads"] == 2
    assert used["writes"] - before["writes"] == 12
    assert all(r.status == ExportStatus.EXPORTED and not r.last_error
               for r in records_by_invoice(books).values())
    _assert_no_tax_in_quickbooks(books)


def test_a_stale_tax_mode_is_caught_from_the_batch_answer_without_reading_back(taxed_books):
    """The cache says "sales tax not automated" but the company now has AST: QuickBooks adds 8 %
    tax. The batch answer shows it, every record says so, and the cache is dropped."""
    from services.qbo_tax import profile

    books = taxed_books("us-ast")
    with books.app.app_context():
        profile.store(profile.TaxProfile(realm_id=REALM, country="US"))
    before = usage_of(books.sandbox, REALM)
    start_job(books)
    with books.app.app_context():
        run_jobs(books)
        assert profile.cached(REALM) is None
    assert usage_of(books.sandbox, REALM)["reads"] == before["reads"]  # no read-back
    records = records_by_invoice(books).values()
    assert all(r.status == ExportStatus.EXPORTED and r.error_code == "total" for r in records)
    assert all("QuickBooks added tax" in r.last_error for r in records)


def test_export_to_a_canadian_company_waits_for_the_tax_code_then_pushes_no_tax(taxed_books):
    books = taxed_books("ca")
    client = books.app.test_client()
    assert client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302
    start_job(books)
    with books.app.app_context():
        run_jobs(books)
    records = records_by_invoice(books).values()
    assert all(r.status == ExportStatus.FAILED and r.error_code == "tax_setup" for r in records)
    assert all("Sync Settings" in r.last_error and "tax code" in r.last_error for r in records)
    assert QbInvoice.all(qb=quickbooks_client(books)) == []

    batch_page = client.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    assert 'href="/accounting/quickbooks/sync-settings' in batch_page
    page = client.get("/accounting/quickbooks/sync-settings").get_data(as_text=True)
    assert 'id="tax-code-missing"' in page
    options = dict((name, value) for value, name in _options(page))
    assert set(options) == {"Exempt", "Zero-rated"}  # only codes that add no tax are offered

    refused = client.post("/accounting/quickbooks/sync-settings/tax-code",
                          data={"action": "save", "tax_code_id": "999"}, follow_redirects=True)
    assert "Choose one of the company" in refused.get_data(as_text=True)
    saved = client.post("/accounting/quickbooks/sync-settings/tax-code",
                        data={"action": "save", "tax_code_id": options["Zero-rated"]}, follow_redirects=True)
    assert "Exported lines now carry the tax code “Zero-rated”" in saved.get_data(as_text=True)

    start_job(books)
    with books.app.app_context():
        run_jobs(books)
    assert all(r.status == ExportStatus.EXPORTED for r in records_by_invoice(books).values())
    _assert_no_tax_in_quickbooks(books)
    found = QbInvoice.all(qb=quickbooks_client(books), max_results=1000)
    assert {line.SalesItemLineDetail.TaxCodeRef.value for i in found for line in i.Line
            if line.DetailType == "SalesItemLineDetail"} == {options["Zero-rated"]}


def _options(page: str) -> list[tuple[str, str]]:
    import re

    select = page.split('id="tax_code_id"', 1)[1].split("</select>", 1)[0]
    return [(v, n.strip()) for v, n in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select)]
