"""The local copy of the company's QuickBooks customers: refreshed in one read of every page, and
the prepared engine index over it (rebuilt only when the copy's version changes).
"""
from __future__ import annotations

import json
import threading

from sqlalchemy import delete, select

from extensions import db
from models._types import utcnow
from models.matching_state import CustomerListState, QboCustomerCopy
from services.mapping.customer import slim
from services.matching import CustomerIndex, CustomerRecord


def list_state(realm_id: str) -> CustomerListState | None:
    return db.session.get(CustomerListState, realm_id)


def replace_copy(realm_id: str, customers: list[dict]) -> CustomerListState:
    """Replace the realm's copy with `customers` (every page of a read) and bump its version."""
    existing = {c.qbo_id: c for c in db.session.scalars(
        select(QboCustomerCopy).where(QboCustomerCopy.realm_id == realm_id))}
    seen = set()
    for customer in customers:
        qbo_id = str(customer.get("Id"))
        seen.add(qbo_id)
        copy = existing.get(qbo_id)
        if copy is None:
            copy = QboCustomerCopy(realm_id=realm_id, qbo_id=qbo_id)
            db.session.add(copy)
        fill_copy(copy, customer)
    gone = [qid for qid in existing if qid not in seen]
    if gone:
        db.session.execute(delete(QboCustomerCopy).where(
            QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id.in_(gone)))
    state = list_state(realm_id) or CustomerListState(realm_id=realm_id, version=0)
    state.fetched_at, state.customer_count = utcnow(), len(customers)
    state.version = (state.version or 0) + 1
    db.session.add(state)
    db.session.flush()
    return state


def customer_records(realm_id: str) -> list[CustomerRecord]:
    return [CustomerRecord.from_qbo(json.loads(p)) for p in db.session.scalars(
        select(QboCustomerCopy.payload).where(QboCustomerCopy.realm_id == realm_id)
        .order_by(QboCustomerCopy.id))]


_index_cache: dict[str, tuple[int, CustomerIndex, dict[str, CustomerRecord]]] = {}


_index_lock = threading.Lock()


def customer_index(realm_id: str) -> tuple[CustomerIndex, dict[str, CustomerRecord]]:
    """The prepared engine index of the copy, rebuilt only when the list version changes."""
    state = list_state(realm_id)
    version = state.version if state else 0
    with _index_lock:
        cached = _index_cache.get(realm_id)
        if cached and cached[0] == version:
            return cached[1], cached[2]
    records = customer_records(realm_id)
    index = CustomerIndex(records)
    with _index_lock:
        _index_cache[realm_id] = (version, index, {r.id: r for r in records})
    return index, {r.id: r for r in records}


def invalidate_index(realm_id: str) -> None:
    with _index_lock:
        _index_cache.pop(realm_id, None)


def sub_customers(realm_id: str, parent_qbo_id: str) -> list[CustomerRecord]:
    return [CustomerRecord.from_qbo(json.loads(p)) for p in db.session.scalars(
        select(QboCustomerCopy.payload).where(QboCustomerCopy.realm_id == realm_id,
                                              QboCustomerCopy.parent_qbo_id == parent_qbo_id)
        .order_by(QboCustomerCopy.id))]


def copies_by_id(realm_id: str, ids) -> dict[str, QboCustomerCopy]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return {c.qbo_id: c for c in db.session.scalars(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id.in_(ids)))}


def taken_display_names(realm_id: str) -> set[str]:
    """Every DisplayName in the stored copy of the company's customer list."""
    return set(db.session.scalars(select(QboCustomerCopy.display_name).where(
        QboCustomerCopy.realm_id == realm_id)))


def label_of(copy: QboCustomerCopy) -> str:
    label = copy.fully_qualified_name or copy.display_name
    return label if copy.active else f"{label} (inactive)"


def fill_copy(copy: QboCustomerCopy, customer: dict) -> None:
    copy.display_name = customer.get("DisplayName") or ""
    copy.fully_qualified_name = customer.get("FullyQualifiedName") or copy.display_name
    copy.parent_qbo_id = (customer.get("ParentRef") or {}).get("value")
    active = customer.get("Active", True)
    copy.active = active if isinstance(active, bool) else str(active).lower() != "false"
    copy.payload = json.dumps(slim(customer))


def upsert_copy(realm_id: str, customer: dict) -> QboCustomerCopy:
    """Keep the local copy of the customer list current after we create or find a customer."""
    qbo_id = str(customer.get("Id"))
    copy = db.session.scalar(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id == qbo_id))
    if copy is None:
        copy = QboCustomerCopy(realm_id=realm_id, qbo_id=qbo_id)
        db.session.add(copy)
    fill_copy(copy, customer)
    return copy
