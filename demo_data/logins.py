"""The demo agency's sign-ins, one per role. DEMO ONLY: fixed, published passwords.

They exist so anyone can try CareLedger after `make run`; a real installation creates its own
accounts with `flask users create` and never runs the demo seed.
"""
from __future__ import annotations

DEMO_LOGINS: dict[str, dict] = {
    "owner": {"email": "owner@sunrise.example", "password": "demo-owner", "name": "Dana Whitmore",
              "offices": ()},
    "admin": {"email": "admin@sunrise.example", "password": "demo-admin", "name": "Marcus Bell",
              "offices": ()},
    # An Agency User sees only her offices' clients and batches (not the Main Office).
    "agency_user": {"email": "lakeside@sunrise.example", "password": "demo-agency", "name": "Priya Shah",
                    "offices": ("Lakeside", "North Branch")},
}

# The local QuickBooks Online sandbox's sign-in (the "Intuit account" of the demo company's
# bookkeeper). Used in the Connect-to-QuickBooks pop-up when the app runs on the embedded sandbox.
LOCAL_QBO_LOGIN: dict[str, str] = {"email": "bookkeeper@sunrise.example", "password": "demo-qbo"}
