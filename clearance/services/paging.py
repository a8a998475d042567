"""A page of a list, with what the ``pager`` macro reads (the shape of Flask-SQLAlchemy's
pagination), for lists that are not a plain ``db.paginate`` of one select."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @staticmethod
    def clamp(page: int, per_page: int, total: int) -> int:
        """The page asked for, kept between the first and the last."""
        return min(max(page, 1), max(1, -(-total // per_page)))

    @classmethod
    def of(cls, rows: list[Any], page: int, per_page: int) -> Page:
        """A page of a list already in memory."""
        page = cls.clamp(page, per_page, len(rows))
        return cls(rows[(page - 1) * per_page : page * per_page], page, per_page, len(rows))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None
