"""The tax code CareLedger's lines carry in a company outside the US (Sync Settings › Tax code).

A person's choice per realm, kept until they change it. Only an active code with a 0 % rate
(zero-rated or exempt) may be chosen: any other would add tax in QuickBooks and break the rule
that the QuickBooks total is the agency total before tax.
"""
from __future__ import annotations

from extensions import db
from models._types import utcnow
from models.qbo_platform import QboTaxSetting
from services.qbo_tax.profile import NON_US, TaxProfile


class TaxCodeRefused(ValueError):
    """The choice cannot be saved; the message says why, for people."""


def chosen(realm_id: str) -> QboTaxSetting | None:
    row = db.session.get(QboTaxSetting, str(realm_id))
    return row if row is not None and row.line_tax_code_id else None


def choose(realm_id: str, profile: TaxProfile, code_id: str, user_id: int | None) -> QboTaxSetting:
    """Save the code lines carry. Commits; raises TaxCodeRefused and changes nothing on bad input."""
    if profile.mode != NON_US:
        raise TaxCodeRefused("This QuickBooks company is in the US: its lines need no tax code.")
    code = next((c for c in profile.zero_rate_codes if c["id"] == str(code_id or "")), None)
    if code is None:
        raise TaxCodeRefused("Choose one of the company's zero-rated or exempt tax codes from the "
                             "list (press “Re-read from QuickBooks” if it is missing).")
    row = db.session.get(QboTaxSetting, str(realm_id))
    if row is None:
        row = QboTaxSetting(realm_id=str(realm_id))
        db.session.add(row)
    row.line_tax_code_id, row.line_tax_code_name = code["id"], code["name"]
    row.chosen_by_id, row.chosen_at = user_id, utcnow()
    db.session.commit()
    return row
