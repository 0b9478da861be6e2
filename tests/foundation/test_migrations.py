"""Alembic migrations build exactly the schema the models describe, so self-hosters can upgrade."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

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


def test_duplicate_links_are_reduced_to_the_oldest_before_the_unique_index(tmp_path):
    """Links that slipped past the old constraint (NULL keys repeat) must not stop the upgrade:
    the row the app has been showing (the oldest) stays, the later duplicate goes."""
    app, url = _migrated_app(tmp_path)
    with app.app_context():
        upgrade(revision="a7c4e2f19b30")
        engine = create_engine(url)
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO agencies (id, name, timezone) VALUES (1, 'A', 'UTC')",
                "INSERT INTO offices (id, agency_id, name, code) VALUES (1, 1, 'North', 'N')",
                "INSERT INTO clients (id, code, office_id, first_name, middle_name, last_name, suffix,"
                " preferred_name, email, phone, address_line1, address_line2, city, state,"
                " postal_code, active) VALUES (1, 'C1', 1, 'Ann', '', 'Abbott', '', '', '', '', '',"
                " '', '', '', '', 1)",
            ):
                connection.execute(text(statement))
            for link_id, customer in ((1, "11"), (2, "12")):
                connection.execute(text(
                    "INSERT INTO customer_links (id, realm_id, kind, client_id, payer_id,"
                    " qbo_customer_id, qbo_display_name, source, linked_at) VALUES"
                    f" ({link_id}, 'R', 'client', 1, NULL, '{customer}', 'x', 'manual',"
                    " '2026-12-01 10:00:00')"))
        engine.dispose()
        upgrade()
        engine = create_engine(url)
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT id, qbo_customer_id FROM customer_links")).all()
        engine.dispose()
    assert kept == [(1, "11")]
