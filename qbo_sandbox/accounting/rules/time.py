"""TimeActivity: hours an employee or a vendor worked, optionally for a customer and a service item.

Rules from Intuit's TimeActivity reference and the XSD (Finance.xsd): `NameOf` says whose time it
is (Employee, Vendor or Other) and the matching ref (EmployeeRef / VendorRef / OtherNameRef) is
required on create; the duration is either Hours/Minutes or StartTime/EndTime; a Billable
activity needs the customer it is billed to. Refs must point at active entities (610 otherwise,
like every other ref). Fault codes where Intuit publishes none are marked UNCONFIRMED.
"""
from __future__ import annotations

from datetime import datetime

from qbo_sandbox import clock
from qbo_sandbox.accounting import faults
from qbo_sandbox.accounting.rules.base import Rules, length_errors, raise_if
from qbo_sandbox.accounting.rules.sales import _date, _number, check_period_open

NAME_REFS = {"Employee": "EmployeeRef", "Vendor": "VendorRef", "Other": "OtherNameRef"}
BILLABLE_STATUSES = ("Billable", "NotBillable", "HasBeenBilled")
DESCRIPTION_MAX = 4000  # UNCONFIRMED: the reference gives no limit; Invoice line descriptions take 4000


def _invalid(element: str) -> faults.QboFault:
    # What QBO's JSON binder answers for a value outside an enumeration or of the wrong type.
    return faults.fault(2010, "Request has invalid or unsupported property",
                        f"Property Name:{element} specified is unsupported or invalid", element)


class TimeActivityRules(Rules):
    def prepare(self, ctx, doc, existing):
        self._worker(ctx, doc)
        self._customer_and_item(ctx, doc)
        has_times = self._duration(ctx, doc)
        if doc.get("TxnDate"):
            doc["TxnDate"] = _date(doc["TxnDate"], "TxnDate").isoformat()
        elif has_times:
            doc["TxnDate"] = doc["StartTime"][:10]  # the day the work started, company time
        else:
            doc["TxnDate"] = ctx.today().isoformat()
        check_period_open(ctx, doc["TxnDate"], existing and existing.get("TxnDate"))
        raise_if(length_errors(doc, {"Description": DESCRIPTION_MAX}))
        doc.setdefault("Taxable", False)
        return doc

    def _worker(self, ctx, doc) -> None:
        name_of = doc.get("NameOf")
        if not name_of:
            raise faults.required_missing("NameOf")
        if name_of not in NAME_REFS:
            raise _invalid("NameOf")
        wanted = NAME_REFS[name_of]
        for other in NAME_REFS.values():
            if other != wanted and doc.get(other):
                raise faults.business_validation(  # UNCONFIRMED wording and code
                    f"NameOf is {name_of}, so the time activity takes {wanted}, not {other}.")
        if not doc.get(wanted):
            raise faults.required_missing(wanted)
        if name_of == "Other":
            raise faults.invalid_reference(wanted)  # the sandbox keeps no Other Names list
        ctx.resolve_ref(name_of, doc[wanted], wanted, name_field="DisplayName")

    def _customer_and_item(self, ctx, doc) -> None:
        status = doc.setdefault("BillableStatus", "NotBillable")
        if status not in BILLABLE_STATUSES:
            raise _invalid("BillableStatus")
        if doc.get("CustomerRef"):
            ctx.resolve_ref("Customer", doc["CustomerRef"], "CustomerRef", name_field="DisplayName")
        elif status != "NotBillable":
            raise faults.required_missing("CustomerRef")  # billable time is billed to someone
        if doc.get("ItemRef"):
            ctx.resolve_ref("Item", doc["ItemRef"], "ItemRef")
        for name in ("HourlyRate", "CostRate"):
            if name in doc and _number(doc[name], name) < 0:
                raise faults.business_validation(f"{name} cannot be negative.")  # UNCONFIRMED
        if doc.get("ClassRef"):
            ctx.resolve_ref("Class", doc["ClassRef"], "ClassRef")
        if doc.get("DepartmentRef"):
            if not ctx.pref("AccountingInfoPrefs", "TrackDepartments", False):
                raise faults.business_validation(
                    "Location tracking is not turned on for this company.")  # UNCONFIRMED
            ctx.resolve_ref("Department", doc["DepartmentRef"], "DepartmentRef")

    def _duration(self, ctx, doc) -> bool:
        """Hours/Minutes or StartTime/EndTime, never both; True when the times were given."""
        by_count = any(k in doc for k in ("Hours", "Minutes"))
        by_clock = any(k in doc for k in ("StartTime", "EndTime"))
        if by_count and by_clock:
            raise faults.business_validation(  # UNCONFIRMED wording and code
                "Give either Hours and Minutes or StartTime and EndTime, not both.")
        if by_clock:
            start, end = (self._moment(ctx, doc, name) for name in ("StartTime", "EndTime"))
            if end <= start:
                raise faults.business_validation("EndTime must be after StartTime.")  # UNCONFIRMED
            return True
        if not by_count:
            raise faults.required_missing("Hours")
        hours = self._whole(doc, "Hours", 0, None)
        minutes = self._whole(doc, "Minutes", 0, 59)
        doc["Hours"], doc["Minutes"] = hours, minutes
        return False

    @staticmethod
    def _whole(doc, name, low, high) -> int:
        value = doc.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
            raise _invalid(name)
        number = int(str(value).strip())
        if number < low or (high is not None and number > high):
            raise faults.business_validation(f"{name} must be between {low} and {high}.")  # UNCONFIRMED
        return number

    @staticmethod
    def _moment(ctx, doc, name) -> datetime:
        if not doc.get(name):
            raise faults.required_missing(name)
        try:
            moment = clock.parse_timestamp(str(doc[name]), ctx.tz)
        except ValueError:
            raise _invalid(name)
        # QBO answers with the times in the company's zone (unless HoursInEmployeeTimeZone).
        doc[name] = clock.meta_time(moment, ctx.tz)
        return moment
