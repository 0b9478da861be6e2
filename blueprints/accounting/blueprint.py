"""The Accounting › QuickBooks Integration blueprint object, shared by its three tab modules."""
from flask import Blueprint

bp = Blueprint("accounting", __name__, url_prefix="/accounting")
