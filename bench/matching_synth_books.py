"""The "books" profile of the synthetic generator: customer lists kept the way bookkeepers keep them.

Each function makes one client's customers for one convention (issue #14): the agency's client number
in the name, family name first without a comma, care-of / POA / estate / attention wording, typos in
both names and transposed letters, Hispanic double surnames, nicknames on both sides, invisible
characters, an inactive "(deleted)" copy beside the active customer, same-name clients told apart by
their details, and look-alike strangers one letter away (who must not be matched). Relatives
called by a nickname of the client's name at the client's home are in the `hard` profile.

A function gets the generator `g`, the client's person dict `p`, its code `cid`, the contact details
the bookkeeper typed (`e`, `ph`, `a`) and the lists to append extra clients / truth rows to; it
returns the client's own customer (or None) and the client's status.
"""
from __future__ import annotations

from unidecode import unidecode

# Weights, next to matching_synth.KINDS (which sums to ~108): about a third of the clients follow
# one of these conventions, each convention at a few per cent.
BOOK_KINDS = {
    "code_lead": 4, "code_prefix": 3, "code_hash": 2, "code_paren": 2, "family_first": 4,
    "family_first_vn": 2, "care_of": 2, "poa": 1.5, "estate": 1, "attn": 1.5, "transposed": 3,
    "hispanic": 4, "nickname_both": 3, "invisible": 2, "deleted_beside_active": 2, "same_name_apart": 3,
    "lookalike_stranger": 4,
}

VN_FIRST = "An Minh Lan Hoa Thanh Tuan Linh Hung Mai Phuong Quang Dung Huong Khanh Long".split()
VN_FAMILY = "Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly".split()
HISP_FIRST = "María José Jesús Lucía Ramón Inés Andrés Sofía Martín Raúl Ángela Rocío Tomás".split()
HISP_FAMILY = ("García López Hernández Martínez González Rodríguez Pérez Sánchez Ramírez Cruz Flores "
               "Gómez Díaz Reyes Morales Jiménez Ruiz Álvarez Mendoza Castillo Ortiz Vásquez").split()
# Real names one letter apart: the stranger with the other one is another person.
LOOKALIKE_FIRST = [("John", "Joan"), ("Mark", "Mary"), ("Carl", "Carol"), ("Dana", "Dina"), ("Jean", "Joan"),
                   ("Ryan", "Bryan"), ("Diane", "Diana"), ("Eric", "Erica"), ("Karen", "Karin"),
                   ("Gary", "Mary"), ("Sean", "Dean"), ("Lisa", "Liza"), ("Paul", "Pauline")]
LOOKALIKE_LAST = [("Smith", "Smyth"), ("Clark", "Clarke"), ("Reed", "Reid"), ("Thompson", "Thomson"),
                  ("Allen", "Allan"), ("Johnson", "Jonson"), ("Brown", "Browne"), ("Meyer", "Meier"),
                  ("Phillips", "Philips"), ("Matthews", "Mathews"), ("Nelson", "Neilson")]
INVISIBLE = ["\u00a0", "\u200b", "\u2060", "\ufeff"]


def _digits(cid: str) -> str:
    return "".join(ch for ch in cid if ch.isdigit())


def code_lead(g, p, cid, e, ph, a, clients, truth):
    f, l = p["first"], p["last"]
    name = g.r.choice([f"{_digits(cid)} {f} {l}", f"{_digits(cid)} {l}, {f}", f"{_digits(cid)} - {f} {l}"])
    return g.customer(name, p, email=e, phone=ph, addr=a), "active"


def code_prefix(g, p, cid, e, ph, a, clients, truth):
    return g.customer(g.r.choice([f"{cid} - {p['last']}, {p['first']}", f"{cid} {p['first']} {p['last']}"]),
                      p, email=e, phone=ph, addr=a), "active"


def code_hash(g, p, cid, e, ph, a, clients, truth):
    return g.customer(f"#{_digits(cid)} {p['last']} {p['first']}", p, email=e, phone=ph, addr=a), "active"


def code_paren(g, p, cid, e, ph, a, clients, truth):
    return g.customer(f"{p['last']}, {p['first']} ({g.r.choice([cid, _digits(cid)])})", p,
                      email=e, phone=ph, addr=a), "active"


def family_first(g, p, cid, e, ph, a, clients, truth):
    middle = f" {p['middle'][0]}" if p["middle"] and g.r.random() < 0.3 else ""
    return g.customer(f"{p['last']} {p['first']}{middle}", p, email=e, phone=ph, addr=a), "active"


def family_first_vn(g, p, cid, e, ph, a, clients, truth):
    p["first"], p["last"] = g.r.choice(VN_FIRST), g.r.choice(VN_FAMILY)
    middle = g.r.choice(["Van", "Thi", "Minh", "Duc"])
    p["middle"] = middle if g.r.random() < 0.5 else ""
    return g.customer(f"{p['last']} {middle} {p['first']}", p, email=e, phone=ph, addr=a), "active"


def _carer(g, p):
    other = g.first()
    while other == p["first"]:
        other = g.first()
    return other, (p["last"] if g.r.random() < 0.7 else g.surname())


def care_of(g, p, cid, e, ph, a, clients, truth):
    cf, cl = _carer(g, p)
    phone = ph if g.r.random() < 0.5 else g.phone()       # often the carer's own phone
    return g.customer(f"{p['first']} {p['last']} c/o {cf} {cl}", p, email=e, phone=phone, addr=a), "active"


def poa(g, p, cid, e, ph, a, clients, truth):
    cf, cl = _carer(g, p)
    return g.customer(f"{p['last']}, {p['first']} (POA {cf} {cl})", p, email=e, phone=ph, addr=a), "active"


def estate(g, p, cid, e, ph, a, clients, truth):
    name = g.r.choice([f"Estate of {p['first']} {p['last']}", f"{p['last']}, {p['first']} (Estate)"])
    return g.customer(name, p, email=e, phone=ph, addr=a), "active"


def attn(g, p, cid, e, ph, a, clients, truth):
    cf, _ = _carer(g, p)
    return g.customer(f"{p['first']} {p['last']} - attn {cf}", p, email=e, phone=ph, addr=a), "active"


def _swap(g, s):
    if len(s) < 4:
        return s
    i = g.r.randint(1, len(s) - 2)
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def transposed(g, p, cid, e, ph, a, clients, truth):
    f, l = p["first"], p["last"]
    name = g.r.choice([f"{_swap(g, f)} {l}", f"{f} {_swap(g, l)}", f"{l}, {_swap(g, f)}"])
    return g.customer(name, p, email=e, phone=ph, addr=a), "active"


def hispanic(g, p, cid, e, ph, a, clients, truth):
    s1, s2 = g.r.sample(HISP_FAMILY, 2)
    p["first"], p["last"] = g.r.choice(HISP_FIRST), f"{s1} {s2}"
    f = p["first"]
    plain = unidecode
    name = g.r.choice([f"{plain(f)} {plain(s1)}", f"{f} {s1}-{s2}", f"{plain(s1)} {plain(s2)}, {plain(f)}",
                       f"{plain(f)} {plain(s1)} {plain(s2)}", f"{s1}, {f}", f"{plain(f)} {plain(s1)}-{plain(s2)}"])
    return g.customer(name, p, email=e, phone=ph, addr=a), "active"


def nickname_both(g, p, cid, e, ph, a, clients, truth):
    for _ in range(30):
        nicks = g.nicks.get(p["first"].lower(), [])
        if len(nicks) >= 2:
            break
        p["first"] = g.first_with_nick()
    nicks = g.nicks.get(p["first"].lower(), [])
    if len(nicks) < 2:
        return g.customer(f"{p['first']} {p['last']}", p, email=e, phone=ph, addr=a), "active"
    mine, theirs = g.r.sample(nicks, 2)
    p["preferred"] = mine.title()
    return g.customer(f"{theirs.title()} {p['last']}", p, email=e, phone=ph, addr=a), "active"


def invisible(g, p, cid, e, ph, a, clients, truth):
    ch = g.r.choice(INVISIBLE)
    name = g.r.choice([f"{p['first']}{ch}{p['last']}" if ch == "\u00a0" else f"{p['first']} {p['last']}{ch}",
                       f"{p['last']},{ch} {p['first']}", f"{ch}{p['first']} {p['last']}",
                       f"{p['first'][:2]}{ch}{p['first'][2:]} {p['last']}" if ch != "\u00a0" else
                       f"{p['first']}\u00a0{p['last']}"])
    return g.customer(name, p, email=e, phone=ph, addr=a), "active"


def deleted_beside_active(g, p, cid, e, ph, a, clients, truth):
    g.customer(f"{p['first']} {p['last']} (deleted)", p, email=e, phone=ph, addr=a, active=False)
    return g.customer(f"{p['last']}, {p['first']}", p, email=e, phone=ph, addr=a), "active"


def same_name_apart(g, p, cid, e, ph, a, clients, truth):
    from matching_synth import _client_row
    twin = g.person(first=p["first"], last=p["last"])
    twin["middle"] = ""
    mine = g.customer(f"{p['first']} {p['last']}", p, phone=p["phone"] or None, addr=p["addr"])
    tc = g.customer(f"{p['last']}, {p['first']}", twin, phone=twin["phone"] if g.r.random() < 0.5 else None,
                    addr=twin["addr"])
    clients.append(_client_row(f"{cid}N", twin, "active"))
    truth.append((f"{cid}N", tc["Id"], "same_name_apart"))
    return mine, "active"


def lookalike_stranger(g, p, cid, e, ph, a, clients, truth):
    if g.r.random() < 0.6:
        p["first"], other = g.r.choice(LOOKALIKE_FIRST)[::g.r.choice([1, -1])]
        name = f"{other} {p['last']}"
    else:
        p["last"], other = g.r.choice(LOOKALIKE_LAST)[::g.r.choice([1, -1])]
        name = f"{p['first']} {other}"
    # The stranger is somebody: at least a phone of their own is on file. (A customer with nothing but
    # a name can be told from a misspelt client by nobody, and may be exactly another client's name.)
    stranger = g.person(first=name.split()[0], last=name.split()[-1])
    g.customer(name, stranger, email=stranger["email"] if g.r.random() < 0.5 else None, phone=stranger["phone"],
               addr=stranger["addr"] if g.r.random() < 0.5 else None)
    return None, "active"


MAKERS = {name: globals()[name] for name in BOOK_KINDS}
