"""Billing: invoice batches (routes.py), their export to QuickBooks (exports.py), and what happens
to them in QuickBooks afterwards (payments.py)."""
from blueprints.billing import exports, payments, routes  # noqa: F401  (their views register on bp)
from blueprints.billing import time_export  # noqa: F401  (issue 17: visits as time)
from blueprints.billing.blueprint import bp  # noqa: F401
