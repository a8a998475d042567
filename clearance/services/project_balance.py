"""The balance of interests of a whole project (cân đối lợi ích của dự án): the investor's approved
budget against the sum of current offers, the households' stated demands and what has been paid;
where the households stand; the area handed over; and how all of that moved month by month.

The totals come from ``case_balances`` (per case, set-based). The monthly series reads the
project's offers, meeting positions and payments once each and folds them in Python, so the
dashboard costs the same number of queries for 5 meetings or 20,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from clearance.extensions import db
from clearance.models import Case, CaseDialogueMonth, CompensationOffer, Payment, Project
from clearance.services.balance import CaseBalance, case_balances
from clearance.services.dashboard import Dashboard, project_dashboard
from clearance.workflow.statuses import Position


@dataclass
class PositionCounts:
    """Hồ sơ theo ý kiến của hộ ở cuộc gặp gần nhất; ``not_met``: chưa gặp lần nào."""

    agrees: int = 0
    partly: int = 0
    disagrees: int = 0
    no_answer: int = 0
    not_met: int = 0

    def add(self, position: Position | None) -> None:
        name = "not_met" if position is None else Position(position).value
        setattr(self, name, getattr(self, name) + 1)

    @property
    def total(self) -> int:
        return self.agrees + self.partly + self.disagrees + self.no_answer + self.not_met

    def items(self) -> list[tuple[str, int]]:
        """(key, count) in the order the dashboard shows them; keys are Position values or
        ``not_met``."""
        return [
            (Position.AGREES.value, self.agrees), (Position.PARTLY.value, self.partly),
            (Position.DISAGREES.value, self.disagrees), (Position.NO_ANSWER.value, self.no_answer),
            ("not_met", self.not_met),
        ]


@dataclass
class MonthPoint:
    """The balance as it stood at the end of ``month`` (or on ``as_of``, today, for the current
    month)."""

    month: date  # the first day of the month
    as_of: date
    #: Sum of the offers in force (the highest version offered by ``as_of``).
    offered: int = 0
    #: Sum of each household's latest demand stated by ``as_of``.
    demanded: int = 0
    #: Paid to date, reversals deducted.
    paid: int = 0
    positions: PositionCounts = field(default_factory=PositionCounts)


@dataclass
class ProjectBalance:
    #: Kinh phí bồi thường được duyệt; None until the project has one.
    budget: int | None
    cases: int
    #: Sum of the current offers, and how many cases have one.
    offered: int
    offered_cases: int
    #: Sum of the latest stated demands, how many households stated one, and what those same
    #: households are offered (so the gap compares like with like).
    demanded: int
    demanded_cases: int
    offered_to_demanding: int
    paid: int
    positions: PositionCounts
    #: Diện tích thu hồi of the project, the part whose cases are handed over, and the rest.
    recovered_area: Decimal
    handed_over_area: Decimal
    series: list[MonthPoint]
    #: Of the households that named a figure, those that also have an offer: the gap compares
    #: only them (``offered_to_demanding`` is what they are offered).
    compared_cases: int = 0
    demanded_with_offer: int = 0

    @property
    def remaining_area(self) -> Decimal:
        return max(self.recovered_area - self.handed_over_area, Decimal(0))

    def percent_of_budget(self, amount: int) -> Decimal | None:
        """``amount`` as a share of the budget, per cent to one decimal; None without a budget."""
        if not self.budget:
            return None
        return (Decimal(amount) * 100 / Decimal(self.budget)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def handed_over_percent(self) -> Decimal | None:
        if not self.recovered_area:
            return None
        return (self.handed_over_area * 100 / self.recovered_area).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def demand_gap(self) -> int | None:
        """What the households that named a figure ask for beyond what they are offered."""
        if not self.compared_cases:
            return None
        return self.demanded_with_offer - self.offered_to_demanding

    @property
    def demand_gap_percent(self) -> Decimal | None:
        gap = self.demand_gap
        if gap is None or not self.offered_to_demanding:
            return None
        return (Decimal(gap) * 100 / Decimal(self.offered_to_demanding)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def largest_amount(self) -> int:
        """The largest figure on the money chart (its scale)."""
        values = [self.budget or 0, self.offered, self.demanded, self.paid]
        values += [max(p.offered, p.demanded, p.paid) for p in self.series]
        return max(values)


def project_balance(
    project: Project, today: date, summary: Dashboard | None = None, balances: dict[int, CaseBalance] | None = None,
) -> ProjectBalance:
    """The project's balance of interests today, and its monthly series up to today's month.

    ``summary`` is the dashboard the caller already has (its areas are reused); without it the
    dashboard is read here. Eight queries besides the dashboard's, whatever the project's size."""
    summary = summary if summary is not None else project_dashboard(project)
    if balances is None:
        balances = case_balances(project)
    positions = PositionCounts()
    offered = offered_cases = demanded = demanded_cases = offered_to_demanding = paid = 0
    compared_cases = demanded_with_offer = 0
    for balance in balances.values():
        positions.add(balance.position)
        paid += balance.paid
        if balance.offer is not None:
            offered += balance.offer
            offered_cases += 1
        if balance.demand is not None:
            demanded += balance.demand
            demanded_cases += 1
            if balance.offer is not None:  # a demand with no offer yet has nothing to be compared with
                compared_cases += 1
                demanded_with_offer += balance.demand
                offered_to_demanding += balance.offer
    return ProjectBalance(
        budget=project.approved_budget, cases=len(balances), offered=offered, offered_cases=offered_cases,
        demanded=demanded, demanded_cases=demanded_cases, offered_to_demanding=offered_to_demanding, paid=paid,
        compared_cases=compared_cases, demanded_with_offer=demanded_with_offer,
        positions=positions, recovered_area=summary.recovered_area, handed_over_area=summary.handed_over_area,
        series=monthly_series(project, today, case_count=len(balances)),
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> Iterator[date]:
    """First days of the months from ``first``'s to ``last``'s, both included."""
    month = month_start(first)
    while month <= last:
        yield month
        month = next_month(month)


def _positions_by_month(in_project: sa.Select[tuple[int]], months: list[date]) -> dict[date, tuple[dict[str, int], int]]:
    """{first day of month: ({position: cases}, sum of demands)} as things stood at each month's
    end, in one query. Each case's monthly row (``case_dialogue_month``) stands from its month
    until the case's next row (its ``until``): it adds its case to its position (and its demand
    to the sum) in its month and takes them away in the month of the next row. The database sums
    those changes by month and position — a few dozen rows whatever the number of cases and
    meetings — and the running totals give each month end."""
    if not months:
        return {}
    rows = CaseDialogueMonth
    in_scope = rows.case_id.in_(in_project)
    starts = (
        sa.select(rows.month, rows.position, sa.func.count(), sa.func.coalesce(sa.func.sum(rows.demand), 0))
        .where(in_scope)
        .group_by(rows.month, rows.position)
    )
    ends = (
        sa.select(rows.until, rows.position, -sa.func.count(), -sa.func.coalesce(sa.func.sum(rows.demand), 0))
        .where(in_scope, rows.until.is_not(None))
        .group_by(rows.until, rows.position)
    )
    changes = sorted(
        ((month if isinstance(month, date) else date.fromisoformat(str(month)[:10]), position, int(cases), int(demand))
         for month, position, cases, demand in db.session.execute(sa.union_all(starts, ends))),
        key=lambda change: change[0],
    )
    tally = {position.value: 0 for position in Position}
    demanded = 0
    result: dict[date, tuple[dict[str, int], int]] = {}
    index = 0
    for month in months:
        while index < len(changes) and changes[index][0] <= month:
            _month, position, cases, demand = changes[index]
            tally[Position(position).value] += cases
            demanded += demand
            index += 1
        result[month] = (dict(tally), demanded)
    return result


def monthly_series(project: Project, today: date, case_count: int | None = None) -> list[MonthPoint]:
    """The balance at each month end, from the month of the project's first meeting, offer or
    payment to today's month (whose point stands at ``today``). Four queries (five without
    ``case_count``)."""
    in_project = sa.select(Case.id).where(Case.project_id == project.id)
    if case_count is None:
        case_count = db.session.scalar(sa.select(sa.func.count()).select_from(in_project.subquery())) or 0
    # (day, kind, case, ...) events; within a day offers and payments are independent of the
    # meetings, and meetings keep their own order (held_at, id) as case_balances does.
    offers = db.session.execute(
        sa.select(CompensationOffer.offered_on, CompensationOffer.case_id, CompensationOffer.number, CompensationOffer.amount)
        .where(CompensationOffer.case_id.in_(in_project))
        .order_by(CompensationOffer.offered_on, CompensationOffer.number)
    ).all()
    # The first month any case was met (positions are summed month by month in the database).
    first_met = db.session.scalar(
        sa.select(sa.func.min(CaseDialogueMonth.month)).where(CaseDialogueMonth.case_id.in_(in_project))
    )
    payments = db.session.execute(
        sa.select(Payment.paid_on, Payment.amount).where(Payment.case_id.in_(in_project)).order_by(Payment.paid_on)
    ).all()
    firsts = [rows[0][0] for rows in (offers, payments) if rows] + ([first_met] if first_met is not None else [])
    if not firsts:
        return []
    end = month_start(today)
    start = min(month_start(min(firsts)), end)
    standing = _positions_by_month(in_project, list(months_between(start, end)))

    series: list[MonthPoint] = []
    offer_in_force: dict[int, tuple[int, int]] = {}  # case → (version number, amount)
    offered = paid = 0
    o = p = 0
    for month in months_between(start, end):
        as_of = today if month == end else next_month(month) - timedelta(days=1)
        while o < len(offers) and offers[o][0] <= as_of:
            _day, case_id, number, amount = offers[o]
            current = offer_in_force.get(case_id)
            # A version dated later than a higher one does not replace it (as case_balances).
            if current is None or number > current[0]:
                offered += amount - (current[1] if current else 0)
                offer_in_force[case_id] = (number, amount)
            o += 1
        while p < len(payments) and payments[p][0] <= as_of:
            paid += payments[p][1]
            p += 1
        tally, demanded = standing.get(month, ({}, 0))
        counts = PositionCounts(not_met=max(case_count - sum(tally.values()), 0), **tally)
        series.append(MonthPoint(month, as_of, offered, demanded, paid, counts))
    return series
