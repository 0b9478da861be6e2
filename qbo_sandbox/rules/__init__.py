"""Entity rules by type name."""
from qbo_sandbox.rules.lists import AccountRules, ClassRules, DepartmentRules, ItemRules, TermRules
from qbo_sandbox.rules.names import CustomerRules, EmployeeRules, VendorRules
from qbo_sandbox.rules.sales import InvoiceRules, PaymentRules

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
}
