"""classify() is the one place that decides what became of an exported invoice and what is still
owed on it; describe() words it for the pages and the receivables sum it without the words. Both
must agree on every state, for ORM rows and plain rows alike."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace as Row

import pytest

from services.payments.statuses import QboState, classify, describe


def record(total="100.00", customer="7"):
    return Row(invoice_id=1, qbo_id="55", qbo_total=Decimal(total), expected_total=Decimal("999"),
               qbo_customer_id=customer)


def state(balance="100.00", total="100.00", customer="7", voided=False, deleted=False):
    return Row(balance=None if balance is None else Decimal(balance), total=Decimal(total), customer_id=customer,
               voided=voided, deleted=deleted)


CASES = [
    ("never mentioned by the feed: open for the sent total", record(), None, {}, QboState.OPEN, Decimal("100.00")),
    ("open", record(), state(), {}, QboState.OPEN, Decimal("100.00")),
    ("feed without a balance: the sent total", record(), state(balance=None), {}, QboState.OPEN, Decimal("100.00")),
    ("partially paid", record(), state(balance="40.00"), {}, QboState.PARTIAL, Decimal("40.00")),
    ("paid", record(), state(balance="0"), {}, QboState.PAID, Decimal("0")),
    ("voided", record(), state(voided=True), {}, QboState.VOIDED, Decimal("0")),
    ("deleted beats voided", record(), state(voided=True, deleted=True), {}, QboState.DELETED, None),
    ("total changed", record(), state(balance="120.00", total="120.00"), {}, QboState.CHANGED, Decimal("120.00")),
    ("moved to another customer", record(), state(customer="8"), {}, QboState.CHANGED, Decimal("100.00")),
    ("customer merged into the one now billed: followed, not changed", record(), state(customer="8"),
     {"7": "8"}, QboState.OPEN, Decimal("100.00")),
]


@pytest.mark.parametrize("what, rec, st, merged, kind, balance", CASES, ids=[c[0] for c in CASES])
def test_classify_and_describe_agree(what, rec, st, merged, kind, balance):
    assert classify(rec, st, merged) == (kind, balance)
    status = describe(rec, st, None, merged)
    assert (status.state, status.balance) == (kind, balance)


def test_the_words_follow_the_state():
    assert describe(record(), state(balance="40.00"), None, {}).title == \
        "Partially paid in QuickBooks: $40.00 still due"
    assert describe(record(), state(balance="120.00", total="120.00"), None, {}).title == \
        "Changed in QuickBooks: total is now $120.00 (sent $100.00); $120.00 due"
    assert describe(record(), state(customer="8"), None, {}).title == \
        "Changed in QuickBooks: it is now billed to another customer; $100.00 due"
