"""Invoice and Payment: computed totals, the 6070 amount rule, DocNumbers, terms and balances.

Money is Decimal throughout; amounts are rounded half-up to cents as QBO does.
"""
from __future__ import annotations

import copy
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from qbo_sandbox.accounting import faults, tax
from qbo_sandbox.accounting.context import USD, Ctx
from qbo_sandbox.accounting.rules.base import Rules, assign_address_ids, length_errors, raise_if
from qbo_sandbox.accounting.rules.lists import term_due_date
from qbo_sandbox.accounting.rules.names import set_customer_balance

CENT = Decimal("0.01")
DOC_NUMBER_MAX = 21


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value, element: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise faults.fault(2010, "Request has invalid or unsupported property",
                           f"Property Name:{element} specified is unsupported or invalid")


def _date(value, element: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise faults.fault(2010, "Request has invalid or unsupported property",
                           f"Property Name:{element} specified is unsupported or invalid")


def _payments_applied(ctx: Ctx, invoice: dict, exclude_payment: str | None = None) -> Decimal:
    total = Decimal(0)
    for link in invoice.get("LinkedTxn", []):
        if link.get("TxnType") != "Payment" or link.get("TxnId") == exclude_payment:
            continue
        payment = ctx.load("Payment", link["TxnId"])
        if payment:
            total += _applied_to(payment, invoice["Id"])
    return total


def _applied_to(payment: dict, invoice_id: str) -> Decimal:
    total = Decimal(0)
    for line in payment.get("Line", []):
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") == "Invoice" and str(link.get("TxnId")) == str(invoice_id):
                total += Decimal(str(line.get("Amount", 0)))
    return total


def refresh_customer_balance(ctx: Ctx, customer_id: int, exclude_invoice: str | None = None) -> None:
    """Customer.Balance = sum of its open invoice balances (touched versions win)."""
    invoices = {d["Id"]: d for d in ctx.tx.by_customer(ctx.realm_id, "Invoice", [customer_id])}
    for (etype, iid), doc in ctx.touched.items():
        if etype != "Invoice":
            continue
        if doc.get("CustomerRef", {}).get("value") == str(customer_id):
            invoices[str(iid)] = doc
        else:
            invoices.pop(str(iid), None)
    invoices.pop(exclude_invoice, None)
    balance = sum((Decimal(str(d.get("Balance", 0))) for d in invoices.values()), Decimal(0))
    set_customer_balance(ctx, customer_id, balance)


def _customer_id(doc: dict | None) -> int | None:
    try:
        return int(doc["CustomerRef"]["value"]) if doc else None
    except (KeyError, TypeError, ValueError):
        return None


def check_period_open(ctx: Ctx, *txn_dates) -> None:
    """5010 "Account Period Closed" for a transaction dated on or before the company's closing
    date (Preferences AccountingInfoPrefs.BookCloseDate; set through POST /_sandbox/preferences)."""
    close = ctx.pref("AccountingInfoPrefs", "BookCloseDate")
    for txn_date in txn_dates:
        if close and txn_date and str(txn_date) <= str(close):
            raise faults.account_period_closed(str(txn_date), str(close))


class InvoiceRules(Rules):
    def prepare(self, ctx, doc, existing):
        if not doc.get("CustomerRef"):
            raise faults.required_missing("CustomerRef")
        if not doc.get("Line"):
            raise faults.required_missing("Line")
        customer = ctx.resolve_ref("Customer", doc["CustomerRef"], "CustomerRef", "DisplayName")
        raise_if(length_errors(doc, {"DocNumber": DOC_NUMBER_MAX, "PrivateNote": 4000}))
        if isinstance(doc.get("CustomerMemo"), dict):
            raise_if(length_errors(doc["CustomerMemo"], {"value": 1000}))
        self._doc_number(ctx, doc, existing)
        txn_date = _date(doc["TxnDate"], "TxnDate") if doc.get("TxnDate") else ctx.today()
        doc["TxnDate"] = txn_date.isoformat()
        check_period_open(ctx, doc["TxnDate"], existing and existing.get("TxnDate"))
        self._due_date(ctx, doc, customer, txn_date)
        self._tracking_refs(ctx, doc)
        sent_tax = doc.get("TxnTaxDetail")
        subtotal, discount = self._lines(ctx, doc, existing)
        total = money(subtotal - discount + tax.apply(ctx, doc, customer, sent_tax))
        doc["TotalAmt"] = total
        applied = _payments_applied(ctx, existing) if existing else Decimal(0)
        doc["Balance"] = money(total - applied)
        doc["LinkedTxn"] = copy.deepcopy(existing.get("LinkedTxn", [])) if existing else []
        if tax.mode_of(ctx.company) != "ca":
            doc.pop("GlobalTaxCalculation", None)  # non-US companies only
        for name in ("BillAddr", "ShipAddr"):
            if name not in doc and isinstance(customer.get(name), dict):
                doc[name] = copy.deepcopy(customer[name])
        assign_address_ids(ctx, doc, ("BillAddr", "ShipAddr"))
        if doc.get("EmailStatus") == "NeedToSend" and not doc.get("BillEmail"):
            raise faults.business_validation("Need to send requires a BillEmail address.")  # UNCONFIRMED
        for flag in ("AllowIPNPayment", "AllowOnlinePayment", "AllowOnlineCreditCardPayment",
                     "AllowOnlineACHPayment", "ApplyTaxAfterDiscount"):
            doc.setdefault(flag, False)
        doc.setdefault("CurrencyRef", dict(USD))
        doc.setdefault("PrintStatus", "NeedToPrint")
        doc.setdefault("EmailStatus", "NotSet")
        return doc

    def _doc_number(self, ctx, doc, existing):
        number = doc.get("DocNumber")
        custom = bool(ctx.pref("SalesFormsPrefs", "CustomTxnNumbers", False))
        if number is None:
            if existing and existing.get("DocNumber"):
                doc["DocNumber"] = existing["DocNumber"]
            elif not custom or doc.pop("AutoDocNumber", False):
                doc["DocNumber"] = str(ctx.tx.next_value(ctx.realm_id, "InvoiceDocNumber", start=1001))
            return
        doc.pop("AutoDocNumber", None)
        # Duplicate check: on when the company warns about duplicate numbers (OtherPrefs
        # WarnDuplicateInvoiceNum, default true — the name is ours, UNCONFIRMED) and the request
        # does not say include=allowduplicatedocnum.
        warn = str(ctx.other_pref("WarnDuplicateInvoiceNum", "true")).lower() == "true"
        if warn and "allowduplicatedocnum" not in ctx.include:
            owner = ctx.tx.doc_number_owner(ctx.realm_id, "Invoice", number,
                                            int(existing["Id"]) if existing else None)
            if owner is not None:
                raise faults.duplicate_doc_number(number, "Invoice", owner)

    def _due_date(self, ctx, doc, customer, txn_date):
        term_ref = doc.get("SalesTermRef")
        term = ctx.resolve_ref("Term", term_ref, "SalesTermRef") if term_ref else None
        if doc.get("DueDate"):
            doc["DueDate"] = _date(doc["DueDate"], "DueDate").isoformat()
            return
        if term is None and customer.get("SalesTermRef"):
            term = ctx.load("Term", customer["SalesTermRef"].get("value"))
        if term is None:
            default = ctx.pref("SalesFormsPrefs", "DefaultTerms")
            term = ctx.load("Term", default.get("value")) if isinstance(default, dict) else None
        doc["DueDate"] = (term_due_date(term, txn_date) if term else txn_date).isoformat()

    def _tracking_refs(self, ctx, doc):
        if doc.get("ClassRef"):
            if not ctx.pref("AccountingInfoPrefs", "ClassTrackingPerTxn", False):
                raise faults.business_validation(
                    "Class tracking per transaction is not turned on for this company.")  # UNCONFIRMED
            ctx.resolve_ref("Class", doc["ClassRef"], "ClassRef")
        if doc.get("DepartmentRef"):
            if not ctx.pref("AccountingInfoPrefs", "TrackDepartments", False):
                raise faults.business_validation(
                    "Location tracking is not turned on for this company.")  # UNCONFIRMED
            ctx.resolve_ref("Department", doc["DepartmentRef"], "DepartmentRef")

    def _lines(self, ctx, doc, existing):
        lines = [l for l in doc["Line"] if isinstance(l, dict) and l.get("DetailType") != "SubTotalLineDetail"]
        if not lines:
            raise faults.required_missing("Line")
        line_ids = _LineIds(existing)
        errors: list[faults.Error] = []
        subtotal = Decimal(0)
        discounts = []
        out = []
        for number, line in enumerate(lines, start=1):
            kind = line.get("DetailType")
            if len(str(line.get("Description", ""))) > 4000:
                raise faults.QboFault([faults.length_exceeded("Line.Description", 4000)])
            if kind == "SalesItemLineDetail":
                subtotal += self._sales_line(ctx, line, errors)
            elif kind == "DescriptionOnly":
                line.pop("Amount", None)
                line.setdefault("DescriptionLineDetail", {})
            elif kind == "DiscountLineDetail":
                discounts.append(line)
            elif kind is None:
                raise faults.required_missing("Line.DetailType")
            else:
                raise faults.business_validation(f"Line DetailType {kind} is not supported here.")
            line["Id"] = line_ids.keep_or_next(line.get("Id"))
            line["LineNum"] = number
            out.append(line)
        raise_if(errors)  # one 6070 Error per bad line, all in one Fault
        discount_total = Decimal(0)
        for line in discounts:
            detail = line.setdefault("DiscountLineDetail", {})
            if detail.get("PercentBased") and "DiscountPercent" in detail:
                amount = money(subtotal * _number(detail["DiscountPercent"], "DiscountPercent") / 100)
            else:
                amount = money(_number(line.get("Amount", 0), "Line.Amount"))
            line["Amount"] = amount
            discount_total += amount
        out.append({"Amount": money(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
        doc["Line"] = out
        return subtotal, discount_total

    def _sales_line(self, ctx, line, errors) -> Decimal:
        detail = line.setdefault("SalesItemLineDetail", {})
        if not detail.get("ItemRef"):
            raise faults.required_missing("Line.SalesItemLineDetail.ItemRef")
        item = ctx.resolve_ref("Item", detail["ItemRef"], "Line.SalesItemLineDetail.ItemRef")
        if item.get("Type") == "Category":
            raise faults.business_validation("A category can't be used on a transaction line.")
        qty = _number(detail["Qty"], "Qty") if "Qty" in detail else None
        if item.get("Type") == "Inventory" and qty is None:
            raise faults.fault(6520, "Missing Inventory Item Quantity",
                               f"Enter a quantity for the inventory item {item.get('Name', '')}.",
                               "Line.SalesItemLineDetail.Qty")  # Detail UNCONFIRMED
        price = _number(detail["UnitPrice"], "UnitPrice") if "UnitPrice" in detail else None
        if "Amount" in line:
            amount = _number(line["Amount"], "Line.Amount")
        elif qty is not None and price is not None:
            amount = money(qty * price)
        else:
            raise faults.required_missing("Line.Amount")
        if qty is not None and price is not None:
            expected = money(qty * price)
            if amount != expected:
                errors.append(faults.Error(
                    "6070", "Amount calculation incorrect in the request.",
                    f"Amount is not equal to UnitPrice * Qty. Supplied value:{line['Amount']}",
                    "Line.Amount"))
        elif qty is not None and qty != 0:
            detail["UnitPrice"] = (amount / qty).normalize()  # QBO rewrites the rate
        amount = money(amount)
        line["Amount"] = amount
        if detail.get("ClassRef"):
            if not ctx.pref("AccountingInfoPrefs", "ClassTrackingPerTxnLine", False):
                raise faults.business_validation(
                    "Class tracking per line is not turned on for this company.")  # UNCONFIRMED
            ctx.resolve_ref("Class", detail["ClassRef"], "Line.SalesItemLineDetail.ClassRef")
        if not ctx.pref("TaxPrefs", "UsingSalesTax", False) or (
                "TaxCodeRef" not in detail and tax.mode_of(ctx.company) != "ca"):
            detail["TaxCodeRef"] = {"value": "NON"}
        return amount

    def after_save(self, ctx, doc, existing):
        ctx.touch("Invoice", doc)
        for cid in {_customer_id(doc), _customer_id(existing)} - {None}:
            refresh_customer_balance(ctx, cid)

    def before_delete(self, ctx, existing):
        check_period_open(ctx, existing.get("TxnDate"))
        if any(l.get("TxnType") == "Payment" for l in existing.get("LinkedTxn", [])):
            raise faults.business_validation(
                "This invoice has payments applied. Delete or void the payments first.")  # UNCONFIRMED
        cid = _customer_id(existing)
        if cid:
            refresh_customer_balance(ctx, cid, exclude_invoice=existing["Id"])

    def void(self, ctx, doc):
        check_period_open(ctx, doc.get("TxnDate"))
        if any(l.get("TxnType") == "Payment" for l in doc.get("LinkedTxn", [])):
            raise faults.business_validation(
                "This invoice has payments applied. Void the payments first.")  # UNCONFIRMED
        for line in doc.get("Line", []):
            if "Amount" in line:
                line["Amount"] = 0
        doc["TotalAmt"] = 0
        doc["Balance"] = 0
        doc["PrivateNote"] = "Voided"
        ctx.touch("Invoice", doc)
        cid = _customer_id(doc)
        if cid:
            refresh_customer_balance(ctx, cid)


class _LineIds:
    """QBO keeps the Id of a line sent back on update and numbers new lines after the highest
    Id the invoice has had; on create every line is numbered from 1."""

    def __init__(self, existing: dict | None):
        self.known = {str(l.get("Id")) for l in (existing or {}).get("Line", []) if l.get("Id")}
        numbers = [int(i) for i in self.known if i.isdigit()]
        self.last = max(numbers, default=0)
        self.used: set[str] = set()

    def keep_or_next(self, sent) -> str:
        sent = str(sent) if sent not in (None, "") else None
        if sent in self.known and sent not in self.used:
            self.used.add(sent)
            return sent
        self.last += 1
        while str(self.last) in self.known:
            self.last += 1
        self.used.add(str(self.last))
        return str(self.last)


def _name_value(name: str, value: str) -> dict:
    # The JAXB-shaped LineEx blob real Payment responses carry (sample from LedgerSync).
    return {"name": "{http://schema.intuit.com/finance/v3}NameValue",
            "declaredType": "com.intuit.schema.finance.v3.NameValue",
            "scope": "javax.xml.bind.JAXBElement$GlobalScope",
            "value": {"Name": name, "Value": value},
            "nil": False, "globalScope": True, "typeSubstituted": False}


class PaymentRules(Rules):
    def prepare(self, ctx, doc, existing):
        if not doc.get("CustomerRef"):
            raise faults.required_missing("CustomerRef")
        if doc.get("TotalAmt") is None:
            raise faults.required_missing("TotalAmt")
        customer = ctx.resolve_ref("Customer", doc["CustomerRef"], "CustomerRef", "DisplayName")
        total = money(_number(doc["TotalAmt"], "TotalAmt"))
        doc["TotalAmt"] = total
        doc["TxnDate"] = (_date(doc["TxnDate"], "TxnDate") if doc.get("TxnDate") else ctx.today()).isoformat()
        check_period_open(ctx, doc["TxnDate"], existing and existing.get("TxnDate"))
        if doc.get("DepositToAccountRef"):
            ctx.resolve_ref("Account", doc["DepositToAccountRef"], "DepositToAccountRef")
        if doc.get("ARAccountRef"):
            ctx.resolve_ref("Account", doc["ARAccountRef"], "ARAccountRef")
        applied = Decimal(0)
        lines = []
        for line in doc.get("Line", []):
            if not isinstance(line, dict):
                continue
            amount = money(_number(line.get("Amount", 0), "Line.Amount"))
            line["Amount"] = amount
            links = [l for l in line.get("LinkedTxn", []) if isinstance(l, dict)]
            extras = []
            for link in links:
                if link.get("TxnType") != "Invoice":
                    raise faults.business_validation("Payments can only be applied to invoices here.")
                invoice = ctx.load("Invoice", link.get("TxnId"))
                if invoice is None:
                    raise faults.invalid_reference("Line.LinkedTxn.TxnId")
                if invoice["CustomerRef"]["value"] != str(customer["Id"]):
                    raise faults.business_validation(
                        "The transaction you're linking to belongs to a different customer.")  # UNCONFIRMED
                open_balance = money(invoice.get("Balance", 0))
                if existing:
                    open_balance += _applied_to(existing, invoice["Id"])
                if amount > open_balance:
                    raise faults.business_validation(
                        f"The payment amount {amount} is more than the open balance {open_balance} "
                        f"of invoice {invoice.get('DocNumber', invoice['Id'])}.")  # UNCONFIRMED
                link["TxnId"] = str(invoice["Id"])
                extras = [_name_value("txnId", invoice["Id"]),
                          _name_value("txnOpenBalance", format(open_balance, "f")),
                          _name_value("txnReferenceNumber", invoice.get("DocNumber", ""))]
            if links:
                line["LinkedTxn"] = links
                line["LineEx"] = {"any": extras}
            applied += amount
            lines.append(line)
        if applied > total:
            raise faults.business_validation(
                "The amount applied to transactions is more than the payment amount.")  # UNCONFIRMED
        doc["Line"] = lines
        doc["UnappliedAmt"] = money(total - applied)
        doc.setdefault("ProcessPayment", False)
        doc.setdefault("CurrencyRef", dict(USD))
        return doc

    def after_save(self, ctx, doc, existing):
        ctx.touch("Payment", doc)
        self._reapply(ctx, doc, existing)

    def before_delete(self, ctx, existing):
        check_period_open(ctx, existing.get("TxnDate"))
        self._reapply(ctx, None, existing)

    def void(self, ctx, doc):
        check_period_open(ctx, doc.get("TxnDate"))
        before = copy.deepcopy(doc)
        for line in doc.get("Line", []):
            line["Amount"] = 0
            line.pop("LineEx", None)
        doc["TotalAmt"] = 0
        doc["UnappliedAmt"] = 0
        doc["PrivateNote"] = "Voided"
        ctx.touch("Payment", doc)
        self._reapply(ctx, doc, before)

    def _reapply(self, ctx, new: dict | None, old: dict | None) -> None:
        """Move invoice balances and LinkedTxn from the old application to the new one."""
        payment_id = (new or old)["Id"]
        invoice_ids = set()
        for src in (new, old):
            for line in (src or {}).get("Line", []):
                for link in line.get("LinkedTxn", []):
                    if link.get("TxnType") == "Invoice":
                        invoice_ids.add(str(link["TxnId"]))
        customers = set()
        for iid in sorted(invoice_ids):
            invoice = ctx.load("Invoice", iid)
            if invoice is None:
                continue
            before = _applied_to(old, iid) if old else Decimal(0)
            after = _applied_to(new, iid) if new else Decimal(0)
            links = [l for l in invoice.get("LinkedTxn", [])
                     if not (l.get("TxnType") == "Payment" and l.get("TxnId") == payment_id)]
            if after > 0:
                links.append({"TxnId": payment_id, "TxnType": "Payment"})
            if before == after and links == invoice.get("LinkedTxn", []):
                continue
            invoice["LinkedTxn"] = links
            invoice["Balance"] = money(Decimal(str(invoice.get("Balance", 0))) + before - after)
            invoice["SyncToken"] = str(int(invoice["SyncToken"]) + 1)
            invoice["MetaData"]["LastUpdatedTime"] = ctx.meta_now()
            ctx.touch("Invoice", invoice)
            customers.add(_customer_id(invoice))
        for cid in customers - {None}:
            refresh_customer_balance(ctx, cid)
