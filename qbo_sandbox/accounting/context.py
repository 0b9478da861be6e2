"""Per-operation context handed to entity rules: the transaction, the company and helpers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from qbo_sandbox import clock
from qbo_sandbox.accounting import faults
from qbo_sandbox.store import Tx

USD = {"value": "USD", "name": "United States Dollar"}


@dataclass
class Ctx:
    tx: Tx
    realm_id: str
    company: dict
    include: set = field(default_factory=set)
    now: datetime = field(default_factory=clock.utcnow)
    # Entities touched as a side effect (e.g. invoice Balance after a payment), written after.
    touched: dict = field(default_factory=dict)
    # Knob DELETED_NAME_SUFFIX: inactive names become "X (deleted)" as in QBO.
    deleted_suffix: bool = False
    # What this operation changed, for the webhook emitter: (entity, id, operation, data);
    # operation is a CloudEvents verb (created updated deleted void merged).
    changes: list = field(default_factory=list)

    @property
    def tz(self) -> str:
        return self.company["timezone"]

    @property
    def prefs(self) -> dict:
        return self.company["preferences"] or {}

    def pref(self, group: str, name: str, default=None):
        return self.prefs.get(group, {}).get(name, default)

    def other_pref(self, name: str, default=None):
        for pair in self.prefs.get("OtherPrefs", {}).get("NameValue", []):
            if pair.get("Name") == name:
                return pair.get("Value")
        return default

    def meta_now(self) -> str:
        return clock.meta_time(self.now, self.tz)

    def today(self):
        return self.now.astimezone(clock.zone(self.tz)).date()

    def load(self, etype: str, entity_id) -> dict | None:
        """A live entity of this realm, or a document touched earlier in this operation."""
        try:
            key = (etype, int(entity_id))
        except (TypeError, ValueError):
            return None
        if key in self.touched:
            return self.touched[key]
        return self.tx.get(self.realm_id, etype, key[1])

    def resolve_ref(self, etype: str, ref, element: str, name_field: str | None = "Name",
                    must_be_active: bool = True) -> dict:
        """Check a reference {"value": id} points at an (active) entity; fills in its name."""
        if not isinstance(ref, dict) or ref.get("value") in (None, ""):
            raise faults.invalid_reference(element)
        target = self.load(etype, ref.get("value"))
        if target is None:
            raise faults.invalid_reference(element)
        if must_be_active and target.get("Active") is False:
            raise faults.object_not_found(element)
        if name_field and target.get(name_field):
            ref["name"] = target.get("FullyQualifiedName") or target[name_field]
        ref["value"] = str(target["Id"])
        return target

    def changed(self, etype: str, entity_id, operation: str, **data) -> None:
        change = (etype, str(entity_id), operation, data)
        if change not in self.changes:
            self.changes.append(change)

    def touch(self, etype: str, doc: dict) -> None:
        self.touched[(etype, int(doc["Id"]))] = doc

    def next_address_id(self) -> str:
        return str(self.tx.next_value(self.realm_id, "PhysicalAddress", start=1))
