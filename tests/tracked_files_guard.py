"""A pytest plugin that fails the run when the tests changed the checkout.

Loaded by pytest.ini (`-p tests.tracked_files_guard`). At the start of a run it notes every path
`git status` reports (with a hash of its content, so a file that was already edited counts as
changed when a test edits it further); at the end it looks again. Any path that is new in the list,
or whose status or content differs, means a test wrote into the repository: the run then fails and
names the paths. Generated pictures, databases and caches belong in tmp_path, not the tree.

Only the controlling process checks (under pytest-xdist the workers share its checkout). Outside a
git checkout, or without git, it does nothing.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

_STATE_KEY = pytest.StashKey[dict]()
_ROOT_KEY = pytest.StashKey[Path]()


def git_root(start: Path) -> Path | None:
    if shutil.which("git") is None:
        return None
    found = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start,
                           capture_output=True, text=True)
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def dirty_paths(root: Path) -> dict[str, tuple[str, str]]:
    """{path: (git status code, content hash)} for every path git reports as not clean."""
    listed = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--untracked-files=all"],
                            cwd=root, capture_output=True, check=True).stdout
    state: dict[str, tuple[str, str]] = {}
    entries = listed.split(b"\0")
    index = 0
    while index < len(entries):
        entry = entries[index].decode("utf-8", "surrogateescape")
        index += 1
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":  # a rename is followed by its old path
            index += 1
        state[path] = (code, _content_hash(root / path))
    return state


def _content_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (IsADirectoryError, FileNotFoundError, PermissionError):
        return "-"


def changed_since(before: dict, after: dict) -> list[str]:
    return sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        return
    root = git_root(Path(str(config.rootpath)))
    if root is not None:
        config.stash[_ROOT_KEY] = root
        config.stash[_STATE_KEY] = dirty_paths(root)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _ROOT_KEY not in config.stash:
        return
    changed = changed_since(config.stash[_STATE_KEY], dirty_paths(config.stash[_ROOT_KEY]))
    if not changed:
        return
    writer = config.get_terminal_writer()
    writer.line("")
    writer.line("The tests changed files in the checkout (tests must write to tmp_path):", red=True)
    for path in changed:
        writer.line(f"  {path}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
