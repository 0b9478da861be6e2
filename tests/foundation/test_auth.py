from models import LoginAttempt, Role


def test_login_logout_round_trip(client, auth, make_user):
    user = make_user(Role.ADMIN)
    response = auth.login(user.email, "pw-admin")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, auth, make_user):
    user = make_user(Role.OWNER)
    response = auth.login(user.email, "nope")
    assert response.status_code == 200
    assert "E-mail or password is not right" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_throttle_locks_after_repeated_failures_even_with_right_password(app, client, auth, make_user, db):
    user = make_user(Role.OWNER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(user.email, "wrong")
    response = auth.login(user.email, "pw-owner")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    assert db.session.query(LoginAttempt).filter_by(succeeded=True).count() == 0


def test_throttle_expires_after_window(app, client, auth, make_user, db):
    from datetime import timedelta

    user = make_user(Role.OWNER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(user.email, "wrong")
    for attempt in db.session.query(LoginAttempt):
        attempt.at = attempt.at - timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 5)
    db.session.commit()
    assert auth.login(user.email, "pw-owner").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, auth, make_user):
    user = make_user(Role.OWNER)
    token = auth.csrf_token()
    response = client.post("/login?next=//evil.example/x", data={
        "email": user.email, "password": "pw-owner", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_rejected(client, make_user):
    user = make_user(Role.OWNER)
    response = client.post("/login", data={"email": user.email, "password": "pw-owner"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_deactivated_account_loses_its_open_session(client, auth, make_user, db):
    user = make_user(Role.ADMIN)
    auth.login_as(user)
    assert client.get("/").status_code == 200
    user.is_active_account = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_change_signs_out_other_sessions(client, auth, make_user, db):
    user = make_user(Role.ADMIN)
    auth.login_as(user)
    user.set_password("a-brand-new-password")
    db.session.commit()
    assert client.get("/").status_code == 302
