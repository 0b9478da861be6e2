"""The dashboard blueprint: its views are in routes.py."""
from blueprints.dashboard.routes import bp  # noqa: F401
