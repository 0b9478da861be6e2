"""Accounting › QuickBooks Integration: the Installation tab (connection.py), Sync Settings and
Client Matching, each a module whose views register on the one blueprint (blueprint.py)."""
from blueprints.accounting import client_matching, connection, sync_settings  # noqa: F401  (their views register on bp)
from blueprints.accounting import reconnect, tax_code  # noqa: F401  (issue 13: Reconnect URL, tax code)
from blueprints.accounting import caregiver_matching, time_settings  # noqa: F401  (issue 17)
from blueprints.accounting.blueprint import bp  # noqa: F401
