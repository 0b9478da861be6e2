"""The Billing blueprint object, shared by the batch pages (routes.py) and the export views (exports.py)."""
from flask import Blueprint

bp = Blueprint("billing", __name__, url_prefix="/billing")
