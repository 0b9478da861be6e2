"""The demo company: the agency's books as a bookkeeper keeps them in QuickBooks Online.

`build_demo_company(tx, realm_id, people, payers)` is deterministic (seeded random): the same input
gives the same company. `people` are objects with client_code, first_name, middle_name,
last_name, suffix, preferred_name, email, phone, address_line1, city, state, postal_code, office,
active; `payers` have name and kind. The host passes its own (config DEMO_PEOPLE / DEMO_PAYERS); without
them the sandbox uses its own demo clients (qbo_sandbox/demo/people.py).
Clients are spelled the ways bookkeepers spell them: "Last, First", nicknames, middle initials,
typos, titles, "- Private Pay"; some are sub-customers of their payer; some customers are not
clients at all; inactive clients are inactive; a vendor and an employee take names a client
would naturally have. Some caregivers are Employees (W-2) and Vendors (1099), see caregivers.py.
"""
from __future__ import annotations

import random

from qbo_sandbox.accounting import company as companies
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.demo.caregivers import add_caregivers

DEMO_NAME = "Sunrise Home Care LLC"
DEMO_TZ = "America/New_York"
OFFICES = ("Main Office", "Lakeside", "North Branch")
SEED = 20240917

INCOME_ACCOUNTS = {
    "Home Care Services Income": "ServiceFeeIncome",
    "Nursing Services Income": "ServiceFeeIncome",
    "Mileage Reimbursement Income": "OtherPrimaryIncome",
    "Reimbursed Expenses Income": "OtherPrimaryIncome",
    "Discounts Given": "DiscountsRefundsGiven",
}
# (name, sku, price, income account, description)
ITEMS = [
    ("Personal Care", "PC", "32.50", "Home Care Services Income", "Personal care services (hourly)"),
    ("Companion", "COMP", "28.00", "Home Care Services Income", "Companion care (hourly)"),
    ("Respite", "RESP", "30.00", "Home Care Services Income", "Respite care (hourly)"),
    ("Skilled Nursing", "SN", "65.00", "Nursing Services Income", "Skilled nursing visit (hourly)"),
    ("Homemaker", "HM", "26.50", "Home Care Services Income", "Homemaker services (hourly)"),
    ("Mileage", "MILE", "0.67", "Mileage Reimbursement Income", "Client transportation mileage"),
    ("Expense Reimbursement", "EXP", "0", "Reimbursed Expenses Income", "Out-of-pocket expenses"),
    ("Holiday Premium", "HOL", "8.00", "Home Care Services Income", "Holiday hours premium"),
    ("Overtime Premium", "OT", "12.00", "Home Care Services Income", "Overtime hours premium"),
    ("Discount", "DISC", "0", "Discounts Given", "Discount"),
]
CLASSES = ("Private Pay", "Medicaid Waiver", "VA", "LTC Insurance")
NOT_CLIENTS = ["Albany Senior Center", "Walk-in Sales", "Grant, Community Foundation",
               "Hospice of the Capital Region", "Misc Customer"]
NICKNAMES = {"Robert": "Bob", "William": "Bill", "Margaret": "Peggy", "Elizabeth": "Betty",
             "Richard": "Dick", "James": "Jim", "Catherine": "Kathy", "Joseph": "Joe",
             "Patricia": "Pat", "Dorothy": "Dot", "Edward": "Ed", "Thomas": "Tom"}


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def spell(rng: random.Random, p) -> tuple[str, str]:
    """(DisplayName, style) for a person, chosen the way a bookkeeper might have typed it."""
    last = f"{p.last_name} {p.suffix}".strip() if p.suffix else p.last_name
    first = p.first_name
    styles = ["last_first"] * 8 + ["first_last"] * 4 + ["middle_initial"] * 2 + ["nickname"] * 2 + \
        ["typo", "title", "private_pay", "private_pay"]
    style = rng.choice(styles)
    if style == "first_last":
        return f"{first} {last}", style
    if style == "middle_initial" and p.middle_name:
        return f"{p.last_name}, {first} {p.middle_name[0]}.", style
    if style == "nickname":
        nick = p.preferred_name or NICKNAMES.get(first)
        if nick:
            return f"{nick} {p.last_name}", style
    if style == "typo":
        return f"{_typo(rng, p.last_name)}, {first}", style
    if style == "title":
        return f"{rng.choice(('Dr.', 'Dr.', 'Rev.'))} {first} {p.last_name}", style
    if style == "private_pay":
        return f"{p.last_name}, {first} - Private Pay", style
    return f"{last}, {first}", "last_first"


def _default_people():
    from qbo_sandbox.demo.people import PAYERS, PEOPLE
    return PEOPLE, PAYERS


def build_demo_company(tx, realm_id: str, people=None, payers=None, seed: int = SEED,
                       name: str = DEMO_NAME, tax_mode: str = "us-manual", caregivers=None) -> dict:
    if people is None:
        people, default_payers = _default_people()
        payers = default_payers if payers is None else payers
    if caregivers is None:
        from qbo_sandbox.demo.people import CAREGIVERS as caregivers
    payers = payers or []
    prefs = companies.default_preferences(custom_txn_numbers=True, track_departments=True,
                                          class_per_txn=True)
    company = companies.create_company(tx, realm_id, name, tz=DEMO_TZ, preferences=prefs,
                                       tax_mode=tax_mode)
    ctx = Ctx(tx, realm_id, company)
    made = {"accounts": {}, "items": {}, "classes": {}, "departments": {}, "customers": []}
    make = lambda etype, body: companies.create(ctx, etype, body)  # noqa: E731

    for acct, subtype in INCOME_ACCOUNTS.items():
        made["accounts"][acct] = make("Account", {"Name": acct, "AccountType": "Income",
                                                  "AccountSubType": subtype})
    for item_name, sku, price, acct, desc in ITEMS:
        made["items"][item_name] = make("Item", {
            "Name": item_name, "Sku": sku, "Type": "Service", "UnitPrice": price, "Description": desc,
            "IncomeAccountRef": {"value": made["accounts"][acct]["Id"]}})
    for cls in CLASSES:
        made["classes"][cls] = make("Class", {"Name": cls})
    for office in OFFICES:
        made["departments"][office] = make("Department", {"Name": office})
    terms = {t["Name"]: t for t in tx.all_docs(realm_id, "Term")}
    net30 = terms["Net 30"]
    companies.update_preferences(tx, ctx, {"SyncToken": ctx.company["preferences"]["SyncToken"],
                                           "SalesFormsPrefs": {"DefaultTerms": {"value": net30["Id"]}}})

    rng = random.Random(seed)
    payer_customers = {}
    for payer in payers:
        payer_customers[payer.name] = make("Customer", {
            "DisplayName": payer.name, "CompanyName": payer.name,
            "SalesTermRef": {"value": net30["Id"]}, "Taxable": False,
            **({"PrimaryEmailAddr": {"Address": payer.email}} if getattr(payer, "email", "") else {})})
    taken = {c["DisplayName"].lower() for c in payer_customers.values()}

    people = list(people)
    # A caregiver (employee) and a supplier (vendor) happen to carry the natural "First Last"
    # and "Last, First" names of two clients, so those clients must be spelled otherwise.
    collide_employee = people[len(people) // 3] if len(people) > 3 else None
    collide_vendor = people[len(people) // 2] if len(people) > 3 else None
    if collide_employee:
        p = collide_employee
        emp = make("Employee", {"GivenName": p.first_name, "FamilyName": p.last_name,
                                "DisplayName": f"{p.first_name} {p.last_name}"})
        taken.add(emp["DisplayName"].lower())
    if collide_vendor:
        p = collide_vendor
        ven = make("Vendor", {"DisplayName": f"{p.last_name}, {p.first_name}",
                              "CompanyName": f"{p.last_name} Family Caregiving"})
        taken.add(ven["DisplayName"].lower())
    made["caregivers"] = add_caregivers(make, caregivers, taken)

    for index, p in enumerate(people):
        display, style = spell(rng, p)
        while display.lower() in taken:
            display = f"{display} - {p.office}" if p.office not in display else display + " (2)"
        taken.add(display.lower())
        body = {
            "DisplayName": display, "GivenName": p.first_name, "FamilyName": p.last_name,
            "Taxable": False, "Active": bool(p.active),
            "BillAddr": {"Line1": p.address_line1, "City": p.city, "CountrySubDivisionCode": p.state,
                         "PostalCode": p.postal_code},
        }
        if p.middle_name:
            body["MiddleName"] = p.middle_name
        if p.suffix:
            body["Suffix"] = p.suffix
        if p.email:
            body["PrimaryEmailAddr"] = {"Address": p.email}
        if p.phone:
            body["PrimaryPhone"] = {"FreeFormNumber": p.phone}
        # Every fifth client billed to a payer sits under that payer as a sub-customer.
        if payers and index % 5 == 4 and style != "private_pay" and p.active:
            parent = payer_customers[payers[index % len(payers)].name]
            body.update(Job=True, ParentRef={"value": parent["Id"]}, BillWithParent=True)
        made["customers"].append(make("Customer", body))

    for extra in NOT_CLIENTS:
        if extra.lower() not in taken:
            made["customers"].append(make("Customer", {"DisplayName": extra, "Taxable": False}))
    made["customers"].append(make("Customer", {"DisplayName": "Former Client (closed)", "Taxable": False,
                                               "Active": False}))
    return made


def ensure_demo_company(app) -> str:
    """Create the demo company in this app's database unless it exists; returns its realm id."""
    realm_id = app.config.get("DEMO_REALM_ID", "9341453172471531")
    store = app.extensions["qbo_sandbox.store"]
    with store.transaction() as tx:
        existing = tx.company(realm_id)
        if existing is None or existing["preferences"] is None:
            build_demo_company(tx, realm_id, app.config.get("DEMO_PEOPLE"), app.config.get("DEMO_PAYERS"),
                               tax_mode=app.config.get("TAX_MODE", "us-manual"),
                               caregivers=app.config.get("DEMO_CAREGIVERS"))
    return realm_id
