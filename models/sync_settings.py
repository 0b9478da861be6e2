"""Sync settings: how agency invoices are written to one QuickBooks company (realm).

Everything here is per realm because QBO ids (items, terms, classes, departments) only mean
something inside one company: reconnecting to the same company finds the settings again, a
different company starts from the defaults.
"""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import UTCDateTime, utcnow, value_enum
from models.agency import Office
from models.billing import LineKind
from models.users import User


class DocNumberSource(str, enum.Enum):
    AGENCY = "agency"   # the agency's invoice number (plus optional prefix) becomes DocNumber
    QBO = "qbo"         # leave DocNumber out; QuickBooks numbers the invoice


class LineGrouping(str, enum.Enum):
    PER_VISIT = "per_visit"
    PER_SERVICE_TYPE = "per_service_type"


class NameFormat(str, enum.Enum):
    LAST_FIRST = "last_first"
    FIRST_LAST = "first_last"


class PayerMode(str, enum.Enum):
    CLIENT = "client"                        # invoice the client's own customer
    PAYER_SUBCUSTOMER = "payer_subcustomer"  # invoice the client as a sub-customer of the payer


DESCRIPTION_FIELDS = ("date", "service", "caregiver", "shift")
DEFAULT_DESCRIPTION = "date,service,caregiver,shift"


class SyncSettings(db.Model):
    """The "how invoices are written" options for one QBO company. One row per realm."""

    __tablename__ = "sync_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32), unique=True)
    doc_number_source: Mapped[DocNumberSource] = mapped_column(
        value_enum(DocNumberSource, 30), default=DocNumberSource.AGENCY)
    doc_number_prefix: Mapped[str] = mapped_column(String(21), default="")
    term_id: Mapped[str | None] = mapped_column(String(32))       # None: QBO uses the customer's
    term_name: Mapped[str] = mapped_column(String(100), default="")
    description_template: Mapped[str] = mapped_column(String(100), default=DEFAULT_DESCRIPTION)
    line_grouping: Mapped[LineGrouping] = mapped_column(value_enum(LineGrouping, 30),
                                                        default=LineGrouping.PER_VISIT)
    customer_name_format: Mapped[NameFormat] = mapped_column(value_enum(NameFormat, 30),
                                                             default=NameFormat.LAST_FIRST)
    payer_mode: Mapped[PayerMode] = mapped_column(value_enum(PayerMode, 30),
                                                  default=PayerMode.CLIENT)
    office_department: Mapped[bool] = mapped_column(default=False)
    office_class: Mapped[bool] = mapped_column(default=False)
    # Captured from the company's preferences at save: ClassRef goes on each line when QBO tracks
    # classes per line (ClassTrackingPerTxnLine), on the invoice header otherwise.
    class_per_line: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship()

    def __init__(self, **kwargs):
        # Python-side defaults so an unsaved row (and the pure mapping) sees them too.
        defaults = dict(doc_number_source=DocNumberSource.AGENCY, doc_number_prefix="",
                        term_id=None, term_name="", description_template=DEFAULT_DESCRIPTION,
                        line_grouping=LineGrouping.PER_VISIT,
                        customer_name_format=NameFormat.LAST_FIRST,
                        payer_mode=PayerMode.CLIENT, office_department=False,
                        office_class=False, class_per_line=False)
        super().__init__(**{**defaults, **kwargs})

    @property
    def description_fields(self) -> list[str]:
        return [f for f in (self.description_template or "").split(",") if f in DESCRIPTION_FIELDS]


def slot_for(kind: LineKind | str, service_type_id: int | None = None) -> str:
    """The key of one item-mapping row: "service:<id>", "service:default", or the line kind."""
    kind = LineKind(kind)
    if kind == LineKind.SERVICE:
        return f"service:{service_type_id}" if service_type_id is not None else "service:default"
    return kind.value


class ItemMapping(db.Model):
    """Which QBO item one kind of billed line goes to. A string slot (see `slot_for`) rather than
    (kind, service_type_id) so "default service" is a unique key without NULL-in-UNIQUE games."""

    __tablename__ = "item_mappings"
    __table_args__ = (UniqueConstraint("realm_id", "slot", name="one_item_per_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    slot: Mapped[str] = mapped_column(String(40))
    qbo_item_id: Mapped[str] = mapped_column(String(32))
    qbo_item_name: Mapped[str] = mapped_column(String(200), default="")


class OfficeMapping(db.Model):
    """An office's QBO Class and/or Location (Department)."""

    __tablename__ = "office_mappings"
    __table_args__ = (UniqueConstraint("realm_id", "office_id", name="one_mapping_per_office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    qbo_class_id: Mapped[str | None] = mapped_column(String(32))
    qbo_class_name: Mapped[str] = mapped_column(String(200), default="")
    qbo_department_id: Mapped[str | None] = mapped_column(String(32))
    qbo_department_name: Mapped[str] = mapped_column(String(200), default="")

    office: Mapped[Office] = relationship()


class QboCatalogCache(db.Model):
    """The last fetched copy of one of the company's lists (Item, Account, Term, Class,
    Department) or its Preferences, as JSON, so the tab opens without calling QuickBooks."""

    __tablename__ = "qbo_catalog_cache"
    __table_args__ = (UniqueConstraint("realm_id", "entity", name="one_cache_per_entity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text, default="[]")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def data(self):
        return json.loads(self.payload)
