"""Keep instance/ private: it holds the databases (password hashes, client records, tokens) and
the generated keys. The folder is made 0700 and every SQLite database file 0600 before SQLite
opens it (SQLite gives its -wal and -journal files the database file's mode). Looser modes left
by an older install or a `mkdir -p instance` are tightened at start-up.
"""
from __future__ import annotations

import os
import stat

from sqlalchemy.engine import make_url

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def _tighten(path: str, mode: int) -> None:
    current = stat.S_IMODE(os.stat(path).st_mode)
    if current & 0o077:
        os.chmod(path, current & ~0o077 | (mode & 0o700))


def secure_dir(path: str) -> None:
    os.makedirs(path, mode=PRIVATE_DIR, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    for entry in os.scandir(path):
        if entry.is_file(follow_symlinks=False):
            _tighten(entry.path, PRIVATE_FILE)


def secure_sqlite_file(url: str | None) -> None:
    """Create a SQLite database file 0600 (or tighten it) before SQLite opens it."""
    if not url or not url.startswith("sqlite"):
        return
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = os.path.dirname(os.path.abspath(database))
    if not os.path.isdir(folder):
        return  # SQLite will refuse it with its own message
    fd = os.open(database, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    _tighten(database, PRIVATE_FILE)
