"""The security tests reuse the export tests' live sandbox and connected books, and the connect
tests' live app + sandbox and browser (fixtures imported here so pytest finds them)."""
from tests.export.conftest import books, export_app, make_export_app, sandbox_live  # noqa: F401
from tests.qbo_connection.conftest import live, person, sandbox  # noqa: F401
