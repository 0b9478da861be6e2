#!/usr/bin/env python3
"""Precision and recall of proposed client -> customer matches against a labelled truth file.

    python bench/matching_score.py TRUTH.csv MATCHES.csv

TRUTH.csv: `client_id, qbo_customer_id, category` (empty id = the client has no customer).
MATCHES.csv: a header with at least `client_id, qbo_customer_id`; when it has a `status` column only
rows whose status is `auto` count as proposed matches (what the page would pre-select).

Precision = right proposals / proposals; recall = right proposals / clients that have a customer.
Both are printed overall and per category, with the customers proposed for more than one client.
"""
from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class Tally:
    clients: int = 0        # rows of the truth file in this category
    positives: int = 0      # of them, clients that do have a customer
    proposed: int = 0       # matches proposed (auto)
    right: int = 0          # proposed and equal to the truth
    wrong_ids: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.right / self.proposed if self.proposed else None

    @property
    def recall(self) -> float | None:
        return self.right / self.positives if self.positives else None


@dataclass
class Score:
    overall: Tally
    by_category: dict[str, Tally]
    given_twice: list[str]          # customer ids proposed for two or more clients (any status)


def _read(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def score_rows(truth_rows: list[dict], match_rows: list[dict]) -> Score:
    has_status = bool(match_rows) and "status" in match_rows[0]
    proposed = {}
    all_ids: Counter[str] = Counter()
    for row in match_rows:
        qid = (row.get("qbo_customer_id") or "").strip()
        if not qid:
            continue
        all_ids[qid] += 1
        if not has_status or (row.get("status") or "").strip() == "auto":
            proposed[row["client_id"].strip()] = qid
    overall = Tally()
    by_category: dict[str, Tally] = defaultdict(Tally)
    for row in truth_rows:
        cid = row["client_id"].strip()
        want = (row.get("qbo_customer_id") or "").strip()
        got = proposed.get(cid)
        for tally in (overall, by_category[(row.get("category") or "").strip() or "-"]):
            tally.clients += 1
            tally.positives += bool(want)
            if got:
                tally.proposed += 1
                if got == want:
                    tally.right += 1
                else:
                    tally.wrong_ids.append(cid)
    return Score(overall, dict(by_category), sorted(q for q, n in all_ids.items() if n > 1))


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:.4f}"


def report(score: Score) -> str:
    o = score.overall
    lines = [f"overall: precision {_fmt(o.precision)}  recall {_fmt(o.recall)}  "
             f"({o.right} right, {o.proposed - o.right} wrong of {o.proposed} auto; {o.positives} have a customer)",
             f"customers given to two clients: {len(score.given_twice)}",
             f"{'category':28} {'clients':>7} {'have':>5} {'auto':>5} {'wrong':>5} {'precision':>9} {'recall':>7}"]
    for name in sorted(score.by_category):
        t = score.by_category[name]
        lines.append(f"{name:28} {t.clients:7d} {t.positives:5d} {t.proposed:5d} {t.proposed - t.right:5d} "
                     f"{_fmt(t.precision):>9} {_fmt(t.recall):>7}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        print(report(score_rows(_read(argv[0]), _read(argv[1]))))
    except BrokenPipeError:   # `| head`
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
