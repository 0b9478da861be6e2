"""The demo company generator and the browser view."""
from __future__ import annotations

from dataclasses import dataclass

from qbo_sandbox import create_app
from tests.fixtures.sandbox import invoice_body, web_client

DEMO_REALM = "9341453172471531"


@dataclass(frozen=True)
class P:
    client_code: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str = ""
    preferred_name: str = ""
    email: str = ""
    phone: str = ""
    address_line1: str = "1 Elm St"
    city: str = "Albany"
    state: str = "NY"
    postal_code: str = "12208"
    office: str = "Main Office"
    active: bool = True


@dataclass(frozen=True)
class Payer:
    name: str
    kind: str
    email: str = ""


PEOPLE = [P(f"C{i:04d}", first, middle, last, active=(i % 9 != 0))
          for i, (first, middle, last) in enumerate([
              ("Robert", "Allen", "Whitaker"), ("Carmen", "", "Rossi"), ("Gerald", "James", "Zielinski"),
              ("María", "", "de la Cruz"), ("Patrick", "", "O'Brien"), ("Dorothy", "M", "Kowalski"),
              ("Walter", "", "Kowalski"), ("Irene", "", "Thompson"), ("Ruth", "", "Greenbaum"),
              ("James", "", "Miller"), ("Elizabeth", "Ann", "Park"), ("Frank", "", "Dubois")], start=1)]
PAYERS = [Payer("County Office for the Aging", "county"), Payer("VA Community Care Network", "va")]


def _demo_app(tmp_path, people=PEOPLE, payers=PAYERS, name="a.sqlite"):
    return create_app({"TESTING": True, "THROTTLE_ENABLED": False, "DEMO_COMPANY": True,
                       "DEMO_PEOPLE": people, "DEMO_PAYERS": payers,
                       "SANDBOX_DATABASE": f"sqlite:///{tmp_path / name}"})


def _names(app, etype):
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        return [d for d in tx.all_docs(DEMO_REALM, etype)]


def test_demo_company_is_deterministic_and_complete(tmp_path):
    first, second = _demo_app(tmp_path), _demo_app(tmp_path, name="b.sqlite")
    customers = _names(first, "Customer")
    assert [c["DisplayName"] for c in customers] == [c["DisplayName"] for c in _names(second, "Customer")]
    items = {i["Name"] for i in _names(first, "Item")}
    assert {"Personal Care", "Companion", "Respite", "Skilled Nursing", "Homemaker", "Mileage",
            "Expense Reimbursement", "Holiday Premium", "Overtime Premium", "Discount"} <= items
    assert {d["Name"] for d in _names(first, "Department")} == {"Main Office", "Lakeside", "North Branch"}
    assert {"Net 15", "Net 30", "Due on receipt"} <= {t["Name"] for t in _names(first, "Term")}
    accounts = _names(first, "Account")
    assert any(a["AccountType"] == "Accounts Receivable" for a in accounts)
    assert sum(a["AccountType"] == "Income" for a in accounts) >= 3
    names = {c["DisplayName"] for c in customers}
    assert {"County Office for the Aging", "Albany Senior Center"} <= names  # payers, non-clients
    assert any(c.get("Job") for c in customers)  # sub-customers under a payer
    assert any(not c["Active"] for c in customers)
    # Every client is there, spelled some way that still carries the family name.
    for person in PEOPLE:
        assert any(person.last_name[:3] in c["DisplayName"] or person.last_name[-3:] in c["DisplayName"]
                   for c in customers), person
    employee, vendor = _names(first, "Employee")[0], _names(first, "Vendor")[0]
    assert employee["DisplayName"].lower() not in {n.lower() for n in names}
    assert vendor["DisplayName"].lower() not in {n.lower() for n in names}
    with first.extensions["qbo_sandbox.store"].transaction() as tx:
        prefs = tx.company(DEMO_REALM)["preferences"]
    assert prefs["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    assert prefs["AccountingInfoPrefs"]["TrackDepartments"] is True


def test_without_people_from_the_host_the_demo_company_has_its_own(tmp_path):
    from qbo_sandbox.demo.people import PEOPLE as OWN
    app = create_app({"DEMO_COMPANY": True, "SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'd.sqlite'}"})
    customers = _names(app, "Customer")
    assert len(OWN) == 60 and len(customers) > len(OWN)
    assert any(c.get("GivenName") == OWN[0].first_name and c.get("FamilyName") == OWN[0].last_name
               for c in customers)


def test_the_sandbox_imports_nothing_of_the_host(tmp_path):
    """Run alone (a fresh interpreter), building the demo company loads no host module."""
    import subprocess
    import sys
    code = ("import sys, qbo_sandbox, qbo_sandbox.__main__\n"
            f"qbo_sandbox.create_app({{'DEMO_COMPANY': True, 'SANDBOX_DATABASE': 'sqlite:///{tmp_path}/h.sqlite'}})\n"
            "host = ('demo_data', 'services', 'models', 'blueprints', 'qbo', 'config', 'app', 'extensions')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in host))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_demo_company_is_built_once(tmp_path):
    _demo_app(tmp_path)
    again = _demo_app(tmp_path)  # same file: nothing is added twice
    assert len(_names(again, "Customer")) == len(_names(_demo_app(tmp_path, name="c.sqlite"), "Customer"))


def test_browser_view(app, api, setup):
    invoice = api.create("Invoice", invoice_body(setup, DocNumber="5001"))
    web = web_client(app)
    page = web.get("/app/customers").text
    assert "Alvarez, Maria" in page and "130.00" in page
    detail = web.get("/app/customerdetail", params={"nameId": setup["customer"]["Id"]}).text
    assert "5001" in detail and f"/app/invoice?txnId={invoice['Id']}" in detail
    shown = web.get("/app/invoice", params={"txnId": invoice["Id"]}).text
    assert "Personal Care" in shown and "130.00" in shown and "Balance due" in shown
    assert "Personal Care" in web.get("/app/items").text
    assert "5001" in web.get("/app/invoices").text
    assert web.get("/app/invoice", params={"txnId": "999"}).status_code == 404
    assert web.get("/app/customers", params={"q": "zzz"}).text.count("No customers.") == 1
