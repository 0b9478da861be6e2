"""Sales tax of a company, in one of three modes (config TAX_MODE, `--tax-mode`, or
`tax_mode` of POST /_sandbox/companies), chosen when the company is made:

  us-manual  QuickBooks as the recorded 2020-22 traffic shows it with sales tax off: lines carry
             NON, TotalTax is 0 (the default: what CareLedger's tests expect).
  us-ast     a US company with automated sales tax (PROTOCOL.md §11): QuickBooks ignores the lines'
             TaxCodeRef and taxes every sales line at the rate of the customer's state (ship-to,
             else bill-to; the small table below) unless the request sends the override
             `TxnTaxDetail.TotalTax`, which is then honoured as sent (0 = no tax).
  ca         a Canadian company: every sales line needs a TaxCodeRef of one of its codes (GST,
             HST ON, Zero-rated, Exempt), else fault 6000 "…GST/HST rate…"; tax per line by code.

Preferences tell the modes apart as QBO's do: TaxPrefs.UsingSalesTax and PartnerTaxEnabled (AST);
Canada also shows in CompanyInfo.Country "CA". TaxCode and TaxRate are read-only lists, queryable.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from qbo_sandbox.accounting import faults

MODES = ("us-ast", "us-manual", "ca")
# Combined state + typical local rate, percent (a small table; other states: no tax).
STATE_RATES = {"NY": "8.0", "NJ": "6.625", "CT": "6.35", "PA": "6.0", "MA": "6.25", "CA": "7.25",
               "OR": "0", "TX": "8.25", "FL": "7.0", "IL": "8.75", "WA": "9.2", "VT": "6.0"}
# Canadian codes: name -> rate percent.
CA_CODES = {"GST": "5", "HST ON": "13", "Zero-rated": "0", "Exempt": "0"}
CA_FAULT = "Make sure all your transactions have a GST/HST rate before you save."


def preferences_for(mode: str) -> dict:
    if mode not in MODES:
        raise ValueError(f"tax mode is one of {MODES}, not {mode!r}")
    return {"UsingSalesTax": mode != "us-manual", "PartnerTaxEnabled": mode == "us-ast"}


def mode_of(company: dict) -> str:
    info = company.get("company_info") or {}
    prefs = (company.get("preferences") or {}).get("TaxPrefs", {})
    if info.get("Country") == "CA":
        return "ca"
    return "us-ast" if prefs.get("PartnerTaxEnabled") else "us-manual"


def seed_tax_lists(ctx, mode: str, create) -> None:
    """The TaxRate and TaxCode lists a company of this mode has (none with sales tax off)."""
    table = STATE_RATES if mode == "us-ast" else CA_CODES if mode == "ca" else {}
    for name, rate in table.items():
        label = f"{name} Sales Tax" if mode == "us-ast" else name
        made = create(ctx, "TaxRate", {"Name": label, "RateValue": Decimal(rate), "Active": True,
                                        "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"})
        create(ctx, "TaxCode", {"Name": name, "Description": label, "Active": True, "Taxable": True,
                                "TaxGroup": False, "SalesTaxRateList": {"TaxRateDetail": [{
                                    "TaxRateRef": {"value": made["Id"], "name": label},
                                    "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}]}})


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _code_and_rate(ctx, code: dict | None):
    if code is None:
        return None, Decimal(0)
    detail = code.get("SalesTaxRateList", {}).get("TaxRateDetail") or [{}]
    rate = ctx.load("TaxRate", (detail[0].get("TaxRateRef") or {}).get("value"))
    return rate, Decimal(str(rate["RateValue"])) if rate else Decimal(0)


def _tax_line(amount: Decimal, rate_doc, percent: Decimal, base: Decimal) -> dict:
    return {"Amount": amount, "DetailType": "TaxLineDetail", "TaxLineDetail": {
        "TaxRateRef": {"value": rate_doc["Id"]}, "PercentBased": True, "TaxPercent": percent,
        "NetAmountTaxable": base}}


def _override(sent) -> Decimal | None:
    if isinstance(sent, dict) and sent.get("TotalTax") is not None:
        try:
            return _money(Decimal(str(sent["TotalTax"])))
        except ArithmeticError:
            raise faults.fault(2010, "Request has invalid or unsupported property",
                               "Property Name:TxnTaxDetail.TotalTax is invalid", "TxnTaxDetail")
    return None


def apply(ctx, doc: dict, customer: dict, sent_detail) -> Decimal:
    """Fill in doc["TxnTaxDetail"] for the company's mode; returns the tax to add to the total."""
    mode = mode_of(ctx.company)
    if mode == "us-manual":
        doc["TxnTaxDetail"] = {"TotalTax": 0}
        return Decimal(0)
    lines = [l for l in doc["Line"] if l.get("DetailType") == "SalesItemLineDetail"]
    if mode == "ca":
        return _canadian(ctx, doc, lines, sent_detail)
    return _automated(ctx, doc, customer, lines, sent_detail)


def _automated(ctx, doc, customer, lines, sent_detail) -> Decimal:
    for line in lines:  # AST decides: the TaxCodeRef a client sends is ignored
        line["SalesItemLineDetail"]["TaxCodeRef"] = {"value": "TAX"}
    override = _override(sent_detail)
    if override is not None:
        doc["TxnTaxDetail"] = dict(sent_detail, TotalTax=override)
        return override
    state = ""
    for name in ("ShipAddr", "BillAddr"):
        for source in (doc, customer):
            addr = source.get(name)
            if not state and isinstance(addr, dict) and addr.get("CountrySubDivisionCode"):
                state = str(addr["CountrySubDivisionCode"]).upper()
    code = next((c for c in ctx.tx.all_docs(ctx.realm_id, "TaxCode") if c.get("Name") == state), None)
    rate_doc, percent = _code_and_rate(ctx, code)
    base = sum((Decimal(str(l["Amount"])) for l in lines), Decimal(0))
    tax = _money(base * percent / 100) if rate_doc else Decimal(0)
    doc["TxnTaxDetail"] = {"TotalTax": tax}
    if rate_doc:
        doc["TxnTaxDetail"].update(TxnTaxCodeRef={"value": code["Id"]},
                                   TaxLine=[_tax_line(tax, rate_doc, percent, base)])
    return tax


def _canadian(ctx, doc, lines, sent_detail) -> Decimal:
    tax, per_rate = Decimal(0), {}
    for line in lines:
        ref = line["SalesItemLineDetail"].get("TaxCodeRef")
        code = ctx.load("TaxCode", ref.get("value")) if isinstance(ref, dict) else None
        if code is None:
            raise faults.fault(6000, "A business validation error has occurred while processing your request",
                               f"Business Validation Error: {CA_FAULT}")
        ref["value"] = code["Id"]
        rate_doc, percent = _code_and_rate(ctx, code)
        amount = Decimal(str(line["Amount"]))
        if rate_doc:
            entry = per_rate.setdefault(rate_doc["Id"], [rate_doc, percent, Decimal(0)])
            entry[2] += amount
    tax_lines = [_tax_line(_money(base * percent / 100), rate_doc, percent, base)
                 for rate_doc, percent, base in per_rate.values()]
    tax = sum((t["Amount"] for t in tax_lines), Decimal(0))
    override = _override(sent_detail)
    doc["GlobalTaxCalculation"] = "TaxExcluded"
    if override is not None:
        doc["TxnTaxDetail"] = dict(sent_detail, TotalTax=override)
        return override
    doc["TxnTaxDetail"] = {"TotalTax": tax, "TaxLine": tax_lines}
    return tax
