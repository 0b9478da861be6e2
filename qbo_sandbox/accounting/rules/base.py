"""Defaults and helpers shared by the entity rules."""
from __future__ import annotations

from qbo_sandbox.accounting import faults
from qbo_sandbox.accounting.context import Ctx


class Rules:
    """Per-type behaviour. `prepare` validates and computes and must not write."""

    def prepare(self, ctx: Ctx, doc: dict, existing: dict | None) -> dict:
        return doc

    def after_save(self, ctx: Ctx, doc: dict, existing: dict | None) -> None:
        """Side effects on other entities, recorded with ctx.touch (written by ops)."""

    def before_delete(self, ctx: Ctx, existing: dict) -> None:
        pass

    def void(self, ctx: Ctx, doc: dict) -> None:
        raise faults.fault(500, "Unsupported Operation", "Operation Void is not supported.")


def length_errors(doc: dict, limits: dict[str, int]) -> list[faults.Error]:
    errors = []
    for name, limit in limits.items():
        value = doc.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append(faults.length_exceeded(name, limit))
    return errors


def raise_if(errors: list[faults.Error]) -> None:
    if errors:
        raise faults.QboFault(errors)


def forbid_separators(doc: dict, names) -> None:
    # ':' separates levels in FullyQualifiedName; QBO refuses it (and tab/newline) in names.
    # The exact fault QBO returns is UNCONFIRMED; 6000 is its generic business rule code.
    for name in names:
        value = doc.get(name)
        if isinstance(value, str) and any(ch in value for ch in ":\t\n"):
            raise faults.business_validation(f"{name} cannot contain a colon (:), tab or newline.")


def strip_text(doc: dict, names) -> None:
    for name in names:
        if isinstance(doc.get(name), str):
            doc[name] = doc[name].strip()
            if not doc[name]:
                del doc[name]


def assign_address_ids(ctx: Ctx, doc: dict, names=("BillAddr", "ShipAddr", "PrimaryAddr")) -> None:
    for name in names:
        addr = doc.get(name)
        if isinstance(addr, dict):
            if not addr:
                del doc[name]
            elif "Id" not in addr:
                addr["Id"] = ctx.next_address_id()


def unique_name(ctx: Ctx, etypes, name: str, me: tuple[str, int] | None) -> None:
    if ctx.tx.name_owner(ctx.realm_id, etypes, name, exclude=me) is not None:
        raise faults.duplicate_name()
