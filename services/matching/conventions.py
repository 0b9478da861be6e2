"""Bookkeepers' additions to a customer's name, peeled off before the name is parsed.

QuickBooks customer lists carry more than a person's name: the agency's client number ("1045 John
Smith", "C1045 - Smith, John", "#1045 Smith John"), who the invoices go to ("John Smith c/o Mary
Smith", "Smith, John (POA Mary Smith)", "John Smith - attn Mary"), and "Estate of John Smith". Each is
evidence or context in its own right, so `peel` takes them out into fields of their own and leaves
the person's name for `normalize.parse_display_name`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from unidecode import unidecode

from .normalize import clean_text

# A client number: up to three letters, an optional dash, then digits ("1045", "C1045", "CL-1045").
_CODE = r"[A-Za-z]{0,3}-?\d+"
_LEAD_WORDS = r"(?:(?:acct|account|client|cust|customer|id|no|nr)\.?\s*(?:no\.?|number|#)?\s*)?"
_LEADING_NUMBER = re.compile(rf"^\s*{_LEAD_WORDS}#?\s*(?P<code>{_CODE})\s*(?:[-:.,|/]+\s*|\s+)(?=\S)", re.I)
_TRAILING_NUMBER = re.compile(rf"\s+(?:[-:,|/]+\s*)?{_LEAD_WORDS}#\s*(?P<code>{_CODE})\s*$"
                              rf"|\s+(?:[-:,|/]+\s*)?(?P<code2>[A-Za-z]{{0,3}}-?\d{{3,}})\s*$", re.I)
_PAREN_NUMBER = re.compile(rf"[\(\[]\s*{_LEAD_WORDS}#?\s*(?P<code>{_CODE})\s*[\)\]]", re.I)
_HASH_NUMBER = re.compile(rf"#\s*(?P<code>{_CODE})\b")

_WHO = r"(?P<who>[^()\[\],;]*[^()\[\],;\s])"
# Wording that names the person the bills go to rather than the client. Order matters: a
# parenthesised phrase first, then one running to the end of the name.
_CARE = [
    ("power of attorney", re.compile(rf"[\(\[]\s*(?:poa|power of attorney)\b[:.\s-]*{_WHO}?\s*[\)\]]", re.I)),
    ("care of", re.compile(rf"[\(\[]\s*(?:c/o|c\.o\.|in care of|care of)\s*[:\s]\s*{_WHO}\s*[\)\]]", re.I)),
    ("attention", re.compile(rf"[\(\[]\s*(?:attn|attention)\b[:.\s]*{_WHO}\s*[\)\]]", re.I)),
    ("care of", re.compile(rf"[\s,;-]+(?:c/o|c\.o\.|in care of|care of)\s*[:\s]\s*{_WHO}\s*$", re.I)),
    ("power of attorney", re.compile(rf"[\s,;-]+(?:poa|power of attorney)\b[:.\s-]*{_WHO}\s*$", re.I)),
    ("attention", re.compile(rf"[\s,;-]+(?:attn|attention)\b[:.\s]*{_WHO}\s*$", re.I)),
    ("guardian", re.compile(rf"[\s,;-]+(?:guardian|rep payee|representative payee)\b[:.\s]*{_WHO}\s*$", re.I)),
]
_CARE_HINTS = ("c/o", "c.o.", "care", "poa", "attorney", "attn", "attention", "guardian", "payee",
               "fbo", "f/b/o", "benefit")
_FOR_BENEFIT_OF = re.compile(rf"^\s*{_WHO}\s+(?:fbo|f/b/o|for the benefit of)\s+(?P<client>.+)$", re.I)
_ESTATE = [re.compile(r"^\s*(?:the\s+)?(?:estate|est\.?)\s+of\s+", re.I),
           re.compile(r"[\s,;-]*[\(\[]?\s*(?<![a-z])(?:estate|est\.)\s*[\)\]]?\s*$", re.I)]
_DELETED = re.compile(r"\s*[\(\[]\s*deleted\s*[\)\]]", re.I)
_NOT_CODE = re.compile(r"[^a-z0-9]")
_DIGIT = re.compile(r"\d")
_NON_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Peeled:
    name: str                        # what is left: the person's name with other disambiguators
    numbers: tuple[str, ...] = ()    # number tokens as written, folded: ("c1045",), ("1045",)
    care: tuple[str, str] = ("", "")  # ("care of" | "power of attorney" | "attention" | "guardian", who)
    estate: bool = False
    deleted: bool = False


def _take(pattern: re.Pattern, text: str, group: str = "code") -> tuple[str, list[str]]:
    found: list[str] = []

    def keep(m: re.Match) -> str:
        value = m.groupdict().get(group) or m.groupdict().get(group + "2")
        if value:
            found.append(value)
        return " "
    return pattern.sub(keep, text), found


def code_token(text: str) -> str:
    """A number as compared: letters and digits only, lower case ("C-1045" -> "c1045")."""
    return _NOT_CODE.sub("", unidecode(text).lower())


def peel(display: str | None) -> Peeled:
    """Split a customer's display name into the person's name and the bookkeeper's additions."""
    text = clean_text(display).strip()
    lower = text.lower()
    # Cheap word checks first: most names carry none of this, and the patterns cost more.
    deleted = "deleted" in lower and bool(_DELETED.search(text))
    if deleted:
        text = _DELETED.sub(" ", text)
    care = ("", "")
    if any(w in lower for w in _CARE_HINTS):
        m = _FOR_BENEFIT_OF.match(text)
        if m and m.group("who"):
            care, text = ("care of", m.group("who").strip()), m.group("client")
        for kind, pattern in _CARE:
            if care[0]:
                break
            m = pattern.search(text)
            if m:
                care = (kind, (m.group("who") or "").strip())
                text = text[:m.start()] + " " + text[m.end():]
    estate = False
    if "est" in lower:
        for pattern in _ESTATE:
            text, n = pattern.subn(" ", text)
            estate = estate or bool(n)
    numbers: list[str] = []
    if _DIGIT.search(text):
        for pattern in (_PAREN_NUMBER, _LEADING_NUMBER, _TRAILING_NUMBER, _HASH_NUMBER):
            text, found = _take(pattern, text)
            numbers.extend(found)
    text = _SPACES.sub(" ", text).strip(" -,:;|/")
    return Peeled(text, tuple(code_token(n) for n in numbers if code_token(n)), care, estate, deleted)


def code_digits(code: str) -> str:
    return _NON_DIGIT.sub("", code)


def number_fits_code(number: str, code: str) -> bool:
    """Is this number from a customer's name the client's code? "c1045" or "1045" for code "C1045".

    Bare digits must be the code's whole digit run and at least three long: "(2)" or "#7" are a
    bookkeeper's duplicates counter, not client 0002 or 0007."""
    if not number or not code:
        return False
    if number == code:
        return True
    digits = code_digits(code)
    return number.isdigit() and len(number) >= 3 and number == digits


def number_contradicts_code(number: str, code: str) -> bool:
    """A number written like this client's code (same letters, or the same count of digits) that is
    a different one: the name carries someone else's client number."""
    if not number or not code or number_fits_code(number, code):
        return False
    digits = code_digits(code)
    if len(digits) < 3:
        return False
    if number.isdigit():
        return len(number) == len(digits)
    letters = _DIGIT.sub("", number)
    return letters == _DIGIT.sub("", code) and len(code_digits(number)) == len(digits)
