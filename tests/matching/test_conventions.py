"""How bookkeepers keep QuickBooks customer lists (issue #14): each convention is recognised, with a
plain-words reason, and its look-alike that must not match is not matched."""
from __future__ import annotations

import pytest

from services.matching import ClientRecord, CustomerRecord, match_clients


def client(cid="C1045", first="John", last="Smith", **kw):
    return ClientRecord(id=cid, first_name=first, last_name=last, **kw)


def cust(qid="1", display="John Smith", **kw):
    return CustomerRecord(id=qid, display_name=display, fully_qualified_name=kw.pop("fqn", display), **kw)


def by_client(clients, customers):
    return {p.client_id: p for p in match_clients(clients, customers)}


# --- client numbers in the name ----------------------------------------------------------------

@pytest.mark.parametrize("display", ["1045 John Smith", "C1045 - Smith, John", "#1045 Smith John",
                                     "Smith, John (1045)", "John Smith #C1045", "Acct 1045 Smith, John"])
def test_client_number_in_the_name_is_auto(display):
    p = by_client([client(client_code="C1045")], [cust(display=display), cust("2", "Mary Jones")])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto"), p.reason
    assert "client number 1045 in the name" in p.reason


def test_client_number_outweighs_a_closer_name():
    props = by_client([client(client_code="C1045"), client("C2001", client_code="C2001")],
                      [cust("1", "John Smith"), cust("2", "1045 Jon Smith")])
    assert (props["C1045"].customer_id, props["C1045"].status) == ("2", "auto")
    assert props["C2001"].customer_id != "2"


def test_client_number_keeps_a_married_client():
    p = by_client([client(first="Anna", last="Keller", client_code="C1045")],
                  [cust(display="1045 Anna Brooks")])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto") and "client number" in p.reason


def test_another_clients_number_is_not_auto():
    props = by_client([client(client_code="C1045"), client("C1046", "Mary", "Jones", client_code="C1046")],
                      [cust(display="C1046 - Smith, John")])
    assert props["C1045"].status != "auto" and props["C1046"].status != "auto"
    assert "client C1046" in props["C1045"].reason


def test_client_number_with_an_unrelated_name_is_only_review():
    p = by_client([client(client_code="C1045")], [cust(display="1045 Maria Gonzalez")])["C1045"]
    assert p.status != "auto"


def test_a_small_disambiguating_number_is_not_a_client_number():
    p = by_client([client("C0002", client_code="C0002")], [cust(display="John Smith (2)")])["C0002"]
    assert p.status == "auto" and "client number" not in p.reason


def test_client_code_falls_back_to_nothing_for_the_app_ids():
    # The page passes database ids as ClientRecord.id: they are never read as client numbers.
    p = by_client([client("17")], [cust(display="17 Mary Jones"), cust("2", "Smith, John")])["17"]
    assert p.customer_id == "2"


# --- family name first, no comma ---------------------------------------------------------------

@pytest.mark.parametrize("first,middle,last,display", [
    ("An", "", "Nguyen", "Nguyen Van An"), ("An", "Van", "Nguyen", "Nguyen Van An"),
    ("John", "", "Smith", "Smith John"), ("Minjun", "", "Kim", "Kim Minjun"),
])
def test_family_name_first_without_comma(first, middle, last, display):
    p = by_client([client(first=first, last=last, middle_name=middle)], [cust(display=display)])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto"), p.reason
    assert "family name first" in p.reason


def test_two_given_names_swapped_are_not_auto_on_their_own():
    p = by_client([client(first="James", last="Thomas")], [cust(display="Thomas James")])["C1045"]
    assert p.status != "auto"


def test_the_plain_reading_beats_the_swapped_one():
    p = by_client([client(first="James", last="Thomas")],
                  [cust("1", "Thomas James"), cust("2", "James Thomas")])["C1045"]
    assert (p.customer_id, p.status) == ("2", "auto"), p.reason


# --- care of, power of attorney, estate, attention -----------------------------------------------

@pytest.mark.parametrize("display,words", [
    ("John Smith c/o Mary Smith", "care of Mary Smith"),
    ("Smith, John (POA Mary Smith)", "power of attorney Mary Smith"),
    ("Estate of John Smith", "estate of"),
    ("John Smith - attn Mary", "attention Mary"),
    ("John Smith, care of Peter Lee", "care of Peter Lee"),
])
def test_care_of_wording_is_peeled(display, words):
    p = by_client([client()], [cust(display=display)])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto"), p.reason
    assert words in p.reason


def test_the_carer_does_not_get_the_cared_for_persons_customer():
    props = by_client([client("C1", "Mary", "Smith", phone="555-201-3344"), client("C2")],
                      [cust(display="John Smith c/o Mary Smith", phones=("555 201 3344",))])
    assert props["C1"].customer_id is None
    assert (props["C2"].customer_id, props["C2"].status) == ("1", "auto")


# --- typos -------------------------------------------------------------------------------------

def test_typos_in_both_names_with_a_shared_phone():
    p = by_client([client(first="David", last="Walker", phone="555-301-1234")],
                  [cust(display="Daivd Walekr", phones=("(555) 301-1234",))])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto")
    assert "letters swapped" in p.reason and "same phone" in p.reason


def test_typos_in_both_names_alone_are_review():
    p = by_client([client(first="David", last="Walker")], [cust(display="Daivd Walekr")])["C1045"]
    assert (p.customer_id, p.status) == ("1", "review")


def test_one_letter_typo_reason():
    p = by_client([client(first="Robert")], [cust(display="Robert Smiht")])["C1045"]
    assert p.status == "auto" and "letters swapped" in p.reason
    p = by_client([client(first="Robert")], [cust(display="Robert Smyth")])["C1045"]
    assert "one letter apart" in p.reason


@pytest.mark.parametrize("first,stranger", [("John", "Joan"), ("Mark", "Mary"), ("Carl", "Carol"),
                                            ("Dana", "Dina")])
def test_look_alike_stranger_one_letter_away_is_never_auto(first, stranger):
    p = by_client([client(first=first)], [cust(display=f"{stranger} Smith")])["C1045"]
    assert p.status != "auto"


def test_look_alike_surname_of_another_client_is_never_auto():
    props = by_client([client("C1", "John", "Smith"), client("C2", "Ann", "Smyth")],
                      [cust(display="John Smyth")])
    assert props["C1"].status != "auto"


# --- Hispanic double surnames ------------------------------------------------------------------

@pytest.mark.parametrize("display", ["Maria Garcia", "Maria Garcia-Lopez", "Maria Garcia Lopez",
                                     "Garcia Lopez, Maria", "María José García"])
def test_double_surname_one_of_the_two_or_hyphenated(display):
    p = by_client([client(first="María", middle_name="José", last="García López", phone="555-111-0000")],
                  [cust(display=display, phones=("555-111-0000",))])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto"), p.reason


def test_double_surname_with_another_second_surname_is_not_auto():
    p = by_client([client(first="María", last="García López")], [cust(display="Maria Garcia Perez")])["C1045"]
    assert p.status != "auto"


# --- nicknames on both sides, invisible characters, deleted customers, namesakes -----------------

def test_preferred_nickname_against_another_nickname():
    p = by_client([client(first="William", preferred_name="Bill")], [cust(display="Will Smith")])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto") and "nickname" in p.reason


@pytest.mark.parametrize("display", ["John\u00a0Smith", "Jo\u200bhn Smith", "Smith,\u200b John\u200b",
                                     "\ufeffJohn Smith", "John\u2060 Smith"])
def test_invisible_characters_are_ignored(display):
    p = by_client([client(first="John\u00a0")], [cust(display=display)])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto"), p.reason


def test_deleted_inactive_beside_active():
    p = by_client([client()], [cust("1", "John Smith (deleted)", active=False), cust("2", "Smith, John")])["C1045"]
    assert (p.customer_id, p.status) == ("2", "auto")


def test_same_name_clients_told_apart_by_address():
    props = by_client([client("C1", address_line1="12 Oak Street"), client("C2", address_line1="9 Elm Road")],
                      [cust("1", "John Smith", bill_line1="9 Elm Rd"), cust("2", "Smith, John", bill_line1="12 Oak St")])
    assert [(props[c].customer_id, props[c].status) for c in ("C1", "C2")] == [("2", "auto"), ("1", "auto")]


@pytest.mark.parametrize("client_last,display", [("Smith", "John Smyth"), ("Clark", "John Clarke"),
                                                 ("Reed", "John Reid")])
def test_surname_one_letter_away_with_nothing_else_is_only_review(client_last, display):
    p = by_client([client(last=client_last)], [cust(display=display)])["C1045"]
    assert (p.customer_id, p.status) == ("1", "review"), p.reason


def test_surname_one_letter_away_with_a_shared_phone_is_auto():
    p = by_client([client(phone="555-300-1000")], [cust(display="John Smyth", phones=("555-300-1000",))])["C1045"]
    assert (p.customer_id, p.status) == ("1", "auto")
