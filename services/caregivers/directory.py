"""Which caregiver a cell names, for the invoice import (and anything else that reads names).

The rule: a cell is a caregiver **code** (case ignored) or a caregiver's **name** — "First Last",
"Last, First" or "Preferred Last" — with case and extra spaces ignored. It must name exactly one
caregiver record (inactive ones count: past visits name people who have left). A name that fits
no record, or fits several, is an error that says so; nothing is ever created on the way.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Caregiver


def name_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def spellings(caregiver: Caregiver) -> set[str]:
    first, last = caregiver.first_name, caregiver.last_name
    names = {f"{first} {last}", f"{last}, {first}" if first else last}
    if caregiver.preferred_name:
        names.add(f"{caregiver.preferred_name} {last}")
    return {name_key(n) for n in names if n.strip()}


@dataclass(frozen=True)
class Found:
    caregiver: Caregiver | None
    problem: str = ""


class CaregiverDirectory:
    def __init__(self, session: Session):
        self.by_code: dict[str, Caregiver] = {}
        self.by_name: dict[str, list[Caregiver]] = defaultdict(list)
        for caregiver in session.scalars(select(Caregiver).order_by(Caregiver.code)):
            self.by_code[caregiver.code.casefold()] = caregiver
            for key in spellings(caregiver):
                self.by_name[key].append(caregiver)

    def find(self, cell: str) -> Found:
        key = name_key(cell)
        if key in self.by_code:
            return Found(self.by_code[key])
        matches = self.by_name.get(key, [])
        if len(matches) == 1:
            return Found(matches[0])
        if matches:
            codes = ", ".join(c.code for c in matches)
            return Found(None, f"{len(matches)} caregivers are named '{cell}' ({codes}); "
                               "give the caregiver code instead.")
        return Found(None, f"No caregiver has the code or name '{cell}'. Add them on the Caregivers "
                           "page or import caregivers.csv first.")
