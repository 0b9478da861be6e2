"""The CSV import page shared by the kinds of records an agency keeps (clients, caregivers): upload,
import all-or-nothing through the kind's importer, then back to its list or the errors shown."""
from __future__ import annotations

from typing import Callable

from flask import flash, redirect, render_template, url_for

from blueprints.clients.forms import CsvUploadForm
from extensions import db


def import_page(importer: Callable, *, noun: str, plural: str, index_endpoint: str):
    form = CsvUploadForm()
    result = None
    if form.validate_on_submit():
        # The binary stream: the import decodes it and can name the line of a bad byte.
        result = importer(form.file.data.stream, db.session)
        if result.ok:  # the import committed; a failed one wrote nothing
            flash(result.summary, "success")
            return redirect(url_for(index_endpoint, status="all"))
        db.session.rollback()
    return render_template("records/import.html", form=form, result=result, noun=noun, plural=plural,
                           index_endpoint=index_endpoint)
