"""Employee, Vendor and TimeActivity through python-quickbooks 0.9.12 against the live sandbox:
create / read / query / update (full and sparse), the active flag, the faults QBO gives for time
without a worker, with two kinds of duration or with inactive refs, and the one name space that
Customer, Vendor and Employee share (6240)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException, ValidationException
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.item import Item
from quickbooks.objects.account import Account
from quickbooks.objects.timeactivity import TimeActivity
from quickbooks.objects.vendor import Vendor


def _employee(qb, given, family, **attrs) -> Employee:
    employee = Employee()
    employee.GivenName, employee.FamilyName = given, family
    for key, value in attrs.items():
        setattr(employee, key, value)
    return employee.save(qb=qb)


def _vendor(qb, name, **attrs) -> Vendor:
    vendor = Vendor()
    vendor.DisplayName = name
    for key, value in attrs.items():
        setattr(vendor, key, value)
    return vendor.save(qb=qb)


def _customer(qb, name) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    return customer.save(qb=qb)


def _item(qb) -> Item:
    item = Item()
    item.Name, item.Type = "Personal Care", "Service"
    item.IncomeAccountRef = Account.filter(Name="Services", qb=qb)[0].to_ref()
    return item.save(qb=qb)


def _time(qb, worker, **attrs) -> TimeActivity:
    activity = TimeActivity()
    if worker is not None:
        activity.NameOf = worker.qbo_object_name
        setattr(activity, f"{worker.qbo_object_name}Ref", worker.to_ref())
    for key, value in attrs.items():
        setattr(activity, key, value)
    return activity.save(qb=qb)


def _fault(info) -> tuple[int, str]:
    return info.value.error_code, info.value.detail


def test_employee_create_read_query_sparse_update_and_deactivate(qb):
    rosa = _employee(qb, "Rosa", "Gutiérrez", EmployeeNumber="CG-016")
    assert rosa.DisplayName == "Rosa Gutiérrez" and rosa.Active is True and rosa.SyncToken == "0"
    assert Employee.get(rosa.Id, qb=qb).EmployeeNumber == "CG-016"
    assert [e.Id for e in Employee.filter(DisplayName="Rosa Gutiérrez", qb=qb)] == [rosa.Id]
    rosa.sparse = True
    rosa.Active = False
    gone = rosa.save(qb=qb)
    assert gone.Active is False and gone.SyncToken == "1"
    assert Employee.filter(DisplayName="Rosa Gutiérrez", qb=qb) == []  # lists answer active ones
    assert [e.Id for e in Employee.where("Active = false", qb=qb)] == [rosa.Id]


def test_employee_needs_a_given_or_family_name(qb):
    nameless = Employee()
    nameless.DisplayName = "Only A Display Name"
    with pytest.raises(ValidationException) as info:
        nameless.save(qb=qb)
    assert info.value.error_code == 2020 and "GivenName" in info.value.detail


def test_vendor_full_update_and_1099_flag(qb):
    vendor = _vendor(qb, "Nowak, Kasia", Vendor1099=True)
    assert vendor.Vendor1099 is True and vendor.Balance == 0
    vendor.CompanyName = "Kasia Nowak Care Services"
    updated = vendor.save(qb=qb)
    assert updated.SyncToken == "1" and Vendor.get(vendor.Id, qb=qb).CompanyName == "Kasia Nowak Care Services"


@pytest.mark.parametrize("first, second", [
    ("Customer", "Employee"), ("Employee", "Vendor"), ("Vendor", "Customer"), ("Employee", "Customer")])
def test_one_name_space_across_customers_vendors_and_employees(qb, first, second):
    makers = {
        "Customer": lambda name: _customer(qb, name),
        "Vendor": lambda name: _vendor(qb, name),
        "Employee": lambda name: _employee(qb, *name.split(" ", 1)),
    }
    makers[first]("Grace Liu")
    with pytest.raises(QuickbooksException) as info:
        makers[second]("grace liu")  # case does not make a name different
    assert type(info.value) is QuickbooksException and info.value.error_code == 6240


def test_renaming_into_a_name_of_another_list_is_refused(qb):
    _customer(qb, "Brooks, Tamika")
    employee = _employee(qb, "Tamika", "Brooks")
    employee.DisplayName = "Brooks, Tamika"
    with pytest.raises(QuickbooksException) as info:
        employee.save(qb=qb)
    assert info.value.error_code == 6240
    assert Employee.get(employee.Id, qb=qb).DisplayName == "Tamika Brooks"


def test_time_activity_of_an_employee_with_hours(qb):
    worker, client, item = _employee(qb, "Imani", "Clarke"), _customer(qb, "Doe, Jane"), _item(qb)
    made = _time(qb, worker, TxnDate="2026-11-03", Hours=3, Minutes=30, CustomerRef=client.to_ref(),
                 ItemRef=item.to_ref(), BillableStatus="Billable", HourlyRate=32.5,
                 Description="Personal care, morning shift")
    assert (made.NameOf, made.EmployeeRef.value, made.EmployeeRef.name) == ("Employee", worker.Id, "Imani Clarke")
    assert (made.Hours, made.Minutes, made.BillableStatus) == (3, 30, "Billable")
    assert made.CustomerRef.name == "Doe, Jane" and made.ItemRef.name == "Personal Care"
    read = TimeActivity.get(made.Id, qb=qb)
    assert read.TxnDate == "2026-11-03" and read.Description == "Personal care, morning shift"
    assert [t.Id for t in TimeActivity.filter(TxnDate="2026-11-03", qb=qb)] == [made.Id]


def test_time_activity_of_a_vendor_with_start_and_end(qb):
    worker, client = _vendor(qb, "Ortega, Luis", Vendor1099=True), _customer(qb, "Lee, Ann")
    made = _time(qb, worker, StartTime="2026-11-04T09:00:00-05:00", EndTime="2026-11-04T13:15:00-05:00",
                 CustomerRef=client.to_ref())
    assert made.NameOf == "Vendor" and made.VendorRef.value == worker.Id
    start, end = (datetime.fromisoformat(v) for v in (made.StartTime, made.EndTime))
    assert end - start == timedelta(hours=4, minutes=15)
    assert made.TxnDate == "2026-11-04" and made.BillableStatus == "NotBillable"
    assert made.Hours is None and made.Minutes is None


def test_time_activity_sparse_update_and_delete(qb):
    made = _time(qb, _employee(qb, "Esther", "Mensah"), Hours=2, Minutes=0)
    made.sparse = True
    made.Description = "Companion visit"
    updated = made.save(qb=qb)
    assert updated.SyncToken == "1" and updated.Hours == 2 and updated.Description == "Companion visit"
    updated.delete(qb=qb)
    with pytest.raises(ObjectNotFoundException):
        TimeActivity.get(made.Id, qb=qb)


def test_time_activity_without_a_worker(qb):
    with pytest.raises(ValidationException) as info:
        _time(qb, None, Hours=1)
    assert _fault(info)[0] == 2020 and "NameOf" in _fault(info)[1]
    activity = TimeActivity()
    activity.NameOf = "Employee"  # says whose time, names nobody
    activity.Hours = 1
    with pytest.raises(ValidationException) as info:
        activity.save(qb=qb)
    assert _fault(info)[0] == 2020 and "EmployeeRef" in _fault(info)[1]
    vendor = _vendor(qb, "Pierce, Yolanda")
    activity.VendorRef = vendor.to_ref()  # a vendor's ref under NameOf Employee
    with pytest.raises(QuickbooksException) as info:
        activity.save(qb=qb)
    assert _fault(info)[0] == 6000


def test_time_activity_with_a_ref_to_nobody(qb):
    ghost = Employee()
    ghost.Id, ghost.DisplayName = "999", "Ghost"
    with pytest.raises(ValidationException) as info:
        _time(qb, ghost, Hours=1)
    assert _fault(info)[0] == 2500


def test_time_activity_with_both_kinds_of_duration_or_none(qb):
    worker = _employee(qb, "Nadia", "Haddad")
    with pytest.raises(QuickbooksException) as info:
        _time(qb, worker, Hours=1, StartTime="2026-11-04T09:00:00-05:00", EndTime="2026-11-04T10:00:00-05:00")
    assert _fault(info)[0] == 6000 and "not both" in _fault(info)[1]
    with pytest.raises(ValidationException) as info:
        _time(qb, worker)
    assert _fault(info)[0] == 2020
    with pytest.raises(ValidationException) as info:
        _time(qb, worker, StartTime="2026-11-04T09:00:00-05:00")
    assert "EndTime" in _fault(info)[1]
    with pytest.raises(QuickbooksException) as info:
        _time(qb, worker, StartTime="2026-11-04T10:00:00-05:00", EndTime="2026-11-04T09:00:00-05:00")
    assert _fault(info)[0] == 6000
    with pytest.raises(QuickbooksException) as info:
        _time(qb, worker, Hours=1, Minutes=75)
    assert _fault(info)[0] == 6000
    assert TimeActivity.count(qb=qb) == 0


def test_time_activity_refuses_inactive_employee_vendor_customer_and_item(qb):
    employee, vendor = _employee(qb, "Hannah", "Bergstrom"), _vendor(qb, "Vega, Marisol")
    client, item = _customer(qb, "Smith, Bob"), _item(qb)
    for entity in (employee, vendor, client, item):
        entity.sparse = True
        entity.Active = False
        entity.save(qb=qb)
    worker = _employee(qb, "Carmen", "Delgado")
    cases = [(employee, {}), (vendor, {}), (worker, {"CustomerRef": client.to_ref()}),
             (worker, {"ItemRef": item.to_ref()})]
    for who, refs in cases:
        with pytest.raises(ObjectNotFoundException) as info:
            _time(qb, who, Hours=1, **refs)
        assert info.value.error_code == 610
    assert TimeActivity.count(qb=qb) == 0


def test_billable_time_needs_a_customer(qb):
    with pytest.raises(ValidationException) as info:
        _time(qb, _employee(qb, "Farida", "Rahimi"), Hours=1, BillableStatus="Billable")
    assert _fault(info)[0] == 2020 and "CustomerRef" in _fault(info)[1]


def test_batch_and_cdc_carry_employees_vendors_and_time(qb):
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(timespec="seconds")
    worker = _employee(qb, "Jasmine", "Patel")
    activities = []
    for hours in (1, 2, 3):
        activity = TimeActivity()
        activity.NameOf, activity.EmployeeRef, activity.Hours = "Employee", worker.to_ref(), hours
        activities.append(activity)
    broken = TimeActivity()
    broken.Hours = 1  # no NameOf: this item alone fails
    result = batch_create(activities + [broken], qb=qb)
    assert sorted(t.Hours for t in result.successes) == [1, 2, 3]
    assert len(result.faults) == 1 and result.faults[0].Error[0].code == "2020"
    vendors = [Vendor(), Vendor()]
    vendors[0].DisplayName = vendors[1].DisplayName = "Kovalenko, Oksana"
    made = batch_create(vendors, qb=qb)
    assert len(made.successes) == 1 and made.faults[0].Error[0].code == "6240"
    cdc = change_data_capture([Employee, Vendor, TimeActivity], since, qb=qb)
    assert [e.DisplayName for e in cdc.Employee] == ["Jasmine Patel"]
    assert [v.DisplayName for v in cdc.Vendor] == ["Kovalenko, Oksana"]
    assert sorted(t.Hours for t in cdc.TimeActivity) == [1, 2, 3]
