"""Memory benchmark (issue 19): does a gunicorn worker return to its resting size after heavy pages?

    .venv/bin/python -m bench.memory_bench [--seconds 15] [--connections 8]

Seeds the large agency (bench/large_agency.py), then twice serves it with gunicorn `-w 2 --threads 4`
and drives the heaviest pages (the 1,000-invoice batch page, the progress partial with 100 changed
rows, Client Matching over 5,000 clients) at 8 connections: once with glibc's defaults
(CARELEDGER_MALLOC_ARENA_MAX=0, CARELEDGER_MEMORY_TRIM_MB=0), once with the app's (memory.py:
2 arenas, trim after 16 MB of growth). The warm-up drives every page at 8 connections, so every
thread of both workers has its database connection and caches; the resting level is measured
after it. Then the heavy pages twice over, and 5 s of quiet: each worker's resident size at each
point (a worker that kept growing would show it in the second round).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.large_agency import seed  # noqa: E402
from bench.load_bench import HX, Session, _queue_some, drive, start_gunicorn, worker_rss_mb  # noqa: E402

SETTINGS = {
    "glibc defaults (no arena cap, no trim)": {"CARELEDGER_MALLOC_ARENA_MAX": "0", "CARELEDGER_MEMORY_TRIM_MB": "0"},
    "the app's (2 arenas, trim after 16 MB)": {},
}


def _run(seeded, instance: Path, pages: dict, extra_env: dict, args) -> list[list[float]]:
    process, port = start_gunicorn(seeded.database_url, instance, 2, 4, None, extra_env)
    try:
        sessions = [Session(port) for _ in range(args.connections)]
        for path in pages.values():  # every thread of both workers serves every page once or more
            drive(sessions, path, HX if "/export/progress" in path else {}, 2.0, warmup=0.0)
        time.sleep(1)
        sizes = [worker_rss_mb(process.pid)]
        for _ in range(2):
            for path in pages.values():
                drive(sessions, path, HX if "/export/progress" in path else {}, args.seconds)
            sizes.append(worker_rss_mb(process.pid))
        time.sleep(5)
        return sizes + [worker_rss_mb(process.pid)]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per page")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="careledger-memory-"))
    try:
        seeded = seed(folder / "agency.sqlite")
        instance = folder / "instance"
        shown = _queue_some(seeded.database_url, instance, seeded.big_batch_id, 100)
        pages = {"batch page": f"/billing/batches/{seeded.big_batch_id}",
                 "progress, 100 rows changed": f"/billing/batches/{seeded.big_batch_id}/export/progress?"
                 + urlencode({"shown": ",".join(map(str, shown))}),
                 "client matching": "/accounting/quickbooks/client-matching"}
        print(f"load average {os.getloadavg()[0]:.1f}; pages: {', '.join(pages)}; {args.seconds:.0f} s each, "
              f"{args.connections} connections")
        print("\n| allocator settings | workers after warm-up | after the load | after it again | 5 s later |"
              "\n|---|---|---|---|---|")
        for name, env in SETTINGS.items():
            sizes = _run(seeded, instance, pages, env, args)
            fmt = lambda mbs: " + ".join(f"{mb:.0f}" for mb in mbs) + f" = {sum(mbs):.0f} MB"  # noqa: E731
            print(f"| {name} | " + " | ".join(map(fmt, sizes)) + " |", flush=True)
        print(f"\nload average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
