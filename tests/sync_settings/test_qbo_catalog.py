"""Loading, caching and refreshing the company's lists, and creating an item, against the local
QBO sandbox (in-process, real QboClient, real bearer token)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.sync_settings import QboCatalogCache
from qbo.client import QboClient, StaticTokens
from qbo.errors import DuplicateNameError
from qbo.retry import NO_RETRY
from services.sync_settings import catalog as qbo_catalog
from tests.sync_settings.conftest import AGENCY_ITEMS, SANDBOX_BASE, CountingTransport


def counting_client(sandbox):
    import httpx2

    transport = CountingTransport(sandbox.transport)
    client = QboClient(httpx2.Client(transport=transport), base_url=SANDBOX_BASE,
                       realm_id=sandbox.realm_id, tokens=StaticTokens(sandbox.token), retry=NO_RETRY)
    return client, transport


class NoCalls:
    def __getattr__(self, name):
        raise AssertionError(f"QBO was called ({name}) although the cache should answer")


def test_refresh_loads_every_page_and_caches_per_realm(app, sandbox):
    app.config["QBO_CATALOG_PAGE_SIZE"] = 5
    client, transport = counting_client(sandbox)

    catalog = qbo_catalog.refresh_catalog(client, sandbox.realm_id)

    item_queries = [q for q in transport.queries if "FROM Item" in q]
    # 12 items (QBO's 2 starter items + the agency's 10) at 5 a page: 5 + 5 + 2
    assert [q.split("STARTPOSITION ")[1] for q in item_queries] == \
        ["1 MAXRESULTS 5", "6 MAXRESULTS 5", "11 MAXRESULTS 5"]
    names = {i["Name"] for i in catalog.items}
    assert names == {"Services", "Hours", *(name for name, _t, _a in AGENCY_ITEMS)}
    assert {a["Name"] for a in catalog.income_accounts} == \
        {"Services", "Home Care Income", "Nursing Income", "Reimbursed Income", "Discounts Given"}
    assert all(a["AccountType"] == "Income" for a in catalog.accounts)
    assert [t["Name"] for t in catalog.active_terms] == ["Due on receipt", "Net 15", "Net 30", "Net 60"]
    assert [c["Name"] for c in catalog.active_classes] == ["Lakeside", "Main Office", "North Branch"]
    assert len(catalog.active_departments) == 3
    assert catalog.preferences["AccountingInfoPrefs"]["TrackDepartments"] is False
    assert catalog.fetched_at is not None

    rows = app.extensions["sqlalchemy"].session.scalars(
        select(QboCatalogCache).where(QboCatalogCache.realm_id == sandbox.realm_id)).all()
    assert {r.entity for r in rows} == {"Item", "Account", "Term", "Class", "Department", "Preferences"}
    assert all(r.fetched_at == catalog.fetched_at for r in rows)

    again = qbo_catalog.cached_catalog(sandbox.realm_id)  # from the DB, no QBO call
    assert {i["Id"] for i in again.items} == {i["Id"] for i in catalog.items}
    assert qbo_catalog.cached_catalog("another-realm").loaded is False
    # catalog_for only calls QBO when nothing is cached
    assert qbo_catalog.catalog_for(NoCalls, sandbox.realm_id).loaded


def test_drop_downs_offer_active_service_and_noninventory_items_with_their_account(app, sandbox, qbo):
    # A Category is not something a line can be billed to.
    qbo.create("Item", {"Name": "Home Care", "Type": "Category"}, "cat-1")
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    offered = [i["Name"] for i in catalog.selectable_items]
    assert "Home Care" not in offered
    assert "Mileage" in offered and "Personal Care" in offered
    assert offered == sorted(offered, key=str.lower)
    mileage = next(i for i in catalog.selectable_items if i["Name"] == "Mileage")
    assert qbo_catalog.item_label(mileage) == "Mileage — Reimbursed Income"


def test_refresh_sees_new_and_inactivated_items_and_keeps_the_cache_when_qbo_fails(app, sandbox, qbo):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    respite = next(i for i in catalog.items if i["Name"] == "Respite")
    qbo.update("Item", {"Id": respite["Id"], "SyncToken": respite["SyncToken"], "Active": False}, "off-1")
    account = catalog.income_accounts[0]
    qbo.create("Item", {"Name": "Dementia Care", "Type": "Service",
                        "IncomeAccountRef": {"value": account["Id"]}}, "new-1")

    assert qbo_catalog.cached_catalog(sandbox.realm_id).is_selectable(respite["Id"])  # not yet refreshed
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    assert not catalog.is_selectable(respite["Id"])
    assert catalog.item(respite["Id"])["Active"] is False  # still known, so it can be flagged
    assert "Dementia Care" in [i["Name"] for i in catalog.selectable_items]

    class Broken:
        def query_all(self, entity, where=None, page_size=None):
            raise RuntimeError("QuickBooks is down")

        def preferences(self):
            raise RuntimeError("QuickBooks is down")

    with pytest.raises(RuntimeError):
        qbo_catalog.refresh_catalog(Broken(), sandbox.realm_id)
    kept = qbo_catalog.cached_catalog(sandbox.realm_id)
    assert "Dementia Care" in [i["Name"] for i in kept.items]


def test_create_item_adds_it_in_quickbooks_and_in_the_cache(app, sandbox, qbo):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    account = next(a for a in catalog.income_accounts if a["Name"] == "Home Care Income")

    item = qbo_catalog.create_service_item(qbo, sandbox.realm_id, "  Live-in   Care ", account, "req-abc")

    assert item["Name"] == "Live-in Care" and item["Type"] == "Service"
    assert item["IncomeAccountRef"]["value"] == account["Id"]
    in_qbo = qbo.query_all("Item", "Name = 'Live-in Care'")
    assert [i["Id"] for i in in_qbo] == [item["Id"]]
    assert qbo_catalog.cached_catalog(sandbox.realm_id).is_selectable(item["Id"])

    # A retried submit (same requestid) gets the same item back, not a second one.
    again = qbo_catalog.create_service_item(qbo, sandbox.realm_id, "Live-in Care", account, "req-abc")
    assert again["Id"] == item["Id"]
    assert len(qbo.query_all("Item", "Name = 'Live-in Care'")) == 1
    cached = qbo_catalog.cached_catalog(sandbox.realm_id)
    assert [i["Name"] for i in cached.items].count("Live-in Care") == 1


def test_create_item_with_a_taken_name_raises_6240_and_changes_nothing(app, sandbox, qbo):
    catalog = qbo_catalog.refresh_catalog(qbo, sandbox.realm_id)
    before = qbo_catalog.cached_catalog(sandbox.realm_id).items
    with pytest.raises(DuplicateNameError):
        qbo_catalog.create_service_item(qbo, sandbox.realm_id, "Mileage", catalog.income_accounts[0], "req-dup")
    assert qbo_catalog.cached_catalog(sandbox.realm_id).items == before
    assert len(qbo.query_all("Item", "Name = 'Mileage'")) == 1


@pytest.mark.parametrize("name, message", [
    ("", "Enter a name"), ("x" * 101, "at most 100"), ("Care: Nights", "colon")])
def test_item_names_are_checked_before_calling_quickbooks(name, message):
    with pytest.raises(qbo_catalog.ItemNameInvalid, match=message):
        qbo_catalog.create_service_item(NoCalls(), "r", name, {"Id": "1"}, "req")
