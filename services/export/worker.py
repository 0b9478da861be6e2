"""The background exporter: a few threads per app process that claim queued work and run it.

Only a serving process runs it: `wsgi.py` starts it eagerly, `flask run` with its first request
(`start_with_first_request`, a step of `create_app`); CLI commands never start it (`flask qbo export`
runs its own foreground `ExportWorker`). It also resumes what a previous process left: queued
records and records whose lease expired because their worker died. Several processes (gunicorn
workers, a CLI run, another host on PostgreSQL) can run one each: claims are atomic and leases
fence the writes, and pacing is shared through the database (shared_pacing.py), so together they
stay inside Intuit's per-realm limits.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Callable

from flask import Flask

from extensions import db
from services.export import records
from services.export.engine import EngineOptions, ExportEngine
from services.export.pacing import pacing_from_config
from services.export.shared_pacing import SharedPacers

log = logging.getLogger(__name__)
_KEY = "export.worker"


def options_from_config(config) -> EngineOptions:
    return EngineOptions(
        lease_seconds=float(config["QBO_EXPORT_LEASE_SECONDS"]),
        max_tries=int(config["QBO_EXPORT_MAX_TRIES"]),
        backoff_base=float(config["QBO_EXPORT_BACKOFF_BASE"]),
        backoff_cap=float(config["QBO_EXPORT_BACKOFF_CAP"]),
        reconnect_wait=float(config["QBO_EXPORT_RECONNECT_WAIT"]),
        throttle_wait_max=(float(config["QBO_EXPORT_THROTTLE_WAIT_MAX"])
                           if config.get("QBO_EXPORT_THROTTLE_WAIT_MAX") is not None else None),
    )


class ExportWorker:
    # The engine and the ledger it works on; services/time_export/worker.py swaps both.
    engine_class = ExportEngine
    KEY = _KEY   # where the process's worker of this class is kept (app.extensions)

    def __init__(self, app: Flask, client_factory: Callable | None = None,
                 prepare: Callable | None = None, threads: int | None = None,
                 poll_seconds: float | None = None, pacers=None):
        from services.export.client import make_client
        from services.export.prepare import prepare_group as default_prepare

        self.app = app
        self.client_factory = client_factory or (lambda: make_client(app))
        self.prepare = prepare or default_prepare
        self.threads = threads or int(app.config["QBO_EXPORT_THREADS"])
        self.poll_seconds = poll_seconds or float(app.config["QBO_EXPORT_POLL_SECONDS"])
        # Shared with every other process through the database (a per-process pacer would let N
        # processes send N times Intuit's limits).
        self.pacers = pacers or SharedPacers(**pacing_from_config(app.config))
        self.pid = os.getpid()
        self.options = options_from_config(app.config)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._prepare_lock = threading.Lock()  # one thread maps a group at a time (engine.py)
        self.engines: list[ExportEngine] = []

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "ExportWorker":
        if self._threads:
            return self
        for n in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"qbo-export-{n}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def wake(self) -> None:
        self._wake.set()

    @property
    def busy(self) -> bool:
        return self._busy > 0

    # -- the loop ---------------------------------------------------------------------------
    def _owner(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:64]

    def _engine(self) -> ExportEngine:
        engine = self.engine_class(self.client_factory, self.prepare, self.pacers.for_realm,
                                   owner=self._owner(), options=self.options,
                                   prepare_lock=self._prepare_lock)
        self.engines.append(engine)
        return engine

    def _loop(self) -> None:
        engine = self._engine()
        client = None
        while not self._stop.is_set():
            worked = False
            try:
                with self.app.app_context():
                    client, worked = self.step(engine, client)
            except Exception:  # noqa: BLE001 — a worker thread must survive anything
                log.exception("export worker step failed")
                client = None
                time.sleep(self.poll_seconds)
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def step(self, engine: ExportEngine, client=None):
        """Claim one group and run it. Returns (client, whether anything was claimed)."""
        from qbo.errors import ReconnectRequired

        try:
            if not self._realms_with_work():
                db.session.rollback()
                return self._idle_step(engine, client)
            if client is None:
                client = self.client_factory()
        except ReconnectRequired:
            db.session.rollback()
            return None, False
        realm_id = client.realm_id
        if engine.blocked_until.get(realm_id, 0) > time.monotonic():
            return client, False
        ids = self._claim(realm_id, engine.owner)
        if not ids:
            return client, False
        with self._busy_lock:
            self._busy += 1
        try:
            client = engine.run_group(client, ids)
        finally:
            with self._busy_lock:
                self._busy -= 1
            db.session.remove()
        return client, True

    def _idle_step(self, engine: ExportEngine, client):
        """No export waiting: carry Undo export's voids and deletes (issue 16), same leases.
        (Another ledger's worker, e.g. the time exporter, does nothing here.)"""
        from services.corrections import worker_step

        if engine.blocked_until.get(getattr(client, "realm_id", None), 0) > time.monotonic():
            return client, False
        with self._busy_lock:
            self._busy += 1
        try:
            return worker_step.step(self, engine.owner, client)
        finally:
            with self._busy_lock:
                self._busy -= 1
            db.session.remove()

    def _realms_with_work(self) -> list[str]:
        return records.realms_with_work()

    def _claim(self, realm_id: str, owner: str) -> list[int]:
        return records.claim(realm_id, owner, self.options.lease_seconds)

    def run_until(self, done: Callable[[], bool], on_tick: Callable[[], None] | None = None,
                  tick_seconds: float = 1.0, timeout: float | None = None) -> bool:
        """Run the threads in the foreground until `done()` (called in an app context) is true."""
        self.start()
        started = time.monotonic()
        try:
            while True:
                with self.app.app_context():
                    finished = done()
                    if on_tick:
                        on_tick()
                    db.session.remove()
                if finished:
                    return True
                if timeout is not None and time.monotonic() - started > timeout:
                    return False
                self._wake.set()
                time.sleep(tick_seconds)
        finally:
            self.stop()


def get(app: Flask, worker_class=None) -> ExportWorker | None:
    return app.extensions.get((worker_class or ExportWorker).KEY)


def start(app: Flask, worker_class=None, **kwargs) -> ExportWorker:
    """Start this process's background exporter (idempotent); `worker_class`: another ledger's.

    A worker made in another process (an app created before a fork, e.g. gunicorn --preload)
    has no threads here: this process gets its own."""
    worker_class = worker_class or ExportWorker
    worker = app.extensions.get(worker_class.KEY)
    if worker is None or worker.pid != os.getpid():
        worker = app.extensions[worker_class.KEY] = worker_class(app, **kwargs)
    return worker.start()


def enabled(app: Flask) -> bool:
    """QBO_EXPORT_WORKER: "auto" (on, except in TESTING), "on", or "off"."""
    mode = str(app.config["QBO_EXPORT_WORKER"]).lower()
    return not (mode in ("off", "false", "0", "no") or (mode == "auto" and app.testing))


def start_if_enabled(app: Flask, worker_class=None) -> ExportWorker | None:
    """For servers (wsgi.py): start now, so a restarted server resumes unfinished exports
    without waiting for a first request."""
    return start(app, worker_class) if enabled(app) else None


def start_with_first_request(app: Flask, worker_class=None) -> None:
    """Start the exporter with the first request this process serves (not for CLI commands or
    tests that never serve), so a restarted server resumes unfinished exports on its own."""
    if not enabled(app):
        return  # tests run exporters explicitly unless they ask for QBO_EXPORT_WORKER="on"

    worker_class = worker_class or ExportWorker

    def _ensure_export_worker():
        found = app.extensions.get(worker_class.KEY)
        if found is None or found.pid != os.getpid():
            start(app, worker_class)
    app.before_request(_ensure_export_worker)
