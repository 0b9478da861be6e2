"""The company's tax settings are read once and cached; threads of an exporter that start together
with an empty cache make one read between them; the choice of line code is validated."""
from __future__ import annotations

import threading

import pytest

from extensions import db
from services.qbo_tax import line_code, profile
from services.qbo_tax.profile import NON_US, US_AST, US_MANUAL, TaxProfile


class CountingClient:
    """A QBO client answering the three reads the profile makes, counting them."""

    def __init__(self, country="US", automated=False):
        self.country, self.automated, self.reads = country, automated, 0
        self._lock = threading.Lock()

    def _count(self):
        with self._lock:
            self.reads += 1

    def preferences(self):
        self._count()
        return {"TaxPrefs": {"UsingSalesTax": self.automated, "PartnerTaxEnabled": self.automated}}

    def company_info(self):
        self._count()
        return {"Country": self.country}

    def query_all(self, entity):
        self._count()
        if entity == "TaxRate":
            return [{"Id": "1", "RateValue": 5}, {"Id": "2", "RateValue": 0}]
        return [{"Id": "10", "Name": "GST", "Active": True,
                 "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "1"}}]}},
                {"Id": "11", "Name": "Zero-rated", "Active": True,
                 "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "2"}}]}},
                {"Id": "12", "Name": "Exempt", "Active": False, "SalesTaxRateList": {}}]


@pytest.mark.parametrize("country, automated, mode", [("US", False, US_MANUAL), ("USA", True, US_AST),
                                                       ("CA", False, NON_US)])
def test_mode_from_preferences_and_country(app, country, automated, mode):
    with app.app_context():
        found = profile.refresh(CountingClient(country, automated), "42")
        assert found.mode == mode and profile.cached("42").mode == mode


def test_concurrent_first_reads_make_one_read(app):
    client = CountingClient()
    results = []

    def worker():
        with app.app_context():
            results.append(profile.profile_for("42", lambda: client).mode)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [US_MANUAL] * 8
    assert client.reads == 2  # Preferences and CompanyInfo, once


def test_only_active_zero_rate_codes_may_be_chosen(app):
    with app.app_context():
        found = profile.refresh(CountingClient("CA"), "42")
        assert [c["name"] for c in found.zero_rate_codes] == ["Zero-rated"]  # GST taxes, Exempt inactive
        for bad in ("10", "12", "", "nope"):
            with pytest.raises(line_code.TaxCodeRefused):
                line_code.choose("42", found, bad, None)
        assert line_code.chosen("42") is None  # a refused choice changes nothing
        line_code.choose("42", found, "11", None)
        assert line_code.chosen("42").line_tax_code_name == "Zero-rated"
        us = TaxProfile(realm_id="42", country="US")
        with pytest.raises(line_code.TaxCodeRefused):
            line_code.choose("42", us, "11", None)
