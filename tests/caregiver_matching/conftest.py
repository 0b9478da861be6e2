"""Caregiver Matching tests: Client Matching's sandbox company and agency (tests/client_matching/
conftest.py), plus caregivers and the Employees and Vendors a bookkeeper entered for them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.client_matching.conftest import (REALM, agency, books, connected, create, login, qbo,  # noqa: F401
                                            realm, sandbox, users)


@pytest.fixture
def workers(qbo):  # noqa: F811
    """W-2 caregivers are Employees, 1099 contractors Vendors, spelled as bookkeepers do."""
    return SimpleNamespace(
        maria=create(qbo, "Employee", {"DisplayName": "Alvarez, Maria", "GivenName": "Maria",
                                       "FamilyName": "Alvarez"}),
        ana=create(qbo, "Vendor", {"DisplayName": "Souza, Ana", "GivenName": "Ana", "FamilyName": "Souza",
                                   "Vendor1099": True}),
    )


@pytest.fixture
def caregivers(db, agency):  # noqa: F811
    from models import Caregiver, WorkerKind

    def make(code, first, last, kind="employee", office=None, **kw):
        return Caregiver(code=code, first_name=first, last_name=last, kind=WorkerKind(kind),
                         office=office or agency.north, **kw)

    made = SimpleNamespace(
        maria=make("CG-001", "Maria", "Alvarez"),
        ana=make("CG-002", "Ana", "Souza", "contractor"),
        # Bob Baker's daughter-in-law? No: his son, also "Bob Baker", who is a client's relative
        # and a caregiver; QuickBooks already has the customer "Bob Baker".
        bob=make("CG-003", "Bob", "Baker"),
        new=make("CG-004", "Nia", "Okafor", "contractor", office=agency.south),
    )
    db.session.add_all(vars(made).values())
    db.session.commit()
    return made
