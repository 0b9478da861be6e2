"""QBO rules in the sandbox, in-process (httpx2.WSGITransport): query grammar, invoices, balances."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from qbo_sandbox.accounting.company import default_preferences
from tests.fixtures.sandbox import build_app, invoice_body, make_api
from tests.shared_data import fixture_path

SAMPLES = fixture_path("qbo", "samples")


def test_query_grammar(api):
    for name in ("Zed Able", "Amy Baker", "Bo Carter", "Old Client"):
        api.create("Customer", {"DisplayName": name})
    old = api.rows("SELECT * FROM Customer WHERE DisplayName = 'Old Client'")[0]
    api.ok(api.post("customer", {"Id": old["Id"], "SyncToken": "0", "sparse": True, "Active": False}))
    assert [c["DisplayName"] for c in api.rows("select * from Customer ORDERBY DisplayName DESC")] == [
        "Zed Able", "Bo Carter", "Amy Baker"]  # inactive left out by default
    assert len(api.rows("SELECT * FROM Customer WHERE Active IN (true, false)")) == 4
    assert [c["DisplayName"] for c in api.rows("SELECT * FROM Customer WHERE Active = false")] == ["Old Client"]
    assert [c["DisplayName"] for c in api.rows("SELECT * FROM Customer WHERE DisplayName LIKE '%ba%' ORDER BY DisplayName")] == [
        "Amy Baker"]  # LIKE is case-insensitive; `_` is literal
    assert api.rows("SELECT * FROM Customer WHERE DisplayName LIKE 'Amy_Baker'") == []
    page = api.ok(api.query("SELECT * FROM Customer ORDER BY DisplayName MAXRESULTS 2 STARTPOSITION 2", "POST"))
    assert page["QueryResponse"]["startPosition"] == 2 and page["QueryResponse"]["maxResults"] == 2
    assert [c["DisplayName"] for c in page["QueryResponse"]["Customer"]] == ["Bo Carter", "Zed Able"]
    stamp = api.rows("SELECT * FROM Customer WHERE DisplayName = 'Zed Able'")[0]["MetaData"]["LastUpdatedTime"]
    assert len(api.rows(f"SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '{stamp}'")) == 3
    assert api.rows("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2999-01-01T00:00:00-08:00'") == []
    subset = api.ok(api.query("SELECT Id, DisplayName FROM Customer WHERE DisplayName = 'Bo Carter'"))
    row = subset["QueryResponse"]["Customer"][0]
    assert row["DisplayName"] == "Bo Carter" and "PrintOnCheckName" not in row


@pytest.mark.parametrize("text, detail", [
    ("SELECT * FROM Customer WHERE Nonsense = '1'", "property 'Nonsense' is not queryable"),
    ("SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'", "QueryParserError"),
    ("SELECT * FROM Customer MAXRESULTS 0", "value 0 is too small"),
    ("SELECT * FROM customer", "invalid context declaration: customer"),
    ("", "QueryParserError"),
])
def test_bad_queries(api, text, detail):
    response = api.query(text, "POST")
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "4001" and detail in error["Detail"]


def test_nested_ref_filter_and_singletons(api, setup):
    invoice = api.create("Invoice", invoice_body(setup))
    rows = api.rows(f"SELECT * FROM Invoice WHERE CustomerRef = '{setup['customer']['Id']}'")
    assert [r["Id"] for r in rows] == [invoice["Id"]]
    assert api.rows("SELECT * FROM Invoice WHERE TotalAmt > '129.99'")[0]["Id"] == invoice["Id"]
    assert api.rows("SELECT * FROM Invoice WHERE CustomerRef.value = '999'") == []
    assert api.rows("SELECT * FROM CompanyInfo")[0]["CompanyName"] == "Sunrise Home Care LLC"
    assert api.ok(api.get("companyinfo/9341453172471531"))["CompanyInfo"]["Id"] == "1"
    assert api.ok(api.get("preferences"))["Preferences"]["TaxPrefs"]["UsingSalesTax"] is False


def test_invoice_computed_fields_and_terms(api, setup):
    net30 = api.rows("SELECT * FROM Term WHERE Name = 'Net 30'")[0]
    body = invoice_body(setup, (setup["personal"], 4, "32.50"), (setup["mileage"], 12.5, "0.67", "8.38"),
                        TxnDate="2025-03-01", SalesTermRef={"value": net30["Id"]})
    invoice = api.create("Invoice", body)
    assert invoice["DueDate"] == "2025-03-31"
    assert invoice["TotalAmt"] == 138.38 and invoice["Balance"] == 138.38
    assert invoice["Line"][-1] == {"Amount": 138.38, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
    assert all(l["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "NON"} for l in invoice["Line"][:2])
    assert invoice["TxnTaxDetail"] == {"TotalTax": 0}
    assert invoice["CustomerRef"]["name"] == "Alvarez, Maria"
    assert invoice["Line"][1]["SalesItemLineDetail"]["ItemRef"]["name"] == "Mileage"
    customer = api.ok(api.get(f"customer/{setup['customer']['Id']}"))["Customer"]
    assert customer["Balance"] == 138.38 and customer["BalanceWithJobs"] == 138.38


def test_amount_rule_rounds_half_up_one_error_per_line(api, setup):
    ok = invoice_body(setup, (setup["mileage"], 1.5, "1.005", "1.51"))  # 1.5075 → 1.51
    assert api.create("Invoice", ok)["TotalAmt"] == 1.51
    bad = invoice_body(setup, (setup["mileage"], 1.5, "1.005", "1.50"), (setup["personal"], 2, "32.50", "60"),
                       (setup["personal"], 1, "32.50"))
    response = api.post("invoice", bad)
    errors = response.json()["Fault"]["Error"]
    assert response.status_code == 400 and [e["code"] for e in errors] == ["6070", "6070"]
    text = (SAMPLES / "qbo_fault_400_amount_calc_6070.xml").read_text()
    assert 'element="Line.Amount"' in text and errors[0]["element"] == "Line.Amount"
    assert "<Message>Amount calculation incorrect in the request.</Message>" in text
    assert errors[0]["Message"] == "Amount calculation incorrect in the request."
    assert errors[1]["Detail"].startswith("Amount is not equal to UnitPrice * Qty. Supplied value:60")


def test_invalid_and_inactive_references(api, setup):
    response = api.post("invoice", invoice_body(setup, ({"Id": "999"}, 1, "10.00")))
    error = response.json()["Fault"]["Error"][0]
    root = ET.fromstring((SAMPLES / "qbo_fault_400_invalid_reference_2500.xml").read_text())
    ns = {"i": "http://schema.intuit.com/finance/v3"}
    sample_error = root.find("i:Fault/i:Error", ns)
    assert error["code"] == sample_error.get("code") == "2500"
    assert error["Message"] == sample_error.find("i:Message", ns).text
    api.ok(api.post("item", {"Id": setup["mileage"]["Id"], "SyncToken": "0", "sparse": True, "Active": False}))
    assert api.post("invoice", invoice_body(setup, (setup["mileage"], 1, "0.67"))).json()["Fault"]["Error"][0]["code"] == "610"
    assert api.post("invoice", {"Line": []}).json()["Fault"]["Error"][0]["code"] == "2020"
    assert api.post("invoice", {"CustomerRef": {"value": setup["customer"]["Id"]}}).json()["Fault"]["Error"][0]["Detail"] == \
        "Required parameter Line is missing in the request"


def test_docnumber_rules(tmp_path):
    app = build_app(tmp_path, preferences=default_preferences(custom_txn_numbers=True))
    api = make_api(app)
    income = api.rows("SELECT * FROM Account WHERE Name = 'Services'")[0]
    item = api.create("Item", {"Name": "Respite", "IncomeAccountRef": {"value": income["Id"]}})
    customer = api.create("Customer", {"DisplayName": "Chen, Wei"})
    setup = {"customer": customer, "personal": item}
    assert "DocNumber" not in api.create("Invoice", invoice_body(setup))  # custom numbers: none given
    api.create("Invoice", invoice_body(setup, DocNumber="CL-100"))
    dup = api.post("invoice", invoice_body(setup, DocNumber="CL-100"))
    assert dup.json()["Fault"]["Error"][0]["code"] == "6140"
    assert "DocNumber=CL-100" in dup.json()["Fault"]["Error"][0]["Detail"]
    allowed = api.post("invoice", invoice_body(setup, DocNumber="CL-100"), include="allowduplicatedocnum")
    assert allowed.status_code == 200
    long = api.post("invoice", invoice_body(setup, DocNumber="1" * 22)).json()["Fault"]["Error"][0]
    assert (long["code"], long["element"]) == ("2050", "DocNumber")


def test_auto_docnumbers_when_custom_numbers_off(api, setup):
    numbers = [api.create("Invoice", invoice_body(setup))["DocNumber"] for _ in range(3)]
    assert numbers == ["1001", "1002", "1003"]


def test_class_and_department_need_preferences(api, setup):
    cls = api.create("Class", {"Name": "Medicaid"})
    dept = api.create("Department", {"Name": "Lakeside"})
    assert dept["FullyQualifiedName"] == "Lakeside" and dept["SubDepartment"] is False
    body = invoice_body(setup, ClassRef={"value": cls["Id"]})
    assert api.post("invoice", body).json()["Fault"]["Error"][0]["code"] == "6000"
    body = invoice_body(setup, DepartmentRef={"value": dept["Id"]})
    assert api.post("invoice", body).json()["Fault"]["Error"][0]["code"] == "6000"
    prefs = api.ok(api.get("preferences"))["Preferences"]
    api.ok(api.post("preferences", {"SyncToken": prefs["SyncToken"], "sparse": True, "AccountingInfoPrefs": {
        "ClassTrackingPerTxn": True, "TrackDepartments": True, "ClassTrackingPerTxnLine": True}}))
    invoice = api.create("Invoice", invoice_body(setup, ClassRef={"value": cls["Id"]},
                                                 DepartmentRef={"value": dept["Id"]}))
    assert invoice["ClassRef"]["name"] == "Medicaid" and invoice["DepartmentRef"]["name"] == "Lakeside"


def test_sub_customers_and_balances(api, setup):
    payer = api.create("Customer", {"DisplayName": "County Aging Services"})
    job = api.create("Customer", {"DisplayName": "Alvarez, Maria - County", "Job": True,
                                  "ParentRef": {"value": payer["Id"]}})
    grand = api.create("Customer", {"DisplayName": "Respite hours", "ParentRef": {"value": job["Id"]}})
    assert (grand["Level"], grand["FullyQualifiedName"]) == (
        2, "County Aging Services:Alvarez, Maria - County:Respite hours")
    invoice = api.create("Invoice", dict(invoice_body(setup), CustomerRef={"value": job["Id"]}))
    assert invoice["CustomerRef"]["name"] == "County Aging Services:Alvarez, Maria - County"
    top = api.ok(api.get(f"customer/{payer['Id']}"))["Customer"]
    assert top["Balance"] == 0 and top["BalanceWithJobs"] == 130
    renamed = api.ok(api.post("customer", {"Id": payer["Id"], "SyncToken": top["SyncToken"], "sparse": True,
                                           "DisplayName": "County Aging Svcs"}))["Customer"]
    assert renamed["FullyQualifiedName"] == "County Aging Svcs"
    child = api.ok(api.get(f"customer/{grand['Id']}"))["Customer"]
    assert child["FullyQualifiedName"] == "County Aging Svcs:Alvarez, Maria - County:Respite hours"
    payment = api.create("Payment", {"TotalAmt": 130, "CustomerRef": {"value": job["Id"]},
                                     "Line": [{"Amount": 130, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
    assert payment["UnappliedAmt"] == 0
    assert api.ok(api.get(f"customer/{payer['Id']}"))["Customer"]["BalanceWithJobs"] == 0
    paid = api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert paid["Balance"] == 0 and paid["SyncToken"] == "1"
    over = api.post("payment", {"TotalAmt": 5, "CustomerRef": {"value": job["Id"]},
                                "Line": [{"Amount": 5, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
    assert over.json()["Fault"]["Error"][0]["code"] == "6000"


def test_names_rules(api):
    api.create("Employee", {"GivenName": "Rosa", "FamilyName": "Diaz"})
    clash = api.post("customer", {"DisplayName": "Rosa Diaz"})
    assert clash.json()["Fault"]["Error"][0]["code"] == "6240"
    built = api.create("Customer", {"Title": "Mrs.", "GivenName": "Ida", "MiddleName": "M", "FamilyName": "Ford"})
    assert built["DisplayName"] == "Mrs. Ida M Ford"
    for bad in ({"DisplayName": "Ford: Ida"}, {"DisplayName": "Tab\tName"}):
        assert api.post("customer", bad).status_code == 400
    too_long = api.post("customer", {"DisplayName": "x", "GivenName": "g" * 101}).json()["Fault"]["Error"][0]
    assert (too_long["code"], too_long["element"]) == ("2050", "GivenName")
    assert api.post("customer", {"Id": built["Id"], "SyncToken": "0"}, operation="delete").status_code == 400


def test_deleted_invoice_in_cdc_has_the_tombstone_shape(api, setup):
    invoice = api.create("Invoice", invoice_body(setup))
    api.ok(api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="delete"))
    data = api.ok(api.get("cdc", entities="Invoice,Customer", changedSince=_recent()))
    responses = data["CDCResponse"][0]["QueryResponse"]
    tomb = responses[0]["Invoice"][0]
    root = ET.fromstring((SAMPLES / "qbo_cdc_deleted_invoice.xml").read_text())
    ns = "{http://schema.intuit.com/finance/v3}"
    xml_invoice = root.find(f"{ns}CDCResponse/{ns}QueryResponse/{ns}Invoice")
    assert set(tomb) == set(xml_invoice.attrib) | {c.tag.replace(ns, "") for c in xml_invoice}
    assert tomb["status"] == "Deleted" and set(tomb["MetaData"]) == {"LastUpdatedTime"}
    assert api.get(f"invoice/{invoice['Id']}").json()["Fault"]["Error"][0]["code"] == "610"


def _recent():
    from datetime import datetime, timedelta, timezone
    return (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(timespec="seconds")
