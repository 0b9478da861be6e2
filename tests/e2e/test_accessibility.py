"""axe-core on every page and state the app shows, at desktop and phone widths, as Owner and as
Agency User: no serious and no critical violation (issue 11, point 10)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_axe_violations, axe_violations
from tests.e2e.conftest import (DESKTOP, PHONE, ensure_connected, ensure_disconnected_now,
                                sign_in_as)
from tests.e2e.test_connect_quickbooks import HOLD_CLOSE, sign_in_to_quickbooks, wait_until_closed
from tests.e2e.test_export_walk import _connect_and_match

EVERYONE = ["/", "/clients", "/caregivers", "/billing/batches", "/billing/drafts", "/billing/exports",
            "/accounting/quickbooks", "/accounting/quickbooks/sync-settings",
            "/accounting/quickbooks/client-matching", "/accounting/quickbooks/caregiver-matching"]
OWNER_ONLY = ["/clients/new", "/clients/import", "/caregivers/new", "/caregivers/import",
              "/users", "/users/new", "/billing/import",
              "/qbo-sandbox/app/invoices", "/qbo-sandbox/app/customers", "/qbo-sandbox/app/items"]
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def exported_batch(live_app):
    """A Lakeside batch with some invoices exported, so the batch page, its QuickBooks icons and
    the export log have something to show."""
    import time

    import models
    from extensions import db
    from models import InvoiceBatch, User
    from models.export import ExportStatus, InvoiceExport
    from services.export import start_export

    batch_number, _office, realm, numbers = _connect_and_match(live_app, "LAKE")
    with live_app.app.app_context():
        batch = db.session.scalar(db.select(InvoiceBatch).where(InvoiceBatch.number == batch_number))
        owner = db.session.scalar(db.select(User).where(User.email == "owner@sunrise.example"))
        ids = [i.id for i in batch.invoices if i.number in numbers]
        job = start_export(owner, batch, ids)
        deadline = time.monotonic() + 60      # setup, not an assertion: wait for the worker
        while time.monotonic() < deadline:
            done = db.session.scalar(db.select(db.func.count()).select_from(InvoiceExport)
                                     .where(InvoiceExport.status == ExportStatus.EXPORTED))
            db.session.rollback()
            if done >= len(ids):
                break
            time.sleep(0.2)
        client = db.session.scalar(db.select(models.Client).where(models.Client.office_id == batch.office_id))
        return {"batch": batch.id, "invoice": ids[0], "client": client.id, "user": owner.id,
                "job": job.id}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role", ["owner", "agency_user"])
def test_no_serious_axe_violation_on_any_page(page, live_app, exported_batch, role, viewport):
    ensure_connected(live_app)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(live_app.path("/login"))
    found = [f"/login: {v['impact']} {v['id']} at {v['nodes']}" for v in axe_violations(page)]
    sign_in_as(page, live_app, role)
    ids = exported_batch
    paths = EVERYONE + [f"/billing/batches/{ids['batch']}", f"/billing/invoices/{ids['invoice']}",
                        f"/clients/{ids['client']}/edit", f"/billing/batches/{ids['batch']}/preview",
                        f"/billing/batches/{ids['batch']}/time"]
    if role == "owner":
        paths += OWNER_ONLY + [f"/users/{ids['user']}/edit", f"/users/{ids['user']}/password",
                               f"/billing/invoices/{ids['invoice']}/correct",
                               f"/billing/invoices/{ids['invoice']}/qbo/void",
                               f"/billing/exports/runs/{ids['job']}/undo"]
    for path in paths:
        response = page.goto(live_app.path(path))
        assert response.status < 400, (path, response.status)
        found += [f"{path}: {v['impact']} {v['id']} at {v['nodes']}" for v in axe_violations(page)]
    page.goto(live_app.path("/no-such-page"))                  # the error page
    found += [f"404 page: {v['impact']} {v['id']} at {v['nodes']}" for v in axe_violations(page)]
    assert not found, "\n".join(found)

    page.goto(live_app.path("/"))
    if viewport == "phone":
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Billing").click()
    assert_no_serious_axe_violations(page, f"{role} {viewport} Billing menu open")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_serious_axe_violation_in_the_connect_flow(page, live_app, viewport):
    ensure_disconnected_now(live_app)
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/"))
    assert_no_serious_axe_violations(page, "dashboard, not connected")
    page.goto(live_app.path("/accounting/quickbooks"))
    assert_no_serious_axe_violations(page, "installation, not connected")
    page.goto(live_app.path("/accounting/quickbooks/sync-settings"))
    assert_no_serious_axe_violations(page, "sync settings, not connected")
    page.goto(live_app.path("/accounting/quickbooks"))
    with page.expect_popup() as popup_info:
        page.click("#qbo-connect")
    popup = popup_info.value
    popup.add_init_script(HOLD_CLOSE)            # the last page waits for axe before it closes
    popup.wait_for_selector("#authorize, #signin")
    assert_no_serious_axe_violations(popup, "QuickBooks sign-in pop-up")
    sign_in_to_quickbooks(popup)
    if popup.locator("#signin").count():
        popup.click("#signin")
    popup.wait_for_selector("#authorize")
    assert_no_serious_axe_violations(popup, "QuickBooks consent pop-up")
    popup.click("#authorize")
    popup.wait_for_selector('#qbo-result[data-outcome="connected"]')
    assert_no_serious_axe_violations(popup, "the pop-up's Connected page")
    popup.evaluate("window.__qboShotTaken = true")
    wait_until_closed(popup)
    page.wait_for_url("**/accounting/quickbooks/sync-settings")
    expect(page.locator("#toasts .toast")).to_have_count(1)
    assert_no_serious_axe_violations(page, "sync settings with the Connected toast")
    page.goto(live_app.path("/accounting/quickbooks"))
    page.get_by_role("button", name="Check connection").click()
    expect(page.locator("#toasts .toast")).to_have_count(1)
    assert_no_serious_axe_violations(page, "installation, connected, after Check connection")
