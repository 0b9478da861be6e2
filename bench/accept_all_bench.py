"""Benchmark: "Accept all auto matches" with N clients whose proposals are all `auto`.

Seeds N clients, N cached QuickBooks customers and N auto proposals straight into a fresh SQLite
database (the matching itself is bench/matching_bench.py's), then times one accept_all_auto call
and counts its SQL statements. Usage: .venv/bin/python bench/accept_all_bench.py [--clients 5000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REALM = "9341453100000099"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    args = parser.parse_args()

    from sqlalchemy import event, insert

    from app import create_app
    from extensions import db
    from models import Agency, Client, Office
    from models.matching_state import MatchProposal, ProposalKind, QboCustomerCopy
    from services import client_matching as cm

    folder = Path(tempfile.mkdtemp(prefix="accept-all-bench-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.sqlite'}",
                      "QBO_SANDBOX_ENABLED": False, "QBO_EXPORT_WORKER": "off"})
    with app.app_context():
        db.create_all()
        office = Office(agency=Agency(name="Bench Care"), name="Main", code="M")
        db.session.add(office)
        db.session.flush()
        db.session.execute(insert(Client), [
            dict(code=f"C{n:05d}", office_id=office.id, first_name=f"First{n}", last_name=f"Last{n}")
            for n in range(args.clients)])
        ids = [c for c in db.session.scalars(db.select(Client.id).order_by(Client.id))]
        db.session.execute(insert(QboCustomerCopy), [
            dict(realm_id=REALM, qbo_id=str(1000 + n), display_name=f"Last{n}, First{n}")
            for n in range(args.clients)])
        db.session.execute(insert(MatchProposal), [
            dict(realm_id=REALM, kind=ProposalKind.CLIENT, subject_id=client_id,
                 qbo_customer_id=str(1000 + n), score=100, status="auto", reason="same name")
            for n, client_id in enumerate(ids)])
        db.session.commit()

        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        everyone = type("Everyone", (), {"id": None, "sees_all_offices": True})()
        started = time.perf_counter()
        result = cm.accept_all_auto(REALM, everyone)
        elapsed = time.perf_counter() - started
    print(f"accept all auto matches: {result.linked} links in {elapsed:.2f} s, "
          f"{len(statements)} SQL statements, {len(result.errors)} refused")


if __name__ == "__main__":
    main()
