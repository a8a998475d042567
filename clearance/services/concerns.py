"""What the people are asking about (tâm tư, nguyện vọng của người dân): the concerns raised at a
project's meetings counted by category — all time, this month, month by month — and the latest of
them in the households' own words with the answer given.

A concern raised by a group as a whole (no case) counts like any other. Months are Hanoi months.
Every function here costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import Case, Concern, Party, Project
from clearance.services.paging import Page
from clearance.services.project_balance import month_start, months_between, next_month
from clearance.workflow.statuses import ConcernCategory

LATEST = 10


@dataclass
class CategoryCount:
    category: ConcernCategory
    all_time: int = 0
    this_month: int = 0


@dataclass
class TrendMonth:
    month: date  # the first day of the month
    counts: dict[ConcernCategory, int] = field(default_factory=lambda: {c: 0 for c in ConcernCategory})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ConcernLine:
    """One concern as the lists show it: who raised it, when, about what, and what was answered."""

    id: int
    meeting_id: int
    held_at: datetime
    category: ConcernCategory
    words: str
    answer: str
    #: Empty for a concern the group raised as a whole.
    case_id: int | None
    case_code: str | None
    party_name: str | None


@dataclass
class ConcernsSummary:
    month: date  # this month (first day)
    categories: list[CategoryCount]
    trend: list[TrendMonth]
    latest: list[ConcernLine]

    @property
    def all_time(self) -> int:
        return sum(c.all_time for c in self.categories)

    @property
    def this_month(self) -> int:
        return sum(c.this_month for c in self.categories)

    @property
    def largest_month(self) -> int:
        return max((m.total for m in self.trend), default=0)


def local_midnight(day: date) -> datetime:
    """The instant a Hanoi day begins (meetings are stored in UTC)."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def months_back(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``'s."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def concerns_summary(project: Project, today: date, months: int = 6) -> ConcernsSummary:
    """Counts by category (all time and this month), the last ``months`` months by category, and
    the ``LATEST`` most recent concerns. Three queries."""
    this_month = month_start(today)
    first = months_back(this_month, max(months, 1) - 1)
    # Counted on the concern rows alone (they carry their meeting's project and time): their
    # indexes answer without reading the meetings.
    in_project = Concern.project_id == project.id
    all_time = dict(
        db.session.execute(
            sa.select(Concern.category, sa.func.count()).where(in_project).group_by(Concern.category)
        ).all()
    )
    trend = {month: TrendMonth(month) for month in months_between(first, this_month)}
    # Counted in the database by month: each month's end is a Hanoi midnight, so a meeting falls in
    # the first month whose end is after it (a CASE over the window's few boundaries).
    month_list = list(trend)
    bucket = sa.case(
        *((Concern.held_at < local_midnight(next_month(month)), index) for index, month in enumerate(month_list)),
        else_=len(month_list),
    ).label("bucket")
    for category, index, count in db.session.execute(
        sa.select(Concern.category, bucket, sa.func.count())
        .where(in_project, Concern.held_at >= local_midnight(first), Concern.held_at < local_midnight(next_month(this_month)))
        .group_by(Concern.category, bucket)
    ):
        if 0 <= index < len(month_list):
            trend[month_list[index]].counts[ConcernCategory(category)] += count
    categories = [
        CategoryCount(category, all_time.get(category, 0), trend[this_month].counts[category]) for category in ConcernCategory
    ]
    return ConcernsSummary(this_month, categories, list(trend.values()), _lines(_listed(project).limit(LATEST)))


def _listed(project: Project, category: ConcernCategory | None = None, month: date | None = None) -> sa.Select:
    query = (
        sa.select(
            Concern.id, Concern.meeting_id, Concern.held_at, Concern.category, Concern.words, Concern.answer,
            Concern.case_id, Case.code, Party.name,
        )
        .outerjoin(Case, Case.id == Concern.case_id)
        .outerjoin(Party, Party.id == Case.party_id)
        .where(Concern.project_id == project.id)
    )
    return _filtered(query, category, month).order_by(Concern.held_at.desc(), Concern.id.desc())


def _filtered(query: sa.Select, category: ConcernCategory | None, month: date | None) -> sa.Select:
    if category is not None:
        query = query.where(Concern.category == category)
    if month is not None:
        query = query.where(
            Concern.held_at >= local_midnight(month_start(month)), Concern.held_at < local_midnight(next_month(month_start(month)))
        )
    return query


def _lines(query: sa.Select) -> list[ConcernLine]:
    return [
        ConcernLine(row[0], row[1], row[2], ConcernCategory(row[3]), row[4], row[5], row[6], row[7], row[8])
        for row in db.session.execute(query)
    ]


def concern_page(
    project: Project, page: int, per_page: int, category: ConcernCategory | None = None, month: date | None = None
) -> Page:
    """The project's concerns, newest first, filtered by category and (Hanoi) month. Two queries."""
    counted = _filtered(
        sa.select(sa.func.count()).select_from(Concern).where(Concern.project_id == project.id),
        category, month,
    )
    total = db.session.scalar(counted) or 0
    page = Page.clamp(page, per_page, total)
    items = _lines(_listed(project, category, month).limit(per_page).offset((page - 1) * per_page))
    return Page(items, page, per_page, total)


def first_concern_month(project: Project) -> date | None:
    """The (Hanoi) month of the project's first concern: where the month filter's choices begin."""
    first = db.session.scalar(
        sa.select(sa.func.min(Concern.held_at)).where(Concern.project_id == project.id)
    )
    if first is None:
        return None
    return month_start(first.astimezone(LOCAL_TZ).date())
