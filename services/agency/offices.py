"""Which offices a user may see: all for Owners and Admins, their own for Agency Users."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import Office


def visible_offices(user) -> list[Office]:
    if user.sees_all_offices:
        return list(db.session.scalars(select(Office).order_by(Office.name)))
    return list(user.offices)


def visible_office_ids(user) -> list[int]:
    return [office.id for office in visible_offices(user)]
