"""Suggest a QuickBooks item for each item-mapping row that has none saved yet.

Pure: takes the rows (anything with `slot` and `label`) and the cached Item list (QBO dicts) and
returns {slot: item id}. A suggestion is only made when one item clearly is "the" item for the
row — an exact match of normalised names, or else a single fuzzy winner well above the others —
because a wrong pre-selection that gets saved unnoticed is worse than an empty drop-down.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

from rapidfuzz import fuzz

from services.sync_settings.catalog import SELECTABLE_ITEM_TYPES

FUZZY_THRESHOLD = 90   # 0-100; typos ("Personel Care", "Milage") pass, "Respite Care" for "Respite" does not
FUZZY_MARGIN = 8       # the winner must beat the runner-up by this much, or nothing is suggested

_NOT_WORD = re.compile(r"[^\w]+|_")


def _singular(word: str) -> str:
    """A cheap English singular, applied to both sides, so it only has to be consistent."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(name: str) -> str:
    """Lower case, accents and punctuation dropped ("/" too), "&" read as "and" and then "and"
    ignored, plurals made singular: "Discounts & Adjustments" == "discount/adjustment"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("'", "").replace("’", "").replace("&", " and ")
    words = [_singular(w) for w in _NOT_WORD.split(text) if w and w != "and"]
    return " ".join(words)


def _row_names(label: str) -> tuple[str, set[str]]:
    """The row's whole name, and its "/" alternatives: "Discount / adjustment" also means
    "Discount" and "Adjustment" on their own."""
    whole = normalise(label)
    parts = {normalise(p) for p in label.split("/")} if "/" in label else set()
    return whole, {p for p in parts if p and p != whole}


def _score(a: str, b: str) -> float:
    # ratio catches "over time" vs "overtime"; token_sort_ratio catches swapped words.
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def _pick(row_label: str, items: list[tuple[str, str]]) -> str | None:
    """The id of the one item matching the label, or None when there is none or no clear one."""
    whole, alternatives = _row_names(row_label)
    if not whole:
        return None
    for names in ({whole}, alternatives):   # a match on the whole name outranks a partial one
        exact = {item_id for item_id, name in items if name in names}
        if len(exact) == 1:
            return exact.pop()
        if len(exact) > 1:
            return None   # two items with the same name: the user has to choose
    best: dict[str, float] = {}
    for item_id, name in items:
        best[item_id] = max([_score(n, name) for n in {whole} | alternatives])
    ranked = sorted(best.items(), key=lambda pair: pair[1], reverse=True)
    if not ranked or ranked[0][1] < FUZZY_THRESHOLD:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < FUZZY_MARGIN:
        return None
    return ranked[0][0]


def suggest_items(rows: Iterable, items: Iterable[dict],
                  saved: Collection[str] = ()) -> dict[str, str]:
    """{slot: item id} for the rows not in `saved` whose billed line clearly names one of the
    active Service/NonInventory items. Rows already saved (whatever item, even an inactive one)
    and rows without a clear match are left out."""
    offered = [(str(i["Id"]), normalise(i.get("Name") or ""))
               for i in items
               if i.get("Id") is not None and i.get("Active", True)
               and i.get("Type") in SELECTABLE_ITEM_TYPES]
    offered = [(item_id, name) for item_id, name in offered if name]
    suggestions = {}
    for row in rows:
        if row.slot in saved:
            continue
        found = _pick(row.label, offered)
        if found is not None:
            suggestions[row.slot] = found
    return suggestions
