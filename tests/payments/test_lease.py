"""One poller at a time across processes: the lease row in the database (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from datetime import timedelta

from models._types import utcnow
from services.payments import lease

REALM = "9341453050290001"


def test_only_one_of_many_racing_pollers_gets_the_lease(app):
    winners, start = [], threading.Barrier(6)

    def race(n):
        with app.app_context():
            start.wait()
            if lease.acquire(REALM, f"host:{n}", 60):
                winners.append(n)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(winners) == 1


def test_a_lease_is_released_by_its_holder_only_and_an_expired_one_is_taken_over(app):
    assert lease.acquire(REALM, "a", 60)
    assert not lease.acquire(REALM, "b", 60)
    assert not lease.finish(REALM, "b", watermark=None)          # b never held it
    assert lease.finish(REALM, "a", watermark=utcnow())
    assert lease.acquire(REALM, "b", 60)
    later = utcnow() + timedelta(seconds=61)                     # b died holding it
    assert lease.acquire(REALM, "c", 60, now=later)
    assert not lease.finish(REALM, "b", watermark=utcnow())      # b's late result is not written


def test_a_poll_is_due_after_the_interval_or_when_asked_for(app):
    assert lease.is_due(REALM, 900)                               # never polled
    assert lease.acquire(REALM, "a", 60)
    assert not lease.is_due(REALM, 900)                           # running
    lease.finish(REALM, "a", watermark=utcnow())
    assert not lease.is_due(REALM, 900)
    assert lease.is_due(REALM, 900, now=utcnow() + timedelta(seconds=901))
    lease.request_poll(REALM)
    assert lease.is_due(REALM, 900)                               # "Check QuickBooks now" / webhook


def test_a_poll_while_another_process_polls_does_not_run(app):
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from extensions import db
    from services.payments.poll import poll_realm

    db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED, realm_id=REALM))
    db.session.commit()
    assert lease.acquire(REALM, "another-host:1", 60)

    class NoCalls:
        def cdc(self, *args):
            raise AssertionError("no read while another process polls")

    result = poll_realm(app, client=NoCalls())
    assert not result.ran and "Another check" in result.reason


def test_pressing_check_while_a_check_runs_joins_it(app):
    from services.payments import runner

    assert lease.acquire(REALM, "another-host:1", 60)
    assert runner.request_check(app, REALM) == (True, "QuickBooks is being checked now.")
    assert runner.background_checks(app) == []  # no second read started
    assert runner.request_check(app, None) == (False, "QuickBooks is not connected.")


def test_the_scheduler_polls_when_due_and_not_before(app, monkeypatch):
    from extensions import db
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from services.payments import runner

    db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED, realm_id=REALM))
    db.session.commit()
    polls = []

    def fake_poll(app_):
        assert lease.acquire(REALM, "scheduler", 60)
        polls.append(1)
        lease.finish(REALM, "scheduler", watermark=utcnow())

    monkeypatch.setattr(runner, "poll_realm", fake_poll)
    scheduler = runner.Poller(app)
    scheduler.step()
    scheduler.step()          # just polled: not due for QBO_POLL_SECONDS
    assert polls == [1]
    lease.request_poll(REALM)  # a press or a webhook elsewhere
    scheduler.step()
    assert polls == [1, 1]
