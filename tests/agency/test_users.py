"""Users pages (Owner only): add, edit role/offices, deactivate/reactivate, reset password, and the
rules: nobody deactivates themselves; there is always at least one active Owner."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Role, User
from services.agency import users as user_service
from tests.agency.helpers import snapshot


def _post(client, csrf, url, **form):
    return client.post(url, data={"csrf_token": csrf("/users"), **form})


def test_list_shows_everyone_with_role_and_offices(client, login, users):
    login("owner")
    html = client.get("/users").get_data(as_text=True)
    for user in (users.owner, users.admin, users.agency_user):
        assert user.email in html
    assert "North Office" in html and "All offices" in html and "you</span>" in html


def test_add_agency_user_who_then_sees_only_their_office(client, login, csrf, auth, db, data):
    login("owner")
    response = _post(client, csrf, "/users/new", name="Nora New", email="Nora@Example.com", role="agency_user",
                     office_ids=[str(data.south.id)], password="a-long-password")
    assert response.status_code == 302
    nora = db.session.scalar(select(User).where(User.email == "nora@example.com"))
    assert nora.role == Role.AGENCY_USER and [o.name for o in nora.offices] == ["South Office"]
    auth.logout()
    assert auth.login("nora@example.com", "a-long-password").status_code == 302
    html = client.get("/clients").get_data(as_text=True)
    assert "Cole, Cara" in html and "Abbott" not in html


@pytest.mark.parametrize("form, message", [
    ({"role": "agency_user"}, "An Agency User needs at least one office"),
    ({"email": "owner@example.test"}, "Another account already uses this e-mail"),
    ({"password": "short"}, "Use at least 10 characters"),
    ({"email": "not-an-email"}, "Enter an e-mail address"),
    ({"role": "superuser"}, "Not a valid choice"),
])
def test_add_user_problems_are_shown_and_nothing_is_saved(client, login, csrf, db, data, form, message):
    login("owner")
    before = snapshot(db)
    fields = {"name": "Nora", "email": "nora@example.com", "role": "admin", "password": "a-long-password", **form}
    response = _post(client, csrf, "/users/new", **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_edit_role_and_offices(client, login, csrf, db, data, users):
    login("owner")
    page = client.get(f"/users/{users.agency_user.id}/edit").get_data(as_text=True)
    assert 'value="agency_user" selected' in page or "selected value=\"agency_user\"" in page
    response = _post(client, csrf, f"/users/{users.agency_user.id}/edit", name="Agnes", email="agency_user@example.test",
                     role="agency_user", office_ids=[str(data.north.id), str(data.south.id)])
    assert response.status_code == 302
    db.session.expire_all()
    assert {o.name for o in users.agency_user.offices} == {"North Office", "South Office"}
    response = _post(client, csrf, f"/users/{users.agency_user.id}/edit", name="Agnes", email="agency_user@example.test",
                     role="admin", office_ids=[str(data.north.id)])
    db.session.expire_all()
    assert users.agency_user.role == Role.ADMIN and users.agency_user.offices == []


def test_last_active_owner_cannot_be_demoted(client, login, csrf, db, users):
    owner = login("owner")
    before = snapshot(db)
    response = _post(client, csrf, f"/users/{owner.id}/edit", name=owner.name, email=owner.email, role="admin")
    assert response.status_code == 200
    assert "last active Owner" in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_an_owner_can_step_down_when_another_owner_is_active(client, login, csrf, db, users, make_user):
    make_user(Role.OWNER, email="second@example.test")
    owner = login("owner")
    response = _post(client, csrf, f"/users/{owner.id}/edit", name=owner.name, email=owner.email, role="admin")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, owner.id).role == Role.ADMIN


def test_cannot_deactivate_yourself(client, login, csrf, db, users):
    owner = login("owner")
    page = client.get("/users").get_data(as_text=True)
    assert f'action="/users/{owner.id}/deactivate"' not in page
    response = _post(client, csrf, f"/users/{owner.id}/deactivate")
    assert response.status_code == 303
    assert "cannot deactivate your own account" in client.get("/users").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, owner.id).is_active_account


def test_service_never_leaves_zero_active_owners(db, users, make_user):
    other_owner = make_user(Role.OWNER, email="second@example.test")
    user_service.deactivate_user(users.owner, other_owner)  # fine: users.owner remains
    with pytest.raises(user_service.UserRuleError, match="last active Owner"):
        user_service.deactivate_user(users.admin, users.owner)
    with pytest.raises(user_service.UserRuleError, match="last active Owner"):
        user_service.update_user(users.owner, "O", users.owner.email, Role.ADMIN)


def test_deactivate_and_reactivate(client, login, csrf, auth, db, users):
    login("owner")
    response = _post(client, csrf, f"/users/{users.admin.id}/deactivate")
    assert response.status_code == 303
    db.session.expire_all()
    assert not users.admin.is_active_account
    assert "Deactivated" in client.get("/users").get_data(as_text=True)
    _post(client, csrf, f"/users/{users.admin.id}/activate")
    db.session.expire_all()
    assert users.admin.is_active_account


def test_deactivated_user_cannot_sign_in(client, login, csrf, auth, db, users):
    login("owner")
    _post(client, csrf, f"/users/{users.admin.id}/deactivate")
    auth.logout()
    assert auth.login(users.admin.email, "pw-admin").status_code == 200  # form again, not signed in
    assert client.get("/").status_code == 302


def test_reset_password(client, login, csrf, auth, db, users):
    login("owner")
    url = f"/users/{users.agency_user.id}/password"
    mismatch = client.post(url, data={"csrf_token": csrf(url), "password": "new-password-1", "confirm": "other"})
    assert mismatch.status_code == 200 and "The two passwords differ" in mismatch.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf(url), "password": "new-password-1",
                                      "confirm": "new-password-1"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login(users.agency_user.email, "pw-agency_user").status_code == 200
    assert auth.login(users.agency_user.email, "new-password-1").status_code == 302


def test_unknown_user_is_404(client, login):
    login("owner")
    assert client.get("/users/9999/edit").status_code == 404
