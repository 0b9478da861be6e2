"""Offset pagination over a SQLAlchemy select, with the figures a pager needs."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

from extensions import db


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_item(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.number * self.size)


def paginate(statement, number: int, size: int, scalars: bool = True, total: int | None = None) -> Page:
    """`total`: the statement's row count when the caller has counted it already (a page's
    filter tabs), which saves counting every row again."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, ceil(total / size))
    number = min(max(1, number), pages)
    query = statement.limit(size).offset((number - 1) * size)
    rows = db.session.scalars(query).all() if scalars else db.session.execute(query).all()
    return Page(items=list(rows), number=number, size=size, total=total)
