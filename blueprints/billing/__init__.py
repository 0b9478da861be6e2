"""Billing: invoice batches (routes.py), their export to QuickBooks (exports.py), and what happens
to them in QuickBooks afterwards (payments.py), preview and corrections (corrections.py), visits as
time (time_export.py)."""
from blueprints.billing import corrections, exports, payments, routes, time_export  # noqa: F401  (their views register on bp)
from blueprints.billing.blueprint import bp  # noqa: F401
