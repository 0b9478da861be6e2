"""Companies (realms): creation with QBO's starter lists, CompanyInfo and Preferences documents."""
from __future__ import annotations

import copy
import secrets

from qbo_sandbox import clock
from qbo_sandbox.accounting import faults, ops, tax
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.accounting.schema import SPECS
from qbo_sandbox.store import Tx


def new_realm_id() -> str:
    # Intuit realm ids are 16–19 digit numbers, e.g. 9341453172471531.
    return "9341" + "".join(secrets.choice("0123456789") for _ in range(12))


def default_preferences(custom_txn_numbers=False, track_departments=False, class_per_txn=False,
                        class_per_line=False) -> dict:
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": track_departments, "DepartmentTerminology": "Location",
            "ClassTrackingPerTxn": class_per_txn, "ClassTrackingPerTxnLine": class_per_line,
            "CustomerTerminology": "Customers", "UseAccountNumbers": False,
        },
        "ProductAndServicesPrefs": {"ForSales": True, "ForPurchase": True,
                                    "QuantityWithPriceAndRate": True, "QuantityOnHand": True},
        "SalesFormsPrefs": {
            "CustomTxnNumbers": custom_txn_numbers, "AllowDeposit": False, "AllowDiscount": True,
            "AllowEstimates": True, "AllowServiceDate": True, "AllowShipping": False,
            "ETransactionEnabledStatus": "NotApplicable", "IPNSupportEnabled": False,
            "UsingPriceLevels": False, "UsingProgressInvoicing": False,
        },
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": True, "BillableExpenseTracking": True},
        "TimeTrackingPrefs": {"UseServices": True, "BillCustomers": True, "ShowBillRateToAll": False,
                              "WorkWeekStartDate": "Monday", "MarkTimeEntriesBillable": True},
        "TaxPrefs": {"UsingSalesTax": False, "PartnerTaxEnabled": False},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
        # WarnDuplicateInvoiceNum is this sandbox's switch for the 6140 duplicate check.
        "OtherPrefs": {"NameValue": [{"Name": "WarnDuplicateInvoiceNum", "Value": "true"}]},
    }


# Addresses in CompanyInfo carry ISO 3166 alpha-3 countries and no Lat/Long (Intuit, 2025).
_ADDRESSES = {
    "US": {"Line1": "100 Main St.", "City": "Springfield", "CountrySubDivisionCode": "OR",
           "PostalCode": "97477", "Country": "USA"},
    "CA": {"Line1": "100 King St W", "City": "Toronto", "CountrySubDivisionCode": "ON",
           "PostalCode": "M5X 1A9", "Country": "CAN"},
}


def default_company_info(name: str, address: dict | None = None, country: str = "US") -> dict:
    addr = address or _ADDRESSES[country]
    return {
        "CompanyName": name, "LegalName": name,
        "CompanyAddr": dict(addr, Id="1"), "CustomerCommunicationAddr": dict(addr, Id="1"),
        "LegalAddr": dict(addr, Id="1"),
        "PrimaryPhone": {"FreeFormNumber": "(541) 555-0100"},
        "CompanyStartDate": "2024-01-01", "FiscalYearStartMonth": "January", "Country": country,
        "Email": {"Address": "books@example.com"}, "WebAddr": {}, "SupportedLanguages": "en",
        "NameValue": [{"Name": "NeoEnabled", "Value": "true"},
                      {"Name": "IndustryType", "Value": "Home Health Care Services"},
                      {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
                      {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"}],
    }


def _stamped(doc: dict, now_text: str) -> dict:
    doc = dict(doc)
    doc.update(domain="QBO", sparse=False, Id="1", SyncToken="0",
               MetaData={"CreateTime": now_text, "LastUpdatedTime": now_text})
    return doc


def create_company(tx: Tx, realm_id: str, name: str, tz: str = clock.DEFAULT_TZ,
                   preferences: dict | None = None, starter_lists: bool = True,
                   tax_mode: str = "us-manual") -> dict:
    """Create (or reset the documents of) a company; QBO gives new companies starter lists.
    `tax_mode` (accounting/tax.py) sets TaxPrefs, the country and the tax lists."""
    now_text = clock.meta_time(clock.utcnow(), tz)
    prefs = copy.deepcopy(preferences or default_preferences())
    prefs["TaxPrefs"] = dict(prefs.get("TaxPrefs", {}), **tax.preferences_for(tax_mode))
    prefs = _stamped(prefs, now_text)
    info = _stamped(default_company_info(name, country="CA" if tax_mode == "ca" else "US"), now_text)
    tx.save_company(realm_id, name=name, timezone=tz, preferences=prefs, company_info=info)
    company = tx.company(realm_id)
    if starter_lists:
        ctx = Ctx(tx, realm_id, company)
        seed_starter_lists(ctx)
        tax.seed_tax_lists(ctx, tax_mode, create)
    return company


def ensure_company(tx: Tx, realm_id: str, name: str | None = None) -> dict:
    """A company row made by someone else (e.g. the OAuth half) gets its documents lazily."""
    company = tx.company(realm_id)
    if company is None:
        return create_company(tx, realm_id, name or f"Sandbox Company {realm_id[-4:]}")
    if company["preferences"] is None or company["company_info"] is None:
        return create_company(tx, realm_id, company["name"], company["timezone"])
    return company


def seed_starter_lists(ctx: Ctx) -> dict[str, dict]:
    """The accounts, items and terms a fresh QBO company has (a small subset)."""
    made = {}
    for name, atype, subtype in [
        ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
        ("Services", "Income", "ServiceFeeIncome"),
        ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
        ("Checking", "Bank", "Checking"),
    ]:
        made[name] = create(ctx, "Account", {"Name": name, "AccountType": atype, "AccountSubType": subtype})
    for name in ("Services", "Hours"):
        made["item:" + name] = create(ctx, "Item", {
            "Name": name, "Type": "Service",
            "IncomeAccountRef": {"value": made["Services"]["Id"]}})
    for name, days in (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 60", 60)):
        made["term:" + name] = create(ctx, "Term", {"Name": name, "Type": "STANDARD", "DueDays": days})
    return made


def create(ctx: Ctx, etype: str, body: dict) -> dict:
    return ops.create(ctx, SPECS[etype], copy.deepcopy(body))


def merge_preferences(tx: Tx, realm_id: str, groups: dict) -> dict:
    """A control-plane change (no SyncToken check): merge groups in, bump SyncToken."""
    company = tx.company(realm_id)
    ctx = Ctx(tx, realm_id, company)
    prefs = company["preferences"]
    return update_preferences(tx, ctx, dict(groups, SyncToken=prefs["SyncToken"]))


def update_preferences(tx: Tx, ctx: Ctx, body) -> dict:
    """Sparse update of the Preferences singleton (nested groups merge property by property)."""
    current = ctx.company["preferences"]
    if not isinstance(body, dict):
        raise faults.required_missing("Preferences")
    token = body.get("SyncToken")
    if token is None:
        raise faults.required_missing("SyncToken")
    if str(token) != current["SyncToken"]:
        raise faults.stale_object()
    merged = copy.deepcopy(current)
    for key, value in ops.clean(body).items():
        if key in ("Id", "SyncToken", "MetaData", "domain", "sparse"):
            continue
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    if merged != current:
        merged["SyncToken"] = str(int(current["SyncToken"]) + 1)
        merged["MetaData"] = dict(current["MetaData"], LastUpdatedTime=ctx.meta_now())
        tx.save_company(ctx.realm_id, preferences=merged)
        ctx.company["preferences"] = merged
    return merged
