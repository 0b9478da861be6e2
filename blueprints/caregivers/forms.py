from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from blueprints.clients.forms import email_shape, phone_shape
from models import WorkerKind


class CaregiverForm(FlaskForm):
    code = StringField("Caregiver number", validators=[DataRequired(), Length(max=30)])
    office_id = SelectField("Office", coerce=int, validators=[DataRequired()])
    first_name = StringField("First name", validators=[DataRequired(), Length(max=100)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=100)])
    preferred_name = StringField("Preferred name", validators=[Optional(), Length(max=100)])
    email = StringField("E-mail", validators=[Optional(), Length(max=254), email_shape])
    phone = StringField("Phone", validators=[Optional(), Length(max=30), phone_shape])
    kind = SelectField("Paid as", choices=[SelectChoice(k.value, k.label) for k in WorkerKind],
                       default=WorkerKind.EMPLOYEE.value, validators=[DataRequired()])
    active = BooleanField("Active caregiver", default=True)

    def cleaned(self) -> dict:
        data = {name: (self[name].data or "").strip() for name in (
            "code", "first_name", "last_name", "preferred_name", "email", "phone")}
        data["email"] = data["email"].lower()
        data["office_id"] = self.office_id.data
        data["kind"] = WorkerKind(self.kind.data)
        data["active"] = bool(self.active.data)
        return data
