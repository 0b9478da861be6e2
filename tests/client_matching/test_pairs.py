"""Clients under payers (Sync Settings: PAYER_SUBCUSTOMER): each (client, payer) pair on finalized
invoices is matched among that payer's sub-customers, or created under the payer; checked through
the QBO API (ParentRef, Job, BillWithParent) and through export eligibility."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from models.links import CustomerLink, LinkKind, LinkSource
from models.matching_state import MatchProposal, ProposalKind
from tests.client_matching.conftest import REALM, create, customers_named
from tests.client_matching.test_matching_page import HX, URL, post, refresh, row_html, save_form, token


@pytest.fixture
def invoices(db, agency):
    """Finalized invoices: Ann, Robert and Cara paid by Acme; John by the VA; Mary private pay.
    A draft batch's invoice (Pat, Acme) does not count."""
    from models import BatchStatus, Invoice, InvoiceBatch

    def batch(number, office, status):
        return InvoiceBatch(number=number, office=office, status=status,
                            period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))

    north, south = batch("B-N", agency.north, BatchStatus.FINALIZED), batch("B-S", agency.south, BatchStatus.FINALIZED)
    draft = batch("B-D", agency.south, BatchStatus.DRAFT)
    n = iter(range(1000, 2000))

    def invoice(b, client, payer):
        return Invoice(number=f"INV-{next(n)}", batch=b, client=client, payer=payer,
                       invoice_date=date(2026, 10, 31), due_date=date(2026, 11, 30),
                       period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))

    made = SimpleNamespace(ann=invoice(north, agency.ann, agency.acme),
                           ann2=invoice(north, agency.ann, agency.acme),
                           robert=invoice(north, agency.robert, agency.acme),
                           cara=invoice(south, agency.cara, agency.acme),
                           john=invoice(south, agency.john, agency.va),
                           mary=invoice(north, agency.mary, None),
                           pat=invoice(draft, agency.pat, agency.acme))
    db.session.add_all([north, south, draft, *vars(made).values()])
    db.session.commit()
    return made


@pytest.fixture
def subs(qbo, books):
    """Acme's sub-customers in the books: Ann (typed "First Last"), and a stranger. Cara also has
    a top-level customer with exactly the name a new sub-customer of hers would get."""
    under = {"Job": True, "ParentRef": {"value": books.acme["Id"]}, "BillWithParent": True}
    ann = create(qbo, "Customer", {"DisplayName": "Ann Abbott", "GivenName": "Ann",
                                   "FamilyName": "Abbott", **under})
    stranger = create(qbo, "Customer", {"DisplayName": "Quigley, Walter", **under})
    cara_top = create(qbo, "Customer", {"DisplayName": "Cole, Cara"})
    return SimpleNamespace(ann=ann, stranger=stranger, cara_top=cara_top)


def pair_id(client, payer) -> str:
    return f"{client.id}_{payer.id}"


def pair_link(db, client, payer):
    db.session.expire_all()
    return db.session.scalar(select(CustomerLink).where(
        CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER, CustomerLink.client_id == client.id,
        CustomerLink.payer_id == payer.id))


def test_pairs_table_match_create_and_export_eligibility(client, connected, payer_subcustomer_mode, books,
                                                         subs, agency, invoices, login, db, qbo):
    from models import Invoice
    from services.export.prepare import eligibility

    login("owner")
    refresh(client)
    html = client.get(URL).get_data(as_text=True)
    assert 'id="pairs"' in html
    pair_ids = re.findall(r'<tr id="pair-(\d+_\d+)"', html)
    assert set(pair_ids) == {pair_id(agency.ann, agency.acme), pair_id(agency.robert, agency.acme),
                             pair_id(agency.cara, agency.acme), pair_id(agency.john, agency.va)}
    # No payer is linked yet: every pair says so and offers neither drop-down nor checkbox.
    ann_row = row_html(html, f"pair-{pair_id(agency.ann, agency.acme)}")
    assert "Match the payer first" in ann_row and "<select" not in ann_row and "create_pair_" not in ann_row
    # The sub-customer under Acme is kept for the pair: Ann's own row never proposes it.
    assert f'value="{subs.ann["Id"]}"' not in row_html(html, f"client-{agency.ann.id}")

    # Save the untouched page: the auto payer match (Acme) is stored, and Acme's pairs get proposals.
    data = save_form(html)
    data["csrf_token"] = [token(client)]
    client.post(URL + "/save", data=data, headers=HX)
    html = client.get(URL).get_data(as_text=True)
    ann_row = row_html(html, f"pair-{pair_id(agency.ann, agency.acme)}")
    assert f'<option value="{subs.ann["Id"]}" selected>' in ann_row and "auto" in ann_row
    john_row = row_html(html, f"pair-{pair_id(agency.john, agency.va)}")
    assert "Match the payer first" in john_row and "create_pair_" not in john_row
    robert_row = row_html(html, f"pair-{pair_id(agency.robert, agency.acme)}")
    assert f'name="create_pair_{pair_id(agency.robert, agency.acme)}"' in robert_row
    assert subs.stranger["Id"] not in re.findall(r'<option value="(\w+)" selected', robert_row)

    # Save: Ann's proposed sub-customer, plus Add to QuickBooks for Robert and Cara under Acme.
    data = save_form(html)
    data[f"create_pair_{pair_id(agency.robert, agency.acme)}"] = ["on"]
    data[f"create_pair_{pair_id(agency.cara, agency.acme)}"] = ["on"]
    data["csrf_token"] = [token(client)]
    done = client.post(URL + "/save", data=data, headers=HX).get_data(as_text=True)
    assert "Created in QuickBooks: Baker, Robert, Cole, Cara (Acme LTC Insurance)." in done, done
    assert pair_link(db, agency.ann, agency.acme).qbo_customer_id == subs.ann["Id"]
    assert pair_link(db, agency.ann, agency.acme).source == LinkSource.AUTO
    for who, name in ((agency.robert, "Baker, Robert"), (agency.cara, "Cole, Cara (Acme LTC Insurance)")):
        [made] = customers_named(qbo, name)
        assert made["ParentRef"]["value"] == books.acme["Id"]
        assert made["Job"] is True and made["BillWithParent"] is True
        assert made["FullyQualifiedName"] == f"{books.acme['DisplayName']}:{name}"
        link = pair_link(db, who, agency.acme)
        assert link.qbo_customer_id == made["Id"] and link.source == LinkSource.CREATED
    assert len(customers_named(qbo, "Cole, Cara")) == 1     # the top-level one is untouched

    # Export: the Acme invoices are now exportable; John's (VA not matched) and the private one not.
    rows = db.session.scalars(select(Invoice).where(Invoice.id.in_(
        [i.id for i in vars(invoices).values()]))).all()
    answer = eligibility(rows, REALM)
    for inv in (invoices.ann, invoices.ann2, invoices.robert, invoices.cara):
        assert answer[inv.id].ok, answer[inv.id]
    assert answer[invoices.ann.id].customer_name == "Ann Abbott"
    assert not answer[invoices.john.id].ok and answer[invoices.john.id].reason == "Client not matched under this payer"
    assert not answer[invoices.mary.id].ok     # private pay needs the client's own customer

    # Save again: nothing is created twice.
    again = client.post(URL + "/save", data=data, headers=HX).get_data(as_text=True)
    assert "Created in QuickBooks" not in again
    assert len(customers_named(qbo, "Baker, Robert")) == 1


def test_pair_drop_down_offers_only_that_payers_sub_customers(client, connected, payer_subcustomer_mode, books,
                                                              subs, agency, invoices, login, db):
    login("owner")
    refresh(client)
    post(client, "/save", {"row_payer": agency.acme.id, f"customer_payer_{agency.acme.id}": books.acme["Id"]})
    html = client.get(f"{URL}/candidates/pair/{agency.robert.id}/{agency.acme.id}?find=a", headers=HX).get_data(as_text=True)
    offered = set(re.findall(r'<option value="(\w+)"', html)) - {""}
    assert offered == {subs.ann["Id"], subs.stranger["Id"]}   # not "Abbott, Ann", "Bob Baker", ...
    # A top-level customer sent anyway is refused: the invoice would not bill the payer.
    sid = pair_id(agency.robert, agency.acme)
    html = post(client, "/save", {"row_pair": sid, f"customer_pair_{sid}": books.baker["Id"]}).get_data(as_text=True)
    assert "choose a sub-customer of the payer" in html and pair_link(db, agency.robert, agency.acme) is None
    html = post(client, "/save", {"row_pair": sid, f"customer_pair_{sid}": subs.stranger["Id"]}).get_data(as_text=True)
    assert "Saved 1 client-under-payer match." in html
    assert pair_link(db, agency.robert, agency.acme).source == LinkSource.MANUAL
    html = post(client, f"/unlink/pair/{agency.robert.id}/{agency.acme.id}").get_data(as_text=True)
    assert "The link was removed." in html and pair_link(db, agency.robert, agency.acme) is None
    # An Agency User cannot reach another office's pair (Cara is in the South office).
    login("agency_user")
    assert client.get(f"{URL}/candidates/pair/{agency.cara.id}/{agency.acme.id}").status_code == 404
    page = client.get(URL).get_data(as_text=True)
    assert f'id="pair-{pair_id(agency.cara, agency.acme)}"' not in page


def test_pair_proposals_stored_per_payer(client, connected, payer_subcustomer_mode, books, subs, agency,
                                         invoices, login, db):
    from services import client_matching as cm

    login("owner")
    refresh(client)
    post(client, "/save", {"row_payer": agency.acme.id, f"customer_payer_{agency.acme.id}": books.acme["Id"]})
    db.session.expire_all()
    pairs = {(p.subject_id, p.payer_id): p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.kind == ProposalKind.PAIR))}
    assert set(pairs) == {(agency.ann.id, agency.acme.id), (agency.robert.id, agency.acme.id),
                          (agency.cara.id, agency.acme.id)}   # VA unlinked: none; Pat's batch is a draft
    assert pairs[(agency.ann.id, agency.acme.id)].qbo_customer_id == subs.ann["Id"]
    assert pairs[(agency.ann.id, agency.acme.id)].status == "auto"
    assert pairs[(agency.robert.id, agency.acme.id)].qbo_customer_id is None
    # Accept all auto matches takes the pair's auto proposal too (payer mode).
    cm.accept_all_auto(REALM, SimpleNamespace(sees_all_offices=True, id=None))
    assert pair_link(db, agency.ann, agency.acme).qbo_customer_id == subs.ann["Id"]


def test_no_pairs_table_in_client_mode(client, connected, books, subs, agency, invoices, login):
    login("owner")
    refresh(client)
    html = client.get(URL).get_data(as_text=True)
    assert 'id="pairs"' not in html and 'name="row_pair"' not in html
