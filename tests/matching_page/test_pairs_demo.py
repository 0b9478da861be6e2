"""Clients under payers on the sandbox's demo company (some clients are kept there as sub-customers
of their payer, "Payer:Smith, John") and the demo agency's finalized invoices."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from qbo_sandbox import create_app as create_sandbox, oauth
from tests.matching_page.conftest import CLIENT_ID, CLIENT_SECRET, REALM, set_payer_mode
from tests.sandbox.conftest import serve


@pytest.fixture
def sandbox(tmp_path):
    from demo_data.people import PAYERS, PEOPLE
    from qbo_sandbox.demo import build_demo_company

    app = create_sandbox({"TESTING": True, "THROTTLE_ENABLED": False,
                          "SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}"})
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        build_demo_company(tx, REALM, PEOPLE, PAYERS)
    oauth.register_client(app, CLIENT_ID, CLIENT_SECRET, None)
    live, stop = serve(app)
    app.config["LIVE_URL"] = live.base_url
    yield app
    stop()


@pytest.fixture
def agency(db):
    from models import Office
    from services.demo_seed import seed_demo_agency

    seed_demo_agency(db.session, today=date(2026, 11, 20))
    return SimpleNamespace(north=db.session.scalars(select(Office).order_by(Office.id)).first())


def test_demo_company_pairs_match_their_payers_sub_customers(db, qbo, connected, agency):
    from models import BatchStatus, Client, Invoice, InvoiceBatch, Payer
    from models.links import CustomerLink, LinkKind
    from models.matching_state import MatchProposal, ProposalKind, QboCustomerCopy
    from models.sync_settings import PayerMode
    from services import client_matching as cm
    from services.export.prepare import eligibility

    set_payer_mode(db, PayerMode.PAYER_SUBCUSTOMER)
    cm.refresh_customers(qbo, REALM)
    payer_props = db.session.scalars(select(MatchProposal).where(MatchProposal.kind == ProposalKind.PAYER)).all()
    assert payer_props and all(p.status == "auto" for p in payer_props)
    cm.save_choices(REALM, ProposalKind.PAYER, [cm.Choice(p.subject_id, p.qbo_customer_id) for p in payer_props], None)
    cm.recompute_pair_proposals(REALM)

    parents = cm.payer_customer_ids(REALM)
    copies = {c.qbo_id: c for c in db.session.scalars(select(QboCustomerCopy))}
    pairs = db.session.scalars(select(MatchProposal).where(MatchProposal.kind == ProposalKind.PAIR)).all()
    proposed = [p for p in pairs if p.qbo_customer_id]
    assert proposed, "the demo company keeps some clients under their payer"
    for p in proposed:
        sub = copies[p.qbo_customer_id]
        client = db.session.get(Client, p.subject_id)
        assert sub.parent_qbo_id == parents[p.payer_id]            # under THIS payer's customer
        assert sub.data.get("FamilyName") == client.last_name       # and it is this person
    # In this mode those sub-customers are not offered as the clients' own customers.
    client_props = {p.qbo_customer_id for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.kind == ProposalKind.CLIENT, MatchProposal.qbo_customer_id.is_not(None)))}
    assert not client_props & {p.qbo_customer_id for p in proposed}

    result = cm.accept_all_auto(REALM, SimpleNamespace(sees_all_offices=True, id=None))
    assert result.errors == []
    linked = set(db.session.execute(select(CustomerLink.client_id, CustomerLink.payer_id).where(
        CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER)).all())
    assert linked == {(p.subject_id, p.payer_id) for p in proposed if p.status == "auto"}
    invoices = db.session.scalars(select(Invoice).join(InvoiceBatch).where(
        InvoiceBatch.status == BatchStatus.FINALIZED, Invoice.payer_id.is_not(None))).all()
    answer = eligibility(invoices, REALM)
    for invoice in invoices:
        assert answer[invoice.id].ok == ((invoice.client_id, invoice.payer_id) in linked)
    assert any(answer[i.id].ok for i in invoices)
    print(f"\ndemo: {len(pairs)} pairs, {len(proposed)} proposed "
          f"({sum(p.status == 'auto' for p in proposed)} auto), {len(db.session.scalars(select(Payer)).all())} payers")
