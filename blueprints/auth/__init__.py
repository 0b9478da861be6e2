"""The auth blueprint: its views are in routes.py."""
from blueprints.auth.routes import bp  # noqa: F401
