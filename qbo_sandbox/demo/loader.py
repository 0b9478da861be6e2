"""Load customers and items from JSON in QBO's query-response shape into a company.

Accepts `{"QueryResponse": {"Customer": [...], "Item": [...]}}`, a list of such objects, or a
bare `{"Customer": [...], "Item": [...]}` (e.g. saved pages of `SELECT * FROM Customer`). Ids in
the file are remapped: ParentRef follows the new Ids, item IncomeAccountRef is matched to an
account of the same name (created as Income if missing).
"""
from __future__ import annotations

import copy

from qbo_sandbox.accounting import company as companies
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.store import Tx

_DROP = ("Id", "SyncToken", "MetaData", "domain", "sparse")


def _collect(data) -> dict[str, list]:
    out: dict[str, list] = {"Customer": [], "Item": []}
    for chunk in data if isinstance(data, list) else [data]:
        body = chunk.get("QueryResponse", chunk) if isinstance(chunk, dict) else {}
        for key in out:
            out[key].extend(body.get(key, []))
    return out


def load(tx: Tx, realm_id: str, data) -> dict[str, int]:
    ctx = Ctx(tx, realm_id, tx.company(realm_id))
    found = _collect(data)
    accounts = {a["Name"].lower(): a for a in tx.all_docs(realm_id, "Account")}
    for item in sorted(found["Item"], key=lambda i: int(i.get("Level", 0))):
        body = {k: v for k, v in copy.deepcopy(item).items() if k not in _DROP}
        body.pop("ParentRef", None)
        for ref in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
            if ref in body:
                name = (body[ref].get("name") or "Services").lower()
                if name not in accounts:
                    accounts[name] = companies.create(ctx, "Account", {
                        "Name": body[ref].get("name") or "Services", "AccountType": "Income"})
                body[ref] = {"value": accounts[name]["Id"]}
        companies.create(ctx, "Item", body)
    new_ids: dict[str, str] = {}
    for customer in sorted(found["Customer"], key=lambda c: int(c.get("Level", 0))):
        body = {k: v for k, v in copy.deepcopy(customer).items() if k not in _DROP}
        for addr in ("BillAddr", "ShipAddr"):
            if isinstance(body.get(addr), dict):
                body[addr].pop("Id", None)
        parent = body.get("ParentRef", {}).get("value")
        if parent:
            body["ParentRef"] = {"value": new_ids.get(str(parent), str(parent))}
        made = companies.create(ctx, "Customer", body)
        if customer.get("Id") is not None:
            new_ids[str(customer["Id"])] = made["Id"]
    return {"Customer": len(found["Customer"]), "Item": len(found["Item"])}
