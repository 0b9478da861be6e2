"""The Why says exactly what matched (issue 11): a display name misspelt while QuickBooks' given
and family name fields are right is not "same name" at 100."""
from services.matching import ClientRecord, CustomerRecord, match_clients


def client(first, last, **extra):
    fields = dict(id="1", first_name=first, middle_name="", last_name=last, suffix="", preferred_name="",
                  email="", phone="", address_line1="", city="", state="", postal_code="")
    return ClientRecord(**{**fields, **extra})


def customer(display, given="", family="", **extra):
    return CustomerRecord.from_qbo({"Id": "9", "DisplayName": display, "GivenName": given,
                                    "FamilyName": family, "Active": True, **extra})


def test_misspelt_display_name_with_right_fields_is_named_and_scored_below_100():
    [p] = match_clients([client("Abena", "Ferreira")], [customer("Frereira, Abena", "Abena", "Ferreira")])
    assert p.customer_id == "9" and p.status == "auto"
    assert not p.reason.startswith("same name;") and p.reason != "same name"
    assert "name fields" in p.reason
    assert "display name surname letters swapped: Frereira / Ferreira" in p.reason
    assert p.score < 100


def test_contact_details_do_not_lift_a_misspelt_display_name_to_100():
    [p] = match_clients([client("Abena", "Ferreira", email="a@x.example", phone="518-555-0101")],
                        [customer("Frereira, Abena", "Abena", "Ferreira", PrimaryEmailAddr={"Address": "a@x.example"},
                                  PrimaryPhone={"FreeFormNumber": "(518) 555-0101"})])
    assert p.status == "auto" and p.score == 99 and "letters swapped" in p.reason


def test_the_same_display_name_is_plainly_the_same_name():
    [p] = match_clients([client("Abena", "Ferreira")], [customer("Ferreira, Abena", "Abena", "Ferreira")])
    assert p.reason.split(";")[0] == "same name" and p.score == 100


def test_a_misspelt_display_name_without_fields_says_one_letter_apart():
    [p] = match_clients([client("Abena", "Ferreira", email="a@x.example")],
                        [customer("Abena Fereira", PrimaryEmailAddr={"Address": "a@x.example"})])
    assert "surname one letter apart: Fereira / Ferreira" in p.reason and "same e-mail" in p.reason
    assert "same name" not in p.reason


def test_a_nickname_display_name_says_so():
    [p] = match_clients([client("Robert", "Smith")], [customer("Bob Smith", "Robert", "Smith")])
    assert "nickname Robert → Bob" in p.reason and "name fields" in p.reason


def test_explain_pair_gives_the_score_and_why_of_a_chosen_customer():
    from services.matching import explain_pair

    score, status, why = explain_pair(client("Abena", "Ferreira"), customer("Frereira, Abena", "Abena", "Ferreira"))
    assert (score, status) == (96, "auto") and "letters swapped" in why
    score, status, why = explain_pair(client("Abena", "Ferreira"), customer("Zed Quill"))
    assert score < 60 and status == "none"
