"""The caregivers migration turns today's free-text names on invoice lines into records."""
from __future__ import annotations

from datetime import date, datetime, time

from flask_migrate import upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Numeric, Time, create_engine, insert, select

from app import create_app
from tests.dburl import test_database_url as database_url

BEFORE = "a7c4e2f19b30"


def _dummy(column):
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, (Integer, Numeric)):
        return 1
    if isinstance(column.type, DateTime):
        return datetime(2026, 10, 1)
    if isinstance(column.type, Date):
        return date(2026, 10, 1)
    if isinstance(column.type, Time):
        return time(9, 0)
    return "x"


def _add(conn, table, **values):
    """A row with `values`, every other required column filled with a plain dummy."""
    for column in table.columns:
        if column.name not in values and not column.nullable and not column.primary_key \
                and column.server_default is None:
            values[column.name] = _dummy(column)
    return conn.execute(insert(table).values(**values)).inserted_primary_key[0]


def _drop_everything(url) -> None:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


def test_names_on_lines_become_records_and_the_lines_keep_their_text(tmp_path):
    url = database_url(tmp_path, "old.sqlite")  # PostgreSQL too when the suite runs on it
    _drop_everything(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "QBO_SANDBOX_ENABLED": False, "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade(revision=BEFORE)
        engine = create_engine(url)
        meta = MetaData()
        meta.reflect(engine)
        t = meta.tables
        with engine.begin() as conn:
            agency = _add(conn, t["agencies"], name="A")
            north = _add(conn, t["offices"], agency_id=agency, name="North", code="N")
            south = _add(conn, t["offices"], agency_id=agency, name="South", code="S")
            client = _add(conn, t["clients"], code="C1", office_id=north, first_name="A", last_name="B")
            names = {}
            for office, batch_no, lines in ((north, "B-N", ["Rosa  Gutiérrez", "rosa gutiérrez", "Luis Ortega", ""]),
                                            (south, "B-S", ["Luis Ortega", "Luis Ortega", "Mary Ann de Vries", "Cher"])):
                batch = _add(conn, t["invoice_batches"], number=batch_no, office_id=office, status="finalized")
                invoice = _add(conn, t["invoices"], batch_id=batch, number="I-" + batch_no, client_id=client)
                for position, name in enumerate(lines):
                    line = _add(conn, t["invoice_lines"], invoice_id=invoice, position=position,
                                kind="mileage", caregiver_name=name)
                    names[line] = name
        engine.dispose()
        upgrade()
        engine = create_engine(url)
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            records = {r.id: r for r in conn.execute(select(meta.tables["caregivers"]))}
            lines = conn.execute(select(meta.tables["invoice_lines"])).all()
        engine.dispose()
    _drop_everything(url)
    by_name = {f"{r.first_name} {r.last_name}".strip(): r for r in records.values()}
    assert set(by_name) == {"Rosa Gutiérrez", "Luis Ortega", "Mary Ann de Vries", "Cher"}
    assert (by_name["Mary Ann de Vries"].first_name, by_name["Mary Ann de Vries"].last_name) == ("Mary Ann de", "Vries")
    assert by_name["Cher"].first_name == "" and by_name["Cher"].last_name == "Cher"
    assert by_name["Luis Ortega"].office_id == south  # where most of his lines are
    assert by_name["Rosa Gutiérrez"].office_id == north
    assert all(r.kind == "employee" and r.active for r in records.values())
    assert sorted(r.code for r in records.values()) == ["CG-001", "CG-002", "CG-003", "CG-004"]
    for line in lines:
        assert line.caregiver_name == names[line.id]  # the printed name is untouched
        if line.caregiver_name:
            record = records[line.caregiver_id]
            assert " ".join(line.caregiver_name.split()).casefold() == \
                f"{record.first_name} {record.last_name}".strip().casefold()
        else:
            assert line.caregiver_id is None
