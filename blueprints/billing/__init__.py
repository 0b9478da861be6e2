"""Billing: invoice batches (routes.py) and their export to QuickBooks (exports.py)."""
from blueprints.billing import exports, routes  # noqa: F401  (their views register on bp)
from blueprints.billing.blueprint import bp  # noqa: F401
