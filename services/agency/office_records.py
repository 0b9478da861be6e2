"""What every kind of record an office keeps (clients, caregivers) shares: the list a user may see,
filtered by office and status; one record by id; whether a record number is taken. A record
outside the user's offices is reported as missing (None), so callers answer 404 and never
reveal that it exists. The model needs `office_id`, `active`, `code`, `first_name`, `last_name`."""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from services.agency.offices import visible_office_ids

STATUSES = ("active", "inactive", "all")


def visible_query(model, user, office_id: int | None, status: str, search=None):
    """A select of the records of `model` that `user` may see, filtered; ordered by last, first
    name. `search`: an SQL condition for the search box, or None."""
    statement = select(model).where(model.office_id.in_(visible_office_ids(user)))
    if office_id is not None:
        statement = statement.where(model.office_id == office_id)
    if status == "active":
        statement = statement.where(model.active.is_(True))
    elif status == "inactive":
        statement = statement.where(model.active.is_(False))
    if search is not None:
        statement = statement.where(search)
    return statement.order_by(func.lower(model.last_name), func.lower(model.first_name), model.id)


def visible_record(model, user, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or not user.can_see_office(record.office_id):
        return None
    return record


def code_in_use(model, code: str, exclude_id: int | None = None) -> bool:
    """Record numbers are unique per kind, whatever their case."""
    statement = select(model.id).where(func.lower(model.code) == code.strip().lower())
    if exclude_id is not None:
        statement = statement.where(model.id != exclude_id)
    return db.session.scalar(statement.limit(1)) is not None
