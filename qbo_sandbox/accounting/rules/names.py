"""Customer (with sub-customers), Vendor and Employee: one shared DisplayName space (6240)."""
from __future__ import annotations

from decimal import Decimal

from qbo_sandbox.accounting import faults
from qbo_sandbox.accounting.context import USD, Ctx
from qbo_sandbox.accounting.rules.base import (Rules, assign_address_ids, forbid_separators, length_errors,
                                    raise_if, strip_text, unique_name)
from qbo_sandbox.accounting.schema import PEOPLE

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
LIMITS = {"Title": 16, "GivenName": 100, "MiddleName": 100, "FamilyName": 100, "Suffix": 16,
          "CompanyName": 100, "DisplayName": 500, "PrintOnCheckName": 110, "Notes": 2000}
MAX_JOB_LEVEL = 4


def _me(etype: str, existing: dict | None):
    return (etype, int(existing["Id"])) if existing else None


def person_names(ctx: Ctx, etype: str, doc: dict, existing: dict | None) -> None:
    strip_text(doc, NAME_PARTS + ("DisplayName", "CompanyName"))
    if "DisplayName" not in doc:
        built = " ".join(doc[p] for p in NAME_PARTS if doc.get(p)) or doc.get("CompanyName")
        if not built:
            raise faults.required_missing("DisplayName")
        doc["DisplayName"] = built
    errors = length_errors(doc, LIMITS)
    raise_if(errors)
    forbid_separators(doc, ("DisplayName",) + NAME_PARTS)
    email = doc.get("PrimaryEmailAddr", {}).get("Address") if isinstance(doc.get("PrimaryEmailAddr"), dict) else None
    if email is not None and ("@" not in email or "." not in email):
        raise faults.business_validation("Invalid email address format")  # UNCONFIRMED wording
    if ctx.deleted_suffix:
        _deleted_suffix(doc, existing)
    unique_name(ctx, PEOPLE, doc["DisplayName"], _me(etype, existing))
    doc.setdefault("PrintOnCheckName", (doc.get("CompanyName") or doc["DisplayName"])[:110])
    doc.setdefault("Active", True)
    assign_address_ids(ctx, doc)


DELETED_SUFFIX = " (deleted)"


def _deleted_suffix(doc: dict, existing: dict | None) -> None:
    """QBO renames an inactive name "X (deleted)" (freeing "X") and drops the suffix again when
    the name is made active."""
    name = doc["DisplayName"]
    if doc.get("Active") is False:
        if not name.endswith(DELETED_SUFFIX):
            doc["DisplayName"] = name + DELETED_SUFFIX
    elif name.endswith(DELETED_SUFFIX) and (existing is None or existing.get("Active") is False):
        doc["DisplayName"] = name[: -len(DELETED_SUFFIX)]


class CustomerRules(Rules):
    def prepare(self, ctx, doc, existing):
        person_names(ctx, "Customer", doc, existing)
        parent_ref = doc.get("ParentRef")
        if parent_ref:
            parent = ctx.resolve_ref("Customer", parent_ref, "ParentRef", name_field=None)
            if existing and _is_self_or_descendant(ctx, int(parent["Id"]), int(existing["Id"])):
                raise faults.business_validation("A customer can't be its own parent.")
            level = int(parent.get("Level", 0)) + 1
            if level > MAX_JOB_LEVEL:
                raise faults.business_validation(
                    f"Sub-customers can only be {MAX_JOB_LEVEL} levels deep.")  # UNCONFIRMED wording
            doc["Job"] = True
            doc["Level"] = level
            doc["FullyQualifiedName"] = parent["FullyQualifiedName"] + ":" + doc["DisplayName"]
        else:
            if doc.get("Job") is True:
                raise faults.fault(6150, "ParentRef Required Error",
                                   "A sub-customer (Job true) needs a ParentRef.", "ParentRef")
            doc["Job"] = False
            doc.pop("Level", None)
            doc["FullyQualifiedName"] = doc["DisplayName"]
        if doc.get("SalesTermRef"):
            ctx.resolve_ref("Term", doc["SalesTermRef"], "SalesTermRef")
        doc.setdefault("Taxable", True)
        if doc["Taxable"] and "DefaultTaxCodeRef" not in doc:  # kept on full updates too (real)
            doc["DefaultTaxCodeRef"] = {"value": "2"}
        doc.setdefault("BillWithParent", False)
        doc["Balance"] = existing.get("Balance", Decimal(0)) if existing else 0
        doc["BalanceWithJobs"] = existing.get("BalanceWithJobs", Decimal(0)) if existing else 0
        doc.setdefault("CurrencyRef", dict(USD))
        doc.setdefault("PreferredDeliveryMethod", "Print")
        return doc

    def after_save(self, ctx, doc, existing):
        if existing is None:
            if doc.get("ParentRef"):
                ctx.touch("Customer", doc)
                refresh_balance_with_jobs(ctx, int(doc["ParentRef"]["value"]))
            return
        renamed = existing.get("FullyQualifiedName") != doc.get("FullyQualifiedName")
        if renamed:
            _rename_children(ctx, doc)
        old_parent = existing.get("ParentRef", {}).get("value")
        new_parent = doc.get("ParentRef", {}).get("value")
        if old_parent != new_parent:
            ctx.touch("Customer", doc)
            for pid in (old_parent, new_parent):
                if pid:
                    refresh_balance_with_jobs(ctx, int(pid))


def _is_self_or_descendant(ctx: Ctx, candidate_id: int, me_id: int) -> bool:
    node = ctx.load("Customer", candidate_id)
    while node is not None:
        if int(node["Id"]) == me_id:
            return True
        parent = node.get("ParentRef", {}).get("value")
        node = ctx.load("Customer", parent) if parent else None
    return False


def _children(ctx: Ctx, parent_id: int) -> list[dict]:
    found = {int(d["Id"]): d for d in ctx.tx.children(ctx.realm_id, "Customer", parent_id)}
    for (etype, cid), doc in ctx.touched.items():
        if etype != "Customer":
            continue
        if doc.get("ParentRef", {}).get("value") == str(parent_id):
            found[cid] = doc
        else:
            found.pop(cid, None)
    return list(found.values())


def _rename_children(ctx: Ctx, parent: dict) -> None:
    for child in _children(ctx, int(parent["Id"])):
        child["FullyQualifiedName"] = parent["FullyQualifiedName"] + ":" + child["DisplayName"]
        child["Level"] = int(parent.get("Level", 0)) + 1
        child["MetaData"]["LastUpdatedTime"] = ctx.meta_now()
        ctx.touch("Customer", child)
        _rename_children(ctx, child)


def refresh_balance_with_jobs(ctx: Ctx, customer_id: int) -> None:
    """Recompute BalanceWithJobs from this customer up to the top-level customer."""
    node = ctx.load("Customer", customer_id)
    while node is not None:
        total = Decimal(str(node.get("Balance", 0)))
        for child in _children(ctx, int(node["Id"])):
            total += Decimal(str(child.get("BalanceWithJobs", 0)))
        if Decimal(str(node.get("BalanceWithJobs", 0))) != total:
            node["BalanceWithJobs"] = total
            node["MetaData"]["LastUpdatedTime"] = ctx.meta_now()
            ctx.touch("Customer", node)
        parent = node.get("ParentRef", {}).get("value")
        node = ctx.load("Customer", parent) if parent else None


def set_customer_balance(ctx: Ctx, customer_id: int, balance: Decimal) -> None:
    customer = ctx.load("Customer", customer_id)
    if customer is None:
        return
    if Decimal(str(customer.get("Balance", 0))) != balance:
        customer["Balance"] = balance
        customer["MetaData"]["LastUpdatedTime"] = ctx.meta_now()  # SyncToken unchanged (real)
        ctx.touch("Customer", customer)
    refresh_balance_with_jobs(ctx, customer_id)


class VendorRules(Rules):
    def prepare(self, ctx, doc, existing):
        person_names(ctx, "Vendor", doc, existing)
        doc["Balance"] = existing.get("Balance", 0) if existing else 0
        doc.setdefault("Vendor1099", False)
        doc.setdefault("CurrencyRef", dict(USD))
        return doc


class EmployeeRules(Rules):
    def prepare(self, ctx, doc, existing):
        # Intuit's Employee reference: "At least one of GivenName or FamilyName is required"
        # (a DisplayName alone, enough for a Customer or Vendor, is not).
        strip_text(doc, ("GivenName", "FamilyName"))
        if not doc.get("GivenName") and not doc.get("FamilyName"):
            raise faults.required_missing("GivenName")
        person_names(ctx, "Employee", doc, existing)
        # Every real Employee carries BillableTime (qbo_api spec/vcr/deactivate/employee.yml).
        doc.setdefault("BillableTime", False)
        return doc
