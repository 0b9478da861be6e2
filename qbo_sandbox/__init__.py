"""A local emulator of QuickBooks Online: Intuit's OAuth 2.0 server and Accounting API v3.

Its own Flask application with its own database. `create_app` builds it; the main CareLedger
app mounts it under /qbo-sandbox, and `python -m qbo_sandbox` runs it standalone.
"""
from qbo_sandbox.app import create_app

__all__ = ["create_app"]
