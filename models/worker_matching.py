"""State behind the Caregiver Matching tab, per QuickBooks company (realm).

A caregiver is matched to a QuickBooks *Employee* (W-2) or *Vendor* (1099). QuickBooks numbers
each list on its own, so Employee 5 and Vendor 5 are different people: everywhere a worker is
named by its key "Employee:5" / "Vendor:5" (`worker_key`), which is also what a caregiver's
proposal (a `MatchProposal` of kind caregiver) stores as its target.

- `QboWorkerCopy`: the company's Employees and Vendors as last read (pages and drop-downs never
  call QuickBooks), and `WorkerListState` when that was.
- `WorkerLink`: which Employee or Vendor stands for a caregiver (one each way, per realm).
- `WorkerCreation`: one "Add to QuickBooks", written with its requestid before the call is sent.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import UTCDateTime, utcnow, value_enum
from models.caregivers import Caregiver
from models.links import LinkSource
from models.matching_state import CreationStatus
from models.users import User

WORKER_ENTITIES = ("Employee", "Vendor")


def worker_key(entity: str, qbo_id: str) -> str:
    return f"{entity}:{qbo_id}"


def split_worker_key(key: str) -> tuple[str, str] | None:
    entity, _, qbo_id = (key or "").partition(":")
    return (entity, qbo_id) if entity in WORKER_ENTITIES and qbo_id else None


class WorkerListState(db.Model):
    __tablename__ = "qbo_worker_list_state"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    worker_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)   # bumped per refresh: the engine index keys on it


class QboWorkerCopy(db.Model):
    __tablename__ = "qbo_worker_copies"
    __table_args__ = (UniqueConstraint("realm_id", "entity", "qbo_id", name="one_copy_per_worker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32), index=True)
    entity: Mapped[str] = mapped_column(String(10))          # Employee | Vendor
    qbo_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    payload: Mapped[str] = mapped_column(Text, default="{}")  # the slimmed QBO JSON

    @property
    def key(self) -> str:
        return worker_key(self.entity, self.qbo_id)

    @property
    def data(self) -> dict:
        return json.loads(self.payload or "{}")


class WorkerLink(db.Model):
    """One caregiver's Employee or Vendor in one company; never two caregivers for one worker."""

    __tablename__ = "caregiver_links"
    __table_args__ = (UniqueConstraint("realm_id", "caregiver_id", name="one_link_per_caregiver"),
                      UniqueConstraint("realm_id", "entity", "qbo_id", name="one_caregiver_per_worker"))

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    caregiver_id: Mapped[int] = mapped_column(ForeignKey("caregivers.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(10))
    qbo_id: Mapped[str] = mapped_column(String(32))
    qbo_display_name: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[LinkSource] = mapped_column(value_enum(LinkSource, 30))
    score: Mapped[int | None]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    caregiver: Mapped[Caregiver] = relationship()
    linked_by: Mapped[User | None] = relationship()

    @property
    def target_id(self) -> str:
        """What the page's drop-down holds for this link (the worker's key)."""
        return worker_key(self.entity, self.qbo_id)


class WorkerCreation(db.Model):
    """One "Add to QuickBooks" of a caregiver. `renamed_because` says, in plain words, why the
    name sent differs from the caregiver's plain name (QuickBooks' one name space)."""

    __tablename__ = "caregiver_creations"
    __table_args__ = (Index("ix_caregiver_creations_realm_status", "realm_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    caregiver_id: Mapped[int] = mapped_column(ForeignKey("caregivers.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(10))
    display_name: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[CreationStatus] = mapped_column(value_enum(CreationStatus, 20), default=CreationStatus.PENDING)
    ambiguous: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    renamed_because: Mapped[str] = mapped_column(String(500), default="")
    qbo_id: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    caregiver: Mapped[Caregiver] = relationship()

    @property
    def payload(self) -> dict:
        return json.loads(self.body)
