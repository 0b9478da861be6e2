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

from sqlalchemy import (Boolean, Column, Index, Integer, String, Table, Text, and_, bindparam, insert,
                        select, text, update)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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

# The hot statements are built once, with bound parameters: building a statement costs several
# times what SQLite takes to run it (one batch of 30 invoices runs about 300 of them).
_c = entity_table.c
_ENTITY_KEY = (_c.realm_id == bindparam("realm"), _c.type == bindparam("etype"),
               _c.id == bindparam("eid"))
# Searches by doc number or customer leave `deleted` to Python: with it in the WHERE clause SQLite
# prefers the list index (realm, type, deleted, id) and reads every live row of the type.
_OF_TYPE = (_c.realm_id == bindparam("realm"), _c.type == bindparam("etype"))
_VALUE_COLUMNS = ("sync_token", "active", "name", "name_key", "doc_number", "customer_id", "created",
                  "updated", "deleted", "doc")
_GET = select(_c.doc, _c.deleted).where(*_ENTITY_KEY)
_insert_entity = sqlite_insert(entity_table).values(
    realm_id=bindparam("realm"), type=bindparam("etype"), id=bindparam("eid"),
    **{name: bindparam(f"v_{name}") for name in _VALUE_COLUMNS})
_PUT = _insert_entity.on_conflict_do_update(  # insert or replace, keyed by (realm, type, Id)
    index_elements=[_c.realm_id, _c.type, _c.id],
    set_={name: _insert_entity.excluded[name] for name in _VALUE_COLUMNS})
_NAME_OWNER = select(_c.type, _c.id).where(
    _c.realm_id == bindparam("realm"), _c.name_key == bindparam("name_key"),
    _c.type.in_(bindparam("etypes", expanding=True)), _c.deleted.is_(False))
_DOC_NUMBER_OWNER = select(_c.id, _c.deleted).where(*_OF_TYPE, _c.doc_number == bindparam("doc_number"))
_BY_CUSTOMER = select(_c.doc, _c.deleted).where(
    *_OF_TYPE, _c.customer_id.in_(bindparam("customer_ids", expanding=True)))
_CHILDREN = select(_c.doc, _c.deleted).where(*_OF_TYPE, _c.customer_id == bindparam("parent_id"))
_counter = counter_table.c
_NEXT_VALUE = (update(counter_table)
               .where(_counter.realm_id == bindparam("realm"), _counter.name == bindparam("counter"))
               .values(value=_counter.value + 1).returning(_counter.value))
_NEW_COUNTER = insert(counter_table).values(
    realm_id=bindparam("realm"), name=bindparam("counter"), value=bindparam("start"))
_logged = request_log.c
_LOGGED = select(_logged.status, _logged.body).where(
    _logged.realm_id == bindparam("realm"), _logged.request_id == bindparam("request_id"))


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

    @contextmanager
    def savepoint(self):
        """One operation inside a larger transaction: its writes stand or fall together (an
        exception rolls back to here and propagates; what came before stays)."""
        with self.conn.begin_nested():
            yield self

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
        row = self.conn.execute(_NEXT_VALUE, {"realm": realm_id, "counter": name}).first()
        if row is None:
            self.conn.execute(_NEW_COUNTER, {"realm": realm_id, "counter": name, "start": start})
            return start
        return row.value

    # --- documents --------------------------------------------------------------------------
    def get(self, realm_id: str, etype: str, entity_id: int, include_deleted=False) -> dict | None:
        if not 0 <= entity_id <= MAX_ID:
            return None  # no such row, and SQLite could not even compare it
        row = self.conn.execute(_GET, {"realm": realm_id, "etype": etype, "eid": entity_id}).first()
        if row is None or (row.deleted and not include_deleted):
            return None
        return jsonutil.loads(row.doc)

    def put(self, realm_id: str, etype: str, doc: dict, name_field: str | None = None) -> None:
        """Insert or replace a document; indexed columns are derived from it."""
        meta = doc.get("MetaData", {})
        name = doc.get(name_field) if name_field else None
        values = dict(
            realm=realm_id, etype=etype, eid=int(doc["Id"]),
            v_sync_token=int(doc.get("SyncToken", 0)),
            v_active=bool(doc.get("Active", True)),
            v_name=name,
            v_name_key=name.lower() if isinstance(name, str) else None,
            v_doc_number=doc.get("DocNumber"),
            v_customer_id=_ref_int(doc.get("CustomerRef") or doc.get("ParentRef")),
            v_created=doc.pop("_created_utc", None) or _meta_utc(meta.get("CreateTime")),
            v_updated=doc.pop("_updated_utc", None) or _meta_utc(meta.get("LastUpdatedTime")),
            v_deleted=bool(doc.get("status") == "Deleted"),
            v_doc=jsonutil.dumps(doc),
        )
        self.conn.execute(_PUT, values)

    def name_owner(self, realm_id: str, etypes, name: str, exclude: tuple[str, int] | None = None):
        """(type, id) of a live entity of one of `etypes` using `name` (case-insensitive)."""
        params = {"realm": realm_id, "name_key": name.lower(), "etypes": list(etypes)}
        for row in self.conn.execute(_NAME_OWNER, params):
            if exclude and (row.type, row.id) == exclude:
                continue
            return row.type, row.id
        return None

    def doc_number_owner(self, realm_id: str, etype: str, doc_number: str, exclude_id: int | None):
        params = {"realm": realm_id, "etype": etype, "doc_number": doc_number}
        for row in self.conn.execute(_DOC_NUMBER_OWNER, params):
            if not row.deleted and row.id != exclude_id:
                return row.id
        return None

    def by_customer(self, realm_id: str, etype: str, customer_ids) -> list[dict]:
        params = {"realm": realm_id, "etype": etype,
                  "customer_ids": [i for i in customer_ids if 0 <= i <= MAX_ID]}
        return [jsonutil.loads(r.doc) for r in self.conn.execute(_BY_CUSTOMER, params) if not r.deleted]

    def children(self, realm_id: str, etype: str, parent_id: int) -> list[dict]:
        if not 0 <= parent_id <= MAX_ID:
            return []
        params = {"realm": realm_id, "etype": etype, "parent_id": parent_id}
        return [jsonutil.loads(r.doc) for r in self.conn.execute(_CHILDREN, params) if not r.deleted]

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
        row = self.conn.execute(_LOGGED, {"realm": realm_id, "request_id": request_id}).first()
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
    def transaction(self, immediate: bool = False):
        """One transaction under the store's lock. `immediate`: take SQLite's write lock at once,
        for a transaction that holds savepoints (Tx.savepoint) and writes anyway."""
        with self.lock:
            with self.engine.begin() as conn:
                if immediate:
                    _begin_immediate(conn)
                yield Tx(conn)


def _begin_immediate(conn) -> None:
    # pysqlite opens a transaction only before its first INSERT/UPDATE/DELETE; a SAVEPOINT issued
    # before that would open a transaction of its own, which its RELEASE would commit. BEGIN
    # IMMEDIATE also spares a later write SQLITE_BUSY after another connection's commit.
    if not conn.connection.driver_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
