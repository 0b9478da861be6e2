"""The company's Items, Accounts, Terms, Classes, Departments and Preferences, loaded through the
QBO client and cached in the database per realm (with fetched_at), so the Sync Settings tab opens
without calling QuickBooks and only Refresh goes back to it.

Functions take the QboClient as an argument (the caller builds it from the stored connection), so
this module needs no request and tests can hand it a client pointed at the local sandbox.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from extensions import db
from models._types import utcnow
from models.sync_settings import QboCatalogCache

QBO_MAX_PAGE = 1000   # QBO's MAXRESULTS ceiling (PROTOCOL §3)
LIST_ENTITIES = ("Item", "Account", "Term", "Class", "Department")
PREFERENCES = "Preferences"
SELECTABLE_ITEM_TYPES = ("Service", "NonInventory")
MAX_ITEM_NAME = 100

# What each list query asks for. Items include inactive ones so a mapped item that was made
# inactive since can be flagged rather than silently vanishing; Accounts only Income (the
# drop-down when creating an item). Name lists default to active-only in QBO.
_WHERE = {
    "Item": "Active IN (true, false)",
    "Account": "AccountType = 'Income'",
    "Term": None,
    "Class": None,
    "Department": None,
}


def page_size() -> int:
    """QBO_CATALOG_PAGE_SIZE (default 1000, QBO's maximum); tests set it small to cross pages."""
    try:
        size = int(current_app.config["QBO_CATALOG_PAGE_SIZE"])
    except RuntimeError:  # no app context: the QBO maximum
        size = QBO_MAX_PAGE
    return max(1, min(size, QBO_MAX_PAGE))


def fetch_all(client, entity: str, where: str | None = None, size: int | None = None) -> list[dict]:
    """Every row of `entity` (the client's one paged-query loop, in pages of QBO_CATALOG_PAGE_SIZE)."""
    return client.query_all(entity, where, page_size=size or page_size())


@dataclass
class Catalog:
    """One realm's cached lists. Empty lists (and fetched_at None) when never loaded."""

    realm_id: str
    items: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    classes: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)
    preferences: dict = field(default_factory=dict)
    fetched_at: datetime | None = None

    @property
    def loaded(self) -> bool:
        return self.fetched_at is not None

    def item(self, item_id: str | None) -> dict | None:
        return next((i for i in self.items if str(i.get("Id")) == str(item_id)), None) if item_id else None

    @property
    def selectable_items(self) -> list[dict]:
        """Active Service and NonInventory items, by name: what an item drop-down offers."""
        found = [i for i in self.items
                 if i.get("Active", True) and i.get("Type") in SELECTABLE_ITEM_TYPES]
        return sorted(found, key=lambda i: (i.get("FullyQualifiedName") or i.get("Name") or "").lower())

    def is_selectable(self, item_id: str | None) -> bool:
        return any(str(i.get("Id")) == str(item_id) for i in self.selectable_items)

    @property
    def income_accounts(self) -> list[dict]:
        found = [a for a in self.accounts
                 if a.get("Active", True) and a.get("AccountType") == "Income"]
        return sorted(found, key=lambda a: (a.get("FullyQualifiedName") or a.get("Name") or "").lower())

    def _active(self, rows: list[dict]) -> list[dict]:
        return sorted((r for r in rows if r.get("Active", True)),
                      key=lambda r: (r.get("FullyQualifiedName") or r.get("Name") or "").lower())

    @property
    def active_terms(self) -> list[dict]:
        return self._active(self.terms)

    @property
    def active_classes(self) -> list[dict]:
        return self._active(self.classes)

    @property
    def active_departments(self) -> list[dict]:
        return self._active(self.departments)

    def find(self, rows: list[dict], row_id: str | None) -> dict | None:
        return next((r for r in rows if str(r.get("Id")) == str(row_id)), None) if row_id else None

    # Company preferences that decide which office options the tab offers.
    def _accounting_pref(self, name: str) -> bool:
        return bool((self.preferences.get("AccountingInfoPrefs") or {}).get(name))

    @property
    def tracks_departments(self) -> bool:
        return self._accounting_pref("TrackDepartments")

    @property
    def tracks_classes(self) -> bool:
        return self._accounting_pref("ClassTrackingPerTxn") or self.class_per_line

    @property
    def class_per_line(self) -> bool:
        return self._accounting_pref("ClassTrackingPerTxnLine")

    @property
    def department_label(self) -> str:
        return (self.preferences.get("AccountingInfoPrefs") or {}).get("DepartmentTerminology") or "Location"


def item_label(item: dict) -> str:
    """"Name — Income account" as the drop-downs show it."""
    name = item.get("FullyQualifiedName") or item.get("Name") or f"Item {item.get('Id')}"
    account = (item.get("IncomeAccountRef") or {}).get("name")
    return f"{name} — {account}" if account else name


# --------------------------------------------------------------------------------------------
# Cache


def _rows(realm_id: str) -> dict[str, QboCatalogCache]:
    return {row.entity: row for row in db.session.scalars(
        select(QboCatalogCache).where(QboCatalogCache.realm_id == realm_id))}


def _store(cached: dict, realm_id: str, entity: str, data, now: datetime) -> None:
    row = cached.get(entity)
    if row is None:
        row = cached[entity] = QboCatalogCache(realm_id=realm_id, entity=entity)
        db.session.add(row)
    row.payload = json.dumps(data)
    row.fetched_at = now


def cached_catalog(realm_id: str) -> Catalog:
    """The catalog as last fetched (no QBO call)."""
    cached = _rows(realm_id)
    catalog = Catalog(realm_id=realm_id)
    for entity, attribute in (("Item", "items"), ("Account", "accounts"), ("Term", "terms"),
                              ("Class", "classes"), ("Department", "departments"),
                              (PREFERENCES, "preferences")):
        if entity in cached:
            setattr(catalog, attribute, cached[entity].data)
    stamps = [row.fetched_at for row in cached.values()]
    catalog.fetched_at = min(stamps) if stamps else None
    return catalog


def refresh_catalog(client, realm_id: str, entities=LIST_ENTITIES + (PREFERENCES,)) -> Catalog:
    """Fetch the lists (all pages) and Preferences from QBO and replace the cache. Commits.

    A QBO error propagates before anything is written, so a failed refresh keeps the old cache.
    """
    fetched = {}
    for entity in entities:
        if entity == PREFERENCES:
            fetched[entity] = client.preferences()
        else:
            fetched[entity] = fetch_all(client, entity, _WHERE.get(entity))
    cached = _rows(realm_id)
    now = utcnow()
    for entity, data in fetched.items():
        _store(cached, realm_id, entity, data, now)
    db.session.commit()
    return cached_catalog(realm_id)


def catalog_for(client_factory, realm_id: str) -> Catalog:
    """The cached catalog, fetched once on first use (`client_factory()` builds the client)."""
    catalog = cached_catalog(realm_id)
    if not catalog.loaded:
        catalog = refresh_catalog(client_factory(), realm_id)
    return catalog


# --------------------------------------------------------------------------------------------
# Creating an item


class ItemNameInvalid(ValueError):
    pass


def clean_item_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ItemNameInvalid("Enter a name for the item")
    if len(name) > MAX_ITEM_NAME:
        raise ItemNameInvalid(f"QuickBooks item names are at most {MAX_ITEM_NAME} characters")
    if ":" in name or '"' in name:
        raise ItemNameInvalid('Item names cannot contain a colon (:) or a double quote (")')
    return name


def create_service_item(client, realm_id: str, name: str, income_account: dict,
                        request_id: str) -> dict:
    """Create a Service item in QBO and add it to the cached Item list. Commits.

    `request_id` comes from the form, so a retried submit is answered by QBO with the item it
    already created instead of a second one. A taken name raises qbo.errors.DuplicateNameError
    (6240) and changes nothing here.
    """
    body = {
        "Name": clean_item_name(name),
        "Type": "Service",
        "IncomeAccountRef": {"value": str(income_account["Id"]),
                             "name": income_account.get("Name", "")},
    }
    item = client.create("Item", body, request_id)
    cached = _rows(realm_id)
    row = cached.get("Item")
    items = [i for i in (row.data if row else []) if str(i.get("Id")) != str(item.get("Id"))]
    items.append(item)
    if row is None:
        row = QboCatalogCache(realm_id=realm_id, entity="Item", fetched_at=utcnow())
        db.session.add(row)
    row.payload = json.dumps(items)  # fetched_at unchanged: the rest of the list is as old as it was
    db.session.commit()
    return item
