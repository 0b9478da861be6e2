from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.clients.forms import email_shape
from models import Role
from services.agency.users import MIN_PASSWORD_LENGTH

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


class OfficeCheckboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = StringField("E-mail", validators=[DataRequired(), Length(max=254), email_shape])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.AGENCY_USER.value,  # least privilege
                       validators=[DataRequired()])
    office_ids = OfficeCheckboxes("Offices (Agency Users only)", coerce=int)


class NewUserForm(UserForm):
    password = PasswordField("Initial password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200,
                               message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])


class PasswordResetForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200,
                               message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])
    confirm = PasswordField("Repeat the new password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for POST-only buttons."""
