#!/usr/bin/env python3
"""Matching benchmark: quality on the shared labelled set and on seeded synthetic sets, plus speed.

For each set it runs the file front end (`python -m services.matching`, as the CLI would), scores the
output with /work/shared/matching/score.py (precision/recall overall and per category, customers given
to two clients), and times the engine in-process on the 5k x 10k synthetic case with peak memory.

    .venv/bin/python bench/matching_bench.py [--seeds 7,11] [--hard-seeds 3,5] [--clients 5000] [--customers 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from matching_synth import write_set  # noqa: E402
from services.matching import CustomerIndex, match_clients  # noqa: E402
from services.matching.files import read_clients, read_customers  # noqa: E402

SHARED = Path(os.environ.get("CARELEDGER_MATCHING_DATA", Path(__file__).resolve().parents[2] / "shared" / "matching"))
SCORE = SHARED / "score.py"


def run_front_end(clients: str, customers: str, out: str) -> float:
    t0 = time.perf_counter()
    with open(out, "w") as fh:
        subprocess.run([sys.executable, "-m", "services.matching", clients, customers], cwd=ROOT,
                       stdout=fh, check=True)
    return time.perf_counter() - t0


def score(truth: str, out: str) -> str:
    return subprocess.run([sys.executable, str(SCORE), truth, out], capture_output=True, text=True,
                          check=True).stdout


def timed_engine(clients_path: str, customers_path: str) -> dict:
    with open(clients_path, newline="") as fh:
        clients = read_clients(fh)
    with open(customers_path) as fh:
        customers = read_customers(json.load(fh))
    t0 = time.perf_counter()
    match_clients(clients, customers)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = CustomerIndex(customers)
    t1 = time.perf_counter()
    props = match_clients(clients, index)
    t2 = time.perf_counter()
    tracemalloc.start()
    match_clients(clients, customers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    by_status: dict[str, int] = {}
    for p in props:
        by_status[p.status] = by_status.get(p.status, 0) + 1
    return {"clients": len(clients), "customers": len(customers), "match_clients_s": round(cold, 3),
            "index_s": round(t1 - t0, 3), "match_with_index_s": round(t2 - t1, 3),
            "peak_traced_mb": round(peak / 2**20, 1), "statuses": by_status}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="7,11", help="seeds of sets in the sample-like profile")
    ap.add_argument("--hard-seeds", default="3,5", help="seeds of sets in the hard profile")
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--customers", type=int, default=10000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if (SHARED / "truth.csv").exists():
            out = os.path.join(tmp, "shared_out.csv")
            secs = run_front_end(str(SHARED / "clients.csv"), str(SHARED / "customers.json"), out)
            print(f"== shared set {SHARED} (front end {secs:.2f}s incl. interpreter start)")
            print(score(str(SHARED / "truth.csv"), out))
        runs = [(int(s), False) for s in args.seeds.split(",") if s] + \
               [(int(s), True) for s in args.hard_seeds.split(",") if s]
        for seed, hard in runs:
            d = os.path.join(tmp, f"synth{seed}{'h' if hard else ''}")
            paths = write_set(d, args.clients, args.customers, seed, hard)
            out = os.path.join(d, "out.csv")
            secs = run_front_end(paths["clients"], paths["customers"], out)
            print(f"== synthetic set seed={seed}{' HARD' if hard else ''} {args.clients} clients x "
                  f"{args.customers} customers (front end {secs:.2f}s incl. interpreter start and file parsing)")
            print(score(paths["truth"], out))
            print("engine timing:", json.dumps(timed_engine(paths["clients"], paths["customers"])))
            try:
                import resource
                print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
            except ImportError:   # not on every platform
                pass
            print()


if __name__ == "__main__":
    main()
