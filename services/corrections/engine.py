"""The corrections engine: carries claimed actions (update, void, delete) to QuickBooks, exactly once.

It runs the export engine's rules on the `invoice_actions` ledger (services/export/engine.py):
- the request id is committed with the action, `attempts` is raised and committed before every
  send (ledger.mark_sending), and results are written only under our lease (ledger.finish);
- a group goes out as ONE batch request whose requestid is derived from its members' request ids
  (engine.batch_request_id), so a resend of an unanswered batch is replayed, not re-executed;
- every round first reads the group's invoices (one query): the SyncToken sent is current, a
  payment applied meanwhile is seen, and a send whose answer was lost is recognised as done
  (services/corrections/decide.py) instead of being sent again;
- 429, 401, 5xx and lost connections are handled as the export engine does (pause the realm's
  shared pacer, refresh the sign-in once, back off and look again).
A stale SyncToken (5010 Stale Object: someone touched the invoice between our read and our write)
is re-read and retried once with a new request id; 5010 "Account Period Closed" is a refusal.
"""
from __future__ import annotations

import logging
import random
import time
from typing import Callable

from extensions import db
from models.corrections import ActionKind, ActionStatus
from models.export import new_request_id
from qbo.client import quote
from qbo.errors import (AuthenticationError, QboError, ReconnectRequired, StaleObjectError, ThrottledError,
                        TransientError)
from qbo.retry import backoff_ceiling
from services.corrections import decide, ledger, results
from services.corrections.decide import Work, period_closed
from services.export.engine import EngineOptions, batch_request_id

log = logging.getLogger(__name__)


class CorrectionsEngine:
    def __init__(self, client_factory: Callable, pacer_for: Callable, owner: str,
                 options: EngineOptions | None = None, sleep=time.sleep):
        self.client_factory = client_factory
        self.pacer_for = pacer_for
        self.owner = owner
        self.options = options or EngineOptions()
        self.sleep = sleep

    def run_group(self, client, ids: list[int]):
        """Carry claimed actions to a final state (or release them). Returns the client in use."""
        pacer = self.pacer_for(client.realm_id)
        client.pace_with(pacer)
        pending = results.load_work(ids, self.owner)
        tries = auth_failures = 0
        while pending:
            sending = False
            try:
                found = self._read(client, pending)
                group = self._plan(pending, found)
                if not group:
                    continue
                kept = set(ledger.mark_sending([w.action.id for w, _ in group], self.owner,
                                               self.options.lease_seconds))
                for w, _ in group:
                    if w.action.id not in kept:  # our lease lapsed and another worker took over
                        pending.pop(w.action.id, None)
                group = [(w, plan) for w, plan in group if w.action.id in kept]
                if not group:
                    break
                request_id = batch_request_id([w for w, _ in group])
                results.audit_sent(client.realm_id, group, request_id)
                sending = True
                answers = client.batch([dict(plan.send, bId=w.bid) for w, plan in group], request_id=request_id)
            except ThrottledError as error:
                pacer.pause(min(error.retry_after, self.options.throttle_wait_max or error.retry_after))
                continue
            except ReconnectRequired as error:
                results.release(pending, self.owner, f"QuickBooks needs to be reconnected: {error}")
                return client
            except AuthenticationError as error:
                auth_failures += 1
                if auth_failures > self.options.auth_retries:
                    results.release(pending, self.owner, f"QuickBooks refused our sign-in: {error}")
                    return client
                client = self.client_factory()
                client.pace_with(pacer)
                continue
            except TransientError as error:
                tries += 1
                if tries >= self.options.max_tries:
                    results.refuse_all(pending, self.owner, f"QuickBooks did not answer after {tries} tries "
                                       f"({error}). Nothing is known to have changed; press the button again.")
                    return client
                self.sleep(self._backoff(tries))
                continue
            except QboError as error:
                results.refuse_all(pending, self.owner, f"QuickBooks refused the request: {error}")
                return client
            again = self._apply(client.realm_id, pending, group, answers)
            if again:
                tries += 1
                if tries >= self.options.max_tries:
                    results.refuse_all(pending, self.owner, "QuickBooks gave no clear answer; press the button again.")
                    break
                self.sleep(self._backoff(tries))
        db.session.commit()
        return client

    # -- steps ----------------------------------------------------------------------------
    def _read(self, client, pending: dict[int, Work]) -> dict[str, dict]:
        ids = ", ".join(quote(w.action.qbo_id) for w in pending.values())
        rows = client.query(f"select * from Invoice where Id in ({ids}) maxresults 1000")
        return {str(row.get("Id")): row for row in rows}

    def _plan(self, pending: dict[int, Work], found: dict[str, dict]) -> list[tuple[Work, decide.Plan]]:
        """Decide each pending action from what QuickBooks holds; finish the ones that need no send."""
        group = []
        for action_id, w in list(pending.items()):
            action = w.action
            doc = found.get(action.qbo_id)
            if action.kind == ActionKind.UPDATE:
                plan = decide.plan_update(action, doc, w.body, w.new_total, results.record_of(action))
            else:
                plan = decide.plan_remove(action, doc, undo=action.job_id is not None)
            if plan.send is not None:
                group.append((w, plan))
                continue
            results.finish(action, self.owner, plan.status, plan.message, doc=plan.result,
                           conflict=plan.conflict, new_total=w.new_total, body=w.body)
            pending.pop(action_id)
        db.session.commit()
        return group

    def _apply(self, realm_id: str, pending: dict[int, Work], group, answers) -> bool:
        """Write each answer. Returns True when some outcome is unknown (look again next round)."""
        unknown = False
        for w, _plan in group:
            answer = answers.get(w.bid)
            action = w.action
            if isinstance(answer, dict):
                results.finish(action, self.owner, ActionStatus.DONE, "", doc=answer, new_total=w.new_total,
                               body=w.body)
                pending.pop(action.id)
            elif isinstance(answer, StaleObjectError) and not period_closed(answer) and action.stale_retries < 1:
                # Touched in QuickBooks between our read and our write: read it again and retry
                # once, with a new request id (the old one would replay this refusal).
                action.stale_retries += 1
                action.request_id = new_request_id()
            elif isinstance(answer, QboError) and not isinstance(answer, (TransientError, ThrottledError,
                                                                          AuthenticationError)):
                results.finish(action, self.owner, ActionStatus.REFUSED, results.plain_refusal(answer, action))
                pending.pop(action.id)
            else:
                unknown = True  # no answer for this item, or a transient one: read and decide again
        db.session.commit()
        return unknown

    def _backoff(self, tries: int) -> float:
        ceiling = backoff_ceiling(tries - 1, self.options.backoff_base, self.options.backoff_cap)
        return ceiling * random.uniform(0.5, 1.0)
