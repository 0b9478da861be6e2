#!/usr/bin/env python3
"""Matching benchmark: quality on the labelled set and on fresh synthetic sets, then speed at scale.

1. The labelled set in tests/fixtures/matching, through the file front end (`python -m
   services.matching`, the code path of `flask qbo match-file`), scored by bench/matching_score.py.
2. Synthetic sets (bench/matching_synth.py) written into a temporary directory, one per profile and
   seed, same front end and scorer, per category. Seeds are new on every run and printed; pass
   `--seed` to repeat one.
3. Speed: the engine in-process on a large `books` set (20,000 clients x 40,000 customers by default):
   index build and matching, wall and CPU seconds (the machine is shared), peak traced memory and
   the process's peak RSS; with recall beside the smaller set of the same seed.

    .venv/bin/python bench/matching_bench.py [--seed 123 --seed 456] [--profiles books,sample,hard]
        [--clients 5000] [--customers 10000] [--scale 20000x40000 | --scale none]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from matching_score import report, score_rows  # noqa: E402
from matching_synth import write_set  # noqa: E402
from services.matching import CustomerIndex, match_clients  # noqa: E402
from services.matching.files import read_clients, read_customers  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "matching"


def _rows(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def front_end(clients: str, customers: str, out: str) -> float:
    t0 = time.perf_counter()
    with open(out, "w") as fh:
        subprocess.run([sys.executable, "-m", "services.matching", clients, customers], cwd=ROOT,
                       stdout=fh, check=True)
    return time.perf_counter() - t0


def namesakes(clients_path: str, truth_rows: list[dict], out_rows: list[dict]) -> str:
    """Recall apart for clients who share their full name with another client: with a fixed pool of
    names, a bigger list has many more of them, and a customer with nothing but that name fits both."""
    clients = _rows(clients_path)
    key = {c["client_id"]: " ".join((c["first_name"] + " " + c["last_name"]).lower().split()) for c in clients}
    counts: dict[str, int] = {}
    for k in key.values():
        counts[k] = counts.get(k, 0) + 1
    got = {r["client_id"]: r["qbo_customer_id"] for r in out_rows if r["status"] == "auto"}
    parts = []
    for label, shared in (("sharing their full name with another client", True), ("the others", False)):
        rows = [t for t in truth_rows if t["qbo_customer_id"] and (counts[key[t["client_id"]]] > 1) == shared]
        right = sum(got.get(t["client_id"]) == t["qbo_customer_id"] for t in rows)
        parts.append(f"{label}: {len(rows)}, recall {right / len(rows):.4f}" if rows else f"{label}: 0")
    return "clients with a customer " + "; ".join(parts)


def quality(title: str, clients: str, customers: str, truth: str, out: str):
    secs = front_end(clients, customers, out)
    truth_rows, out_rows = _rows(truth), _rows(out)
    score = score_rows(truth_rows, out_rows)
    print(f"== {title} (front end {secs:.1f} s incl. interpreter start and parsing)")
    print(report(score))
    print(namesakes(clients, truth_rows, out_rows))
    print()
    return score


def speed(paths: dict) -> dict:
    with open(paths["clients"], newline="") as fh:
        clients = read_clients(fh)
    with open(paths["customers"]) as fh:
        customers = read_customers(json.load(fh))
    w0, c0 = time.perf_counter(), time.process_time()
    index = CustomerIndex(customers)
    w1, c1 = time.perf_counter(), time.process_time()
    match_clients(clients, index)
    w2, c2 = time.perf_counter(), time.process_time()
    tracemalloc.start()
    match_clients(clients, CustomerIndex(customers))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"clients": len(clients), "customers": len(customers),
            "index_wall_s": round(w1 - w0, 2), "index_cpu_s": round(c1 - c0, 2),
            "match_wall_s": round(w2 - w1, 2), "match_cpu_s": round(c2 - c1, 2),
            "total_wall_s": round(w2 - w0, 2), "total_cpu_s": round(c2 - c0, 2),
            "peak_traced_mb": round(peak / 2**20), "max_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, action="append", help="repeat a run (default: 3 fresh seeds)")
    ap.add_argument("--profiles", default="books,sample,hard")
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--customers", type=int, default=10000)
    ap.add_argument("--scale", default="20000x40000", help="clients x customers of the speed run, or none")
    args = ap.parse_args()
    seeds = args.seed or [random.SystemRandom().randrange(1, 10**6) for _ in range(3)]
    print(f"seeds: {', '.join(map(str, seeds))} (repeat with --seed N)\n")
    with tempfile.TemporaryDirectory() as tmp:
        quality("labelled set tests/fixtures/matching", str(LABELLED / "clients.csv"),
                str(LABELLED / "customers.json"), str(LABELLED / "truth.csv"), os.path.join(tmp, "labelled.csv"))
        small_recall = {}
        for profile in [p for p in args.profiles.split(",") if p]:
            for seed in seeds:
                d = os.path.join(tmp, f"{profile}{seed}")
                paths = write_set(d, args.clients, args.customers, seed, profile=profile)
                s = quality(f"synthetic '{profile}' seed {seed}, {args.clients} x {args.customers}",
                            paths["clients"], paths["customers"], paths["truth"], os.path.join(d, "out.csv"))
                small_recall[(profile, seed)] = s.overall.recall
        if args.scale != "none":
            n_clients, n_customers = (int(x) for x in args.scale.lower().split("x"))
            seed = seeds[0]
            d = os.path.join(tmp, "scale")
            paths = write_set(d, n_clients, n_customers, seed, profile="books")
            s = quality(f"synthetic 'books' seed {seed}, {n_clients} x {n_customers}", paths["clients"],
                        paths["customers"], paths["truth"], os.path.join(d, "out.csv"))
            before = small_recall.get(("books", seed))
            if before is not None:
                print(f"recall at {n_clients} x {n_customers}: {s.overall.recall:.4f} "
                      f"(at {args.clients} x {args.customers}, same seed: {before:.4f})")
            print("engine speed:", json.dumps(speed(paths)))


if __name__ == "__main__":
    main()
