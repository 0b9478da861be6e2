"""Entities as JSON documents per realm in SQLite, with indexed columns for the hot filters.

One table holds every entity type; the document is the entity exactly as the API returns it
(minus the response `time`), and Id/type/active/name/DocNumber/CustomerRef/timestamps are copied
into indexed columns. Everything goes through `Store.transaction()`, which holds one lock per
sandbox app: the threaded dev server and in-process callers get serialised, atomic
check-then-write (uniqueness of names and DocNumbers, SyncToken checks, requestid replay).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (Boolean, Column, Index, Integer, String, Table, Text, and_, insert,
                        select, text, update)

from qbo_sandbox import clock, jsonutil
from qbo_sandbox.db import Base, Company

entity_table = Table(
    "sandbox_entity",
    Base.metadata,
    Column("realm_id", String(32), primary_key=True),
    Column("type", String(32), primary_key=True),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("sync_token", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("name", Text),            # DisplayName / Name as written
    Column("name_key", Text),        # lower-cased, for uniqueness checks
    Column("doc_number", String(64)),
    Column("customer_id", Integer),  # CustomerRef.value of transactions, ParentRef.value of names
    Column("created", String(20), nullable=False),  # UTC, sortable
    Column("updated", String(20), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("doc", Text, nullable=False),
    Index("ix_sandbox_entity_list", "realm_id", "type", "deleted", "id"),
    Index("ix_sandbox_entity_name", "realm_id", "name_key"),
    Index("ix_sandbox_entity_type_name", "realm_id", "type", "deleted", "name_key"),
    Index("ix_sandbox_entity_docnum", "realm_id", "type", "doc_number"),
    Index("ix_sandbox_entity_customer", "realm_id", "type", "customer_id"),
    Index("ix_sandbox_entity_updated", "realm_id", "type", "updated"),
)

request_log = Table(
    "sandbox_request_log",
    Base.metadata,
    Column("realm_id", String(32), primary_key=True),
    Column("request_id", String(64), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created", String(20), nullable=False),
)

counter_table = Table(
    "sandbox_counter",
    Base.metadata,
    Column("realm_id", String(32), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

company_table = Company.__table__


# SQLite's INTEGER is 64-bit: a larger Id cannot exist and cannot be bound as a parameter.
MAX_ID = 2**63 - 1

def _ref_int(ref) -> int | None:
    if isinstance(ref, dict):
        try:
            return int(ref.get("value"))
        except (TypeError, ValueError):
            return None
    return None


class Tx:
    """Operations inside one transaction (one connection)."""

    def __init__(self, conn):
        self.conn = conn

    # --- companies ------------------------------------------------------------------------
    def company(self, realm_id: str) -> dict | None:
        row = self.conn.execute(select(company_table).where(company_table.c.realm_id == realm_id)).first()
        if row is None:
            return None
        return {
            "realm_id": row.realm_id,
            "name": row.name,
            "timezone": row.timezone or clock.DEFAULT_TZ,
            "company_info": jsonutil.loads(row.company_info) if row.company_info else None,
            "preferences": jsonutil.loads(row.preferences) if row.preferences else None,
        }

    def companies(self) -> list[dict]:
        rows = self.conn.execute(select(company_table.c.realm_id, company_table.c.name)).all()
        return [{"realm_id": r.realm_id, "name": r.name} for r in rows]

    def save_company(self, realm_id: str, **values) -> None:
        for key in ("company_info", "preferences"):
            if key in values and not isinstance(values[key], (str, type(None))):
                values[key] = jsonutil.dumps(values[key])
        exists = self.conn.execute(
            select(company_table.c.realm_id).where(company_table.c.realm_id == realm_id)).first()
        if exists:
            self.conn.execute(update(company_table).where(company_table.c.realm_id == realm_id).values(**values))
        else:
            self.conn.execute(insert(company_table).values(realm_id=realm_id, **values))

    # --- ids --------------------------------------------------------------------------------
    def next_value(self, realm_id: str, name: str, start: int = 1) -> int:
        c = counter_table.c
        row = self.conn.execute(select(c.value).where(c.realm_id == realm_id, c.name == name)).first()
        if row is None:
            self.conn.execute(insert(counter_table).values(realm_id=realm_id, name=name, value=start))
            return start
        value = row.value + 1
        self.conn.execute(update(counter_table).where(c.realm_id == realm_id, c.name == name).values(value=value))
        return value

    # --- documents --------------------------------------------------------------------------
    def get(self, realm_id: str, etype: str, entity_id: int, include_deleted=False) -> dict | None:
        if not 0 <= entity_id <= MAX_ID:
            return None  # no such row, and SQLite could not even compare it
        c = entity_table.c
        stmt = select(c.doc, c.deleted).where(c.realm_id == realm_id, c.type == etype, c.id == entity_id)
        row = self.conn.execute(stmt).first()
        if row is None or (row.deleted and not include_deleted):
            return None
        doc = jsonutil.loads(row.doc)
        return doc

    def put(self, realm_id: str, etype: str, doc: dict, name_field: str | None = None) -> None:
        """Insert or replace a document; indexed columns are derived from it."""
        meta = doc.get("MetaData", {})
        name = doc.get(name_field) if name_field else None
        values = dict(
            sync_token=int(doc.get("SyncToken", 0)),
            active=bool(doc.get("Active", True)),
            name=name,
            name_key=name.lower() if isinstance(name, str) else None,
            doc_number=doc.get("DocNumber"),
            customer_id=_ref_int(doc.get("CustomerRef") or doc.get("ParentRef")),
            created=doc.pop("_created_utc", None) or _meta_utc(meta.get("CreateTime")),
            updated=doc.pop("_updated_utc", None) or _meta_utc(meta.get("LastUpdatedTime")),
            deleted=bool(doc.get("status") == "Deleted"),
            doc=jsonutil.dumps(doc),
        )
        c = entity_table.c
        key = (c.realm_id == realm_id, c.type == etype, c.id == int(doc["Id"]))
        result = self.conn.execute(update(entity_table).where(*key).values(**values))
        if result.rowcount == 0:
            self.conn.execute(insert(entity_table).values(realm_id=realm_id, type=etype, id=int(doc["Id"]), **values))

    def name_owner(self, realm_id: str, etypes, name: str, exclude: tuple[str, int] | None = None):
        """(type, id) of a live entity of one of `etypes` using `name` (case-insensitive)."""
        c = entity_table.c
        stmt = select(c.type, c.id).where(
            c.realm_id == realm_id, c.name_key == name.lower(), c.type.in_(list(etypes)), c.deleted.is_(False))
        for row in self.conn.execute(stmt):
            if exclude and (row.type, row.id) == exclude:
                continue
            return row.type, row.id
        return None

    def doc_number_owner(self, realm_id: str, etype: str, doc_number: str, exclude_id: int | None):
        c = entity_table.c
        stmt = select(c.id).where(c.realm_id == realm_id, c.type == etype, c.doc_number == doc_number,
                                  c.deleted.is_(False))
        for row in self.conn.execute(stmt):
            if row.id != exclude_id:
                return row.id
        return None

    def by_customer(self, realm_id: str, etype: str, customer_ids) -> list[dict]:
        c = entity_table.c
        stmt = select(c.doc).where(c.realm_id == realm_id, c.type == etype, c.deleted.is_(False),
                                   c.customer_id.in_([i for i in customer_ids if 0 <= i <= MAX_ID]))
        return [jsonutil.loads(r.doc) for r in self.conn.execute(stmt)]

    def children(self, realm_id: str, etype: str, parent_id: int) -> list[dict]:
        if not 0 <= parent_id <= MAX_ID:
            return []
        c = entity_table.c
        stmt = select(c.doc).where(
            c.realm_id == realm_id, c.type == etype, c.deleted.is_(False), c.customer_id == parent_id)
        return [jsonutil.loads(r.doc) for r in self.conn.execute(stmt)]

    def run_select(self, sql: str, params: dict) -> list[dict]:
        return [jsonutil.loads(r[0]) for r in self.conn.execute(text(sql), params)]

    def run_scalar(self, sql: str, params: dict):
        return self.conn.execute(text(sql), params).scalar()

    def changed_since(self, realm_id: str, etype: str, since_utc: str, limit: int) -> list[dict]:
        c = entity_table.c
        stmt = (select(c.doc).where(c.realm_id == realm_id, c.type == etype, c.updated >= since_utc)
                .order_by(c.updated, c.id).limit(limit))
        return [jsonutil.loads(r.doc) for r in self.conn.execute(stmt)]

    def all_docs(self, realm_id: str, etype: str, include_inactive=True) -> list[dict]:
        c = entity_table.c
        conds = [c.realm_id == realm_id, c.type == etype, c.deleted.is_(False)]
        if not include_inactive:
            conds.append(c.active.is_(True))
        stmt = select(c.doc).where(and_(*conds)).order_by(c.id)
        return [jsonutil.loads(r.doc) for r in self.conn.execute(stmt)]

    # --- requestid replay -----------------------------------------------------------------------
    def logged_response(self, realm_id: str, request_id: str):
        c = request_log.c
        row = self.conn.execute(
            select(c.status, c.body).where(c.realm_id == realm_id, c.request_id == request_id)).first()
        return (row.status, row.body) if row else None

    def log_response(self, realm_id: str, request_id: str, status: int, body: str) -> None:
        self.conn.execute(insert(request_log).values(
            realm_id=realm_id, request_id=request_id, status=status, body=body,
            created=clock.utc_key(clock.utcnow())))


def _meta_utc(value: str | None) -> str:
    if not value:
        return clock.utc_key(clock.utcnow())
    return clock.utc_key(datetime.fromisoformat(value))


class Store:
    def __init__(self, engine):
        self.engine = engine
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self):
        with self.lock:
            with self.engine.begin() as conn:
                yield Tx(conn)
