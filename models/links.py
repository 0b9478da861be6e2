from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import UTCDateTime, utcnow, value_enum
from models.clients import Client, Payer
from models.users import User


class LinkKind(str, enum.Enum):
    CLIENT = "client"                # the client is the QBO customer (private pay, or client-billed)
    PAYER = "payer"                  # a third-party payer is the QBO customer
    CLIENT_UNDER_PAYER = "client_under_payer"  # the client's sub-customer under a payer


class LinkSource(str, enum.Enum):
    AUTO = "auto"          # accepted from the matching engine's proposal
    MANUAL = "manual"      # chosen by a person
    CREATED = "created"    # created in QBO by this app


class CustomerLink(db.Model):
    """Which QBO customer (in which company) stands for an agency client or payer.

    Links are kept per realm: reconnecting to the same company finds them again, and a different
    company starts with none. One QBO customer is never linked to two agency records.
    """

    __tablename__ = "customer_links"
    __table_args__ = (
        # One link per record and realm. A plain unique constraint over (kind, client, payer) would
        # not do: the unused key is NULL and SQL treats NULLs as distinct, so one partial index per
        # kind names exactly the keys that kind uses.
        Index("one_client_link", "realm_id", "client_id", unique=True,
              sqlite_where=text("kind = 'client'"), postgresql_where=text("kind = 'client'")),
        Index("one_payer_link", "realm_id", "payer_id", unique=True,
              sqlite_where=text("kind = 'payer'"), postgresql_where=text("kind = 'payer'")),
        Index("one_pair_link", "realm_id", "client_id", "payer_id", unique=True,
              sqlite_where=text("kind = 'client_under_payer'"),
              postgresql_where=text("kind = 'client_under_payer'")),
        UniqueConstraint("realm_id", "qbo_customer_id", name="one_record_per_customer"),
        CheckConstraint(
            "(kind = 'client' AND client_id IS NOT NULL AND payer_id IS NULL) OR "
            "(kind = 'payer' AND payer_id IS NOT NULL AND client_id IS NULL) OR "
            "(kind = 'client_under_payer' AND client_id IS NOT NULL AND payer_id IS NOT NULL)",
            name="kind_matches_keys",
        ),
        Index("ix_customer_links_realm_client", "realm_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[LinkKind] = mapped_column(value_enum(LinkKind, 30))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    qbo_customer_id: Mapped[str] = mapped_column(String(32))
    qbo_display_name: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[LinkSource] = mapped_column(value_enum(LinkSource, 30))
    score: Mapped[int | None]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client | None] = relationship()
    payer: Mapped[Payer | None] = relationship()
    linked_by: Mapped[User | None] = relationship()

    @property
    def target_id(self) -> str:
        """What a matching page's drop-down holds for this link (Caregiver Matching's links too)."""
        return self.qbo_customer_id
