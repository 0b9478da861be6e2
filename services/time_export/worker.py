"""The background time exporter: the invoice exporter's worker (services/export/worker.py) on the
time ledger, with the same threads, claims, leases and the pacing every process shares per
company. Started wherever the invoice exporter is (app.py, wsgi.py); CLI commands run one in the
foreground."""
from __future__ import annotations

from services.export import records
from services.export import worker as export_worker
from services.export.worker import ExportWorker
from models.time_export import TimeExport
from services.time_export.engine import TimeEngine, make_time_client, prepare_group


class TimeWorker(ExportWorker):
    engine_class = TimeEngine
    KEY = "export.time_worker"

    def __init__(self, app, client_factory=None, prepare=None, **kwargs):
        super().__init__(app, client_factory=client_factory or (lambda: make_time_client(app)),
                         prepare=prepare or prepare_group, **kwargs)

    def _idle_step(self, engine, client):
        return client, False   # undo jobs are the invoice exporter's

    def _realms_with_work(self) -> list[str]:
        return records.realms_with_work(TimeExport)

    def _claim(self, realm_id: str, owner: str) -> list[int]:
        return records.claim(realm_id, owner, self.options.lease_seconds, table=TimeExport.__table__)


def get(app) -> TimeWorker | None:
    return export_worker.get(app, TimeWorker)


def start_if_enabled(app) -> TimeWorker | None:
    return export_worker.start_if_enabled(app, TimeWorker)


def start_with_first_request(app) -> None:
    export_worker.start_with_first_request(app, TimeWorker)
