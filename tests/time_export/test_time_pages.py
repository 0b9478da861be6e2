"""The batch page's time panel and Sync Settings › Time, through the app's pages: checkboxes only
where caregiver and client are both matched, Export time, per-visit state with the QuickBooks
icon, Retry, roles; time settings saved (or refused with reasons, saving nothing)."""
from __future__ import annotations

import pytest

from extensions import db
from models import InvoiceLine, Office, ServiceType
from models._types import utcnow
from tests.time_export.conftest import run_time_jobs

HX = {"HX-Request": "true"}


@pytest.fixture
def browser(time_books):
    client = time_books.app.test_client()
    assert client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302
    return client


def _panel(time_books, browser) -> str:
    return browser.get(f"/billing/batches/{time_books.books.batch_id}/time", headers=HX).get_data(as_text=True)


def test_batch_page_has_one_time_line_and_the_panel_ticks_only_matched_visits(time_books, browser):
    from models.worker_matching import WorkerLink

    batch_page = browser.get(f"/billing/batches/{time_books.books.batch_id}").get_data(as_text=True)
    assert batch_page.count('id="time-export"') == 1
    with time_books.app.app_context():
        unlinked = db.session.scalars(db.select(WorkerLink)).first()
        caregiver_id = unlinked.caregiver_id
        db.session.delete(unlinked)
        db.session.commit()
    html = _panel(time_books, browser)
    blocked = html.count("Caregiver not matched to a QuickBooks employee or vendor")
    assert blocked > 0
    assert html.count('name="visit"') == len(time_books.visit_ids) - blocked
    assert "/accounting/quickbooks/caregiver-matching" in html
    with time_books.app.app_context():
        blocked_visits = db.session.scalar(db.select(db.func.count()).select_from(InvoiceLine).where(
            InvoiceLine.caregiver_id == caregiver_id))
    assert blocked == blocked_visits


def test_export_time_then_icons_link_to_quickbooks_and_a_second_press_sends_nothing(time_books, browser):
    batch_id = time_books.books.batch_id
    answer = browser.post(f"/billing/batches/{batch_id}/time/export", headers=HX,
                          data={"visit": time_books.visit_ids})
    assert answer.status_code == 200 and "Exporting 24 visits" in answer.get_data(as_text=True)
    run_time_jobs(time_books)
    html = _panel(time_books, browser)
    assert html.count('class="qb-link"') == 24 and "/timeactivity?txnId=" in html
    assert 'name="visit"' not in html and "24 of 24 visits in QuickBooks" in html
    again = browser.post(f"/billing/batches/{batch_id}/time/export", headers=HX, data={"visit": time_books.visit_ids})
    assert "Nothing new to export" in again.get_data(as_text=True)
    time_books.assert_exactly_once()


def test_agency_user_sees_the_panel_but_may_not_export(time_books, browser):
    from models import Role
    from tests.fixtures.agency import UserFactory

    with time_books.app.app_context():
        office = db.session.scalar(db.select(Office))
        user = UserFactory(email="agent@example.test", role=Role.AGENCY_USER)
        user.offices = [office]
        user.set_password("pw-agency_user")
        db.session.commit()
    agent = time_books.app.test_client()
    assert agent.post("/login", data={"email": "agent@example.test", "password": "pw-agency_user"}).status_code == 302
    html = agent.get(f"/billing/batches/{time_books.books.batch_id}/time", headers=HX).get_data(as_text=True)
    assert "Exporting time is for Owners and Admins" in html and 'name="visit"' not in html
    refused = agent.post(f"/billing/batches/{time_books.books.batch_id}/time/export", data={"visit": time_books.visit_ids})
    assert refused.status_code == 403


def test_time_settings_make_billable_time_has_been_billed_for_exported_invoices(time_books, browser):
    from models.export import ExportStatus, InvoiceExport
    from models.time_export import TimeSetting
    from services.sync_settings import catalog as qbo_catalog
    from services.time_export.settings import TimeChoice, save_time_settings
    from tests.export.conftest import REALM

    with time_books.app.app_context():
        service_type_id = db.session.scalar(db.select(ServiceType.id))
        catalog = qbo_catalog.Catalog(realm_id=REALM, items=[{"Id": time_books.item_id, "Name": "Home care visit",
                                                              "Type": "Service", "Active": True}])
        catalog.fetched_at = utcnow()
        bad = save_time_settings(REALM, [TimeChoice(service_type_id, time_books.item_id, True, True, "12.345")], catalog)
        assert "at most 2 decimals" in bad[service_type_id]
        assert db.session.scalar(db.select(TimeSetting.id)) is None   # nothing saved
        assert save_time_settings(REALM, [TimeChoice(service_type_id, time_books.item_id, True, True, "$18.50")],
                                  catalog) == {}
        # Half the invoices are already in QuickBooks: their visits' time has been billed.
        for invoice_id in time_books.books.invoice_ids[:6]:
            db.session.add(InvoiceExport(realm_id=REALM, invoice_id=invoice_id, doc_number=str(invoice_id),
                                         status=ExportStatus.EXPORTED, qbo_id=f"9{invoice_id}"))
        db.session.commit()
        billed = {line.id for line in db.session.scalars(db.select(InvoiceLine).where(
            InvoiceLine.invoice_id.in_(time_books.books.invoice_ids[:6])))}
    browser.post(f"/billing/batches/{time_books.books.batch_id}/time/export", headers=HX,
                 data={"visit": time_books.visit_ids})
    run_time_jobs(time_books)
    found = {t.Description: t for t in time_books.time_activities()}
    from services.time_export.mapping import visit_marker

    for line_id in time_books.visit_ids:
        activity = next(t for d, t in found.items() if visit_marker(line_id) in d)
        assert activity.BillableStatus == ("HasBeenBilled" if line_id in billed else "Billable")
        assert float(activity.CostRate) == 18.5 and float(activity.HourlyRate) > 0


def test_sync_settings_page_shows_the_time_section_and_saves_it(time_books, browser):
    page = browser.get("/accounting/quickbooks/sync-settings").get_data(as_text=True)
    assert 'id="time-settings"' in page and "Save time settings" in page
