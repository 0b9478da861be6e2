"""services.client_matching + services.client_matching.creation against the local QBO sandbox."""
from __future__ import annotations

from sqlalchemy import select

from models.links import CustomerLink, LinkKind, LinkSource
from models.matching_state import CreationStatus, MatchProposal, PendingCreation, QboCustomerCopy
from models.sync_settings import NameFormat
from services import client_matching as cm
from services.client_matching import creation as cc
from tests.client_matching.conftest import REALM, create, customers_named, knobs, make_qbo


class Everyone:
    """A user who sees every office (Owner/Admin), for service calls."""
    id = None
    sees_all_offices = True


def link_of(db, client):
    return db.session.scalar(select(CustomerLink).where(CustomerLink.client_id == client.id))


def create_for(qbo, clients, name_format=NameFormat.LAST_FIRST):
    rows, skipped = cc.request_creations(
        REALM, [cc.CreationRequest(LinkKind.CLIENT, client_id=c.id) for c in clients], name_format, None)
    return cc.process_pending(qbo, REALM, rows), skipped


# --- reading customers and proposing -----------------------------------------------------------

def test_refresh_reads_every_page_and_proposes_once(db, qbo, books, agency, monkeypatch):
    import qbo.client as client_module

    monkeypatch.setattr(client_module, "PAGE_SIZE", 2)   # force several pages of the query
    state = cm.refresh_customers(qbo, REALM)
    names = set(db.session.scalars(select(QboCustomerCopy.display_name)))
    assert {"Abbott, Ann", "Bob Baker", "Evans, Dana", "Zimmer, Otto",
            "Acme Long Term Care Insurance"} <= names
    assert state.customer_count == len(names) and state.version == 1
    props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.kind == "client"))}
    assert props[agency.ann.id].qbo_customer_id == books.abbott["Id"]
    assert props[agency.ann.id].status == "auto"
    assert props[agency.robert.id].qbo_customer_id == books.baker["Id"]   # Bob → Robert
    assert props[agency.cara.id].qbo_customer_id is None
    assert props[agency.dana.id].qbo_customer_id is None   # her customer is inactive
    assert agency.gone.id not in props                       # inactive clients are not matched
    payer_props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.kind == "payer"))}
    assert payer_props[agency.acme.id].qbo_customer_id == books.acme["Id"]


def test_linked_customer_is_not_proposed_or_offered_again(db, qbo, books, agency):
    cm.refresh_customers(qbo, REALM)
    # Abbott, Ann is given to Robert by hand: Ann must not be offered that customer any more.
    result = cm.save_choices(REALM, cm.ProposalKind.CLIENT,
                             [cm.Choice(agency.robert.id, books.abbott["Id"])], None)
    assert result.errors == [] and result.linked == 1
    cm.recompute_proposals(REALM)
    ann = db.session.scalar(select(MatchProposal).where(MatchProposal.subject_id == agency.ann.id,
                                                         MatchProposal.kind == "client"))
    assert ann.qbo_customer_id != books.abbott["Id"]
    offered = [cid for cid, _, _ in cm.candidates_for(REALM, cm.ProposalKind.CLIENT, agency.ann.id)]
    assert books.abbott["Id"] not in offered
    searched = [cid for cid, _, _ in cm.candidates_for(REALM, cm.ProposalKind.CLIENT, agency.ann.id, "abbott")]
    assert books.abbott["Id"] not in searched
    # ...and choosing it anyway is refused in plain words.
    refused = cm.save_choices(REALM, cm.ProposalKind.CLIENT,
                              [cm.Choice(agency.ann.id, books.abbott["Id"])], None)
    assert refused.linked == 0 and "already linked to the client Robert Baker" in refused.errors[0]


def test_search_finds_by_name_including_inactive(db, qbo, books, agency):
    cm.refresh_customers(qbo, REALM)
    found = cm.candidates_for(REALM, cm.ProposalKind.CLIENT, agency.dana.id, "evans")
    assert [(cid, label) for cid, label, _ in found] == [(books.inactive["Id"], "Evans, Dana (inactive)")]


def test_save_change_and_remove_links(db, qbo, books, agency, users):
    cm.refresh_customers(qbo, REALM)
    owner_id = users.owner.id
    first = cm.save_choices(REALM, cm.ProposalKind.CLIENT, [cm.Choice(agency.ann.id, books.abbott["Id"])], owner_id)
    assert first.linked == 1
    link = link_of(db, agency.ann)
    assert link.source == LinkSource.AUTO and link.score >= 90 and link.qbo_display_name == "Abbott, Ann"
    # Save again with the same choice: nothing changes.
    again = cm.save_choices(REALM, cm.ProposalKind.CLIENT, [cm.Choice(agency.ann.id, books.abbott["Id"])], owner_id)
    assert (again.linked, again.changed, again.removed) == (0, 0, 0)
    changed = cm.save_choices(REALM, cm.ProposalKind.CLIENT, [cm.Choice(agency.ann.id, books.other["Id"])], owner_id)
    assert changed.changed == 1
    link = link_of(db, agency.ann)
    assert link.qbo_customer_id == books.other["Id"] and link.source == LinkSource.MANUAL
    removed = cm.save_choices(REALM, cm.ProposalKind.CLIENT, [cm.Choice(agency.ann.id, "")], owner_id)
    assert removed.removed == 1 and link_of(db, agency.ann) is None


def test_accept_all_auto_links_only_auto_proposals(db, qbo, books, agency):
    cm.refresh_customers(qbo, REALM)
    autos = set(db.session.scalars(select(MatchProposal.subject_id).where(
        MatchProposal.status == "auto", MatchProposal.kind == "client")))
    assert agency.ann.id in autos
    result = cm.accept_all_auto(REALM, Everyone())
    assert result.linked == len(autos) and result.errors == []
    linked = set(db.session.scalars(select(CustomerLink.client_id)))
    assert linked == autos
    assert all(l.source == LinkSource.AUTO for l in db.session.scalars(select(CustomerLink)))
    assert cm.accept_all_auto(REALM, Everyone()).linked == 0   # twice: nothing more


def test_filters_and_pagination(db, qbo, books, agency):
    cm.refresh_customers(qbo, REALM)
    cm.save_choices(REALM, cm.ProposalKind.CLIENT, [cm.Choice(agency.ann.id, books.abbott["Id"])], None)
    counts = cm.counts(REALM, Everyone())
    assert counts["matched"] == 1 and counts["all"] == 7   # inactive Gina is not listed
    page, rows = cm.client_rows(REALM, Everyone(), state="matched")
    assert [r.subject.code for r in rows] == ["N-001"]
    page, rows = cm.client_rows(REALM, Everyone(), state="auto")   # Robert ≈ "Bob Baker": auto, unsaved
    assert agency.robert.id in [r.subject.id for r in rows] and all(r.link is None for r in rows)
    assert all(r.state == "auto" and r.selected_id for r in rows)
    assert cm.client_rows(REALM, Everyone(), state="review")[1] == []   # no `review` proposal here
    assert counts["auto"] + counts["review"] + counts["unmatched"] + counts["matched"] == counts["all"]
    page, rows = cm.client_rows(REALM, Everyone(), state="unmatched")
    assert {r.subject.code for r in rows} >= {"S-001", "S-002", "N-003", "N-004"}
    page, rows = cm.client_rows(REALM, Everyone(), office_id=agency.south.id)
    assert {r.subject.code[0] for r in rows} == {"S"}
    page, rows = cm.client_rows(REALM, Everyone(), search="smith")
    assert [r.subject.code for r in rows] == ["S-002"]
    seen = []
    for n in (1, 2, 3):
        page, rows = cm.client_rows(REALM, Everyone(), page=n, per_page=3)
        seen += [r.subject.code for r in rows]
    assert page.pages == 3 and len(seen) == 7 == len(set(seen))


# --- Add to QuickBooks -------------------------------------------------------------------------

def test_create_customer_with_all_fields(db, qbo, books, agency):
    outcome, _ = create_for(qbo, [agency.cara])
    assert [r.client_id for r in outcome.created] == [agency.cara.id]
    link = link_of(db, agency.cara)
    assert link.source == LinkSource.CREATED
    [made] = customers_named(qbo, "Cole, Cara")
    assert made["Id"] == link.qbo_customer_id
    assert (made["GivenName"], made["FamilyName"]) == ("Cara", "Cole")
    assert made["PrimaryEmailAddr"]["Address"] == "cara@example.com"
    assert made["PrimaryPhone"]["FreeFormNumber"] == "555 222 3333"
    assert made["BillAddr"]["Line1"] == "9 Oak Ave" and made["BillAddr"]["PostalCode"] == "62565"
    assert made.get("Job") in (False, None)


def test_first_last_format_and_colon_in_a_name(db, qbo, books, agency):
    outcome, _ = create_for(qbo, [agency.pat], NameFormat.FIRST_LAST)
    assert outcome.created, outcome
    [made] = customers_named(qbo, "Pat Doe - Ray Jr.")
    assert made["FamilyName"] == "Doe - Ray" and made["Suffix"] == "Jr."
    assert ":" not in made["FullyQualifiedName"]


def test_save_twice_creates_once(db, qbo, books, agency):
    create_for(qbo, [agency.cara])
    outcome, skipped = create_for(qbo, [agency.cara])
    assert outcome.created == [] and skipped == ["Cara Cole is already linked"]
    assert len(customers_named(qbo, "Cole, Cara")) == 1


def test_batches_of_thirty(db, qbo, agency):
    from models import Client

    many = [Client(code=f"B-{n:03}", office=agency.north, first_name=f"Pers{n}", last_name="Batchley")
            for n in range(65)]
    db.session.add_all(many)
    db.session.commit()
    rows, _ = cc.request_creations(REALM, [cc.CreationRequest(LinkKind.CLIENT, client_id=c.id) for c in many],
                                   NameFormat.LAST_FIRST, None)
    assert len({r.request_id for r in rows}) == 3   # 30 + 30 + 5
    outcome = cc.process_pending(qbo, REALM, rows)
    assert len(outcome.created) == 65
    assert qbo.query("SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE 'Batchley%'")["totalCount"] == 65


def test_name_used_by_vendor_and_employee_gives_a_choice(db, qbo, books, agency):
    outcome, _ = create_for(qbo, [agency.john, agency.mary])
    assert {r.client_id for r in outcome.name_taken} == {agency.john.id, agency.mary.id}
    for row in outcome.name_taken:
        assert row.status == CreationStatus.NAME_TAKEN and row.conflict_customer_id is None
        assert "customer, vendor or employee" in row.last_error
    john = next(r for r in outcome.name_taken if r.client_id == agency.john.id)
    options = cc.suffixed_names(john, set())
    assert options == ["Smith, John (2)", "Smith, John (S-002)"]
    rows, _ = cc.request_creations(REALM, [cc.CreationRequest(LinkKind.CLIENT, client_id=agency.john.id,
                                                              display_name=options[1])],
                                   NameFormat.LAST_FIRST, None)
    assert rows == [john]   # the same row, re-sent under a new name and requestid
    second = cc.process_pending(qbo, REALM, rows)
    assert [r.client_id for r in second.created] == [agency.john.id]
    assert link_of(db, agency.john).qbo_display_name == "Smith, John (S-002)"
    assert qbo.query_all("Vendor", "DisplayName = 'Smith, John'")   # the vendor is untouched


def test_name_used_by_existing_customer_can_be_linked(db, qbo, books, agency, users):
    outcome, _ = create_for(qbo, [agency.dana])        # "Evans, Dana" exists, inactive
    [row] = outcome.name_taken
    assert row.conflict_customer_id == books.inactive["Id"]
    assert cc.link_to_conflict(row, users.admin.id) is None
    link = link_of(db, agency.dana)
    assert link.qbo_customer_id == books.inactive["Id"] and link.source == LinkSource.MANUAL
    assert row.status == CreationStatus.DONE
    assert len(customers_named(qbo, "Evans, Dana")) == 1


def test_commit_then_drop_adopts_instead_of_duplicating(db, sandbox, books, agency):
    qbo = make_qbo(sandbox, attempts=1)   # let the failure reach the service
    knobs(sandbox).add_fault("commit_then_drop", path="/batch", times=1)
    outcome, _ = create_for(qbo, [agency.cara])
    assert outcome.error and "try again" in outcome.error
    [row] = db.session.scalars(select(PendingCreation)).all()
    assert row.status == CreationStatus.PENDING and row.ambiguous
    assert link_of(db, agency.cara) is None
    assert len(customers_named(qbo, "Cole, Cara")) == 1     # QuickBooks did create it
    # Save again: the customer is found by DisplayName and adopted, nothing is created twice.
    again, _ = create_for(qbo, [agency.cara])
    assert [r.client_id for r in again.adopted] == [agency.cara.id]
    assert len(customers_named(qbo, "Cole, Cara")) == 1
    assert link_of(db, agency.cara).qbo_customer_id == customers_named(qbo, "Cole, Cara")[0]["Id"]


def test_timeout_then_retry_reuses_the_requestid(db, sandbox, books, agency):
    qbo = make_qbo(sandbox, attempts=1, read_timeout=0.5)
    knobs(sandbox).add_fault("timeout", path="/batch", times=1, delay=1.5)
    outcome, _ = create_for(qbo, [agency.cara])
    assert outcome.error
    [row] = db.session.scalars(select(PendingCreation)).all()
    first_request_id = row.request_id
    assert customers_named(qbo, "Cole, Cara") == []     # a timeout executes nothing
    again, _ = create_for(qbo, [agency.cara])
    assert [r.client_id for r in again.created] == [agency.cara.id]
    assert row.request_id == first_request_id and row.attempts == 2
    assert len(customers_named(qbo, "Cole, Cara")) == 1


def test_replayed_requestid_does_not_create_twice(db, sandbox, books, agency):
    """The client layer's own retry (same requestid) after a committed-then-dropped batch."""
    qbo = make_qbo(sandbox, attempts=3)
    knobs(sandbox).add_fault("commit_then_drop", path="/batch", times=1)
    outcome, _ = create_for(qbo, [agency.cara, agency.robert])
    assert {r.client_id for r in outcome.created} == {agency.cara.id, agency.robert.id}
    assert len(customers_named(qbo, "Cole, Cara")) == 1
    assert len(customers_named(qbo, "Baker, Robert")) == 1


def test_server_error_and_throttle_are_plain_and_retryable(db, sandbox, books, agency):
    qbo = make_qbo(sandbox, attempts=1)
    knobs(sandbox).add_fault("error", path="/batch", times=1, status=503)
    outcome, _ = create_for(qbo, [agency.cara])
    assert "temporary problem" in outcome.error
    knobs(sandbox).add_fault("throttle", path="/batch", times=1)
    outcome, _ = create_for(qbo, [agency.cara])
    assert "slow down" in outcome.error
    outcome, _ = create_for(qbo, [agency.cara])
    assert [r.client_id for r in outcome.created] == [agency.cara.id]
    assert len(customers_named(qbo, "Cole, Cara")) == 1


def test_refused_item_is_shown_and_can_be_asked_again(db, qbo, books, agency):
    def ask(parent):
        rows, _ = cc.request_creations(REALM, [cc.CreationRequest(
            LinkKind.CLIENT_UNDER_PAYER, client_id=agency.cara.id, payer_id=agency.acme.id,
            parent_qbo_id=parent)], NameFormat.LAST_FIRST, None)
        return rows, cc.process_pending(qbo, REALM, rows)

    rows, outcome = ask("987654")                 # a parent QuickBooks does not have
    [row] = outcome.failed
    assert row.status == CreationStatus.FAILED and row.last_error.startswith("QuickBooks")
    assert customers_named(qbo, "Cole, Cara") == []
    first_request_id = row.request_id
    rows, outcome = ask(books.acme["Id"])
    assert outcome.created == [row] and row.request_id != first_request_id  # new body, new id
    assert customers_named(qbo, "Cole, Cara")[0]["ParentRef"]["value"] == books.acme["Id"]


def test_bad_email_is_left_out_and_long_names_fit(db, qbo, books, agency):
    agency.cara.first_name = "C" * 100     # the longest the agency allows, and QBO's GivenName limit
    agency.cara.middle_name = "M" * 100
    agency.cara.email = "not-an-email"
    db.session.commit()
    outcome, _ = create_for(qbo, [agency.cara])
    [row] = outcome.created
    made = customers_named(qbo, row.display_name)[0]
    assert "PrimaryEmailAddr" not in made and len(made["GivenName"]) == 100


def test_payer_created_as_company(db, qbo, books, agency):
    rows, _ = cc.request_creations(REALM, [cc.CreationRequest(LinkKind.PAYER, payer_id=agency.va.id)],
                                   NameFormat.LAST_FIRST, None)
    outcome = cc.process_pending(qbo, REALM, rows)
    assert outcome.created
    [made] = customers_named(qbo, "Veterans Affairs Springfield")
    assert made["CompanyName"] == "Veterans Affairs Springfield"
    assert made["PrimaryEmailAddr"]["Address"] == "va@example.gov"
    link = db.session.scalar(select(CustomerLink).where(CustomerLink.payer_id == agency.va.id))
    assert link.kind == LinkKind.PAYER and link.qbo_customer_id == made["Id"]


def test_client_as_sub_customer_of_payer(db, qbo, books, agency):
    rows, _ = cc.request_creations(REALM, [cc.CreationRequest(
        LinkKind.CLIENT_UNDER_PAYER, client_id=agency.cara.id, payer_id=agency.acme.id,
        parent_qbo_id=books.acme["Id"])], NameFormat.LAST_FIRST, None)
    outcome = cc.process_pending(qbo, REALM, rows)
    assert outcome.created, outcome
    [made] = customers_named(qbo, "Cole, Cara")
    assert made["Job"] is True and made["ParentRef"]["value"] == books.acme["Id"]
    assert made["FullyQualifiedName"] == "Acme Long Term Care Insurance:Cole, Cara"


def test_quotes_in_names_are_escaped_in_lookups(db, qbo, books, agency):
    agency.cara.last_name = "O'Cole"
    db.session.commit()
    outcome, _ = create_for(qbo, [agency.cara])
    assert outcome.created
    found = cc.find_customers_by_name(qbo, ["O'Cole, Cara"])
    assert list(found) == ["O'Cole, Cara"]


def test_the_clients_own_number_in_a_customer_name_is_evidence_on_the_page(db, qbo, books, agency):
    """Bookkeepers write the agency's client number into DisplayName ("#1045 Smith John"): the
    page's proposals see the client's code (not only its database id), as match-file does."""
    from models import Client

    walter = Client(code="C1045", office=agency.north, first_name="Walter", last_name="Kowalczyk")
    db.session.add(walter)
    db.session.commit()
    numbered = create(qbo, "Customer", {"DisplayName": "#1045 Kowalcyk Walt"})
    cm.refresh_customers(qbo, REALM)
    proposal = db.session.scalar(select(MatchProposal).where(
        MatchProposal.kind == "client", MatchProposal.subject_id == walter.id))
    assert proposal.qbo_customer_id == numbered["Id"]
    assert proposal.status == "auto"
    assert "client number 1045" in proposal.reason


def _clients_with_auto_matches(db, qbo, agency, count: int, start: int) -> None:
    """`count` more clients, each with a QuickBooks customer of the very same name."""
    from models import Client

    for n in range(start, start + count):
        first, last = f"Bulkfirst{n:04d}", f"Bulklast{n:04d}"
        db.session.add(Client(code=f"B-{n:04d}", office=agency.north, first_name=first, last_name=last,
                              phone=f"555-01{n:02d}"[:12]))
        create(qbo, "Customer", {"DisplayName": f"{last}, {first}", "GivenName": first,
                                 "FamilyName": last})
    db.session.commit()


def _statements_during(db, action) -> tuple[int, object]:
    from sqlalchemy import event

    seen = []
    engine = db.engine
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        answer = action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen, answer


def test_accept_all_writes_in_bulk_whatever_the_number_of_matches(db, qbo, books, agency, app):
    """Accepting 5,000 matches one commit each took over a minute (issue 19): the number of SQL
    statements must not grow with the number of matches accepted."""
    _clients_with_auto_matches(db, qbo, agency, 5, start=0)
    cm.refresh_customers(qbo, REALM)
    few, answer = _statements_during(db, lambda: cm.accept_all_auto(REALM, Everyone()))
    assert answer.errors == [] and answer.linked >= 5
    first_linked = answer.linked

    _clients_with_auto_matches(db, qbo, agency, 25, start=100)
    cm.refresh_customers(qbo, REALM)
    many, answer = _statements_during(db, lambda: cm.accept_all_auto(REALM, Everyone()))
    assert answer.errors == [] and answer.linked == 25
    assert len(many) <= len(few) + 2, "\n".join(many)
    assert first_linked >= 5


def test_accept_all_falls_back_row_by_row_when_a_customer_is_linked_meanwhile(db, qbo, books, agency,
                                                                               monkeypatch):
    """Someone links one of the customers between our reads and our commit: that row alone is
    refused (named), every other auto match is still accepted."""
    from datetime import datetime, timezone

    from services.client_matching import saving

    cm.refresh_customers(qbo, REALM)
    autos = set(db.session.scalars(select(MatchProposal.subject_id).where(
        MatchProposal.status == "auto", MatchProposal.kind == "client")))
    assert len(autos) >= 2
    ann_customer = books.abbott["Id"]

    real_execute = db.session.execute

    def someone_else_links_ann_first(statement, *args, **kwargs):
        # Right before our bulk insert, a second person's transaction commits a link to Ann's
        # customer (held by nobody when we looked): ours must then hit the unique constraint.
        if getattr(statement, "is_insert", False) and statement.table.name == "customer_links":
            monkeypatch.setattr(db.session, "execute", real_execute)
            with db.engine.begin() as other:
                other.execute(CustomerLink.__table__.insert().values(
                    realm_id=REALM, kind=LinkKind.CLIENT, client_id=agency.cara.id,
                    qbo_customer_id=ann_customer, qbo_display_name="Abbott, Ann",
                    source=LinkSource.MANUAL, linked_at=datetime.now(timezone.utc)))
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", someone_else_links_ann_first)
    result = saving.accept_all_auto(REALM, Everyone())
    assert any("Abbott, Ann" in error for error in result.errors), result.errors
    linked = {link.client_id for link in db.session.scalars(select(CustomerLink))}
    assert agency.ann.id not in linked
    assert autos - {agency.ann.id} <= linked
    assert result.linked == len(autos - {agency.ann.id})
