"""The `TaxTreatment` the pure mapping applies for one company: its tax mode (cached) and, outside
the US, the chosen line code. Read once per export group and once per batch page."""
from __future__ import annotations

from flask import current_app

from qbo.errors import QboError
from services.mapping.invoice import Ref, TaxTreatment
from services.qbo_tax import line_code, profile as tax_profile
from services.qbo_tax.profile import NON_US


def _client():
    from services.qbo_connection import connected_client

    return connected_client(current_app._get_current_object())


def treatment_for(realm_id: str, client_factory=None) -> TaxTreatment:
    """How exported lines say "no tax" in this company. When its tax settings cannot be read
    (first use, QuickBooks unreachable) the treatment carries the reason and the mapping refuses."""
    from services.qbo_connection.messages import plain_error

    try:
        found = tax_profile.profile_for(realm_id, client_factory or _client)
    except QboError as error:
        return TaxTreatment(mode="unknown", problem=(
            "CareLedger could not read this company's sales-tax settings from QuickBooks, so it "
            f"cannot tell how to send the invoice without tax: {plain_error(error)}"))
    if found.mode != NON_US:
        return TaxTreatment(mode=found.mode)
    setting = line_code.chosen(realm_id)
    if setting is None:
        return TaxTreatment(mode=NON_US, problem=(
            f"This QuickBooks company is outside the US ({found.country}), where every invoice line "
            "needs a tax code. Choose the zero-rated or exempt code CareLedger's lines carry in "
            "Sync Settings › Tax code, then export again."))
    return TaxTreatment(mode=NON_US, line_code=Ref(setting.line_tax_code_id, setting.line_tax_code_name))
