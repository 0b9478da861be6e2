"""Old import path, kept only for the host's tests until they import
qbo_sandbox.accounting.context (delete this module then)."""
from qbo_sandbox.accounting.context import *  # noqa: F401,F403
