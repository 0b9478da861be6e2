"""Given-name equivalences from the maintained `nicknames` data set (carltonnorthern/nicknames, PyPI 1.0.1).

Two relations are exposed:
- direct: one name is a listed nickname of the other (Bob <-> Robert, Peggy <-> Margaret), either way;
- shared: both are nicknames of one formal name (Bob <-> Rob via Robert). Weaker: the data set is
  generous (Ashley -> Lee, Aaron -> Erin), and two such names at one address may be two people.
"""
from __future__ import annotations

from functools import lru_cache

from nicknames import NickNamer
from unidecode import unidecode


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    nn = NickNamer()
    nick_of = nn.nickname_lookup        # formal -> nicknames
    formal_of = nn.canonical_lookup     # nickname -> formals

    def clean(s: str) -> str:
        return unidecode(s).lower().replace("'", "").replace(".", "").strip()

    direct: dict[str, set[str]] = {}
    for formal, nicks in nick_of.items():
        f = clean(formal)
        for n in nicks:
            n = clean(n)
            if n != f:
                direct.setdefault(f, set()).add(n)
                direct.setdefault(n, set()).add(f)
    shared: dict[str, set[str]] = {}
    for nick, formals in formal_of.items():
        n = clean(nick)
        for formal in formals:
            for sibling in nick_of.get(formal, ()):
                s = clean(sibling)
                if s != n:
                    shared.setdefault(n, set()).add(s)
    return ({k: frozenset(v) for k, v in direct.items()}, {k: frozenset(v) for k, v in shared.items()})


def direct_nicknames(name: str) -> frozenset[str]:
    return _tables()[0].get(name, frozenset())


def shared_nicknames(name: str) -> frozenset[str]:
    return _tables()[1].get(name, frozenset())


def nickname_relation(a: str, b: str) -> str:
    """"direct", "shared" or "" for two folded given names."""
    if not a or not b or a == b:
        return ""
    direct, shared = _tables()
    if b in direct.get(a, ()):
        return "direct"
    if b in shared.get(a, ()):
        return "shared"
    return ""


@lru_cache(maxsize=1)
def _common_given() -> frozenset[str]:
    # Formal names with several listed nicknames are names people are given (Thomas, James, John);
    # the data set also lists a few surnames with one nickname each (Smith -> Smitty), left out.
    nick_of = NickNamer().nickname_lookup
    return frozenset(unidecode(f).lower() for f, nicks in nick_of.items() if len(nicks) >= 2)


def is_common_given_name(name: str) -> bool:
    return name in _common_given()


def is_known_given_name(name: str) -> bool:
    """Any name the data set lists, formal or nickname: a real name, so a spelling one letter away
    from another real name is a different person as often as a typo."""
    direct, _ = _tables()
    return name in direct
