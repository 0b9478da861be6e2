"""Company tax modes (accounting/tax.py) through python-quickbooks: automated sales tax with and
without the TotalTax override, Canada's tax code per line, TaxCode and TaxRate as lists."""
from __future__ import annotations

from decimal import Decimal

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.customer import Customer
from quickbooks.objects.tax import TxnTaxDetail
from quickbooks.objects.taxcode import TaxCode
from quickbooks.objects.taxrate import TaxRate

from qbo_sandbox.__main__ import build, parse_args
from qbo_sandbox.accounting.company import create_company
from tests.fixtures.sandbox import REALM, build_app
from tests.sandbox.accounting.test_python_quickbooks import _invoice, _item


@pytest.fixture
def app(tmp_path, request):
    mode = request.param  # each test names its mode: parametrize("app", [mode], indirect=True)
    app = build_app(tmp_path, realms=())
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        create_company(tx, REALM, "Taxing Times LLC", tax_mode=mode)
    return app


def _client_in(qb, state):
    customer = Customer()
    customer.DisplayName = f"Client in {state}"
    customer.BillAddr = __import__("quickbooks.objects.base", fromlist=["Address"]).Address()
    customer.BillAddr.CountrySubDivisionCode = state
    return customer.save(qb=qb)


@pytest.mark.parametrize("app", ["us-ast"], indirect=True)
def test_ast_adds_tax_by_the_customers_state_and_ignores_the_lines_tax_code(qb):
    invoice = _invoice(qb, _client_in(qb, "NY"), _item(qb), qty=4, price=32.5)
    assert Decimal(str(invoice.TxnTaxDetail.TotalTax)) == Decimal("10.40")   # NY 8 % of 130
    assert Decimal(str(invoice.TotalAmt)) == Decimal("140.40")
    assert {l.SalesItemLineDetail.TaxCodeRef.value for l in invoice.Line
            if l.DetailType == "SalesItemLineDetail"} == {"TAX"}
    rates = {r.Name: Decimal(str(r.RateValue)) for r in TaxRate.all(qb=qb)}
    assert rates["NY Sales Tax"] == Decimal("8.0")
    assert "NY" in {c.Name for c in TaxCode.filter(Name="NY", qb=qb)}


@pytest.mark.parametrize("app", ["us-ast"], indirect=True)
def test_ast_honours_the_total_tax_override(qb):
    detail = TxnTaxDetail()
    detail.TotalTax = 0
    invoice = _invoice(qb, _client_in(qb, "NJ"), _item(qb), TxnTaxDetail=detail)
    assert Decimal(str(invoice.TxnTaxDetail.TotalTax)) == 0
    assert Decimal(str(invoice.TotalAmt)) == Decimal("130.00")


@pytest.mark.parametrize("app", ["ca"], indirect=True)
def test_canada_needs_a_tax_code_on_every_line(qb):
    customer, item = _client_in(qb, "ON"), _item(qb)
    with pytest.raises(QuickbooksException) as refused:
        _invoice(qb, customer, item)
    assert "GST/HST rate" in str(refused.value.detail) and str(refused.value.error_code) == "6000"
    zero = TaxCode.filter(Name="Zero-rated", qb=qb)[0]
    from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
    from quickbooks.objects.invoice import Invoice
    bill = Invoice()
    line = SalesItemLine()
    line.Amount = 130
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    line.SalesItemLineDetail.Qty, line.SalesItemLineDetail.UnitPrice = 4, 32.5
    line.SalesItemLineDetail.TaxCodeRef = zero.to_ref()
    bill.Line.append(line)
    bill.CustomerRef = customer.to_ref()
    saved = bill.save(qb=qb)
    assert Decimal(str(saved.TxnTaxDetail.TotalTax)) == 0 and Decimal(str(saved.TotalAmt)) == 130
    info = CompanyInfo.get(REALM, qb=qb)
    assert info.Country == "CA" and info.CompanyAddr.Country == "CAN"


@pytest.mark.parametrize("app", ["us-manual"], indirect=True)
def test_manual_mode_keeps_todays_behaviour(qb):
    invoice = _invoice(qb, _client_in(qb, "NY"), _item(qb))
    assert Decimal(str(invoice.TxnTaxDetail.TotalTax)) == 0 and Decimal(str(invoice.TotalAmt)) == 130
    assert TaxCode.all(qb=qb) == [] and TaxRate.all(qb=qb) == []


@pytest.mark.parametrize("app", ["us-ast"], indirect=True)
def test_tax_lists_are_read_only(api):
    refused = api.post("taxcode", {"Name": "Mine"})
    assert refused.status_code == 400 and refused.json()["Fault"]["Error"][0]["Message"] == "Unsupported Operation"
    assert [c["Name"] for c in api.rows("SELECT * FROM TaxCode WHERE Name = 'Mine'")] == []


def test_the_standalone_demo_is_ast_and_empty_companies_manual(tmp_path):
    demo, realm = build(parse_args(["--db", str(tmp_path / "d.sqlite")]))
    with demo.extensions["qbo_sandbox.store"].transaction() as tx:
        assert tx.company(realm)["preferences"]["TaxPrefs"]["PartnerTaxEnabled"] is True
    empty, realm = build(parse_args(["--db", str(tmp_path / "e.sqlite"), "--empty"]))
    with empty.extensions["qbo_sandbox.store"].transaction() as tx:
        assert tx.company(realm)["preferences"]["TaxPrefs"]["UsingSalesTax"] is False
