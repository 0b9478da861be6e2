"""Customer changes made in QuickBooks: a rename keeps the link (name refreshed), a merge moves
it to the surviving customer, a deactivation (or a deletion CareLedger cannot follow) flags the
client for Client Matching and takes the checkbox off its invoices, with the reason."""
from __future__ import annotations

from extensions import db
from models import CustomerLink
from services.payments.statuses import QboState
from tests.fixtures.sandbox import create_entity
from tests.payments.conftest import REALM, act, poll, statuses


def _link_of(app, client_id):
    with app.app_context():
        link = db.session.scalar(db.select(CustomerLink).where(CustomerLink.client_id == client_id))
        return link.qbo_customer_id, link.qbo_display_name


def _client_of(app, invoice_id):
    from models import Invoice

    with app.app_context():
        return db.session.get(Invoice, invoice_id).client_id


def _eligibility(app, invoice_ids):
    from models import Invoice
    from services.export.prepare import eligibility

    with app.app_context():
        invoices = list(db.session.scalars(db.select(Invoice).where(Invoice.id.in_(invoice_ids))))
        return eligibility(invoices, REALM)


def test_a_renamed_customer_keeps_its_link_with_the_new_name(exported):
    client_id = _client_of(exported.app, exported.invoice_ids[0])
    customer_id, _ = _link_of(exported.app, client_id)
    act(exported, "rename_customer", customer_id, "Client Zero (renamed)")
    assert poll(exported).ok
    assert _link_of(exported.app, client_id) == (customer_id, "Client Zero (renamed)")
    assert statuses(exported)[exported.invoice_ids[0]].state == QboState.OPEN


def test_a_merged_customer_is_followed_to_the_survivor(exported):
    invoice_id = exported.invoice_ids[1]
    client_id = _client_of(exported.app, invoice_id)
    loser, _ = _link_of(exported.app, client_id)
    survivor = create_entity(exported.sandbox, REALM, "Customer", {"DisplayName": "Client One (merged)"})
    act(exported, "merge_customers", loser, survivor["Id"])
    assert poll(exported).ok
    assert _link_of(exported.app, client_id) == (survivor["Id"], "Client One (merged)")
    # The invoice now names the survivor: followed, not "changed"; and still exportable-checked.
    assert statuses(exported)[invoice_id].state == QboState.OPEN
    assert _eligibility(exported.app, [invoice_id])[invoice_id].ok
    from services.client_matching.qbo_changes import attention_for
    with exported.app.app_context():
        assert attention_for(REALM) == {}


def test_a_merge_into_a_customer_linked_elsewhere_needs_a_person(exported):
    first, second = exported.invoice_ids[2], exported.invoice_ids[3]
    loser, _ = _link_of(exported.app, _client_of(exported.app, first))
    taken, _ = _link_of(exported.app, _client_of(exported.app, second))
    act(exported, "merge_customers", loser, taken)
    assert poll(exported).ok
    assert _link_of(exported.app, _client_of(exported.app, first))[0] == loser  # not moved
    from services.client_matching.qbo_changes import attention_for
    with exported.app.app_context():
        flagged = attention_for(REALM)
    assert "merged" in flagged[_client_of(exported.app, first)].reason


def test_a_deactivated_customer_flags_the_client_and_its_invoices_lose_the_checkbox(exported):
    from services.client_matching.qbo_changes import attention_for

    invoice_id = exported.invoice_ids[4]
    client_id = _client_of(exported.app, invoice_id)
    customer_id, name = _link_of(exported.app, client_id)
    fresh_id = invoice_id  # eligibility is the customer rule alone (the export record aside)
    assert _eligibility(exported.app, [fresh_id])[fresh_id].ok
    act(exported, "set_customer_active", customer_id, False)
    assert poll(exported).ok
    with exported.app.app_context():
        flagged = attention_for(REALM)
    assert set(flagged) == {client_id} and "inactive" in flagged[client_id].reason
    verdict = _eligibility(exported.app, [fresh_id])[fresh_id]
    assert not verdict.ok and "inactive in QuickBooks" in verdict.reason and name in verdict.reason
    act(exported, "set_customer_active", customer_id, True)  # made active again: the flag goes
    assert poll(exported).ok
    assert _eligibility(exported.app, [fresh_id])[fresh_id].ok


def test_a_customer_deleted_without_a_trace_of_a_merge_is_flagged(exported):
    """A linked customer with no exported invoice, merged away with no webhook: CDC shows only
    its tombstone, so CareLedger cannot know where it went and asks a person."""
    from models import LinkKind, LinkSource
    from services.client_matching.qbo_changes import attention_for
    from tests.fixtures.agency import ClientFactory

    lonely = create_entity(exported.sandbox, REALM, "Customer", {"DisplayName": "Lonely Client"})
    elsewhere = create_entity(exported.sandbox, REALM, "Customer", {"DisplayName": "Elsewhere"})
    with exported.app.app_context():
        from models import Office
        client = ClientFactory(code="C9999", office=db.session.scalars(db.select(Office)).first())
        db.session.add(CustomerLink(realm_id=REALM, kind=LinkKind.CLIENT, client_id=client.id,
                                    qbo_customer_id=lonely["Id"], qbo_display_name="Lonely Client",
                                    source=LinkSource.MANUAL))
        db.session.commit()
        client_id = client.id
    act(exported, "merge_customers", lonely["Id"], elsewhere["Id"])
    assert poll(exported).ok
    with exported.app.app_context():
        flagged = attention_for(REALM)
    assert "deleted in QuickBooks" in flagged[client_id].reason


def test_client_matching_marks_the_flagged_client(exported):
    client_id = _client_of(exported.app, exported.invoice_ids[6])
    customer_id, name = _link_of(exported.app, client_id)
    act(exported, "set_customer_active", customer_id, False)
    assert poll(exported).ok
    browser = exported.app.test_client()
    assert browser.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302
    page = browser.get("/accounting/quickbooks/client-matching?state=matched").get_data(as_text=True)
    assert page.count('data-attention="qbo-customer"') == 1
    assert f"QuickBooks customer {name} is inactive in QuickBooks" in page
