"""Organisation (third-party payer) matching."""
from __future__ import annotations

from services.matching import CustomerRecord, match_payers


def test_payers_match_by_normalised_organisation_name():
    customers = [CustomerRecord(id="1", display_name="Sunrise Long Term Care Ins."),
                 CustomerRecord(id="2", display_name="County Medicaid Waiver Program"),
                 CustomerRecord(id="3", display_name="Robert Smith"),
                 CustomerRecord(id="4", display_name="Old Payer LLC", active=False)]
    props = match_payers([("P1", "Sunrise LTC Insurance"), ("P2", "Veterans Affairs"),
                          ("P3", "Old Payer, Inc.")], customers)
    assert (props[0].customer_id, props[0].status) == ("1", "auto")
    assert props[1].customer_id is None and props[1].status == "none"
    assert props[2].customer_id is None          # inactive customers are never proposed


def test_payer_customer_not_given_twice():
    customers = [CustomerRecord(id="1", display_name="Acme Health Insurance")]
    props = match_payers([("P1", "Acme Health Ins."), ("P2", "Acme Health Insurance Co")], customers)
    assert sum(p.customer_id == "1" for p in props) == 1
