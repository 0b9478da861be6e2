"""App factory for tests that run `flask qbo export` in a child process (`--app …:make()`):
the same configuration as the test's own app, passed in EXPORT_TEST_APP (JSON)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from app import create_app
from tests.export.conftest import app_config


def make():
    spec = json.loads(os.environ["EXPORT_TEST_APP"])
    return create_app(app_config(Path(spec["tmp"]), spec["sandbox_url"], **spec.get("extra", {})))
