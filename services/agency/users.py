"""Login accounts: create, change role/offices, (de)activate, reset password.

The rules live here, not in the views: nobody deactivates themselves, and the installation never
ends up with zero active Owners (by deactivation or by a role change).
"""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from models import Office, Role, User

MIN_PASSWORD_LENGTH = 10


class UserRuleError(Exception):
    """A change that would break an account rule; the message is shown to the Owner."""


def all_users() -> list[User]:
    return list(db.session.scalars(
        select(User).order_by(User.is_active_account.desc(), func.lower(User.name), User.id)))


def email_in_use(email: str, exclude_id: int | None = None) -> bool:
    statement = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if exclude_id is not None:
        statement = statement.where(User.id != exclude_id)
    return db.session.scalar(statement.limit(1)) is not None


def _active_owner_count(excluding: User | None = None) -> int:
    statement = select(func.count()).select_from(User).where(
        User.role == Role.OWNER, User.is_active_account.is_(True))
    if excluding is not None:
        statement = statement.where(User.id != excluding.id)
    return db.session.scalar(statement)


def _offices_by_id(office_ids) -> list[Office]:
    ids = sorted({int(i) for i in office_ids or ()})
    if not ids:
        return []
    offices = list(db.session.scalars(select(Office).where(Office.id.in_(ids))))
    if len(offices) != len(ids):
        raise UserRuleError("One of the chosen offices does not exist.")
    return offices


def _check_offices(role: Role, offices: list[Office]) -> list[Office]:
    if role == Role.AGENCY_USER:
        if not offices:
            raise UserRuleError("An Agency User needs at least one office.")
        return offices
    return []  # Owners and Admins see every office; stored offices would only mislead


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserRuleError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(name: str, email: str, role: Role, password: str, office_ids=()) -> User:
    email = email.strip().lower()
    if email_in_use(email):
        raise UserRuleError("Another account already uses this e-mail.")
    check_password_rules(password)
    user = User(name=name.strip(), email=email, role=role)
    user.offices = _check_offices(role, _offices_by_id(office_ids))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, name: str, email: str, role: Role, office_ids=()) -> User:
    email = email.strip().lower()
    if email_in_use(email, exclude_id=user.id):
        raise UserRuleError("Another account already uses this e-mail.")
    if user.role == Role.OWNER and role != Role.OWNER and user.is_active_account \
            and _active_owner_count(excluding=user) == 0:
        raise UserRuleError("This is the last active Owner; make someone else an Owner first.")
    offices = _check_offices(role, _offices_by_id(office_ids))
    user.name = name.strip()
    user.email = email
    user.role = role
    user.offices = offices
    db.session.flush()
    return user


def deactivate_user(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise UserRuleError("You cannot deactivate your own account.")
    if user.role == Role.OWNER and user.is_active_account and _active_owner_count(excluding=user) == 0:
        raise UserRuleError("This is the last active Owner and cannot be deactivated.")
    user.is_active_account = False
    user.end_sessions()
    db.session.flush()


def activate_user(user: User) -> None:
    user.is_active_account = True
    user.end_sessions()  # cookies from before the deactivation stay dead
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.set_password(password)
    db.session.flush()
