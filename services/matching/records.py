"""The two sides of a match, as plain dataclasses the web app (or a file) fills in."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ClientRecord:
    """A client of the agency, as the care system knows them."""
    id: str
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    preferred_name: str = ""
    email: str = ""
    phone: str = ""
    address_line1: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    active: bool = True
    client_code: str = ""   # the agency's client number ("C1045"); bookkeepers write it in names


@dataclass
class CustomerRecord:
    """A QuickBooks Online customer, reduced to what matching needs."""
    id: str
    display_name: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    suffix: str = ""
    title: str = ""
    company_name: str = ""
    fully_qualified_name: str = ""
    parent_id: str | None = None
    is_job: bool = False
    email: str = ""                      # may hold several addresses separated by commas, as QBO allows
    phones: tuple[str, ...] = field(default=())
    bill_line1: str = ""
    bill_city: str = ""
    bill_state: str = ""
    bill_postal_code: str = ""
    active: bool = True

    @property
    def leaf_name(self) -> str:
        """The person's own name: the last segment of "Payer:Smith, John" for a sub-customer."""
        fqn = self.fully_qualified_name or ""
        if ":" in fqn and (self.is_job or self.parent_id or not self.display_name):
            return fqn.rsplit(":", 1)[-1].strip()
        name = self.display_name or fqn
        # A display name can carry the path too when a bookkeeper typed it that way.
        return name.rsplit(":", 1)[-1].strip() if ":" in name else name.strip()

    @classmethod
    def from_qbo(cls, c: dict) -> "CustomerRecord":
        """Build from a QBO Customer object (as in a query response)."""
        addr = c.get("BillAddr") or {}
        phones = tuple(
            (c.get(key) or {}).get("FreeFormNumber", "")
            for key in ("PrimaryPhone", "Mobile", "AlternatePhone")
            if (c.get(key) or {}).get("FreeFormNumber")
        )
        parent = (c.get("ParentRef") or {}).get("value")
        active = c.get("Active", True)
        if isinstance(active, str):
            active = active.strip().lower() != "false"
        is_job = c.get("Job", False)
        if isinstance(is_job, str):
            is_job = is_job.strip().lower() == "true"
        return cls(
            id=str(c.get("Id", "")),
            display_name=c.get("DisplayName") or "",
            given_name=c.get("GivenName") or "",
            middle_name=c.get("MiddleName") or "",
            family_name=c.get("FamilyName") or "",
            suffix=c.get("Suffix") or "",
            title=c.get("Title") or "",
            company_name=c.get("CompanyName") or "",
            fully_qualified_name=c.get("FullyQualifiedName") or "",
            parent_id=str(parent) if parent else None,
            is_job=bool(is_job),
            email=(c.get("PrimaryEmailAddr") or {}).get("Address") or "",
            phones=phones,
            bill_line1=addr.get("Line1") or "",
            bill_city=addr.get("City") or "",
            bill_state=addr.get("CountrySubDivisionCode") or "",
            bill_postal_code=addr.get("PostalCode") or "",
            active=bool(active),
        )
