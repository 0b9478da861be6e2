"""The suite leaves `git status` as it found it: the guard plugin (tests/tracked_files_guard.py,
loaded by pytest.ini for every run) fails a run whose tests write into the checkout.

Each case runs pytest on a tiny git repository of its own, with the guard loaded as our suite
loads it, so what is proven is the plugin's real effect on a run's exit status.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GIT = ["git", "-c", "user.email=guard@test.invalid", "-c", "user.name=guard"]


def make_checkout(root: Path, test_body: str) -> Path:
    root.mkdir()
    (root / "data.txt").write_text("tracked\n")
    (root / ".gitignore").write_text("scratch/\n")
    (root / "test_case.py").write_text(
        "from pathlib import Path\n\nHERE = Path(__file__).parent\n\n\ndef test_case():\n"
        + "".join(f"    {line}\n" for line in test_body.splitlines()))
    subprocess.run([*GIT, "init", "-q"], cwd=root, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "start"], cwd=root, check=True)
    return root


def run_guarded(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-p", "tests.tracked_files_guard", "test_case.py"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_suite_loads_the_guard():
    assert "-p tests.tracked_files_guard" in (REPO / "pytest.ini").read_text()


@pytest.mark.parametrize("body", [
    "(HERE / 'data.txt').write_text('changed by a test\\n')",      # a tracked file edited
    "(HERE / 'picture.png').write_bytes(b'new')",                    # an untracked file left behind
])
def test_a_test_that_writes_into_the_checkout_fails_the_run(tmp_path, body):
    result = run_guarded(make_checkout(tmp_path / "checkout", body))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The tests changed files in the checkout" in result.stdout
    assert ("data.txt" in result.stdout) or ("picture.png" in result.stdout)
    assert "1 passed" in result.stdout                              # the test itself passed


def test_writes_to_ignored_or_temporary_places_pass(tmp_path):
    body = "(HERE / 'scratch').mkdir()\n(HERE / 'scratch' / 'out.txt').write_text('ok')"
    result = run_guarded(make_checkout(tmp_path / "checkout", body))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "changed files" not in result.stdout


def test_an_edit_made_before_the_run_is_not_blamed_but_a_further_edit_is(tmp_path):
    root = make_checkout(tmp_path / "checkout", "assert (HERE / 'data.txt').exists()")
    (root / "data.txt").write_text("the developer's own edit\n")
    assert run_guarded(root).returncode == 0

    (root / "test_case.py").write_text(
        "from pathlib import Path\n\n\ndef test_case():\n"
        "    path = Path(__file__).parent / 'data.txt'\n"
        "    path.write_text(path.read_text() + 'and a test wrote here\\n')\n")
    subprocess.run([*GIT, "add", "test_case.py"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "edit"], cwd=root, check=True)
    result = run_guarded(root)
    assert result.returncode == 1 and "data.txt" in result.stdout, result.stdout
