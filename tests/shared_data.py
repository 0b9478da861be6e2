"""The reference material the tests compare against, kept in the repository (`tests/fixtures/`):
Intuit's real payloads (`qbo/samples`, with their SOURCES.md), recorded sandbox traffic
(`qbo/recorded`, VCR cassettes of the qbo_api Ruby client's suite) and the labelled matching set
(`matching`). Read by path relative to this file, so a clone with nothing beside it runs every test."""
from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(*parts: str) -> Path:
    path = FIXTURES.joinpath(*parts)
    if not path.exists():  # a missing fixture is a broken checkout, never a reason to skip
        raise FileNotFoundError(f"test fixture missing from the repository: {path}")
    return path
