"""Where a test's app database lives: a fresh SQLite file, or PostgreSQL when
CARELEDGER_TEST_DATABASE_URL is set (`make test` does that when a server answers).

Under pytest-xdist each worker gets a database of its own (`<name>_gw0`, …), created on first use,
because every test drops and recreates the tables.
"""
from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_created: set[str] = set()


def test_database_url(tmp_path, filename: str = "test.sqlite") -> str:
    base = os.environ.get("CARELEDGER_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / filename}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base
    url = make_url(base)
    name = f"{url.database}_{worker}"
    if name not in _created:
        _create_database(url, name)
        _created.add(name)
    return url.set(database=name).render_as_string(hide_password=False)


def _create_database(url, name: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(text("select 1 from pg_database where datname = :n"), {"n": name})
            if not exists:
                connection.execute(text(f'create database "{name}"'))
    finally:
        engine.dispose()
