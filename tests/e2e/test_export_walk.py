"""The seed's walk in Chromium: Billing → office → Search → batch → tick → Export → QuickBooks
icons; then a stale second tab exports the same invoices again and QuickBooks gains nothing."""
from __future__ import annotations

import re

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in
from tests.fixtures.sandbox import doc_numbers


def _connect_and_match(live, office_code: str):
    """Connect the live app to its embedded sandbox and link the batch's private-pay clients
    (what the Connect and Client Matching pages do; other engineers' features)."""
    from extensions import db
    from models import (CustomerLink, Invoice, InvoiceBatch, LineKind, LinkKind, LinkSource, Office,
                        BatchStatus)
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from models.sync_settings import ItemMapping, SyncSettings
    from qbo.oauth import TokenSet
    from services.qbo_connection.tokens import store_token_set
    from tests.fixtures.sandbox import create_entity, entity_id, issue_tokens

    app, sandbox = live.app, live.sandbox
    realm = sandbox.config["DEMO_REALM_ID"]
    with app.app_context():
        db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED,
                                     environment="local", realm_id=realm, company_name="Demo"))
        db.session.commit()
        store_token_set(TokenSet.from_response(issue_tokens(
            sandbox, app.config["QBO_CLIENT_ID"], realm, scope="com.intuit.quickbooks.accounting openid")))
        office = db.session.scalar(db.select(Office).where(Office.code == office_code))
        batch = db.session.scalars(db.select(InvoiceBatch).where(
            InvoiceBatch.office_id == office.id, InvoiceBatch.status == BatchStatus.FINALIZED)
            .order_by(InvoiceBatch.period_end.desc())).first()
        invoices = db.session.scalars(db.select(Invoice).where(Invoice.batch_id == batch.id,
                                                               Invoice.payer_id.is_(None))).all()
        chosen = invoices[:8]
        item = entity_id(sandbox, realm, "Item", "Services")
        customers = {i.id: create_entity(sandbox, realm, "Customer", {
            "DisplayName": f"{i.client.full_name} [{i.client.code}]"})["Id"] for i in chosen}
        db.session.add(SyncSettings(realm_id=realm))
        for slot in ["service:default"] + [k.value for k in LineKind if k not in (LineKind.SERVICE, LineKind.TAX)]:
            db.session.add(ItemMapping(realm_id=realm, slot=slot, qbo_item_id=item))
        for invoice in chosen:
            db.session.add(CustomerLink(realm_id=realm, kind=LinkKind.CLIENT, client_id=invoice.client_id,
                                        qbo_customer_id=customers[invoice.id], source=LinkSource.MANUAL))
        db.session.commit()
        return batch.number, office.name, realm, {i.number for i in chosen}


def _qbo_doc_numbers(live, realm) -> list[str]:
    return doc_numbers(live.sandbox, realm)


def test_billing_walk_exports_ticked_invoices_once(page, browser, live_app):
    batch_number, office_name, realm, numbers = _connect_and_match(live_app, "LAKE")
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])

    page.get_by_role("button", name="Billing").click()
    page.get_by_role("menuitem", name="View Finalized Invoice Batches").click()
    page.wait_for_url("**/billing/batches**")
    page.select_option("#batch-office", label=office_name)
    page.click("#batch-search")
    page.wait_for_url(re.compile(r".*office=\d+.*"))
    page.get_by_role("link", name=batch_number).click()
    page.wait_for_url("**/billing/batches/*")
    batch_url = page.url

    # A second browser tab, opened now, will try the same export later from its stale page.
    stale = page.context.new_page()
    stale.goto(batch_url)

    boxes = page.locator("input.export-pick")
    assert boxes.count() == len(numbers)
    assert page.get_by_text("Client not matched").count() > 0  # payer invoices: not matched yet
    page.check("#select-all-eligible")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.click("#export-button")
    page.wait_for_selector("#export-progress[data-running='true'], #export-progress[data-running='false'] .progress")
    # The icons appear in place as the background export finishes; polling then stops.
    # (a locator wait, not wait_for_function: the CSP forbids the string evaluation it polls with)
    from playwright.sync_api import expect

    expect(page.locator("a.qb-link")).to_have_count(len(numbers), timeout=60_000)
    page.wait_for_selector("#export-progress[data-running='false']", timeout=15_000)
    assert page.locator("input.export-pick").count() == 0
    assert sorted(n for n in _qbo_doc_numbers(live_app, realm)) == sorted(numbers)
    href = page.locator("a.qb-link").first.get_attribute("href")
    assert re.search(r"/qbo-sandbox/app/invoice\?txnId=\d+$", href)

    # The stale tab still shows checkboxes: tick all and Export again → nothing new in QuickBooks.
    stale.check("#select-all-eligible")
    stale.click("#export-button")
    stale.wait_for_selector(f"text=Nothing to send — all {len(numbers)} already in QuickBooks")
    stale.wait_for_selector("#export-progress[data-running='false']", timeout=15_000)
    assert stale.locator("a.qb-link").count() == len(numbers)
    assert sorted(_qbo_doc_numbers(live_app, realm)) == sorted(numbers)

    # The QuickBooks icon opens the invoice in (the local) QuickBooks.
    page.goto(href)
    shown = page.locator("body").inner_text()
    assert any(number in shown for number in numbers), shown[:500]
    stale.close()
