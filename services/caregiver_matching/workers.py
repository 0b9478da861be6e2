"""The local copy of the company's Employees and Vendors (read in one go, every page), and the
matching engine's prepared index over each list (rebuilt only when the copy's version changes).

The engine is Client Matching's (services/matching): a QuickBooks Employee or Vendor has the
fields of a customer it reads (DisplayName, GivenName, FamilyName, e-mail, phone), so each one
becomes a CustomerRecord whose id is the worker's key ("Employee:5").
"""
from __future__ import annotations

import json
import threading

from sqlalchemy import delete, select

from extensions import db
from models._types import utcnow
from models.worker_matching import WORKER_ENTITIES, QboWorkerCopy, WorkerListState, worker_key
from services.mapping.customer import slim
from services.matching import CustomerIndex, CustomerRecord


def list_state(realm_id: str) -> WorkerListState | None:
    return db.session.get(WorkerListState, realm_id)


def replace_copy(realm_id: str, workers: dict[str, list[dict]]) -> WorkerListState:
    """Replace the realm's copy with every Employee and Vendor read; bump its version."""
    db.session.execute(delete(QboWorkerCopy).where(QboWorkerCopy.realm_id == realm_id))
    count = 0
    for entity, rows in workers.items():
        for row in rows:
            db.session.add(fill_copy(QboWorkerCopy(realm_id=realm_id, entity=entity), row))
            count += 1
    state = list_state(realm_id) or WorkerListState(realm_id=realm_id, version=0)
    state.fetched_at, state.worker_count = utcnow(), count
    state.version = (state.version or 0) + 1
    db.session.add(state)
    db.session.flush()
    return state


def read_workers(qbo) -> dict[str, list[dict]]:
    return {entity: qbo.query_all(entity, "Active IN (true, false)") for entity in WORKER_ENTITIES}


def fill_copy(copy: QboWorkerCopy, worker: dict) -> QboWorkerCopy:
    copy.qbo_id = str(worker.get("Id"))
    copy.display_name = worker.get("DisplayName") or ""
    active = worker.get("Active", True)
    copy.active = active if isinstance(active, bool) else str(active).lower() != "false"
    copy.payload = json.dumps(slim(worker))
    return copy


def upsert_copy(realm_id: str, entity: str, worker: dict) -> QboWorkerCopy:
    """Keep the copy current after we create or find a worker."""
    copy = db.session.scalar(select(QboWorkerCopy).where(
        QboWorkerCopy.realm_id == realm_id, QboWorkerCopy.entity == entity,
        QboWorkerCopy.qbo_id == str(worker.get("Id")))) or QboWorkerCopy(realm_id=realm_id, entity=entity)
    db.session.add(fill_copy(copy, worker))
    return copy


def record_of(copy: QboWorkerCopy) -> CustomerRecord:
    return CustomerRecord.from_qbo({**copy.data, "Id": copy.key, "Active": copy.active})


def worker_records(realm_id: str, entity: str) -> list[CustomerRecord]:
    return [record_of(copy) for copy in db.session.scalars(select(QboWorkerCopy).where(
        QboWorkerCopy.realm_id == realm_id, QboWorkerCopy.entity == entity).order_by(QboWorkerCopy.id))]


_index_cache: dict[tuple[str, str], tuple[tuple, CustomerIndex, dict]] = {}
_index_lock = threading.Lock()


def worker_index(realm_id: str, entity: str) -> tuple[CustomerIndex, dict[str, CustomerRecord]]:
    state = list_state(realm_id)
    # The read's time too: a database restored (or a test's fresh one) restarts the version.
    version = (state.version, state.fetched_at) if state else (0, None)
    with _index_lock:
        cached = _index_cache.get((realm_id, entity))
        if cached and cached[0] == version:
            return cached[1], cached[2]
    records = worker_records(realm_id, entity)
    built = (version, CustomerIndex(records), {r.id: r for r in records})
    with _index_lock:
        _index_cache[(realm_id, entity)] = built
    return built[1], built[2]


def copies_by_key(realm_id: str, keys) -> dict[str, QboWorkerCopy]:
    wanted = {k for k in keys if k}
    if not wanted:
        return {}
    ids = {k.partition(":")[2] for k in wanted}
    rows = db.session.scalars(select(QboWorkerCopy).where(QboWorkerCopy.realm_id == realm_id,
                                                          QboWorkerCopy.qbo_id.in_(ids)))
    return {row.key: row for row in rows if row.key in wanted}


def label_of(copy: QboWorkerCopy) -> str:
    label = f"{copy.display_name} ({copy.entity.lower()})"
    return label if copy.active else f"{label} (inactive)"


def key_of(entity: str, qbo_id) -> str:
    return worker_key(entity, str(qbo_id))
