"""`.ci/run` is what CI executes on a clean clone: it must parse, end in `make test`, and name no
path of this machine (a clone elsewhere has nothing beside it)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / ".ci" / "run"


def test_ci_script_parses():
    result = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_ci_script_runs_the_readmes_test_command_last():
    commands = [line.strip() for line in SCRIPT.read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    assert commands[-1] == "make test"
    assert "make test" in (REPO / "README.md").read_text()


def test_no_tracked_file_names_a_path_of_this_machine():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    machine_path = re.compile(r"/work/(shared|notes|main|steering|wt)\b")
    offenders = [name for name in tracked
                 if not name.endswith(".md") and not name.startswith("tests/fixtures/")
                 and (REPO / name).is_file()
                 and machine_path.search((REPO / name).read_text(errors="ignore"))]
    assert offenders == []
