"""Every feature is a blueprint package; this lists them for the app factory.

An explicit list: a blueprint that fails to import is an error, never silently missing.
"""


def all_blueprints():
    from blueprints.accounting import bp as accounting
    from blueprints.auth import bp as auth
    from blueprints.billing import bp as billing
    from blueprints.caregivers import bp as caregivers
    from blueprints.clients import bp as clients
    from blueprints.dashboard import bp as dashboard
    from blueprints.users import bp as users
    from blueprints.webhooks import bp as webhooks

    return [auth, dashboard, accounting, clients, caregivers, billing, users, webhooks]
