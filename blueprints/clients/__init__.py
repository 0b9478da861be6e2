"""The clients blueprint: its views are in routes.py."""
from blueprints.clients.routes import bp  # noqa: F401
