from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from access import OWNER_ONLY, roles
from blueprints.users.forms import ConfirmForm, NewUserForm, PasswordResetForm, UserForm
from extensions import db
from models import Role, User
from services.agency import users as user_service
from services.agency.offices import visible_offices

bp = Blueprint("users", __name__, url_prefix="/users")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _apply_rule(change):
    """Run one change to the accounts in its own transaction: commit it and return (result, None),
    or roll back and return (None, why the user rules refused it)."""
    try:
        result = change()
    except user_service.UserRuleError as problem:
        db.session.rollback()
        return None, str(problem)
    db.session.commit()
    return result, None


def _with_office_choices(form):
    form.office_ids.choices = [SelectChoice(o.id, o.name) for o in visible_offices(current_user)]
    return form


@bp.route("")
@roles(OWNER_ONLY)
def index():
    return render_template("users/index.html", users=user_service.all_users(), action_form=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@roles(OWNER_ONLY)
def new():
    form = _with_office_choices(NewUserForm())
    if form.validate_on_submit():
        user, problem = _apply_rule(lambda: user_service.create_user(
            form.name.data, form.email.data, Role(form.role.data), form.password.data, form.office_ids.data))
        if problem:
            flash(problem, "danger")
        else:
            flash(f"Account for {user.name} created. Give them the initial password in person.", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@roles(OWNER_ONLY)
def edit(user_id: int):
    user = _user_or_404(user_id)
    form = _with_office_choices(UserForm(obj=user))
    if not form.is_submitted():
        form.role.data = user.role.value
        form.office_ids.data = [o.id for o in user.offices]
    if form.validate_on_submit():
        _, problem = _apply_rule(lambda: user_service.update_user(
            user, form.name.data, form.email.data, Role(form.role.data), form.office_ids.data))
        if problem:
            flash(problem, "danger")
        else:
            flash(f"{user.name} saved.", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@roles(OWNER_ONLY)
def deactivate(user_id: int):
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        _, problem = _apply_rule(lambda: user_service.deactivate_user(current_user, user))
        if problem:
            flash(problem, "danger")
        else:
            flash(f"{user.name} is deactivated and can no longer sign in.", "success")
    return redirect(url_for("users.index"), 303)


@bp.route("/<int:user_id>/activate", methods=["POST"])
@roles(OWNER_ONLY)
def activate(user_id: int):
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        user_service.activate_user(user)
        db.session.commit()
        flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("users.index"), 303)


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@roles(OWNER_ONLY)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        _, problem = _apply_rule(lambda: user_service.reset_password(user, form.password.data))
        if problem:
            form.password.errors.append(problem)
        else:
            flash(f"Password for {user.name} changed. Give them the new password in person.", "success")
            return redirect(url_for("users.index"))
    return render_template("users/password.html", form=form, user=user)
