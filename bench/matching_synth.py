#!/usr/bin/env python3
"""Seeded generator of labelled client <-> QBO customer matching sets, harder than the shared sample.

Writes clients.csv, customers.json and truth.csv in the layout of tests/fixtures/matching/README.md.
Besides the sample's kinds of drift it makes: married names (surname replaced, contact details kept),
sub-customers under payers ("Sunrise LTC:Smith, John"), referral names (nickname + misspelt surname,
only a phone in common), typos in both name parts, relatives and twins at the same address, fathers
and sons (Jr/Sr) at one address, and people who share a full name but nothing else.

    python bench/matching_synth.py OUTDIR [--clients 5000] [--customers 10000] [--seed 7] [--profile books]

Profiles: `sample` (the kinds of drift of the labelled sample, plus the above), `hard` (fewer contact
details, more relatives and namesakes) and `books` (sample plus the bookkeepers' conventions of
matching_synth_books.py: client numbers in names, family name first, care-of wording, ...).
Client ids are client codes as agencies write them ("C1045").
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random

FIRST_F = ("Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Margaret "
           "Betty Sandra Ashley Dorothy Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah "
           "Stephanie Rebecca Laura Sharon Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda Pamela "
           "Nicole Samantha Katherine Emma Ruth Christine Catherine Debra Rachel Carolyn Janet Virginia "
           "Maria Heather Diane Julie Joyce Victoria Kelly Christina Joan Evelyn Lauren Judith Olivia "
           "Frances Martha Cheryl Megan Andrea Hannah Jacqueline Ann Jean Alice Kathryn Gloria Teresa "
           "Doris Sara Janice Julia Marie Madison Grace Judy Theresa Beverly Denise Marilyn Amber Danielle "
           "Abigail Brittany Rose Diana Natalie Sophia Alexis Lori Kayla Jane Zoë Renée Chloé Noëlle "
           "Josée Inés Tammy Peggy Dolores Louise Roberta Daniela").split()
FIRST_M = ("James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel "
           "Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy "
           "Ronald Jason Edward Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott "
           "Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron "
           "Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Walter Christian Keith "
           "Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy "
           "Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph "
           "Bobby Russell Bradley Philip Eugene Raúl José André Louis Francis Theodore Leonard").split()
SURNAMES = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
            "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
            "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
            "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
            "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
            "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
            "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
            "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
            "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
            "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
            "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
            "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
            "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt "
            "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer "
            "Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
            "Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight "
            "Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado "
            "Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence "
            "Sandoval O'Brien O'Neill D'Angelo St.John McCarthy MacKenzie DeLuca Van-Dyke Nuñez Muñoz").split()
PAYERS = ("Sunrise LTC Insurance", "County Medicaid Waiver", "Veterans Affairs", "Blue Harbor Health Plan",
          "Golden Years Trust", "Acme Long Term Care Ins.")
STREETS = "Oak Maple Cedar Pine Elm Washington Lake Hill Main Park Sunset River Spring Ridge Meadow".split()
STREET_KINDS = [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"),
                ("Court", "Ct"), ("Boulevard", "Blvd")]
DOMAINS = "gmail.com yahoo.com aol.com outlook.com comcast.net".split()

# Kinds of client, with weights. truth = the client's own customer unless the kind says otherwise.
KINDS = {
    "exact": 14, "case_punct": 5, "accents": 2, "last_first": 8, "title": 3, "suffix": 3, "middle": 6,
    "nickname_qbo": 6, "nickname_client": 4, "typo": 6, "typo_both": 3, "disambiguator": 4,
    "hyphen_partial": 3, "married": 5, "subcustomer": 5, "referral": 4, "twin_with_own": 3,
    "relative_distractor": 5, "no_counterpart": 5, "no_counterpart_relative": 4, "shared_name": 4,
    "father_son": 2, "inactive_client": 3, "inactive_only": 2,
}


# The "hard" profile: fewer contact details in the books, more relatives, namesakes, referrals,
# married names and double typos, and surnames concentrated on fewer families.
HARD_KINDS = dict(KINDS, typo=8, typo_both=6, married=8, referral=8, twin_with_own=6, relative_distractor=8,
                  no_counterpart_relative=8, shared_name=8, father_son=4, subcustomer=7,
                  nickname_relative=5, surname_first_nocomma=3)


def profile_kinds(profile: str) -> dict:
    from matching_synth_books import BOOK_KINDS
    return {"sample": KINDS, "hard": HARD_KINDS, "books": dict(KINDS, **BOOK_KINDS)}[profile]


def nick_tables():
    from nicknames import NickNamer
    nn = NickNamer()
    return nn.nickname_lookup


class Gen:
    def __init__(self, seed: int, hard: bool = False):
        self.r = random.Random(seed)
        self.hard = hard
        self.nicks = {k: sorted(v) for k, v in nick_tables().items()}
        self.used_phones: set[str] = set()
        self.used_emails: set[str] = set()
        self.used_addr: set[str] = set()
        self.cust_id = 0
        self.customers: list[dict] = []
        # Zipf-ish: many Smiths (steeper in the hard profile: more namesakes)
        self.surname_weights = [1.0 / (i + (2 if hard else 8)) for i in range(len(SURNAMES))]
        self.keep = 0.35 if hard else 0.55    # chance the bookkeeper typed each contact detail

    # --- atoms
    def first(self):
        return self.r.choice(FIRST_F if self.r.random() < 0.5 else FIRST_M)

    def first_with_nick(self):
        for _ in range(50):
            f = self.first()
            if self.nicks.get(f.lower()):
                return f
        return "Robert"

    def surname(self):
        if self.r.random() < 0.25:   # rarer invented surnames keep the vocabulary realistic
            syl = ["bar", "den", "kel", "mor", "vin", "tal", "ros", "hal", "ber", "lin", "ston", "ley", "ford"]
            return "".join(self.r.choice(syl) for _ in range(self.r.randint(2, 3))).title()
        return self.r.choices(SURNAMES, self.surname_weights)[0].replace("St.John", "St. John")

    def phone(self):
        while True:
            p = f"{self.r.randint(200, 989)}{self.r.randint(200, 999)}{self.r.randint(0, 9999):04d}"
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    def fmt_phone(self, p):
        return self.r.choice([f"({p[:3]}) {p[3:6]}-{p[6:]}", f"{p[:3]}-{p[3:6]}-{p[6:]}",
                              f"{p[:3]}.{p[3:6]}.{p[6:]}", f"+1 {p[:3]} {p[3:6]} {p[6:]}", p])

    def email(self, first, last):
        base = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
        while True:
            e = f"{base}{self.r.randint(1, 9999)}@{self.r.choice(DOMAINS)}"
            if e not in self.used_emails:
                self.used_emails.add(e)
                return e

    def address(self):
        while True:
            n = self.r.randint(1, 99999)
            kind = self.r.choice(STREET_KINDS)
            a = (n, self.r.choice(STREETS), kind, self.r.choice(["", "", "", f"Apt {self.r.randint(1, 40)}"]))
            if a[:3] not in self.used_addr:
                self.used_addr.add(a[:3])
                return a

    def fmt_addr(self, a, short=False):
        n, s, kind, unit = a
        line = f"{n} {s} {kind[1] if short else kind[0]}"
        return f"{line} {unit}".strip()

    def typo(self, s):
        if len(s) < 5:
            return s
        i = self.r.randint(1, len(s) - 3)
        op = self.r.choice(["swap", "drop", "dup", "sub"])
        if op == "swap":
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if op == "drop":
            return s[:i] + s[i + 1:]
        if op == "dup":
            return s[:i] + s[i] + s[i:]
        return s[:i] + self.r.choice("aeioulnrst") + s[i + 1:]

    # --- people
    def person(self, first=None, last=None, contact=None):
        first = first or self.first()
        last = last or self.surname()
        contact = contact or {}
        p = {"first": first, "middle": "", "last": last, "suffix": "", "preferred": "",
             "phone": contact.get("phone", self.phone()),
             "email": contact.get("email", self.email(first, last) if self.r.random() < 0.65 else ""),
             "addr": contact.get("addr", self.address())}
        if self.r.random() < 0.3:
            p["middle"] = self.first()
        return p

    def customer(self, display, p, *, email=None, phone=None, addr=None, active=True, given=None,
                 family=None, parent=None, suffix=None):
        self.cust_id += 1
        c = {"Id": str(self.cust_id), "DisplayName": display, "Active": active, "Job": False,
             "FullyQualifiedName": display, "PrintOnCheckName": display, "BillWithParent": False,
             "Balance": 0, "SyncToken": "0", "domain": "QBO", "sparse": False}
        if given:
            c["GivenName"] = given
        if family:
            c["FamilyName"] = family
        if suffix:
            c["Suffix"] = suffix
        if email:
            c["PrimaryEmailAddr"] = {"Address": email}
        if phone:
            c["PrimaryPhone"] = {"FreeFormNumber": self.fmt_phone(phone)}
        if addr:
            c["BillAddr"] = {"Line1": self.fmt_addr(addr, short=self.r.random() < 0.4), "City": "Springfield",
                             "CountrySubDivisionCode": "IL", "PostalCode": "62701"}
        if parent:
            c["Job"] = True
            c["ParentRef"] = {"value": parent["Id"]}
            c["FullyQualifiedName"] = parent["DisplayName"] + ":" + display
            c["Level"] = 1
        self.customers.append(c)
        return c

    def some_contact(self, p, at_least_one=True):
        """The client's details the bookkeeper also typed, each kept with some chance."""
        e = p["email"] if p["email"] and self.r.random() < self.keep else None
        ph = p["phone"] if p["phone"] and self.r.random() < self.keep else None
        a = p["addr"] if p["addr"] and self.r.random() < self.keep else None
        if e and self.r.random() < 0.2:
            e = e.upper()
        return e, ph, a


def generate(n_clients: int, n_customers: int, seed: int, hard: bool = False, profile: str | None = None):
    from matching_synth_books import MAKERS
    profile = profile or ("hard" if hard else "sample")
    hard = profile == "hard"
    g = Gen(seed, hard)
    r = g.r
    clients, truth = [], []
    payers = [g.customer(name, {}, active=True) for name in PAYERS]
    kinds, weights = zip(*profile_kinds(profile).items())
    for k in range(n_clients):
        kind = r.choices(kinds, weights)[0]
        cid = f"C{1001 + k}"
        p = g.person(first=g.first_with_nick() if kind.startswith("nickname") or kind == "referral" else None)
        if r.random() < 0.15 and kind not in ("no_counterpart", "shared_name", "referral"):
            p["phone"] = ""      # some clients have no phone on file...
        if not p["phone"] and not p["email"]:
            p["phone"] = g.phone()   # ...but every client can be reached somehow
        status = "active"
        own = None
        first, last = p["first"], p["last"]
        e, ph, a = g.some_contact(p)
        disp = f"{first} {last}"
        if kind in MAKERS:
            own, status = MAKERS[kind](g, p, cid, e, ph, a, clients, truth)
        elif kind == "exact":
            own = g.customer(disp, p, email=e, phone=ph, addr=a,
                             given=first if r.random() < 0.4 else None, family=last if r.random() < 0.4 else None)
        elif kind == "case_punct":
            d = r.choice([disp.lower(), disp.upper(), f"  {first}   {last} ", disp.replace("'", "")])
            own = g.customer(d, p, email=e, phone=ph, addr=a)
        elif kind == "accents":
            p["first"] = r.choice(["Zoë", "Renée", "José", "Raúl", "Inés", "Chloé", "André"])
            from unidecode import unidecode
            own = g.customer(f"{unidecode(p['first'])} {last}", p, email=e, phone=ph, addr=a)
        elif kind == "last_first":
            own = g.customer(f"{last}, {first}" + (f" {p['middle'][0]}." if p["middle"] and r.random() < 0.3 else ""),
                             p, email=e, phone=ph, addr=a)
        elif kind == "title":
            own = g.customer(f"{r.choice(['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Miss'])} {disp}", p, email=e, phone=ph, addr=a)
        elif kind == "suffix":
            p["suffix"] = r.choice(["Jr.", "Sr.", "III", "II"])
            own = g.customer(disp + (" " + p["suffix"].rstrip(".") if r.random() < 0.5 else ""), p,
                             email=e, phone=ph, addr=a)
        elif kind == "middle":
            p["middle"] = p["middle"] or g.first()
            m = p["middle"] if r.random() < 0.4 else p["middle"][0] + "."
            own = g.customer(f"{first} {m} {last}", p, email=e, phone=ph, addr=a)
        elif kind == "nickname_qbo":
            own = g.customer(f"{r.choice(g.nicks[first.lower()]).title()} {last}", p, email=e, phone=ph, addr=a)
        elif kind == "nickname_client":
            nick = r.choice(g.nicks[first.lower()]).title()
            if r.random() < 0.5:
                p["preferred"] = nick
            else:
                p["first"] = nick
            own = g.customer(f"{first} {last}", p, email=e, phone=ph, addr=a)
        elif kind == "typo":
            if hard and r.random() < 0.25 and len(last) >= 8:
                own = g.customer(f"{first} {g.typo(g.typo(last))}", p, email=e, phone=ph, addr=a)
            elif r.random() < 0.5:
                own = g.customer(f"{g.typo(first)} {last}", p, email=e, phone=ph, addr=a)
            else:
                own = g.customer(f"{first} {g.typo(last)}", p, email=e, phone=ph, addr=a)
        elif kind == "typo_both":
            ph = p["phone"] or None
            e = p["email"] or None
            if hard:      # only one of them typed
                e, ph = (e, None) if e and r.random() < 0.5 else (None, ph or p["phone"] or None)
            own = g.customer(f"{g.typo(first)} {g.typo(last)}", p, email=e, phone=ph, addr=a)
        elif kind == "disambiguator":
            d = r.choice([f"{disp} (2)", f"{disp} - Private Pay", f"{disp} #{r.randint(1, 999)}",
                          f"{last}, {first} (LTC)", f"{disp} - Medicaid"])
            own = g.customer(d, p, email=e, phone=ph, addr=a)
        elif kind == "hyphen_partial":
            other = g.surname()
            p["last"] = f"{last}-{other}"
            own = g.customer(f"{first} {r.choice([last, other])}", p, email=e, phone=ph, addr=a)
        elif kind == "married":
            new_last = g.surname()
            while new_last == last:
                new_last = g.surname()
            p["last"] = new_last            # care system has the new name, QuickBooks the old one
            if not p["email"]:
                p["email"] = g.email(first, last)
            if not p["phone"]:
                p["phone"] = g.phone()
            evidence = r.choice([("email", "phone"), ("phone", "addr"), ("email", "addr"), ("email", "phone", "addr")]
                                + ([("phone",), ("email",)] if hard else []))
            own = g.customer(f"{first} {last}", p, email=p["email"] if "email" in evidence else None,
                             phone=p["phone"] if "phone" in evidence else None,
                             addr=p["addr"] if "addr" in evidence else None)
        elif kind == "subcustomer":
            parent = r.choice(payers)
            leaf = r.choice([f"{last}, {first}", disp] + ([f"{disp} - Private Pay", f"{last}, {first} (2)"] if hard else []))
            own = g.customer(leaf, p, email=e, phone=ph, addr=a, parent=parent)
        elif kind == "referral":
            if not p["phone"]:
                p["phone"] = g.phone()
            nick = r.choice(g.nicks[first.lower()]).title()
            shape = r.choice(["nick_typo", "initial", "nick"]) if hard else "nick_typo"
            name = {"nick_typo": f"{nick} {g.typo(last)}", "initial": f"{first[0]}. {g.typo(last)}",
                    "nick": f"{last}, {nick}"}[shape]
            own = g.customer(name, p, phone=p["phone"])
        elif kind == "twin_with_own":
            own = g.customer(disp, p, email=e, phone=ph, addr=a)
            twin_first = g.first()
            while twin_first == first:
                twin_first = g.first()
            twin = g.person(first=twin_first, last=last, contact={"phone": p["phone"], "addr": p["addr"]})
            tc = g.customer(f"{twin_first} {last}", twin, phone=twin["phone"], addr=twin["addr"])
            if r.random() < 0.6:    # the twin is a client too
                clients.append(_client_row(f"{cid}T", twin, "active"))
                truth.append((f"{cid}T", tc["Id"], "twin"))
        elif kind == "relative_distractor":
            own = g.customer(disp, p, email=e, phone=ph, addr=a)
            rel_first = _relative_name(g, first)
            g.customer(f"{rel_first} {last}", p, phone=p["phone"] or None, addr=p["addr"])
        elif kind == "no_counterpart":
            pass
        elif kind == "no_counterpart_relative":
            rel_first = _relative_name(g, first)
            g.customer(r.choice([f"{rel_first} {last}", f"{last}, {rel_first}"]), p,
                       phone=p["phone"] if r.random() < 0.5 else None, addr=p["addr"])
        elif kind == "shared_name":
            # Someone else with the same name: every detail the bookkeeper typed differs.
            p["phone"] = p["phone"] or g.phone()
            other = g.person(first=first, last=last)
            g.customer(disp, other, email=other["email"] or None, phone=other["phone"], addr=other["addr"])
        elif kind == "nickname_relative":
            # A relative whose name is a nickname of the client's (Robert and his son Bob), same home;
            # the client's own customer is there too, with nothing typed but the name.
            own = g.customer(disp, p)
            nick_names = g.nicks.get(first.lower())
            if nick_names:
                g.customer(f"{r.choice(nick_names).title()} {last}", p, phone=p["phone"] or None, addr=p["addr"])
        elif kind == "surname_first_nocomma":
            own = g.customer(f"{last} {first}", p, email=e, phone=ph or p["phone"] or None, addr=a)
        elif kind == "father_son":
            p["suffix"] = "Jr."
            g.customer(f"{disp} Sr.", p, phone=p["phone"] or None, addr=p["addr"], suffix="Sr.")
        elif kind == "inactive_client":
            status = "inactive"
            g.customer(disp, p, email=e, phone=ph, addr=a)
        elif kind == "inactive_only":
            g.customer(disp, p, email=e, phone=ph, addr=a, active=False)
        clients.append(_client_row(cid, p, status))
        truth.append((cid, own["Id"] if own and status == "active" else "", kind))
    # Unrelated customers: full, unique contact details (any name clash is then contradicted).
    while len(g.customers) < n_customers:
        p = g.person()
        p["email"] = p["email"] or g.email(p["first"], p["last"])
        g.customer(r.choice([f"{p['first']} {p['last']}", f"{p['last']}, {p['first']}"]), p,
                   email=p["email"], phone=p["phone"], addr=p["addr"], active=r.random() > 0.05)
    r.shuffle(g.customers)
    return clients, g.customers, truth


def _relative_name(g: Gen, first: str) -> str:
    """A relative's given name: usually unrelated, sometimes a look-alike (Jane/Janet, Daniel/Daniela)."""
    if g.r.random() < 0.25:
        return first + g.r.choice(["a", "e", "t"]) if not first.endswith(("a", "e")) else first[:-1] + "o"
    while True:
        f = g.first()
        if f != first:
            return f


def _client_row(cid: str, p: dict, status: str) -> dict:
    n, s, kind, unit = p["addr"]
    p_fmt = p["phone"]
    phone = f"({p_fmt[:3]}) {p_fmt[3:6]}-{p_fmt[6:]}" if p_fmt else ""
    return {"client_id": cid, "first_name": p["first"], "middle_name": p["middle"], "last_name": p["last"],
            "suffix": p["suffix"], "preferred_name": p["preferred"], "email": p["email"], "phone": phone,
            "address_line1": f"{n} {s} {kind[0]} {unit}".strip(), "city": "Springfield", "state": "IL",
            "postal_code": "62701", "office": "Main Office", "status": status}


def write_set(outdir: str, n_clients: int = 5000, n_customers: int = 10000, seed: int = 7,
              hard: bool = False, profile: str | None = None) -> dict:
    clients, customers, truth = generate(n_clients, n_customers, seed, hard, profile)
    os.makedirs(outdir, exist_ok=True)
    paths = {k: os.path.join(outdir, f) for k, f in
             (("clients", "clients.csv"), ("customers", "customers.json"), ("truth", "truth.csv"))}
    with open(paths["clients"], "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(clients[0]))
        w.writeheader()
        w.writerows(clients)
    with open(paths["customers"], "w") as fh:
        json.dump({"QueryResponse": {"Customer": customers, "startPosition": 1, "maxResults": len(customers)}}, fh)
    with open(paths["truth"], "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["client_id", "qbo_customer_id", "category"])
        w.writerows(truth)
    return paths


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--customers", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--hard", action="store_true", help="the harder profile (see HARD_KINDS)")
    ap.add_argument("--profile", choices=("sample", "hard", "books"), help="default: sample (hard with --hard)")
    a = ap.parse_args()
    print(write_set(a.outdir, a.clients, a.customers, a.seed, a.hard, a.profile))
