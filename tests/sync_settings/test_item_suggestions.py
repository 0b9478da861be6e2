"""suggest_items: which company item a row without a saved item starts on (pure, no app)."""
from __future__ import annotations

from services.sync_settings.suggestions import normalise, suggest_items
from services.sync_settings import ItemRow

# The rows as the tab builds them (service types by name, then the fixed kinds' labels).
ROWS = [ItemRow("service:1", "Personal Care"), ItemRow("service:2", "Companion"),
        ItemRow("service:default", "Any other service type"), ItemRow("mileage", "Mileage"),
        ItemRow("expense", "Expense reimbursement"), ItemRow("holiday_premium", "Holiday premium"),
        ItemRow("overtime_premium", "Overtime premium"), ItemRow("discount", "Discount / adjustment")]


def item(item_id, name, item_type="Service", active=True):
    return {"Id": str(item_id), "Name": name, "Type": item_type, "Active": active}


DEMO_ITEMS = [item(1, "Services"), item(2, "Hours"), item(3, "Personal Care"), item(4, "Companion"),
              item(5, "Respite"), item(6, "Skilled Nursing"), item(7, "Homemaker"),
              item(8, "Mileage", "NonInventory"), item(9, "Expense Reimbursement", "NonInventory"),
              item(10, "Holiday Premium"), item(11, "Overtime Premium"), item(12, "Discount")]


def test_the_demo_company_items_are_suggested_for_every_named_row():
    assert suggest_items(ROWS, DEMO_ITEMS) == {
        "service:1": "3", "service:2": "4", "mileage": "8", "expense": "9", "holiday_premium": "10",
        "overtime_premium": "11", "discount": "12"}   # no item is "any other service type"


def test_names_compare_without_case_punctuation_slashes_ampersands_or_plurals():
    assert normalise("Discounts & Adjustments") == normalise("discount/adjustment") == "discount adjustment"
    assert normalise("Expenses  Reimbursed") == "expense reimbursed"
    assert normalise("Owner’s Café") == normalise("owners cafe")
    items = [item(1, "PERSONAL-CARE"), item(2, "Mileage (miles)"), item(3, "Discounts & Adjustments"),
             item(4, "Overtime premiums"), item(5, "Companions")]
    assert suggest_items(ROWS, items) == {"service:1": "1", "discount": "3", "overtime_premium": "4",
                                          "service:2": "5"}   # "mileage miles" is not "mileage"


def test_a_part_of_a_slashed_label_matches_but_the_whole_label_wins():
    assert suggest_items(ROWS, [item(1, "Adjustment")]) == {"discount": "1"}
    both = [item(1, "Discount"), item(2, "Discount/Adjustment")]
    assert suggest_items(ROWS, both) == {"discount": "2"}


def test_a_clear_fuzzy_winner_is_suggested():
    items = [item(1, "Personel Care"), item(2, "Milage", "NonInventory"), item(3, "Over-time Premium"),
             item(4, "Holiday Premium Pay")]
    suggested = suggest_items(ROWS, items)
    assert suggested == {"service:1": "1", "mileage": "2", "overtime_premium": "3"}
    # "Holiday Premium Pay" is close but under the threshold: nothing for the holiday row.
    assert "holiday_premium" not in suggested


def test_ambiguous_names_suggest_nothing():
    # Two items with the same normalised name.
    assert suggest_items(ROWS, [item(1, "Mileage"), item(2, "mileage.")]) == {}
    # Two fuzzy candidates equally close: no clear winner.
    assert suggest_items(ROWS, [item(1, "Personal Care A"), item(2, "Personal Care B")]) == {}
    # Both halves of "Discount / adjustment" as separate items.
    assert suggest_items(ROWS, [item(1, "Discount"), item(2, "Adjustment")]) == {}
    # A longer name that merely contains the row's name is not a match.
    assert suggest_items(ROWS, [item(1, "Respite Care"), item(2, "Companion Care")]) == {}


def test_inactive_items_and_other_item_types_are_never_suggested():
    items = [item(1, "Mileage", active=False), item(2, "Holiday Premium", "Inventory"),
             item(3, "Discount", "Category"), item(4, "Overtime Premium", "Group")]
    assert suggest_items(ROWS, items) == {}
    # An inactive item with the exact name does not block an active near-match either way: the
    # active one is the only candidate.
    assert suggest_items(ROWS, [item(1, "Mileage", active=False), item(2, "Milage")]) == {"mileage": "2"}


def test_rows_with_a_saved_item_get_no_suggestion():
    saved = {"mileage": "99", "service:1": "42"}   # whatever item they hold, even an inactive one
    suggested = suggest_items(ROWS, DEMO_ITEMS, saved)
    assert "mileage" not in suggested and "service:1" not in suggested
    assert suggested["discount"] == "12"
    assert suggest_items(ROWS, DEMO_ITEMS, {"discount"}).get("discount") is None  # a set of slots works too


def test_no_items_no_suggestions():
    assert suggest_items(ROWS, []) == {}
    assert suggest_items([], DEMO_ITEMS) == {}
