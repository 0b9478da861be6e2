"""Item, Account, Class, Department and Term: names unique within their own list."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from qbo_sandbox.accounting import faults
from qbo_sandbox.accounting.context import USD
from qbo_sandbox.accounting.rules.base import (Rules, forbid_separators, length_errors, raise_if, strip_text,
                                    unique_name)

# AccountType → Classification and the default AccountSubType (Intuit's account reference).
ACCOUNT_TYPES = {
    "Bank": ("Asset", "Checking"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Other Current Asset": ("Asset", "OtherCurrentAssets"),
    "Fixed Asset": ("Asset", "OtherFixedAssets"),
    "Other Asset": ("Asset", "OtherLongTermAssets"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Long Term Liability": ("Liability", "OtherLongTermLiabilities"),
    "Equity": ("Equity", "OpeningBalanceEquity"),
    "Income": ("Revenue", "ServiceFeeIncome"),
    "Other Income": ("Revenue", "OtherMiscellaneousIncome"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Other Expense": ("Expense", "OtherMiscellaneousExpense"),
}
SUBTYPE_TO_TYPE = {sub: t for t, (_c, sub) in ACCOUNT_TYPES.items()}
ITEM_TYPES = ("Inventory", "Service", "NonInventory", "Group", "Category")


def _named(ctx, etype, doc, existing, limit=100, no_quote=False):
    strip_text(doc, ("Name",))
    if "Name" not in doc:
        raise faults.required_missing("Name")
    raise_if(length_errors(doc, {"Name": limit}))
    forbid_separators(doc, ("Name",))
    if no_quote and '"' in doc["Name"]:
        raise faults.business_validation('Name cannot contain double quotes (").')  # UNCONFIRMED
    unique_name(ctx, (etype,), doc["Name"], (etype, int(existing["Id"])) if existing else None)
    doc.setdefault("Active", True)


def _hierarchy(ctx, etype, doc, flag):
    """SubClass/SubDepartment/SubAccount + FullyQualifiedName from ParentRef."""
    if doc.get("ParentRef"):
        parent = ctx.resolve_ref(etype, doc["ParentRef"], "ParentRef", name_field=None)
        doc[flag] = True
        doc["FullyQualifiedName"] = parent["FullyQualifiedName"] + ":" + doc["Name"]
    else:
        doc[flag] = False
        doc["FullyQualifiedName"] = doc["Name"]


class ItemRules(Rules):
    def prepare(self, ctx, doc, existing):
        _named(ctx, "Item", doc, existing)
        raise_if(length_errors(doc, {"Sku": 100, "Description": 4000, "PurchaseDesc": 1000}))
        doc.setdefault("Type", "Service")
        if doc["Type"] not in ITEM_TYPES:
            raise faults.business_validation(f"Invalid item type: {doc['Type']}")  # UNCONFIRMED
        if doc["Type"] == "Group" and existing is None:
            raise faults.fault(500, "Unsupported Operation",
                               "Operation Create of a Group item is not supported.")
        if doc["Type"] in ("Service", "Inventory"):
            if not doc.get("IncomeAccountRef"):
                raise faults.required_missing("IncomeAccountRef")
        for ref in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
            if doc.get(ref):
                ctx.resolve_ref("Account", doc[ref], ref)
        if doc["Type"] == "Inventory":
            for name in ("AssetAccountRef", "QtyOnHand", "InvStartDate"):
                if name not in doc:
                    raise faults.required_missing(name)
            doc["TrackQtyOnHand"] = True
        if doc.get("ParentRef"):
            parent = ctx.resolve_ref("Item", doc["ParentRef"], "ParentRef", name_field=None)
            doc["SubItem"] = True
            doc["Level"] = int(parent.get("Level", 0)) + 1
            doc["FullyQualifiedName"] = parent["FullyQualifiedName"] + ":" + doc["Name"]
        else:
            doc.pop("Level", None)
            doc["FullyQualifiedName"] = doc["Name"]
            if doc.get("SubItem") is not True:
                doc.pop("SubItem", None)
        if doc["Type"] != "Category":
            doc.setdefault("Taxable", False)
            doc.setdefault("UnitPrice", 0)
            doc.setdefault("PurchaseCost", 0)
            doc.setdefault("TrackQtyOnHand", False)
        return doc


class AccountRules(Rules):
    def prepare(self, ctx, doc, existing):
        _named(ctx, "Account", doc, existing, no_quote=True)
        if not doc.get("AccountType"):
            if not doc.get("AccountSubType"):
                raise faults.required_missing("AccountType")
            doc["AccountType"] = SUBTYPE_TO_TYPE.get(doc["AccountSubType"], "Expense")
        if doc["AccountType"] not in ACCOUNT_TYPES:
            raise faults.business_validation(f"Invalid account type: {doc['AccountType']}")
        classification, subtype = ACCOUNT_TYPES[doc["AccountType"]]
        doc["Classification"] = classification
        doc.setdefault("AccountSubType", subtype)
        _hierarchy(ctx, "Account", doc, "SubAccount")
        doc["CurrentBalance"] = existing.get("CurrentBalance", 0) if existing else 0
        doc["CurrentBalanceWithSubAccounts"] = (
            existing.get("CurrentBalanceWithSubAccounts", 0) if existing else 0)
        doc.setdefault("CurrencyRef", dict(USD))
        return doc


class ClassRules(Rules):
    def prepare(self, ctx, doc, existing):
        _named(ctx, "Class", doc, existing)
        _hierarchy(ctx, "Class", doc, "SubClass")
        return doc


class DepartmentRules(Rules):
    def prepare(self, ctx, doc, existing):
        _named(ctx, "Department", doc, existing)
        _hierarchy(ctx, "Department", doc, "SubDepartment")
        return doc


class TermRules(Rules):
    def prepare(self, ctx, doc, existing):
        _named(ctx, "Term", doc, existing, limit=31)
        doc.setdefault("Type", "DATE_DRIVEN" if "DayOfMonthDue" in doc else "STANDARD")
        if doc["Type"] == "STANDARD":
            doc.setdefault("DueDays", 0)
        return doc


def term_due_date(term: dict, txn_date):
    """Due date a term gives a transaction dated `txn_date` (DATE_DRIVEN: that day next month)."""
    if term.get("Type") == "DATE_DRIVEN" and term.get("DayOfMonthDue"):
        day = min(int(term["DayOfMonthDue"]), 28)
        year = txn_date.year + (1 if txn_date.month == 12 else 0)
        month = 1 if txn_date.month == 12 else txn_date.month + 1
        return date(year, month, day)
    return txn_date + timedelta(days=int(Decimal(str(term.get("DueDays", 0)))))
