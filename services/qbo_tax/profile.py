"""The company's tax facts, read from QuickBooks once and cached per realm (qbo_tax_profiles), so an export costs no read per invoice and none per group.

Read: Preferences (TaxPrefs.UsingSalesTax, PartnerTaxEnabled = AST) and CompanyInfo (Country);
for a company outside the US also the TaxCode and TaxRate lists, to offer the codes whose rate
is 0 (zero-rated or exempt). 2 reads for a US company, 4 otherwise.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from extensions import db
from models._types import utcnow
from models.qbo_platform import QboTaxProfile
US = ("", "US", "USA", "UNITED STATES")
US_MANUAL, US_AST, NON_US = "us-manual", "us-ast", "non-us"
_first_read = threading.Lock()  # the exporter's threads start together: one of them reads


@dataclass(frozen=True)
class TaxProfile:
    realm_id: str
    country: str = "US"
    using_sales_tax: bool = False
    automated: bool = False
    codes: list[dict] = field(default_factory=list)  # {"id", "name", "rate", "active"}
    fetched_at: datetime | None = None

    @property
    def mode(self) -> str:
        if self.country.strip().upper() not in US:
            return NON_US
        return US_AST if self.automated else US_MANUAL

    @property
    def mode_label(self) -> str:
        return {US_MANUAL: "US company, sales tax not automated: lines are sent as non-taxable (NON)",
                US_AST: "US company with automated sales tax: invoices carry a zero-tax override",
                NON_US: f"company outside the US ({self.country}): every line needs a tax code"}[self.mode]

    @property
    def zero_rate_codes(self) -> list[dict]:
        """Active codes that add no tax: what exported lines may carry."""
        return sorted((c for c in self.codes if c.get("active", True) and c.get("rate") == "0"),
                      key=lambda c: c["name"].lower())

    def code(self, code_id: str | None) -> dict | None:
        return next((c for c in self.codes if c["id"] == str(code_id)), None) if code_id else None


def _rate_of(code: dict, rates: dict[str, Decimal]) -> str:
    """"0" when every sales rate of the code is 0, else the summed percent as text."""
    details = ((code.get("SalesTaxRateList") or {}).get("TaxRateDetail")) or []
    total = Decimal(0)
    for detail in details:
        total += rates.get(str((detail.get("TaxRateRef") or {}).get("value")), Decimal(0))
    return "0" if total == 0 else format(total.normalize(), "f")


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def fetch(client, realm_id: str) -> TaxProfile:
    """Read the facts from QuickBooks (2 reads in the US, 4 elsewhere)."""
    tax_prefs = (client.preferences() or {}).get("TaxPrefs") or {}
    country = str(client.company_info().get("Country") or "US")
    profile = TaxProfile(realm_id=str(realm_id), country=country,
                         using_sales_tax=bool(tax_prefs.get("UsingSalesTax")),
                         automated=bool(tax_prefs.get("PartnerTaxEnabled")), fetched_at=utcnow())
    if profile.mode != NON_US:
        return profile
    rates = {str(r.get("Id")): _decimal(r.get("RateValue")) for r in client.query_all("TaxRate")}
    codes = [{"id": str(c.get("Id")), "name": str(c.get("Name") or f"Code {c.get('Id')}"),
              "rate": _rate_of(c, rates), "active": bool(c.get("Active", True))}
             for c in client.query_all("TaxCode")]
    return replace(profile, codes=codes)


def _row(realm_id: str) -> QboTaxProfile | None:
    return db.session.get(QboTaxProfile, str(realm_id))


def cached(realm_id: str) -> TaxProfile | None:
    row = _row(realm_id)
    if row is None:
        return None
    data = row.data
    return TaxProfile(realm_id=str(realm_id), country=data.get("country", "US"),
                      using_sales_tax=bool(data.get("using_sales_tax")),
                      automated=bool(data.get("automated")), codes=list(data.get("codes") or []),
                      fetched_at=row.fetched_at)


def refresh(client, realm_id: str) -> TaxProfile:
    """Fetch and replace the cached profile. Commits. A QBO error keeps the old cache."""
    return store(fetch(client, realm_id))


def store(profile: TaxProfile) -> TaxProfile:
    """Keep `profile` as the realm's cached one. Commits."""
    realm_id = profile.realm_id
    row = _row(realm_id)
    if row is None:
        row = QboTaxProfile(realm_id=str(realm_id))
        db.session.add(row)
    row.payload = json.dumps({"country": profile.country, "using_sales_tax": profile.using_sales_tax,
                              "automated": profile.automated, "codes": profile.codes})
    row.fetched_at = profile.fetched_at or utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # another process stored it first: theirs is as fresh
        db.session.rollback()
        return cached(realm_id) or profile
    return profile


def profile_for(realm_id: str, client_factory) -> TaxProfile:
    """The cached profile, read from QuickBooks on first use (`client_factory()` builds the client).
    Threads of this process that find no cache wait for the first one's read instead of repeating it."""
    found = cached(realm_id)
    if found is not None:
        return found
    with _first_read:
        return cached(realm_id) or refresh(client_factory(), realm_id)


def forget(realm_id: str) -> None:
    """Drop the cache so the next export reads the company's tax settings again. Commits."""
    db.session.execute(delete(QboTaxProfile).where(QboTaxProfile.realm_id == str(realm_id)))
    db.session.commit()
