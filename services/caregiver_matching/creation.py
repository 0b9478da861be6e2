"""Add to QuickBooks for caregivers: create the Employee (W-2) or Vendor (1099), exactly once.

- A `WorkerCreation` with its requestid is committed before the call goes out; a retry of a row
  still pending reuses it (QuickBooks replays the first answer rather than creating again), and
  after an ambiguous failure the worker is first looked up by DisplayName and adopted if it exists.
- QuickBooks keeps ONE name space across customers, vendors and employees (6240). A caregiver
  whose plain name is already used there — typically a relative who is also a client, so a
  customer — is created under a distinguishable name, "Maria Lopez (CG-007)", and the row says
  why (`renamed_because`). When QuickBooks refuses a name our copy did not know as taken, the
  same happens once more with the code added; the person sees that too.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models.caregivers import Caregiver
from models.links import LinkSource
from models.matching_state import CreationStatus, MatchProposal, QboCustomerCopy
from models.worker_matching import QboWorkerCopy, WorkerCreation, WorkerLink
from qbo.client import quote
from qbo.errors import AuthenticationError, DuplicateNameError, QboError, ThrottledError, TransientError
from services.caregiver_matching.proposals import KIND, entity_for
from services.caregiver_matching.workers import upsert_copy
from services.mapping.customer import DISPLAY_NAME_MAX, clean_name
from services.qbo_connection.messages import plain_error

ONE_NAME_SPACE = ("QuickBooks allows a name only once across customers, vendors and employees")


@dataclass
class CreationOutcome:
    created: list[WorkerCreation] = field(default_factory=list)
    failed: list[WorkerCreation] = field(default_factory=list)
    still_pending: list[WorkerCreation] = field(default_factory=list)
    error: str = ""


def name_holder(realm_id: str, name: str) -> str:
    """Who already uses `name` in the stored copies ("a customer", "an employee"…), or ""."""
    lowered = name.lower()
    if db.session.scalar(select(QboCustomerCopy.id).where(
            QboCustomerCopy.realm_id == realm_id, func.lower(QboCustomerCopy.display_name) == lowered).limit(1)):
        return "a customer"
    entity = db.session.scalar(select(QboWorkerCopy.entity).where(
        QboWorkerCopy.realm_id == realm_id, func.lower(QboWorkerCopy.display_name) == lowered).limit(1))
    return f"an {entity.lower()}" if entity == "Employee" else ("a vendor" if entity else "")


def coded_name(caregiver: Caregiver) -> str:
    return clean_name(f"{caregiver.name} ({caregiver.code})", DISPLAY_NAME_MAX)


def worker_body(caregiver: Caregiver, display_name: str) -> dict:
    body = {"DisplayName": display_name, "GivenName": caregiver.first_name[:100],
            "FamilyName": caregiver.last_name[:100]}
    if caregiver.email:
        body["PrimaryEmailAddr"] = {"Address": caregiver.email}
    if caregiver.phone:
        body["PrimaryPhone"] = {"FreeFormNumber": caregiver.phone}
    if entity_for(caregiver) == "Vendor":
        body["Vendor1099"] = True
    return body


def request_creations(realm_id: str, caregiver_ids, user_id: int | None) -> list[WorkerCreation]:
    """One pending row per caregiver asked for (an open one is reused as it is), committed."""
    rows = []
    for caregiver_id in caregiver_ids:
        caregiver = db.session.get(Caregiver, caregiver_id)
        if caregiver is None or db.session.scalar(select(WorkerLink.id).where(
                WorkerLink.realm_id == realm_id, WorkerLink.caregiver_id == caregiver_id)):
            continue
        row = open_creation(realm_id, caregiver_id)
        if row is not None and row.status == CreationStatus.PENDING:
            rows.append(row)
            continue
        name, because = clean_name(caregiver.name, DISPLAY_NAME_MAX), ""
        holder = name_holder(realm_id, name)
        if holder:
            name = coded_name(caregiver)
            because = (f"“{caregiver.name}” is already {holder} in QuickBooks ({ONE_NAME_SPACE}), so "
                       f"the caregiver is added as “{name}”.")
        row = row or WorkerCreation(realm_id=realm_id, caregiver_id=caregiver_id, created_by_id=user_id)
        _reset(row, entity_for(caregiver), worker_body(caregiver, name), because)
        db.session.add(row)
        rows.append(row)
    db.session.commit()
    return rows


def _reset(row: WorkerCreation, entity: str, body: dict, because: str) -> None:
    row.entity, row.body, row.display_name = entity, json.dumps(body), body["DisplayName"]
    row.renamed_because, row.request_id = because, uuid.uuid4().hex   # a new request
    row.status, row.last_error, row.ambiguous = CreationStatus.PENDING, "", False


def open_creation(realm_id: str, caregiver_id: int) -> WorkerCreation | None:
    return db.session.scalar(select(WorkerCreation).where(
        WorkerCreation.realm_id == realm_id, WorkerCreation.caregiver_id == caregiver_id,
        WorkerCreation.status != CreationStatus.DONE))


def has_pending(realm_id: str) -> bool:
    return db.session.scalar(select(WorkerCreation.id).where(
        WorkerCreation.realm_id == realm_id, WorkerCreation.status == CreationStatus.PENDING).limit(1)) is not None


def process_pending(qbo, realm_id: str) -> CreationOutcome:
    """Send every pending creation of the realm (new ones and retries) and record each result."""
    outcome = CreationOutcome()
    pending = db.session.scalars(select(WorkerCreation).where(
        WorkerCreation.realm_id == realm_id, WorkerCreation.status == CreationStatus.PENDING)
        .order_by(WorkerCreation.id)).all()
    for row in pending:
        try:
            _send(qbo, row, outcome)
        except QboError as error:   # the whole call failed: stop; Save retries safely
            row.ambiguous = row.ambiguous or (isinstance(error, TransientError) and error.ambiguous)
            row.last_error = plain_error(error)[:500]
            db.session.commit()
            outcome.error = row.last_error
            outcome.still_pending += [r for r in pending if r.status == CreationStatus.PENDING]
            break
    return outcome


def _send(qbo, row: WorkerCreation, outcome: CreationOutcome) -> None:
    if row.ambiguous:
        found = qbo.query_all(row.entity, f"DisplayName = {quote(row.display_name)} AND Active IN (true, false)")
        if found:
            return _complete(row, found[0], outcome)
    row.attempts += 1
    db.session.commit()
    try:
        created = qbo.create(row.entity, row.payload, request_id=row.request_id)
    except DuplicateNameError:
        caregiver = db.session.get(Caregiver, row.caregiver_id)
        if row.display_name == coded_name(caregiver):
            row.status = CreationStatus.FAILED
            row.last_error = (f"QuickBooks already has someone named “{row.display_name}”; "
                              "link the caregiver to them, or change the caregiver's name or code.")
            outcome.failed.append(row)
            db.session.commit()
            return None
        name = coded_name(caregiver)
        _reset(row, row.entity, worker_body(caregiver, name),
               f"QuickBooks already has a customer, vendor or employee named “{caregiver.name}” "
               f"({ONE_NAME_SPACE}), so the caregiver is added as “{name}”.")
        db.session.commit()
        return _send(qbo, row, outcome)
    except QboError as error:
        if isinstance(error, (TransientError, ThrottledError, AuthenticationError)):
            raise   # not a refusal of this worker: the row stays pending for the next Save
        row.status, row.last_error = CreationStatus.FAILED, plain_error(error)[:500]
        outcome.failed.append(row)
        db.session.commit()
        return None
    return _complete(row, created, outcome)


def _complete(row: WorkerCreation, worker: dict, outcome: CreationOutcome) -> None:
    upsert_copy(row.realm_id, row.entity, worker)
    try:
        db.session.add(WorkerLink(realm_id=row.realm_id, caregiver_id=row.caregiver_id, entity=row.entity,
                                  qbo_id=str(worker["Id"]), qbo_display_name=worker.get("DisplayName", ""),
                                  source=LinkSource.CREATED, linked_by_id=row.created_by_id))
        row.status, row.qbo_id, row.last_error, row.ambiguous = CreationStatus.DONE, str(worker["Id"]), "", False
        proposal = db.session.scalar(select(MatchProposal).where(
            MatchProposal.realm_id == row.realm_id, MatchProposal.kind == KIND,
            MatchProposal.subject_id == row.caregiver_id))
        if proposal is not None:
            db.session.delete(proposal)
        db.session.commit()
        outcome.created.append(row)
    except IntegrityError:
        db.session.rollback()
        row.status, row.qbo_id = CreationStatus.FAILED, str(worker["Id"])
        row.last_error = ("The worker exists in QuickBooks, but this caregiver was linked to another one "
                          "meanwhile; check the link.")
        db.session.commit()
        outcome.failed.append(row)

