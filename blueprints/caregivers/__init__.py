"""The caregivers blueprint: its views are in routes.py."""
from blueprints.caregivers.routes import bp  # noqa: F401
