"""The sandbox's own database: plain SQLAlchemy 2, never the main app's Flask-SQLAlchemy.

Each sandbox app instance owns one engine (a file, or memory for tests). Other sandbox
modules declare their tables on `Base` and get a session with `session_for(app)`.
"""
from __future__ import annotations

from sqlalchemy import String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Company(Base):
    """A QuickBooks company (realm). Other modules extend it through their own tables."""

    __tablename__ = "company"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # Added by the API half (all optional so a bare Company(realm_id, name) is valid):
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    company_info: Mapped[str | None] = mapped_column(Text, default=None)  # JSON CompanyInfo doc
    preferences: Mapped[str | None] = mapped_column(Text, default=None)   # JSON Preferences doc


def make_engine(url: str):
    """An engine for the sandbox; SQLite gets WAL and a busy timeout so threads share it."""
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine(
            "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    else:
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if url not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def init_db(app, url: str) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    app.extensions["qbo_sandbox.engine"] = engine
    app.extensions["qbo_sandbox.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)


def session_for(app):
    """A new Session bound to this sandbox app's database (use as a context manager)."""
    return app.extensions["qbo_sandbox.sessionmaker"]()
