"""The Client Matching tab: page, HTMX fragments, Save / Add to QuickBooks, roles and CSRF,
against the local QBO sandbox (results checked through the QBO API)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.links import CustomerLink, LinkSource
from tests.client_matching.conftest import customers_named, knobs

URL = "/accounting/quickbooks/client-matching"
HX = {"HX-Request": "true"}


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def snapshot(db) -> dict:
    """The rows of the tables a Save could touch, to show a refused request changed nothing."""
    db.session.expire_all()
    out = {}
    for name in ("customer_links", "match_proposals", "pending_customer_creations",
                 "qbo_customer_copies", "qbo_customer_list_state"):
        table = db.metadata.tables[name]
        out[name] = sorted(tuple(map(repr, r)) for r in db.session.execute(select(table)).all())
    return out


def token(client, path=URL):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def post(client, path, data=None, hx=True, csrf=True):
    data = dict(data or {})
    headers = dict(HX) if hx else {}
    if csrf:
        t = token(client)
        if hx:
            headers["X-CSRFToken"] = t
        else:
            data["csrf_token"] = t
    return client.post(URL + path, data=data, headers=headers)


def refresh(client):
    response = post(client, "/refresh")
    assert response.status_code == 200 and "customers from QuickBooks" in response.get_data(as_text=True)
    return response


def link_of(db, client_row):
    db.session.expire_all()
    return db.session.scalar(select(CustomerLink).where(CustomerLink.client_id == client_row.id))


def save_form(html: str) -> dict:
    """The Save form's fields as the browser would send them (selects at their selected option)."""
    form = html[html.index('id="matching-form"'):]
    data: dict[str, list[str]] = {}
    for name in re.findall(r'<input type="hidden" name="(row_\w+)" value="([\d_]+)"', form):
        data.setdefault(name[0], []).append(name[1])
    for name, body in re.findall(r'<select name="(customer_\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = [chosen.group(1) if chosen else ""]
    for k in ("office", "q", "state", "page"):
        m = re.search(rf'name="{k}" value="([^"]*)"', form)
        data[k] = [m.group(1) if m else ""]
    return data


def test_not_connected_says_so(client, login, users):
    login("owner")
    html = client.get(URL).get_data(as_text=True)
    assert "Connect to QuickBooks first" in html


def test_page_lists_clients_with_proposals_preselected(client, connected, payer_subcustomer_mode, books,
                                                      agency, login):
    login("owner")
    refresh(client)
    html = client.get(URL).get_data(as_text=True)
    row = html[html.index(f'id="client-{agency.ann.id}"'):]
    row = row[:row.index("</tr>")]
    assert f'<option value="{books.abbott["Id"]}" selected>Abbott, Ann' in row
    assert "auto" in row and 'name="create_client_' in row
    assert "Gone, Gina" not in html                       # inactive client
    assert 'id="save-matches"' in html and 'id="save-bar"' in html   # Save also saves the auto matches
    assert 'id="payers"' in html                           # payer mode (set for this test)


@pytest.fixture
def finch(db, qbo, agency):
    """A client whose only candidate is a `review` proposal: "Finch, H." (an initial, no contact)."""
    from models import Client
    from tests.client_matching.conftest import create

    customer = create(qbo, "Customer", {"DisplayName": "Finch, H."})
    harold = Client(code="N-010", office=agency.north, first_name="Harold", last_name="Finch")
    db.session.add(harold)
    db.session.commit()
    return harold, customer


def row_html(html: str, row_id: str) -> str:
    row = html[html.index(f'id="{row_id}"'):]
    return row[:row.index("</tr>")]


def test_review_proposal_is_suggested_not_selected(client, connected, books, agency, finch, login):
    harold, finch_h = finch
    login("owner")
    refresh(client)
    html = client.get(URL).get_data(as_text=True)
    row = row_html(html, f"client-{harold.id}")
    assert 'data-state="review"' in row and "To review" in row
    # the suggestion is the first customer offered, labelled with its score and reason...
    options = re.findall(r'<option value="([^"]*)"\s*(selected)?>([^<]*)</option>', row)
    assert options[0] == ("", "selected", "— choose —")
    assert options[1][0] == finch_h["Id"] and options[1][1] == ""
    assert re.match(r"Suggested: Finch, H\. \((\d+)\) — initial H\.", options[1][2]), options[1][2]
    # ...with a "Use suggestion" button that puts it into the drop-down (client-side)
    assert f'data-select="sel-client-{harold.id}" data-value="{finch_h["Id"]}"' in row
    # an `auto` row is pre-selected and not marked "To review"
    ann = row_html(html, f"client-{agency.ann.id}")
    assert f'<option value="{books.abbott["Id"]}" selected>' in ann and "To review" not in ann
    # the filter separates the two
    review = client.get(URL + "?state=review").get_data(as_text=True)
    assert re.findall(r'<tr id="client-(\d+)"', review) == [str(harold.id)]
    auto = client.get(URL + "?state=auto").get_data(as_text=True)
    assert str(agency.ann.id) in re.findall(r'<tr id="client-(\d+)"', auto)


def test_save_of_untouched_page_links_auto_rows_only(client, connected, books, agency, finch, login, db):
    from models.matching_state import MatchProposal

    harold, finch_h = finch
    login("owner")
    refresh(client)
    db.session.expire_all()
    proposals = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.kind == "client", MatchProposal.qbo_customer_id.is_not(None)))}
    autos = {cid for cid, p in proposals.items() if p.status == "auto"}
    reviews = {cid for cid, p in proposals.items() if p.status == "review"}
    assert harold.id in reviews and agency.ann.id in autos
    data = save_form(client.get(URL).get_data(as_text=True))   # Save, touching nothing
    data["csrf_token"] = [token(client)]
    html = client.post(URL + "/save", data=data, headers=HX).get_data(as_text=True)
    assert f"Saved {len(autos)} client match" in html
    db.session.expire_all()
    linked = {l.client_id: l for l in db.session.scalars(select(CustomerLink))}
    assert set(linked) == autos
    assert all(linked[c].qbo_customer_id == proposals[c].qbo_customer_id for c in autos)
    assert all(l.source == LinkSource.AUTO for l in linked.values())
    # Choosing the suggestion (what "Use suggestion" does) confirms it: a manual link.
    data = save_form(client.get(URL).get_data(as_text=True))
    data[f"customer_client_{harold.id}"] = [finch_h["Id"]]
    data["csrf_token"] = [token(client)]
    client.post(URL + "/save", data=data, headers=HX)
    assert link_of(db, harold).qbo_customer_id == finch_h["Id"]
    assert link_of(db, harold).source == LinkSource.MANUAL


def test_agency_user_reads_only_their_offices(client, connected, books, agency, login, db):
    login("owner")
    refresh(client)
    login("agency_user")
    html = client.get(URL).get_data(as_text=True)
    assert "Abbott, Ann" in html and "Cole, Cara" not in html   # Cara is in the South office
    assert 'id="save-matches"' not in html and "disabled" in html
    before = snapshot(db)
    for path in ("/save", "/accept-auto", "/refresh", f"/unlink/client/{agency.ann.id}"):
        assert post(client, path, {"row_client": agency.ann.id,
                                   f"customer_client_{agency.ann.id}": books.abbott["Id"]}).status_code == 403
    assert snapshot(db) == before
    # Another office's client is not even findable through the drop-down endpoint.
    assert client.get(f"{URL}/candidates/client/{agency.cara.id}?find=cole").status_code == 404


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_managers_can_save(client, connected, books, agency, login, db, role):
    login(role)
    refresh(client)
    response = post(client, "/save", {"row_client": agency.ann.id,
                                      f"customer_client_{agency.ann.id}": books.abbott["Id"]})
    assert "Saved 1 client match." in response.get_data(as_text=True)
    assert link_of(db, agency.ann).source == LinkSource.AUTO


def test_csrf_is_required_on_htmx_and_form_posts(client, connected, books, agency, login, db):
    login("owner")
    refresh(client)
    before = snapshot(db)
    data = {"row_client": agency.ann.id, f"customer_client_{agency.ann.id}": books.abbott["Id"]}
    assert post(client, "/save", data, hx=True, csrf=False).status_code == 400
    assert post(client, "/save", data, hx=False, csrf=False).status_code == 400
    assert post(client, "/refresh", hx=True, csrf=False).status_code == 400
    assert snapshot(db) == before
    assert post(client, "/save", data, hx=False).status_code == 302   # with the token: saved


def test_change_drop_down_tick_add_and_save(client, connected, books, agency, login, db, qbo):
    login("owner")
    refresh(client)
    data = save_form(client.get(URL).get_data(as_text=True))
    data[f"customer_client_{agency.robert.id}"] = [books.other["Id"]]   # change the drop-down
    data[f"create_client_{agency.cara.id}"] = ["on"]                      # Add to QuickBooks
    data["csrf_token"] = [token(client)]
    response = client.post(URL + "/save", data=data, headers=HX)
    html = response.get_data(as_text=True)
    assert "Created in QuickBooks: Cole, Cara." in html
    assert link_of(db, agency.robert).qbo_customer_id == books.other["Id"]
    assert link_of(db, agency.robert).source == LinkSource.MANUAL
    [made] = customers_named(qbo, "Cole, Cara")
    assert link_of(db, agency.cara).qbo_customer_id == made["Id"]
    assert link_of(db, agency.cara).source == LinkSource.CREATED
    # Save pressed twice (the same form again): nothing new in QuickBooks.
    again = client.post(URL + "/save", data=data, headers=HX).get_data(as_text=True)
    assert f"Cara Cole ({agency.cara.code}, {agency.cara.office.name}) is already linked to “Cole, Cara”; " \
        "nothing was created." in again
    assert len(customers_named(qbo, "Cole, Cara")) == 1
    assert link_of(db, agency.cara).qbo_customer_id == made["Id"]   # and the link is kept


def test_collision_with_vendor_offers_a_suffix(client, connected, books, agency, login, db, qbo):
    login("owner")
    refresh(client)
    html = post(client, "/save", {"row_client": agency.john.id,
                                  f"create_client_{agency.john.id}": "on"}).get_data(as_text=True)
    assert "already has a customer, vendor or employee named “Smith, John”" in html
    assert "It is this client" not in html              # a vendor holds it: no customer to link
    m = re.search(r'hx-post="([^"]+/rename)"\s+hx-vals=\'\{"new_name": "Smith, John \(2\)"\}\'', html)
    assert m, html
    done = client.post(m.group(1), data={"new_name": "Smith, John (2)"},
                       headers={**HX, "X-CSRFToken": token(client)}).get_data(as_text=True)
    assert "Created in QuickBooks: Smith, John (2)." in done
    assert customers_named(qbo, "Smith, John (2)")[0]["Id"] == link_of(db, agency.john).qbo_customer_id


def test_collision_with_employee_and_with_existing_customer(client, connected, books, agency, login, db, qbo):
    login("owner")
    refresh(client)
    html = post(client, "/save", {"row_client": [agency.mary.id, agency.dana.id],
                                  f"create_client_{agency.mary.id}": "on",
                                  f"create_client_{agency.dana.id}": "on"}).get_data(as_text=True)
    assert "named “Jones, Mary”" in html and "named “Evans, Dana”" in html
    m = re.search(r'hx-post="([^"]+/link)"[^>]*>It is this client: link to “Evans, Dana”', html)
    assert m, html
    done = client.post(m.group(1), headers={**HX, "X-CSRFToken": token(client)}).get_data(as_text=True)
    assert "Linked to “Evans, Dana”." in done
    assert link_of(db, agency.dana).qbo_customer_id == books.inactive["Id"]
    assert len(customers_named(qbo, "Evans, Dana")) == 1
    assert link_of(db, agency.mary) is None


def test_colon_in_a_name(client, connected, books, agency, login, db, qbo):
    login("owner")
    refresh(client)
    post(client, "/save", {"row_client": agency.pat.id, f"create_client_{agency.pat.id}": "on"})
    [made] = customers_named(qbo, "Doe - Ray, Pat Jr.")
    assert link_of(db, agency.pat).qbo_customer_id == made["Id"]


def test_failures_in_plain_words_and_save_again_is_safe(client, connected, sandbox, books, agency, login, db, qbo):
    login("owner")
    refresh(client)
    data = {"row_client": agency.cara.id, f"create_client_{agency.cara.id}": "on"}
    knobs(sandbox).add_fault("commit_then_drop", path="/batch", times=1)
    html = post(client, "/save", data).get_data(as_text=True)
    assert "temporary problem" in html and "press Save again" in html
    assert link_of(db, agency.cara) is None
    knobs(sandbox).add_fault("error", path="/batch", times=1, status=500)
    knobs(sandbox).add_fault("error", path="/query", times=1, status=503)
    html = post(client, "/save", data).get_data(as_text=True)
    assert "temporary problem" in html
    html = post(client, "/save", {}).get_data(as_text=True)        # Save again, nothing ticked
    assert "Found already in QuickBooks and linked: Cole, Cara." in html
    assert len(customers_named(qbo, "Cole, Cara")) == 1
    knobs(sandbox).add_fault("throttle", path="/query", times=1)
    html = post(client, "/refresh").get_data(as_text=True)
    assert "slow down" in html


def test_accept_all_auto_and_remove_link(client, connected, books, agency, login, db):
    login("owner")
    refresh(client)
    html = post(client, "/accept-auto").get_data(as_text=True)
    assert re.search(r"Accepted [1-9]\d* automatic match", html)
    assert link_of(db, agency.ann).source == LinkSource.AUTO
    assert link_of(db, agency.cara) is None
    html = post(client, f"/unlink/client/{agency.ann.id}").get_data(as_text=True)
    assert "The link was removed." in html and link_of(db, agency.ann) is None
    # A removed link can be saved again by choosing the customer.
    post(client, "/save", {"row_client": agency.ann.id, f"customer_client_{agency.ann.id}": books.abbott["Id"]})
    assert link_of(db, agency.ann).qbo_customer_id == books.abbott["Id"]
    # ...and removed by choosing "no customer".
    post(client, "/save", {"row_client": agency.ann.id, f"customer_client_{agency.ann.id}": ""})
    assert link_of(db, agency.ann) is None


def test_customer_linked_elsewhere_is_refused_clearly(client, connected, books, agency, login, db):
    login("owner")
    refresh(client)
    post(client, "/save", {"row_client": agency.robert.id, f"customer_client_{agency.robert.id}": books.abbott["Id"]})
    html = post(client, "/save", {"row_client": agency.ann.id,
                                  f"customer_client_{agency.ann.id}": books.abbott["Id"]}).get_data(as_text=True)
    assert "already linked to the client Robert Baker (N-002)" in html
    assert link_of(db, agency.ann) is None
    # and the page no longer offers that customer to Ann
    page = client.get(URL).get_data(as_text=True)
    ann_row = page[page.index(f'id="client-{agency.ann.id}"'):]
    assert f'<option value="{books.abbott["Id"]}"' not in ann_row[:ann_row.index("</tr>")]


def test_searchable_drop_down_fragment(client, connected, books, agency, login):
    login("owner")
    refresh(client)
    response = client.get(f"{URL}/candidates/client/{agency.robert.id}?find=zimm", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<select name="customer_client_{agency.robert.id}"')
    assert f'<option value="{books.other["Id"]}"' in html and "Zimmer, Otto" in html
    assert "<html" not in html


def test_filters_and_pagination(client, connected, books, agency, login, db):
    from models import Client

    db.session.add_all([Client(code=f"P-{n:03}", office=agency.north, first_name=f"Person{n:03}",
                               last_name="Pagetest") for n in range(60)])
    db.session.commit()
    login("owner")
    refresh(client)
    post(client, "/save", {"row_client": agency.ann.id, f"customer_client_{agency.ann.id}": books.abbott["Id"]})
    first = client.get(URL).get_data(as_text=True)
    assert "1–50 of 67" in first and 'id="next-page"' in first
    second = client.get(URL + "?page=2", headers=HX).get_data(as_text=True)
    assert "51–67 of 67" in second and "<html" not in second
    codes = set(re.findall(r'<div class="muted small">([A-Z]-\d{3})</div>', first + second))
    assert len(codes) == 67
    matched = client.get(URL + "?state=matched").get_data(as_text=True)
    assert str(agency.ann.id) in re.findall(r'<tr id="client-(\d+)"', matched)   # (with the auto matches Save saved)
    unmatched = client.get(URL + "?state=unmatched&q=cole").get_data(as_text=True)
    assert re.findall(r'<tr id="client-(\d+)"', unmatched) == [str(agency.cara.id)]
    south = client.get(URL + f"?office={agency.south.id}").get_data(as_text=True)
    ids = set(re.findall(r'<tr id="client-(\d+)"', south))
    assert ids == {str(agency.cara.id), str(agency.john.id), str(agency.pat.id)}


def test_payers_section_hidden_in_client_mode(client, connected, books, agency, login):
    login("owner")
    refresh(client)
    html = client.get(URL).get_data(as_text=True)   # the Sync Settings default: PayerMode.CLIENT
    assert 'id="payers"' not in html and f'id="payer-{agency.acme.id}"' not in html


def test_payers_section_save_and_create(client, connected, payer_subcustomer_mode, books, agency, login, db,
                                        qbo):
    login("owner")
    refresh(client)
    html = client.get(URL).get_data(as_text=True)
    payer_row = html[html.index(f'id="payer-{agency.acme.id}"'):]
    assert f'<option value="{books.acme["Id"]}" selected>' in payer_row[:payer_row.index("</tr>")]
    post(client, "/save", {"row_payer": [agency.acme.id, agency.va.id],
                           f"customer_payer_{agency.acme.id}": books.acme["Id"],
                           f"create_payer_{agency.va.id}": "on"})
    links = {l.payer_id: l for l in db.session.scalars(select(CustomerLink).where(CustomerLink.payer_id.is_not(None)))}
    assert links[agency.acme.id].qbo_customer_id == books.acme["Id"]
    assert links[agency.va.id].qbo_customer_id == customers_named(qbo, "Veterans Affairs Springfield")[0]["Id"]
