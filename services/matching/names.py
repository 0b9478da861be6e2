"""Pairwise comparison of given names and surnames, each giving a relation and a similarity in 0..1.

Relations are named so the engine can apply rules (a typo is not a nickname, a relative's name is not a
typo) and say in the reason what it saw.
"""
from __future__ import annotations

from rapidfuzz.distance import OSA, Indel

from .nicknames_index import is_known_given_name, nickname_relation

# Given-name relations, best first, with the similarity each stands for.
FIRST_SIM = {
    "exact": 1.00,
    "nickname": 0.94,      # listed nickname either way: Bob <-> Robert
    "typo": 0.88,          # one edit or a swap of two letters: Sbarina ~ Sabrina
    "nickname2": 0.85,     # both nicknames of one formal name: Bob <-> Rob
    "initial": 0.80,       # "J." against John
    "missing": 0.60,       # one side has no given name at all
    "lookalike": 0.50,     # two real names one letter apart (John/Joan, Mark/Mary): another person
    "variant": 0.50,       # Jane/Janet, Robert/Roberta: a different person as often as not
    "different": 0.0,
}
# Surname relations.
LAST_SIM = {
    "exact": 1.00,
    "typo": 0.92,          # Craford ~ Crawford
    "part": 0.90,          # Smith-Jones -> Smith (one keeps part of a compound surname)
    "part_typo": 0.85,
    "lookalike": 0.55,     # two real surnames one letter apart (Smith/Smyth): decided by the engine
    "half": 0.50,          # both double surnames, one part shared and the other not (Garcia Lopez /
                           # Garcia Perez): cousins and strangers more often than one person
    "different": 0.0,
}

# Endings that turn one given name into another (often the other sex's form): never a typo.
_VARIANT_ENDINGS = ("a", "e", "ie", "y", "t", "ette", "ine", "ina", "na", "o", "elle", "ella", "lyn", "n", "s")


def _is_typo(a: str, b: str) -> bool:
    """One edit (or adjacent swap) apart for names of 4+ letters; two for long names (9+)."""
    if min(len(a), len(b)) < 4:
        return False
    # A different first letter in a short name is another name (Mary/Gary, Jean/Sean), not a slip.
    if a[0] != b[0] and min(len(a), len(b)) < 7:
        return False
    d = OSA.distance(a, b, score_cutoff=2)
    return d <= 1 or (d == 2 and min(len(a), len(b)) >= 9)


def _is_variant(a: str, b: str) -> bool:
    """Jane/Janet, Robert/Roberta, Daniel/Daniela: one is the other plus a name-forming ending."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 3:
        return False
    if long_.startswith(short) and long_[len(short):] in _VARIANT_ENDINGS:
        return True
    # Common stem with different endings: Louis/Louise, Christina/Christine, Daniela/Danielle.
    for k in range(max(3, len(short) - 2), len(short)):
        if short[:k] == long_[:k] and short[k:] in _VARIANT_ENDINGS and long_[k:] in _VARIANT_ENDINGS:
            return True
    return False


_VOWELS = frozenset("aeiouy")


def spelling_variant(a: str, b: str) -> bool:
    """One edit apart the way names vary between families, not the way fingers slip: one vowel
    for another (Smith/Smyth, Reed/Reid, Karen/Karin), a vowel or "h" more (Neilson, Johnson), a
    final "e" or "s" (Clarke, Stevens), a doubled letter (Phillips). Swaps and other letters are slips."""
    if a == b or spelling_difference(a, b) != "one letter apart":
        return False
    if len(a) == len(b):
        changed = [(x, y) for x, y in zip(a, b) if x != y]
        return len(changed) == 1 and set(changed[0]) <= _VOWELS
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    extra = long_[i]
    if extra in _VOWELS or extra == "h":
        return True
    if i == len(short) and extra in "es":
        return True
    return (i > 0 and long_[i - 1] == extra) or (i + 1 < len(long_) and long_[i + 1] == extra)


def _looks_like_another_name(a: str, b: str) -> bool:
    """Given names one edit apart that are both real names (John/Joan) or a short name with one
    letter changed (Dana/Dina): a different person as often as a slip. (A spelling variant such as
    Karen/Karin stays a typo; the engine asks for evidence before pre-selecting it.)"""
    if is_known_given_name(a) and is_known_given_name(b):
        return True
    return len(a) == len(b) <= 4 and spelling_difference(a, b) != "letters swapped"


_first_cache: dict[tuple[str, str], str] = {}


def first_relation(a: str, b: str) -> str:
    """Relation between two folded given names (no accents, lower case)."""
    key = (a, b)
    rel = _first_cache.get(key)
    if rel is not None:
        return rel
    if not a or not b:
        rel = "missing"
    elif a == b:
        rel = "exact"
    elif len(a) == 1 or len(b) == 1:
        rel = "initial" if a[0] == b[0] else "different"
    else:
        nick = nickname_relation(a, b)
        if nick == "direct":
            # Ann/Anna, Louis/Louise are listed as nicknames but are also a family's two names.
            rel = "nickname2" if _is_variant(a, b) and (a.startswith(b) or b.startswith(a)) else "nickname"
        elif _is_variant(a, b):
            rel = "variant"
        elif _is_typo(a, b):
            rel = "lookalike" if _looks_like_another_name(a, b) else "typo"
        elif nick == "shared":
            rel = "nickname2"
        else:
            rel = "different"
    if len(_first_cache) < 500_000:
        _first_cache[key] = rel
    return rel


_last_cache: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}


def last_relation(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """Relation between two surnames given as components: ("smith", "jones") vs ("smith",)."""
    key = (a, b)
    rel = _last_cache.get(key)
    if rel is not None:
        return rel
    ja, jb = "".join(a), "".join(b)
    if not ja or not jb:
        rel = "different"
    elif ja == jb:
        rel = "exact"
    elif _is_typo(ja, jb):
        rel = "typo"
    elif set(a) <= set(b) or set(b) <= set(a):
        rel = "part"
    elif len(a) > 1 or len(b) > 1:
        rel = "different"
        both_double = len(a) > 1 and len(b) > 1
        for x in a:
            for y in b:
                if x == y:
                    rel = "half" if both_double else "part"
                    break
                if _is_typo(x, y) and not both_double:
                    rel = "part_typo"
            if rel in ("part", "half"):
                break
    else:
        rel = "different"
    if len(_last_cache) < 500_000:
        _last_cache[key] = rel
    return rel


def spelling_difference(a: str, b: str) -> str:
    """How two spellings of a name differ, in the words the Why column uses."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "letters swapped"
    return "one letter apart" if OSA.distance(a, b, score_cutoff=2) <= 1 else "two letters apart"


def surname_similarity(a: str, b: str) -> float:
    """Plain string similarity for surnames that are not related (shown to the user, used to rank)."""
    return Indel.normalized_similarity(a, b)
