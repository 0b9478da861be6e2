from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from blueprints.clients.forms import CsvUploadForm


class InvoiceUploadForm(CsvUploadForm):
    finalize = BooleanField("Finalize the imported batches right away (they become read-only)")


class FinalizeForm(FlaskForm):
    confirm = BooleanField(
        "I checked this batch. Finalized batches cannot be changed.",
        validators=[DataRequired("Tick the box to confirm; finalizing cannot be undone.")],
    )
