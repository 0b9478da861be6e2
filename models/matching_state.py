"""State behind the Client Matching tab, per QuickBooks company (realm).

- `QboCustomerCopy`: the company's customers as last read from QBO (all pages), one row each, so
  pages, drop-downs and name search never call QuickBooks.
- `MatchProposal`: the engine's proposal for each unlinked client / payer, computed once per
  customer-list refresh (matching thousands on every page view would be wasteful).
- `PendingCreation`: one "Add to QuickBooks" request. Written (with its requestid) BEFORE the call
  is sent, so a retry reuses it and nothing is created twice.
"""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import UTCDateTime, utcnow
from models.clients import Client, Payer


def _enum(cls, length=20):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class CustomerListState(db.Model):
    """When the customer list of a realm was last read (and how many rows it had)."""

    __tablename__ = "qbo_customer_list_state"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    customer_count: Mapped[int] = mapped_column(default=0)
    # Bumped on every refresh: in-process caches of the prepared index key on it.
    version: Mapped[int] = mapped_column(default=0)


class QboCustomerCopy(db.Model):
    __tablename__ = "qbo_customer_copies"
    __table_args__ = (
        UniqueConstraint("realm_id", "qbo_id", name="one_copy_per_customer"),
        Index("ix_qbo_customer_copies_realm_name", "realm_id", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    qbo_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(500))
    fully_qualified_name: Mapped[str] = mapped_column(String(1000), default="")
    parent_qbo_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # The QBO Customer JSON (only what CustomerRecord.from_qbo reads), to rebuild records.
    payload: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def data(self) -> dict:
        return json.loads(self.payload or "{}")


class ProposalKind(str, enum.Enum):
    CLIENT = "client"
    PAYER = "payer"
    PAIR = "client_under_payer"   # a client's sub-customer under one payer (subject = client)
    CAREGIVER = "caregiver"       # a caregiver's Employee / Vendor (target: a worker key)


class MatchProposal(db.Model):
    __tablename__ = "match_proposals"
    __table_args__ = (UniqueConstraint("realm_id", "kind", "subject_id", "payer_id",
                                       name="one_proposal_per_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[ProposalKind] = mapped_column(_enum(ProposalKind))
    subject_id: Mapped[int]                       # clients.id or payers.id
    # Only for PAIR: the payer under whose customer the client's sub-customer is looked for.
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    qbo_customer_id: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="none")   # auto | review | none
    reason: Mapped[str] = mapped_column(String(500), default="")
    alternatives: Mapped[str] = mapped_column(Text, default="[]")    # [[customer_id, score, reason]]

    @property
    def alternative_list(self) -> list:
        return json.loads(self.alternatives or "[]")


class CreationStatus(str, enum.Enum):
    PENDING = "pending"        # written, not yet known to be done (sent or about to be)
    NAME_TAKEN = "name_taken"  # QBO said 6240; a person chooses: link or create with a suffix
    FAILED = "failed"          # refused for another reason (shown in plain words); Save retries
    DONE = "done"              # created or adopted; the link exists


class PendingCreation(db.Model):
    """One "Add to QuickBooks". `request_id` is the batch requestid it was (or will be) sent
    under and `bid` its item id in that batch."""

    __tablename__ = "pending_customer_creations"
    __table_args__ = (Index("ix_pending_creations_realm_status", "realm_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    link_kind: Mapped[str] = mapped_column(String(30))                 # LinkKind value
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    parent_qbo_id: Mapped[str | None] = mapped_column(String(32))      # sub-customer under a payer
    display_name: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)                            # the Customer JSON sent
    request_id: Mapped[str] = mapped_column(String(36))
    bid: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[CreationStatus] = mapped_column(_enum(CreationStatus), default=CreationStatus.PENDING)
    ambiguous: Mapped[bool] = mapped_column(default=False)  # last send may have reached QBO
    last_error: Mapped[str] = mapped_column(String(500), default="")
    qbo_customer_id: Mapped[str | None] = mapped_column(String(32))
    # For NAME_TAKEN: the active/inactive *customer* holding the name, if it is a customer.
    conflict_customer_id: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client | None] = relationship()
    payer: Mapped[Payer | None] = relationship()

    @property
    def payload(self) -> dict:
        return json.loads(self.body)
