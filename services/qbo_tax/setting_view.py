"""What Sync Settings › Tax code shows and does (templates/accounting/_tax_code_setting.html)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from qbo.errors import QboError
from services.qbo_tax import line_code, profile as tax_profile
from services.qbo_tax.line_code import TaxCodeRefused
from services.qbo_tax.profile import NON_US, TaxProfile

__all__ = ["TaxCodeSetting", "TaxCodeRefused", "reread", "save", "setting_for"]


@dataclass
class TaxCodeSetting:
    profile: TaxProfile | None
    chosen_id: str | None = None
    chosen_name: str = ""
    problem: str = ""                     # the tax settings could not be read
    choices: list[dict] = field(default_factory=list)

    @property
    def needs_code(self) -> bool:
        return self.profile is not None and self.profile.mode == NON_US

    @property
    def missing(self) -> bool:
        return self.needs_code and not self.chosen_id


def _client():
    from services.qbo_connection import connected_client

    return connected_client(current_app._get_current_object())


def setting_for(realm_id: str | None) -> TaxCodeSetting | None:
    """The panel's view (reads the company's tax settings from QuickBooks on the first visit)."""
    if not realm_id:
        return None
    from services.qbo_connection.messages import plain_error

    try:
        found = tax_profile.profile_for(realm_id, _client)
    except QboError as error:
        return TaxCodeSetting(profile=None, problem=plain_error(error))
    chosen = line_code.chosen(realm_id)
    return TaxCodeSetting(profile=found, chosen_id=chosen.line_tax_code_id if chosen else None,
                          chosen_name=chosen.line_tax_code_name if chosen else "",
                          choices=found.zero_rate_codes)


def save(realm_id: str, code_id: str, user_id: int | None) -> str:
    """Save the line code (from the cached tax settings); returns its name."""
    found = tax_profile.cached(realm_id)
    if found is None:
        raise TaxCodeRefused("CareLedger has not read this company's tax settings yet: open Sync "
                             "Settings again, then choose the code.")
    return line_code.choose(realm_id, found, code_id, user_id).line_tax_code_name


def reread(client, realm_id: str) -> TaxProfile:
    return tax_profile.refresh(client, realm_id)
