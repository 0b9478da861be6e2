from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    # No e-mail syntax check here: sign-in only looks the account up, and a strict check would
    # refuse internal domains (e.g. *.local) that self-hosted agencies use.
    email = StringField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
