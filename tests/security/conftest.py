"""The security tests reuse the export tests' live sandbox and connected books where they need
QuickBooks (fixtures imported here so pytest finds them)."""
from tests.export.conftest import books, export_app, make_export_app, sandbox_live  # noqa: F401
