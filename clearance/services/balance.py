"""The balance of interests (cân đối lợi ích) of each case: the investor's budget share, the
current offer, the household's stated demand and what has been paid, with the gap between demand
and offer, and where the household stood at its latest meeting.

``case_balances`` computes them for a whole project (or some of its cases) in a fixed number of
queries, whatever the number of cases, meetings or offers (meetings are read from their per-case
summary, ``case_dialogue``): the case page, the project dashboard
and the hotspot scoring all read from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from clearance.extensions import db
from clearance.models import Case, CaseDialogue, CaseParcel, CompensationOffer, Parcel, Payment, Project
from clearance.workflow.statuses import CaseStatus, Position


@dataclass
class CaseBalance:
    case_id: int
    status: CaseStatus
    #: The case's recovered area (m², by its shares of its parcels).
    recovered_area: Decimal = Decimal(0)
    #: Phần kinh phí: the approved budget apportioned by recovered area; None without a budget.
    budget_share: int | None = None
    #: Giá trị bồi thường đề nghị, latest version, and that version's number.
    offer: int | None = None
    offer_number: int | None = None
    #: Mức hộ đề nghị, the latest the household stated at a meeting.
    demand: int | None = None
    #: Đã chi trả (payments less reversals).
    paid: int = 0
    #: Ý kiến của hộ at its latest meeting, and when that was.
    position: Position | None = None
    last_met_at: datetime | None = None
    meetings: int = 0

    @property
    def gap(self) -> int | None:
        """Demand minus offer, in đồng (positive: the household asks for more)."""
        if self.offer is None or self.demand is None:
            return None
        return self.demand - self.offer

    @property
    def gap_percent(self) -> Decimal | None:
        """The gap as a share of the offer, per cent to one decimal."""
        gap = self.gap
        if gap is None or not self.offer:
            return None
        return (Decimal(gap) * 100 / Decimal(self.offer)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def unpaid(self) -> int | None:
        return None if self.offer is None else self.offer - self.paid


def case_balances(project: Project, case_ids: Iterable[int] | None = None) -> dict[int, CaseBalance]:
    """Balances of the project's cases (all, or ``case_ids``), in four queries."""
    ids = None if case_ids is None else list(case_ids)

    def scoped(column: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
        return column.in_(ids) if ids is not None else sa.true()

    # The budget is apportioned over all the project's cases, so areas are always read whole. A
    # project without a recovery boundary yet has no recovered areas: the measured area stands in.
    # Areas × shares are summed here in Decimal: SQLite would round the product to the column's
    # two decimals (through a float), and the shares in đồng would differ between the databases.
    rows = db.session.execute(
        sa.select(Case.id, Case.status, sa.func.coalesce(Parcel.recovered_area, Parcel.measured_area), CaseParcel.share)
        .outerjoin(CaseParcel, CaseParcel.case_id == Case.id)
        .outerjoin(Parcel, CaseParcel.parcel_id == Parcel.id)
        .where(Case.project_id == project.id)
    ).all()
    statuses: dict[int, CaseStatus] = {}
    areas: dict[int, Decimal] = {}
    for case_id, status, parcel_area, share in rows:
        statuses[case_id] = status
        held = Decimal(str(parcel_area)) * Decimal(str(share)) / 100 if parcel_area is not None and share is not None else Decimal(0)
        areas[case_id] = areas.get(case_id, Decimal(0)) + held
    total_area = sum(areas.values(), Decimal(0))
    balances: dict[int, CaseBalance] = {}
    for case_id, case_area in areas.items():
        if ids is not None and case_id not in ids:
            continue
        balance = CaseBalance(case_id, statuses[case_id], case_area.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        if project.approved_budget is not None and total_area > 0:
            share = Decimal(project.approved_budget) * case_area / total_area
            balance.budget_share = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        balances[case_id] = balance
    if not balances:
        return balances

    in_project = sa.select(Case.id).where(Case.project_id == project.id)
    latest_offer = (
        sa.select(CompensationOffer.case_id, sa.func.max(CompensationOffer.number).label("number"))
        .where(CompensationOffer.case_id.in_(in_project), scoped(CompensationOffer.case_id))
        .group_by(CompensationOffer.case_id)
        .subquery()
    )
    for case_id, number, amount in db.session.execute(
        sa.select(CompensationOffer.case_id, CompensationOffer.number, CompensationOffer.amount).join(
            latest_offer,
            sa.and_(latest_offer.c.case_id == CompensationOffer.case_id, latest_offer.c.number == CompensationOffer.number),
        )
    ):
        if case_id in balances:
            balances[case_id].offer, balances[case_id].offer_number = amount, number

    for case_id, paid in db.session.execute(
        sa.select(Payment.case_id, sa.func.sum(Payment.amount))
        .where(Payment.case_id.in_(in_project), scoped(Payment.case_id))
        .group_by(Payment.case_id)
    ):
        if case_id in balances:
            balances[case_id].paid = int(paid)

    # Where each case stands in the dialogue: its summary row, kept by the meetings service.
    for case_id, position, held_at, meetings, demand in db.session.execute(
        sa.select(CaseDialogue.case_id, CaseDialogue.position, CaseDialogue.last_met_at, CaseDialogue.meetings, CaseDialogue.demand)
        .where(CaseDialogue.case_id.in_(in_project), scoped(CaseDialogue.case_id))
    ):
        if case_id in balances:
            balance = balances[case_id]
            balance.position, balance.last_met_at, balance.meetings = Position(position), held_at, meetings
            balance.demand = None if demand is None else int(demand)
    return balances
