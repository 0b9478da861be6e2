"""Accounting API v3 under /v3/company/<realmId>/ (blueprint `qbo_api`)."""
from qbo_sandbox.api.views import bp

__all__ = ["bp"]
