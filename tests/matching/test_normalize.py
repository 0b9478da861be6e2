"""Normalisers: names as bookkeepers type them, contact details, organisation names."""
from __future__ import annotations

import pytest

from services.matching.names import first_relation, last_relation
from services.matching.normalize import (norm_org, norm_phone, norm_street, parse_display_name,
                                         split_emails, strip_disambiguators)
from services.matching.records import CustomerRecord


@pytest.mark.parametrize("text,first,last,suffix", [
    ("Smith, Robert J.", "robert", ("smith",), ""),
    ("Mrs. Jane Doe - Private Pay", "jane", ("doe",), ""),
    ("Robert St. John Jr (2)", "robert", ("st", "john"), "jr"),
    ("Ann Lee #123", "ann", ("lee",), ""),
    ("O'Brien, Tina (deleted)", "tina", ("obrien",), ""),
    ("Donna Smith-Jones III", "donna", ("smith", "jones"), "iii"),
    ("Zoë  BAKER", "zoe", ("baker",), ""),
])
def test_parse_display_name(text, first, last, suffix):
    n = parse_display_name(text)
    assert (n.first, n.last, n.suffix) == (first, last, suffix)


def test_disambiguators_are_reported():
    assert strip_disambiguators("Ann Lee - Private Pay") == ("Ann Lee", True)
    assert strip_disambiguators("Ann Lee") == ("Ann Lee", False)


def test_phone_email_street():
    assert norm_phone("+1 (555) 123-4567 ext. 89") == norm_phone("555.123.4567") == "5551234567"
    assert norm_phone("12") == ""
    assert split_emails("A@X.com, b@y.org") == ("a@x.com", "b@y.org")
    assert norm_street("12 North Main Street Apt. 4B") == norm_street("12 N Main St #4b") == ("12 n main st", "4b")
    assert norm_street("PO Box 7")[0] == ""


def test_given_name_relations():
    assert first_relation("bob", "robert") == "nickname"
    assert first_relation("peggy", "margaret") == "nickname"
    assert first_relation("sabrina", "sbarina") == "typo"
    assert first_relation("jane", "janet") == "variant"
    assert first_relation("robert", "roberta") == "variant"
    assert first_relation("mary", "gary") == "different"
    assert first_relation("j", "john") == "initial"


def test_surname_relations():
    assert last_relation(("crawford",), ("craford",)) == "typo"
    assert last_relation(("smith", "jones"), ("jones",)) == "part"
    assert last_relation(("smith",), ("brown",)) == "different"


def test_org_normaliser():
    assert norm_org("Sunrise LTC Insurance, Inc.") == norm_org("Sunrise Long-Term Care Ins.") \
        == "sunrise long term care insurance"
    assert norm_org("Smith & Sons Co.") == norm_org("Smith and Sons Company")


def test_customer_from_qbo():
    q = CustomerRecord.from_qbo({
        "Id": "7", "DisplayName": "Smith, John", "GivenName": "John", "FamilyName": "Smith", "Active": False,
        "PrimaryPhone": {"FreeFormNumber": "555-1234567"}, "Mobile": {"FreeFormNumber": "555 765 4321"},
        "PrimaryEmailAddr": {"Address": "j@x.com"}, "BillAddr": {"Line1": "1 Elm St", "PostalCode": "12345"},
        "Job": True, "ParentRef": {"value": "3"}, "FullyQualifiedName": "Payer:Smith, John"})
    assert (q.id, q.active, q.parent_id, q.is_job, q.leaf_name) == ("7", False, "3", True, "Smith, John")
    assert q.phones == ("555-1234567", "555 765 4321") and q.bill_postal_code == "12345"


@pytest.mark.parametrize("display,name,numbers,care,estate", [
    ("C1045 - Smith, John", "Smith, John", ("c1045",), ("", ""), False),
    ("#1045 Smith John", "Smith John", ("1045",), ("", ""), False),
    ("John Smith c/o Mary Smith", "John Smith", (), ("care of", "Mary Smith"), False),
    ("Mary Smith FBO John Smith", "John Smith", (), ("care of", "Mary Smith"), False),
    ("Smith, John (POA Mary Smith)", "Smith, John", (), ("power of attorney", "Mary Smith"), False),
    ("John Smith Est.", "John Smith", (), ("", ""), True),
    ("John Realestate", "John Realestate", (), ("", ""), False),      # words that merely contain
    ("Ernest Forrest", "Ernest Forrest", (), ("", ""), False),        # the wording stay
    ("Joe Poarch", "Joe Poarch", (), ("", ""), False),
])
def test_peel_bookkeepers_additions(display, name, numbers, care, estate):
    from services.matching.conventions import peel
    p = peel(display)
    assert (p.name, p.numbers, p.care, p.estate) == (name, numbers, care, estate)
