"""Third-party payers (insurers, agencies) <-> QuickBooks customers, by organisation name.

"Sunrise LTC Insurance" and "Sunrise Long Term Care Ins." normalise to the same words (see
normalize.norm_org); what remains is compared with rapidfuzz, with a C-level screen first.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from . import normalize as N
from .engine import AMBIGUITY_MARGIN, AUTO_MIN, MAX_ALTERNATIVES, REVIEW_MIN, Alternative, Proposal
from .records import CustomerRecord

# Organisation names have no contact evidence to lean on here, so `auto` needs the normalised names to
# be equal or nearly so (a typo); word-order or missing-word differences are left to review.
PAYER_AUTO_MIN = 95


def _acronym(text: str) -> str:
    return "".join(w[0] for w in text.split())


def _payer_score(a: str, b: str) -> tuple[int, str]:
    if not a or not b:
        return 0, ""
    if a == b:
        return 100, "same name after normalising"
    ratio = fuzz.ratio(a, b)
    if ratio >= 95:
        return int(ratio), "near-identical name"
    if " " not in a and len(a) >= 3 and a == _acronym(b) or " " not in b and len(b) >= 3 and b == _acronym(a):
        return 80, "acronym"
    sort = fuzz.token_sort_ratio(a, b)
    subset = fuzz.token_set_ratio(a, b)
    if sort >= 90:
        return min(int(sort), 94), "same words, different order"
    if subset == 100:
        return 85, "one name contains the other"
    return int(max(sort, subset * 0.9)), "similar name"


def match_payers(payers: Sequence[tuple[str, str]], customers: Iterable[CustomerRecord]) -> list[Proposal]:
    """One Proposal per (payer_id, name), customer ids from the active customers' names."""
    active = [q for q in customers if q.active]
    cnames = [N.norm_org(q.company_name or q.leaf_name) for q in active]
    alt_names = [N.norm_org(q.leaf_name) for q in active]
    pnames = [N.norm_org(name) for _, name in payers]
    # Cheap screen in C (rapidfuzz.process.extract), then the detailed score only for the survivors.
    # (cdist would need numpy, which the project does not install.)
    scored: list[list[tuple[int, int, str]]] = []
    acronyms = {_acronym(n): qi for qi, n in enumerate(cnames) if n}
    for pname in pnames:
        hits = {qi for _, _, qi in process.extract(pname, cnames, scorer=fuzz.token_set_ratio,
                                                   score_cutoff=60, limit=None)}
        hits |= {qi for _, _, qi in process.extract(pname, alt_names, scorer=fuzz.token_set_ratio,
                                                    score_cutoff=60, limit=None)}
        if pname in acronyms:
            hits.add(acronyms[pname])
        row = []
        for qi in hits:
            s, why = max(_payer_score(pname, cnames[qi]), _payer_score(pname, alt_names[qi]))
            if s >= 40:
                row.append((s, qi, why))
        row.sort(key=lambda t: (-t[0], active[t[1]].id))
        scored.append(row)
    pairs = sorted(((s, pi, qi) for pi, row in enumerate(scored) for s, qi, _ in row if s >= REVIEW_MIN),
                   key=lambda t: (-t[0], t[1], t[2]))
    taken: dict[int, int] = {}
    chosen: dict[int, int] = {}
    for s, pi, qi in pairs:
        if pi not in chosen and qi not in taken:
            chosen[pi], taken[qi] = qi, pi
    out = []
    for pi, (pid, _) in enumerate(payers):
        row = scored[pi]
        if pi not in chosen:
            out.append(Proposal(str(pid), None, 0, "none", "no customer with a similar organisation name",
                                [Alternative(active[qi].id, s, why) for s, qi, why in row[:MAX_ALTERNATIVES]]))
            continue
        qi = chosen[pi]
        s, _, why = next(t for t in row if t[1] == qi)
        runner = next((t for t in row if t[1] != qi), None)
        status = "auto" if s >= PAYER_AUTO_MIN and row[0][1] == qi else "review"
        if runner and s - runner[0] < AMBIGUITY_MARGIN:
            status = "review"
            why += f"; also close: {active[runner[1]].display_name}"
        if status == "review":
            s = min(s, AUTO_MIN - 1)
        out.append(Proposal(str(pid), active[qi].id, s, status, why,
                            [Alternative(active[q].id, sc, w) for sc, q, w in row if q != qi][:MAX_ALTERNATIVES]))
    return out
