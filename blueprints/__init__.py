"""Every feature is a blueprint package; this lists them for the app factory."""


def all_blueprints():
    from blueprints.accounting import bp as accounting
    from blueprints.auth import bp as auth
    from blueprints.dashboard import bp as dashboard

    blueprints = [auth, dashboard, accounting]
    for optional in ("clients", "billing", "users"):
        try:
            module = __import__(f"blueprints.{optional}", fromlist=["bp"])
        except ImportError:
            continue
        blueprints.append(module.bp)
    return blueprints
