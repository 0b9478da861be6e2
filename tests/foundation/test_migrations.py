"""Alembic migrations build exactly the schema the models describe, so self-hosters can upgrade."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from extensions import db


def _migrated_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "QBO_SANDBOX_ENABLED": False, "INSTANCE_PATH": str(tmp_path / "instance")})
    return app, url


def test_upgrade_from_empty_matches_the_models(tmp_path):
    app, url = _migrated_app(tmp_path)
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
        engine.dispose()
    assert differences == [], f"models and migrations disagree: {differences}"


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    app, url = _migrated_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        engine = create_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        upgrade()
        engine = create_engine(url)
        assert "invoices" in inspect(engine).get_table_names()
        engine.dispose()
