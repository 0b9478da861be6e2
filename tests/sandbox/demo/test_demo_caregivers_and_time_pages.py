"""The demo company's caregivers (Employees for W-2, Vendors for 1099, spelled as a bookkeeper
types them) and the browser view's Employees, Vendors and Time pages."""
from __future__ import annotations

from dataclasses import dataclass

from qbo_sandbox import create_app
from qbo_sandbox.demo.people import CAREGIVERS as OWN
from tests.fixtures.sandbox import web_client

DEMO_REALM = "9341453172471531"


@dataclass(frozen=True)
class Carer:
    first_name: str
    last_name: str
    kind: str = "employee"
    preferred_name: str = ""
    email: str = ""
    phone: str = ""
    active: bool = True


HOSTS = [Carer("Alicia", "Moreno"), Carer("Brenda", "Okafor"), Carer("Carmen", "Delgado"),
         Carer("Dana", "Wu"),  # every fourth is not in the books yet
         Carer("Esther", "Mensah"), Carer("Farida", "Rahimi", "contractor"),
         Carer("Katarzyna", "Nowak", "contractor", preferred_name="Kasia"),
         Carer("Gone", "Away", active=False)]


def _demo_app(tmp_path, caregivers=None, name="a.sqlite"):
    config = {"TESTING": True, "THROTTLE_ENABLED": False, "DEMO_COMPANY": True,
              "SANDBOX_DATABASE": f"sqlite:///{tmp_path / name}"}
    if caregivers is not None:
        config["DEMO_CAREGIVERS"] = caregivers
    return create_app(config)


def _docs(app, etype):
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        return tx.all_docs(DEMO_REALM, etype)


def _caregiver_names(app, etype):
    # The first Employee and Vendor of the demo company carry client names, not caregivers'.
    return [d["DisplayName"] for d in _docs(app, etype)[1:]]


def test_the_hosts_caregivers_become_employees_and_vendors_spelled_by_a_bookkeeper(tmp_path):
    app = _demo_app(tmp_path, HOSTS)
    assert _caregiver_names(app, "Employee") == [
        "Moreno, Alicia", "Brenda Okafor", "Delgado, Carmen J.", "Mensah, Esther"]
    assert _caregiver_names(app, "Vendor") == ["Rahiim, Farida", "Kasia Nowak"]  # one typo, a nickname
    vendors = _docs(app, "Vendor")[1:]
    assert all(v["Vendor1099"] and v["GivenName"] and v["FamilyName"] for v in vendors)
    again = _demo_app(tmp_path, HOSTS, name="b.sqlite")
    assert _caregiver_names(again, "Employee") == _caregiver_names(app, "Employee")  # deterministic


def test_caregiver_names_stay_out_of_the_customer_list(tmp_path):
    app = _demo_app(tmp_path)
    people = {d["DisplayName"].lower() for etype in ("Employee", "Vendor") for d in _docs(app, etype)}
    customers = {d["DisplayName"].lower() for d in _docs(app, "Customer")}
    assert len(people) >= len(OWN) // 2 and not people & customers


def test_employees_vendors_and_time_pages(app, api, setup):
    rosa = api.create("Employee", {"GivenName": "Rosa", "FamilyName": "Gutiérrez", "DisplayName": "Gutierrez, Rosa"})
    luis = api.create("Vendor", {"DisplayName": "Ortega, Luis", "Vendor1099": True})
    api.create("TimeActivity", {"NameOf": "Employee", "EmployeeRef": {"value": rosa["Id"]}, "TxnDate": "2026-11-03",
                                "Hours": 3, "Minutes": 5, "CustomerRef": {"value": setup["customer"]["Id"]},
                                "ItemRef": {"value": setup["personal"]["Id"]}, "BillableStatus": "Billable",
                                "HourlyRate": 32.5, "Description": "Morning visit"})
    api.create("TimeActivity", {"NameOf": "Vendor", "VendorRef": {"value": luis["Id"]},
                                "StartTime": "2026-11-04T09:00:00-05:00", "EndTime": "2026-11-04T11:30:00-05:00"})
    web = web_client(app)
    employees = web.get("/app/employees").text
    assert "Gutierrez, Rosa" in employees and "Ortega, Luis" not in employees
    assert "Ortega, Luis" in web.get("/app/vendors").text
    time = web.get("/app/timeactivities").text
    assert "Gutierrez, Rosa" in time and "Alvarez, Maria" in time and "Personal Care" in time
    assert "3:05" in time and "32.50" in time and "Morning visit" in time and "Billable" in time
    assert "Ortega, Luis" in time and "Not billable" in time and "–" in time
    api.ok(api.post("employee", {"Id": rosa["Id"], "SyncToken": "0", "sparse": True, "Active": False}))
    assert "Gutierrez, Rosa" not in web.get("/app/employees").text
    assert "Gutierrez, Rosa" in web.get("/app/employees", params={"inactive": "1"}).text
