import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

# Sanity checks, not full RFC validation: catch typos without refusing real-world values
# (internal domains such as *.local are fine for a self-hosted agency).
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
US_POSTAL_CODE = re.compile(r"^\d{5}(-\d{4})?$")
PHONE_CHARACTERS = re.compile(r"^[0-9()+\-. ]+(\s*(x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)


def email_shape(form, field):
    if field.data and not EMAIL_SHAPE.match(field.data.strip()):
        raise ValidationError("Enter an e-mail address like name@example.com.")


def phone_shape(form, field):
    value = (field.data or "").strip()
    if not value:
        return
    main = re.split(r"(?i)\s*(?:x|ext\.?)\s*\d", value)[0]
    digits = re.sub(r"\D", "", main)
    if not PHONE_CHARACTERS.match(value) or not (
            len(digits) == 10 or (len(digits) == 11 and digits.startswith("1"))):
        raise ValidationError("Enter a 10-digit phone number, e.g. (555) 123-4567.")


def postal_code_shape(form, field):
    if field.data and not US_POSTAL_CODE.match(field.data.strip()):
        raise ValidationError("Enter a ZIP code: 5 digits, or ZIP+4 like 12345-6789.")


class ClientForm(FlaskForm):
    code = StringField("Client number", validators=[DataRequired(), Length(max=30)])
    office_id = SelectField("Office", coerce=int, validators=[DataRequired()])
    first_name = StringField("First name", validators=[DataRequired(), Length(max=100)])
    middle_name = StringField("Middle name", validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=100)])
    suffix = StringField("Suffix", validators=[Optional(), Length(max=16)])
    preferred_name = StringField("Preferred name", validators=[Optional(), Length(max=100)])
    email = StringField("E-mail", validators=[Optional(), Length(max=254), email_shape])
    phone = StringField("Phone", validators=[Optional(), Length(max=30), phone_shape])
    address_line1 = StringField("Address", validators=[Optional(), Length(max=200)])
    address_line2 = StringField("Address line 2", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    state = StringField("State", validators=[
        Optional(), Regexp(r"^[A-Za-z]{2}$", message="Use the 2-letter state code, e.g. NY.")])
    postal_code = StringField("ZIP code", validators=[Optional(), Length(max=20), postal_code_shape])
    active = BooleanField("Active client", default=True)

    def cleaned(self) -> dict:
        data = {name: self[name].data for name in (
            "code", "office_id", "first_name", "middle_name", "last_name", "suffix",
            "preferred_name", "email", "phone", "address_line1", "address_line2", "city",
            "state", "postal_code", "active")}
        for key, value in data.items():
            if isinstance(value, str) or value is None:
                data[key] = (value or "").strip()
        data["email"] = data["email"].lower()
        data["state"] = data["state"].upper()
        data["active"] = bool(self.active.data)
        return data


class CsvUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[
        FileRequired("Choose a CSV file to upload."),
        FileAllowed(["csv", "txt"], "Upload a .csv file."),
    ])
