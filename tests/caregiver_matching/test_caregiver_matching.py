"""Caregiver Matching against the sandbox: proposals from the matching engine among Employees
(W-2) or Vendors (1099), Save, Add to QuickBooks exactly once in QuickBooks' one name space, the
page's rows and roles."""
from __future__ import annotations

from sqlalchemy import select

from models.worker_matching import WorkerCreation, WorkerLink
from qbo.client import quote
from tests.client_matching.conftest import knobs
from tests.client_matching.test_matching_page import csrf_token_from

URL = "/accounting/quickbooks/caregiver-matching"
HX = {"HX-Request": "true"}


def _named(qbo, entity, name):
    return qbo.query_all(entity, f"DisplayName = {quote(name)} AND Active IN (true, false)")


def test_proposals_come_from_the_list_of_the_caregivers_kind(app, db, qbo, realm, books, workers, caregivers):
    from models.matching_state import MatchProposal, ProposalKind
    from services.caregiver_matching.proposals import refresh_workers

    refresh_workers(qbo, realm)
    proposals = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.kind == ProposalKind.CAREGIVER))}
    assert proposals[caregivers.maria.id].qbo_customer_id == f"Employee:{workers.maria['Id']}"
    assert proposals[caregivers.ana.id].qbo_customer_id == f"Vendor:{workers.ana['Id']}"
    # "Jones, Mary" is an Employee nobody matches; the contractor Nia is never offered an Employee.
    assert not (proposals[caregivers.new.id].qbo_customer_id or "").startswith("Employee:")
    # Client Matching's own refresh leaves the caregivers' proposals alone.
    from services.client_matching import refresh_customers

    refresh_customers(qbo, realm)
    assert db.session.scalar(select(MatchProposal).where(
        MatchProposal.kind == ProposalKind.CAREGIVER, MatchProposal.subject_id == caregivers.maria.id))


def test_add_to_quickbooks_gives_a_distinguishable_name_and_says_why(app, db, qbo, realm, books, workers,
                                                                     caregivers, users):
    from services.caregiver_matching import creation
    from services.caregiver_matching.proposals import refresh_workers
    from services.client_matching import refresh_customers

    refresh_customers(qbo, realm)
    refresh_workers(qbo, realm)
    creation.request_creations(realm, [caregivers.bob.id, caregivers.new.id], users.owner.id)
    outcome = creation.process_pending(qbo, realm)
    assert not outcome.error and len(outcome.created) == 2
    bob = db.session.scalar(select(WorkerCreation).where(WorkerCreation.caregiver_id == caregivers.bob.id))
    assert bob.display_name == "Bob Baker (CG-003)"
    assert "already a customer" in bob.renamed_because and "only once across" in bob.renamed_because
    assert len(_named(qbo, "Employee", "Bob Baker (CG-003)")) == 1
    vendor = _named(qbo, "Vendor", "Nia Okafor")
    assert len(vendor) == 1 and vendor[0]["Vendor1099"] in (True, "true")
    links = {l.caregiver_id: l for l in db.session.scalars(select(WorkerLink))}
    assert links[caregivers.new.id].entity == "Vendor" and links[caregivers.new.id].qbo_id == vendor[0]["Id"]
    # Asking again creates nothing more.
    creation.request_creations(realm, [caregivers.bob.id], users.owner.id)
    creation.process_pending(qbo, realm)
    assert len(_named(qbo, "Employee", "Bob Baker (CG-003)")) == 1


def test_a_name_quickbooks_refuses_is_retried_once_with_the_code(app, db, qbo, realm, workers, caregivers, users):
    from services.caregiver_matching import creation

    create_name = "Nia Okafor"
    from tests.client_matching.conftest import create

    create(qbo, "Customer", {"DisplayName": create_name})   # not in our (never read) copy
    creation.request_creations(realm, [caregivers.new.id], users.owner.id)
    outcome = creation.process_pending(qbo, realm)
    assert [r.display_name for r in outcome.created] == ["Nia Okafor (CG-004)"]
    assert "QuickBooks already has" in outcome.created[0].renamed_because


def test_lost_answer_after_create_is_adopted_not_created_twice(app, db, qbo, realm, caregivers, users, sandbox):
    from services.caregiver_matching import creation

    knobs(sandbox).add_fault("commit_then_drop", times=1, operation="create")
    creation.request_creations(realm, [caregivers.maria.id], users.owner.id)
    first = creation.process_pending(qbo, realm)
    assert first.error and not first.created
    second = creation.process_pending(qbo, realm)
    assert len(second.created) == 1
    assert len(_named(qbo, "Employee", "Maria Alvarez")) == 1


def test_page_save_links_choices_and_agency_user_is_read_only(app, db, client, connected, login, workers,
                                                             caregivers, users):
    login("owner")
    page = client.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="caregiver-matches"' in html
    assert "Caregiver Matching" in html and "Alvarez, Maria (employee)" in html
    token = csrf_token_from(html)
    key = db.session.scalar(select(WorkerLink.id))  # nothing linked yet
    assert key is None
    answer = client.post(URL + "/save", headers=HX, data={
        "csrf_token": token, "row_caregiver": [caregivers.ana.id, caregivers.new.id],
        f"customer_caregiver_{caregivers.ana.id}": f"Vendor:{workers.ana['Id']}",
        f"customer_caregiver_{caregivers.new.id}": ""})
    assert answer.status_code == 200
    links = {l.caregiver_id: l.target_id for l in db.session.scalars(select(WorkerLink))}
    assert links[caregivers.ana.id] == f"Vendor:{workers.ana['Id']}"
    assert caregivers.new.id not in links
    why = client.get(f"{URL}/why/caregiver/{caregivers.maria.id}?customer=Employee:{workers.maria['Id']}")
    assert why.status_code == 200 and why.get_json()["score"]
    login("agency_user")
    read_only = client.get(URL)
    assert read_only.status_code == 200 and "read-only-note" in read_only.get_data(as_text=True)
    refused = client.post(URL + "/save", data={"csrf_token": csrf_token_from(read_only.get_data(as_text=True)),
                                               "row_caregiver": [caregivers.maria.id]})
    assert refused.status_code == 403


def test_save_without_csrf_is_refused_and_changes_nothing(app, db, client, connected, login, workers, caregivers):
    login("owner")
    client.get(URL)
    answer = client.post(URL + "/save", data={"row_caregiver": [caregivers.ana.id],
                                              f"customer_caregiver_{caregivers.ana.id}": f"Vendor:{workers.ana['Id']}"})
    assert answer.status_code == 400
    assert db.session.scalar(select(WorkerLink.id)) is None
