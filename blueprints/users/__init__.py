"""The users blueprint: its views are in routes.py."""
from blueprints.users.routes import bp  # noqa: F401
