"""Entity rules by type name."""
from qbo_sandbox.accounting.rules.base import Rules
from qbo_sandbox.accounting.rules.lists import AccountRules, ClassRules, DepartmentRules, ItemRules, TermRules
from qbo_sandbox.accounting.rules.names import CustomerRules, EmployeeRules, VendorRules
from qbo_sandbox.accounting.rules.sales import InvoiceRules, PaymentRules
from qbo_sandbox.accounting.rules.time import TimeActivityRules

RULES = {
    "Customer": CustomerRules(),
    "Vendor": VendorRules(),
    "Employee": EmployeeRules(),
    "Item": ItemRules(),
    "Account": AccountRules(),
    "Class": ClassRules(),
    "Department": DepartmentRules(),
    "Term": TermRules(),
    "Invoice": InvoiceRules(),
    "Payment": PaymentRules(),
    "TimeActivity": TimeActivityRules(),
    "TaxCode": Rules(),  # read-only lists, seeded by accounting/tax.py
    "TaxRate": Rules(),
}
