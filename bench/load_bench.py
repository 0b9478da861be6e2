"""Load benchmark (issue 19): the large agency's pages under 8 concurrent connections, served by
gunicorn as in production.

    .venv/bin/python -m bench.load_bench [--seconds 20] [--connections 8] [--workers 2 --threads 4]
                                         [--pages batch,progress] [--max-requests N]

Seeds 5,000 clients and a finalized 1,000-invoice batch (bench/large_agency.py) into a throwaway
SQLite database under /tmp, with 100 of the big batch's invoices queued (the worker is off, so the
progress partial answers as during an export: every second, nothing or a few rows changed). Then:
  1. SQL statements per page, 1,000 vs 100 invoices (in-process, counted at the engine);
  2. gunicorn `-w 2 --threads 4` on a free port; a keep-alive HTTP driver (stdlib threads, one
     signed-in session per connection) hammers each page for --seconds after a short warm-up;
     prints one request's time and size, then p50/p95/p99 and req/s;
  3. the workers' resident memory before the load, right after it, and after a heavy page's
     requests stop (the figure for "returns to its resting level").
No network beyond loopback. The driver shares the machine's cores with the server: the figures
are what the server does with what is left.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.large_agency import OWNER, REALM, app_config, seed  # noqa: E402

HX = {"HX-Request": "true"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _queue_some(database_url: str, instance: Path, batch_id: int, count: int) -> list[int]:
    """`count` not-yet-exported invoices of the batch get a queued record: an export in flight."""
    from sqlalchemy import insert, select

    from app import create_app
    from extensions import db
    from models import Invoice
    from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus

    app = create_app(app_config(database_url, instance))
    with app.app_context():
        taken = select(InvoiceExport.invoice_id)
        ids = list(db.session.scalars(select(Invoice.id).where(Invoice.batch_id == batch_id, Invoice.id.not_in(taken))
                                      .order_by(Invoice.number).limit(count)))
        job = ExportJob(realm_id=REALM, batch_id=batch_id, status=JobStatus.RUNNING, selected=count, queued=count)
        db.session.add(job)
        db.session.flush()
        db.session.execute(insert(InvoiceExport), [
            dict(realm_id=REALM, invoice_id=i, job_id=job.id, status=ExportStatus.QUEUED, request_id=f"q{i:031x}",
                 doc_number=str(i)) for i in ids])
        db.session.commit()
        page_ids = list(db.session.scalars(select(Invoice.id).where(Invoice.batch_id == batch_id)
                                           .order_by(Invoice.number).limit(100)))
    return page_ids


def in_process(database_url: str, instance: Path, pages: dict[str, str], repeat: int = 20) -> dict[str, tuple]:
    """Per page, in this process (no server, one request at a time, caches warm): SQL statements of
    one request, counted at the engine, and the CPU time of one request (median of `repeat`;
    CPU, not wall, time: the machine is shared and its other load should not count)."""
    from sqlalchemy import event

    from app import create_app
    from extensions import db

    app = create_app(app_config(database_url, instance) | {"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"email": OWNER[0], "password": OWNER[1]})
    seen: list[int] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: seen.append(1))
    found = {}
    for name, url in pages.items():
        headers = HX if "/export/progress" in url else {}
        client.get(url, headers=headers)
        seen.clear()
        client.get(url, headers=headers)
        statements = len(seen)
        cpu = []
        for _ in range(repeat):
            started = time.process_time()
            client.get(url, headers=headers)
            cpu.append((time.process_time() - started) * 1000)
        found[name] = (statements, sorted(cpu)[len(cpu) // 2])
    return found


# -- the server -------------------------------------------------------------------------------------

def start_gunicorn(database_url: str, instance: Path, workers: int, threads: int, max_requests: int | None,
                   extra_env: dict | None = None):
    port = _free_port()
    env = dict(os.environ, LOAD_BENCH_DATABASE_URL=database_url, LOAD_BENCH_INSTANCE=str(instance), **(extra_env or {}))
    command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "--threads", str(threads),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench.load_wsgi:app"]
    if max_requests:
        command[1:1] = ["--max-requests", str(max_requests), "--max-requests-jitter", str(max_requests // 10)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
    return process, port


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", status, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            found.append(int(rss.group(1)) / 1024 if rss else 0.0)
    return sorted(found)


# -- the driver -------------------------------------------------------------------------------------

class Session:
    """One keep-alive connection signed in as the Owner."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        body = self.get("/login")[1].decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
        status, _ = self.request("POST", "/login", urlencode({"csrf_token": token, "email": OWNER[0],
                                                              "password": OWNER[1]}),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}")

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
                self.connection.close()  # the server closed an idle keep-alive: reconnect once
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def get(self, path: str, headers=None) -> tuple[int, bytes]:
        return self.request("GET", path, headers=headers)


class RawConnection:
    """The driver's hot loop: one keep-alive socket, the request's bytes built once, the answer read
    by its Content-Length. http.client parses every header through the email package (~0.3 ms a
    request in Python); on 2 shared cores that CPU would be taken from the server being measured."""

    def __init__(self, session: Session, path: str, headers: dict):
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive",
                 "Cookie: " + "; ".join(f"{k}={v}" for k, v in session.cookies.items())]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.request_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.port = session.port
        self.sock = None

    def get(self) -> int:
        for attempt in range(2):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.sock.sendall(self.request_bytes)
                return self._read()
            except OSError:
                if self.sock is not None:
                    self.sock.close()
                self.sock = None  # the server closed an idle keep-alive: reconnect once
                if attempt:
                    raise
        return 0

    def _read(self) -> int:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head[9:12])
        declared = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        length = int(declared.group(1)) if declared else 0  # 204 / 304: no body, maybe no length
        while len(body) < length:
            chunk = self.sock.recv(max(65536, length - len(body)))
            if not chunk:
                raise OSError("connection closed")
            body += chunk
        if re.search(rb"(?i)\r\nconnection:\s*close", head):
            self.sock.close()
            self.sock = None
        return status

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


OK_STATUSES = (200, 204)  # 204: the progress poll when nothing changed


WRK_SCRIPT = """
wrk.headers["Cookie"] = os.getenv("LOAD_BENCH_COOKIE")
if os.getenv("LOAD_BENCH_HX") == "1" then wrk.headers["HX-Request"] = "true" end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.0f %.0f %.0f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    + summary.errors.status))
end
"""


def drive_wrk(session: Session, path: str, headers: dict, seconds: float, connections: int,
              warmup: float = 2.0) -> dict:
    """The same load from wrk (a C load generator: two threads, the issue's own tool), which
    leaves more of the 2 cores to the server than the Python driver. Errors: failed sockets,
    timeouts and answers of 400 and above (wrk's own count), and the status of one check after."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT)
    env = dict(os.environ, LOAD_BENCH_COOKIE="; ".join(f"{k}={v}" for k, v in session.cookies.items()),
               LOAD_BENCH_HX="1" if headers.get("HX-Request") else "0")
    url = f"http://127.0.0.1:{session.port}{path}"
    try:
        def run(duration: float) -> list[str]:
            out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration:.0f}s", "--timeout", "30s",
                                  "-s", str(script), url], env=env, capture_output=True, text=True, check=True)
            return out.stdout.split("RESULT ")[1].split()

        run(max(1.0, warmup))
        requests, duration_us, p50, p95, p99, errors = run(seconds)
    finally:
        script.unlink()
    status, _ = session.get(path, headers)
    return {"p50": float(p50) / 1000, "p95": float(p95) / 1000, "p99": float(p99) / 1000,
            "rps": int(requests) / (int(duration_us) / 1e6), "n": int(requests),
            "errors": int(errors) + (0 if status in OK_STATUSES else 1)}


def drive(sessions: list[Session], path: str, headers: dict, seconds: float, warmup: float = 2.0) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]
    measuring = threading.Event()

    def loop(session: Session):
        mine = []
        raw = RawConnection(session, path, headers)
        while time.monotonic() < stop_at[0]:
            started = time.perf_counter()
            status = raw.get()
            elapsed = time.perf_counter() - started
            if measuring.is_set():
                mine.append(elapsed)
                if status not in OK_STATUSES:
                    errors[0] += 1
        raw.close()
        with lock:
            latencies.extend(mine)

    stop_at[0] = time.monotonic() + warmup + seconds
    threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    time.sleep(warmup)
    measuring.set()
    measured_from = time.monotonic()
    for t in threads:
        t.join()
    wall = time.monotonic() - measured_from
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "rps": len(latencies) / wall,
            "n": len(latencies), "errors": errors[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--max-requests", type=int, default=None, help="gunicorn --max-requests")
    parser.add_argument("--in-process-only", action="store_true", help="statements and CPU per request only")
    parser.add_argument("--driver", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (apt install wrk; the default when installed) or the "
                             "built-in Python one")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="careledger-load-"))
    try:
        started = time.monotonic()
        seeded = seed(folder / "agency.sqlite", clients=args.clients, invoices=args.invoices)
        instance = folder / "instance"
        shown = _queue_some(seeded.database_url, instance, seeded.big_batch_id, 100)
        _queue_some(seeded.database_url, instance, seeded.small_batch_id, 10)  # both polls answer alike
        print(f"Seeded {args.clients} clients, batches of {seeded.invoices_big} and {seeded.invoices_small} "
              f"invoices (600 and 0 in QuickBooks, 100 and 10 queued) in {time.monotonic() - started:.1f} s: {folder}")
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3600))
        progress = (f"/billing/batches/{seeded.big_batch_id}/export/progress?"
                    + urlencode({"since": now, "shown": ",".join(map(str, shown))}))
        pages = {
            "dashboard": "/",
            "clients": "/clients",
            "batches list": "/billing/batches",
            f"batch page, {seeded.invoices_big} invoices": f"/billing/batches/{seeded.big_batch_id}",
            "progress partial (export running, nothing changed)": progress,
            "progress partial (all 100 shown rows changed)": progress.split("?")[0] + "?"
            + urlencode({"shown": ",".join(map(str, shown))}),
            f"client matching, {args.clients} clients": "/accounting/quickbooks/client-matching",
            "sync settings": "/accounting/quickbooks/sync-settings",
        }
        if args.pages:
            wanted = [w.strip() for w in args.pages.split(",")]
            pages = {k: v for k, v in pages.items() if any(w in k for w in wanted)}

        measured = in_process(seeded.database_url, instance, {
            **pages,
            "batch page, 100 invoices": f"/billing/batches/{seeded.small_batch_id}",
            "progress partial, 100 invoices": f"/billing/batches/{seeded.small_batch_id}/export/progress?"
            + urlencode({"since": now})})
        print("\nIn process, one request at a time: SQL statements and CPU time per request")
        for name, (statements, cpu_ms) in measured.items():
            print(f"  {name:52s} {statements:4d} statements {cpu_ms:7.1f} ms CPU")

        if args.in_process_only:
            return 0
        process, port = start_gunicorn(seeded.database_url, instance, args.workers, args.threads, args.max_requests)
        try:
            return _load(process, port, pages, args)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _load(process, port: int, pages: dict[str, str], args) -> int:
    sessions = [Session(port) for _ in range(args.connections)]
    probe = sessions[0]
    for path in pages.values():  # each worker warms its caches (a first view maps the batch)
        for _ in range(2 * args.workers):
            probe.get(path, HX if "/export/progress" in path else None)
    rest = worker_rss_mb(process.pid)
    print(f"\ngunicorn -w {args.workers} --threads {args.threads}; driver {args.driver}"
          f"{f' --max-requests {args.max_requests}' if args.max_requests else ''}; {args.connections} "
          f"connections, {args.seconds:.0f} s per page; worker RSS after warm-up: "
          + ", ".join(f"{mb:.0f} MB" for mb in rest))
    print(f"\n| page | one request | size | p50 | p95 | p99 | req/s |\n|---|---|---|---|---|---|---|")
    for name, path in pages.items():
        headers = HX if "/export/progress" in path else None
        started = time.perf_counter()
        status, body = probe.get(path, headers)
        single = (time.perf_counter() - started) * 1000
        if args.driver == "wrk":
            result = drive_wrk(probe, path, headers or {}, args.seconds, args.connections)
        else:
            result = drive(sessions, path, headers or {}, args.seconds)
        flag = f" ({result['errors']} errors)" if result["errors"] or status not in OK_STATUSES else ""
        print(f"| {name} | {single:.0f} ms | {len(body) / 1024:.1f} KB | {result['p50']:.0f} ms | "
              f"{result['p95']:.0f} ms | {result['p99']:.0f} ms | {result['rps']:.0f}{flag} |", flush=True)
    loaded = worker_rss_mb(process.pid)
    time.sleep(5)
    idle = worker_rss_mb(process.pid)
    print("\nworker RSS: rest " + ", ".join(f"{mb:.0f}" for mb in rest) + " MB; right after the load "
          + ", ".join(f"{mb:.0f}" for mb in loaded) + " MB; 5 s later " + ", ".join(f"{mb:.0f}" for mb in idle)
          + " MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
