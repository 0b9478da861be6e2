"""Browser view of a sandbox company (filled in below)."""
from flask import Blueprint

bp = Blueprint("qbo_sandbox_web", __name__, url_prefix="/app")
