"""Registers the sandbox fixtures (tests/fixtures/sandbox.py) for every test under tests/sandbox.

`serve` stays importable from here: the host's tests start sandboxes with it.
"""
from tests.fixtures.sandbox import (  # noqa: F401  (fixtures are found by name)
    _plain_http_oauth, api, app, live, live_sandbox, qb, sandbox_app, serve, setup)
