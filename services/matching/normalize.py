"""Text normalisers for matching: person names, organisation names, e-mail, phone and street address.

Everything here is a pure function of its input. Names are folded to ASCII lower case with Unidecode so
"Zoë", "ZOE" and "Zoe" compare equal; punctuation is dropped ("O'Brien" == "OBrien" == "obrien").
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from unidecode import unidecode

# Courtesy titles a bookkeeper puts in front of a name ("Mrs. Jane Doe").
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "rev", "fr", "prof", "sister", "sr sister", "hon", "capt",
})
# Generational and professional suffixes. "Jr"/"Sr"/"II".. are kept apart because two people who
# differ only there (father and son at one address) must not be matched to each other.
GENERATIONAL = {"jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "ii": "ii", "2nd": "ii",
                "iii": "iii", "3rd": "iii", "iv": "iv", "4th": "iv"}
PROFESSIONAL = frozenset({"md", "phd", "esq", "dds", "rn", "lpn", "cpa", "dvm", "do", "ret"})
# Words that belong to the surname that follows them ("St. John", "de la Cruz", "Van Dyke").
SURNAME_PARTICLES = frozenset({
    "st", "saint", "de", "del", "della", "dela", "la", "le", "van", "von", "der", "den", "da", "di",
    "du", "dos", "das", "mac", "san", "santa", "ben", "bin", "al", "el", "ter", "ten", "vander",
})

_PARENS = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]?")
_HASH_NUMBER = re.compile(r"#\s*\w+")
_DASH_TAIL = re.compile(r"\s+[-\u2013\u2014/|]+\s+.*$")   # "Ann Lee - Private Pay", "Ann Lee / Medicaid"
_DELETED = re.compile(r"\(deleted\)", re.I)
_NON_NAME = re.compile(r"[^a-z0-9,\- ]+")
_SPACES = re.compile(r"\s+")
_TRAILING_COUNTER = re.compile(r"\s+\d+\s*$")
_SURNAME_SPLIT = re.compile(r"[\s\-]+")
_EMAIL_SPLIT = re.compile(r"[,;\s]+")
_PHONE_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?|extension|#)\s*\d+\s*$")
_NON_DIGITS = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
# Characters pasted in from web pages and word processors: invisible ones vanish, odd spaces are spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def clean_text(text: str | None) -> str:
    """Zero-width characters, soft hyphens and BOMs removed; non-breaking and other spaces made spaces."""
    if not text:
        return ""
    text = str(text)
    if text.isascii():
        return text
    return _ODD_SPACES.sub(" ", text.translate(_INVISIBLE))


def fold(text: str | None) -> str:
    """ASCII, lower case, single spaces. Apostrophes and periods vanish, other punctuation -> space."""
    if not text:
        return ""
    return _fold(str(text))


@lru_cache(maxsize=100_000)
def _fold(text: str) -> str:
    # Given names and surnames repeat across thousands of records: each is folded once.
    text = unidecode(clean_text(text)).lower()
    text = text.replace("'", "").replace("`", "").replace(".", " ")
    return _SPACES.sub(" ", text).strip()


def strip_disambiguators(text: str) -> tuple[str, bool]:
    """Remove what bookkeepers add to keep names unique: "(2)", "#123", "- Private Pay", "(deleted)".

    Returns the cleaned text and whether anything was removed (worth a word in the reason)."""
    original = text
    if any(ch in text for ch in "([{"):
        text = _PARENS.sub(" ", _DELETED.sub(" ", text))
    if "#" in text:
        text = _HASH_NUMBER.sub(" ", text)
    if any(ch in text for ch in "-\u2013\u2014/|"):
        text = _DASH_TAIL.sub(" ", text)
    if text.rstrip()[-1:].isdigit():
        text = _TRAILING_COUNTER.sub(" ", text)   # trailing bare number: "John Smith 2"
    text = _SPACES.sub(" ", text).strip(" -,")
    return text, _SPACES.sub(" ", original).strip() != text


@dataclass(frozen=True)
class PersonName:
    """A parsed person name: folded tokens, surname kept as its components ("smith-jones" -> 2)."""
    first: str = ""
    middles: tuple[str, ...] = ()
    last: tuple[str, ...] = ()
    suffix: str = ""            # generational suffix only: "", "jr", "sr", "ii", ...
    notes: tuple[str, ...] = field(default=())   # what parsing removed: "title", "disambiguator", ...

    @property
    def last_joined(self) -> str:
        return "".join(self.last)

    @property
    def empty(self) -> bool:
        return not (self.first or self.last)


def _tokens(text: str) -> list[str]:
    text = _NON_NAME.sub(" ", text)
    return [t for t in _SPACES.split(text.replace(",", " , ")) if t]


def _split_surname(raw: str) -> tuple[str, ...]:
    parts = [p for p in _SURNAME_SPLIT.split(raw) if p]
    return tuple(parts)


def _take_suffixes(tokens: list[str], notes: list[str]) -> tuple[list[str], str]:
    suffix = ""
    kept = []
    for i, tok in enumerate(tokens):
        if tok in GENERATIONAL and (i > 0 or len(tokens) == 1):
            suffix = suffix or GENERATIONAL[tok]
            notes.append("suffix")
        elif tok in PROFESSIONAL and i > 0:
            notes.append("suffix")
        else:
            kept.append(tok)
    return kept, suffix


def parse_person(first: str | None = None, middle: str | None = None, last: str | None = None,
                 suffix: str | None = None) -> PersonName:
    """Build a PersonName from separate fields (the care system's layout, or QBO GivenName/FamilyName)."""
    notes: list[str] = []
    f_tokens = _tokens(fold(first).replace(",", " "))
    while f_tokens and f_tokens[0] in TITLES and len(f_tokens) > 1:
        f_tokens.pop(0)
        notes.append("title")
    m_tokens = _tokens(fold(middle).replace(",", " "))
    l_tokens = _tokens(fold(last).replace(",", " "))
    l_tokens, sfx = _take_suffixes(l_tokens, notes) if len(l_tokens) > 1 else (l_tokens, "")
    sfx_tokens = _tokens(fold(suffix))
    for tok in sfx_tokens:
        if tok in GENERATIONAL:
            sfx = GENERATIONAL[tok]
    first_tok = f_tokens[0] if f_tokens else ""
    middles = tuple(f_tokens[1:] + m_tokens)
    return PersonName(first_tok, middles, _split_surname(" ".join(l_tokens)), sfx, tuple(notes))


def parse_display_name(display: str | None) -> PersonName:
    """Parse a free-form name as typed in QuickBooks: "Smith, Robert J.", "Mrs. Jane Doe - Private Pay",
    "Robert St. John Jr (2)". The first token is the given name and the last (with particles) the surname,
    unless a comma says "Last, First"."""
    if not display:
        return PersonName()
    text, removed = strip_disambiguators(unidecode(clean_text(display)))
    notes: list[str] = ["disambiguator"] if removed else []
    tokens = _tokens(fold(text))
    tokens, sfx = _take_suffixes(tokens, notes)
    # Drop commas left dangling by a removed suffix ("Smith Jr., John" / "John Smith, Jr.").
    while tokens and tokens[-1] == ",":
        tokens.pop()
    while tokens and tokens[0] == ",":
        tokens.pop(0)
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens.pop(0)
        notes.append("title")
    if "," in tokens:
        i = tokens.index(",")
        last_part = [t for t in tokens[:i] if t != ","]
        rest = [t for t in tokens[i + 1:] if t != ","]
        while len(rest) > 1 and rest[0] in TITLES:
            rest.pop(0)
            notes.append("title")
        if last_part and rest:
            notes.append("last_first")
            return PersonName(rest[0], tuple(rest[1:]), _split_surname(" ".join(last_part)), sfx, tuple(notes))
        tokens = last_part or rest
    tokens = [t for t in tokens if t != ","]
    if not tokens:
        return PersonName(notes=tuple(notes))
    if len(tokens) == 1:
        return PersonName("", (), _split_surname(tokens[0]), sfx, tuple(notes))
    # Surname = last token plus any particles right before it ("robert st john").
    j = len(tokens) - 1
    while j - 1 >= 1 and tokens[j - 1] in SURNAME_PARTICLES:
        j -= 1
    return PersonName(tokens[0], tuple(tokens[1:j]), _split_surname(" ".join(tokens[j:])), sfx, tuple(notes))


# --- contact details -------------------------------------------------------------------------------

def norm_email(email: str | None) -> str:
    """Lower-cased address; empty if it does not look like one. QBO allows several separated by commas:
    callers use `split_emails` for that."""
    e = (email or "").strip().lower()
    return e if "@" in e and "." in e.split("@")[-1] else ""


def split_emails(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(e for e in (norm_email(p) for p in _EMAIL_SPLIT.split(value)) if e)


def norm_phone(phone: str | None) -> str:
    """Digits only, US country code dropped, extension dropped. Fewer than 7 digits is no phone."""
    if not phone:
        return ""
    main = _PHONE_EXTENSION.split(str(phone).strip())[0]
    digits = _NON_DIGITS.sub("", main)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else ""


_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr",
    "boulevard": "blvd", "lane": "ln", "court": "ct", "place": "pl", "circle": "cir", "highway": "hwy",
    "parkway": "pkwy", "terrace": "ter", "square": "sq", "trail": "trl", "apartment": "apt",
    "suite": "ste", "unit": "unit", "number": "", "no": "", "north": "n", "south": "s", "east": "e",
    "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "mount": "mt", "fort": "ft", "point": "pt",
}
_UNIT_WORDS = frozenset({"apt", "ste", "unit", "rm", "room", "fl", "floor", "bldg", "lot"})


def norm_street(line: str | None) -> tuple[str, str]:
    """(building, unit): "12 North Main Street Apt. 4B" -> ("12 n main st", "4b"). Building is empty when
    the line has no house number (a PO box or a bare city is no evidence of sharing a home)."""
    if not line:
        return "", ""
    text = fold(line).replace("#", " apt ")
    text = _NON_ALNUM.sub(" ", text)
    words = [_STREET_WORDS.get(w, w) for w in text.split()]
    words = [w for w in words if w]
    unit = ""
    for i, w in enumerate(words):
        if w in _UNIT_WORDS:
            unit = " ".join(words[i + 1:i + 2])
            words = words[:i]
            break
    if not words or not words[0][:1].isdigit():
        return "", unit
    return " ".join(words), unit


# --- organisations ---------------------------------------------------------------------------------

_ORG_EXPANSIONS = {
    "ins": "insurance", "insur": "insurance", "ltc": "long term care", "co": "company",
    "corp": "corporation", "assn": "association", "assoc": "association", "svc": "services",
    "svcs": "services", "srvcs": "services", "dept": "department", "hlth": "health",
    "mgmt": "management", "intl": "international", "natl": "national", "govt": "government",
    "admin": "administration", "med": "medical", "ctr": "center", "centre": "center", "hosp": "hospital",
    "univ": "university", "mutl": "mutual", "grp": "group", "amer": "american", "fed": "federal",
}
# Legal forms say nothing about which organisation it is; "company"/"corporation" included since
# "Acme Co." and "Acme Inc." are the same payer for billing purposes.
_ORG_LEGAL = frozenset({"inc", "incorporated", "llc", "ltd", "limited", "corporation", "company", "plc",
                        "lp", "llp", "pc", "pllc", "pa", "the", "of"})


def norm_org(name: str | None) -> str:
    """"Sunrise LTC Insurance, Inc." and "Sunrise Long-Term Care Ins." -> "sunrise long term care insurance"."""
    text, _ = strip_disambiguators(unidecode(clean_text(name)))
    text = fold(text).replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    out: list[str] = []
    for w in text.split():
        w = _ORG_EXPANSIONS.get(w, w)
        out.extend(x for x in w.split() if x not in _ORG_LEGAL)
    if out and out[0] == "and":
        out.pop(0)
    return " ".join(out)
