"""One step of the background worker for corrections (Undo export's voids and deletes): the
export worker's threads run it when no export is waiting (services/export/worker.py), so undo
gets the same processes, leases, shared pacing and restart-resumption as export."""
from __future__ import annotations

from extensions import db
from services.corrections import ledger
from services.corrections.engine import CorrectionsEngine


def step(worker, owner: str, client=None):
    """Claim one group of actions and run it. Returns (client, whether anything was claimed)."""
    if not ledger.realms_with_work():
        db.session.rollback()
        return client, False
    if client is None:
        client = worker.client_factory()
    ids = ledger.claim(client.realm_id, owner, worker.options.lease_seconds)
    if ids:
        CorrectionsEngine(worker.client_factory, worker.pacers.for_realm, owner, worker.options).run_group(client, ids)
    ledger.close_finished_undo_jobs()
    db.session.commit()
    return client, bool(ids)
