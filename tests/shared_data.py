"""The read-only reference material beside the repository (`../shared`: Intuit's real payloads,
recorded sandbox traffic, the labelled matching set). Tests that compare against it are skipped,
saying so, where it is absent; CARELEDGER_SHARED_DIR points elsewhere."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CARELEDGER_SHARED_DIR", REPO.parent / "shared"))


def shared_dir(*parts: str) -> Path:
    return SHARED.joinpath(*parts)


def needs_shared(*parts: str):
    """A skip mark for tests that read `shared/<parts>`."""
    path = shared_dir(*parts)
    return pytest.mark.skipif(not path.exists(), reason=f"reference data not found at {path} "
                                                        "(set CARELEDGER_SHARED_DIR)")
