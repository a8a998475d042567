"""Việc cần làm: the statutory deadlines of the cases a team sees, due soon or overdue.

Computed from each case's timeline and its project's dates with the periods stored in
``procedure_step`` and the holidays of ``public_holiday``: the end of the 30-day posting, the
30-day payment deadline after approval (with the days late, which the late-payment amount
accrues on), the 12-month validity of the recovery notice, the handover after payment, and the
resolution deadlines of open complaints and petitions. Four queries whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from clearance.extensions import db
from clearance.models import Case, CaseEvent, Grievance, Party, ProcedureStep, Project, PublicHoliday, User
from clearance.services.scope import projects_query
from clearance.workflow.calendar import add_period
from clearance.workflow.statuses import CaseStatus as S
from clearance.workflow.statuses import GrievanceStatus

#: Items due within this many days are listed as coming up.
HORIZON_DAYS = 14

KINDS = {
    "posting_end": _l("Hết thời hạn niêm yết phương án"),
    "payment_due": _l("Hạn chi trả tiền bồi thường"),
    "notice_expiry": _l("Thông báo thu hồi hết hiệu lực"),
    "handover_due": _l("Hạn bàn giao mặt bằng"),
    "grievance_due": _l("Hạn giải quyết khiếu nại, kiến nghị"),
}
GRIEVANCE_BASIS = "Luật Khiếu nại 2011, Điều 28"
#: Statuses in which each deadline still matters.
OPEN_FOR = {
    "posting_end": {S.POSTED},
    "payment_due": {S.PLAN_APPROVED, S.DECIDED},
    "notice_expiry": {S.NOTIFIED, S.SURVEYED, S.PLAN_DRAFTED, S.POSTED},
    "handover_due": {S.PAID},
}


@dataclass(frozen=True)
class DueItem:
    kind: str
    case_id: int
    case_code: str
    project_code: str
    party_name: str
    status: S
    #: The last day of the period.
    due: date
    #: Days from today to the due day (negative: overdue by that many days).
    days_left: int
    legal_basis: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def due_items(user: User, today: date, horizon_days: int = HORIZON_DAYS) -> list[DueItem]:
    """Overdue items first (most overdue first), then those due within ``horizon_days``."""
    steps = {s.code: s for s in db.session.scalars(sa.select(ProcedureStep))}
    holidays = set(db.session.scalars(sa.select(PublicHoliday.day)))
    reached = (
        sa.select(
            CaseEvent.case_id,
            *(
                sa.func.max(sa.case((CaseEvent.to_status == status, CaseEvent.occurred_on))).label(status.value)
                for status in (S.NOTIFIED, S.POSTED, S.PLAN_APPROVED, S.PAID)
            ),
        )
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    visible = projects_query(user).with_only_columns(Project.id)
    rows = db.session.execute(
        sa.select(
            Case.id, Case.code, Case.status, Project.code.label("project_code"), Party.name,
            Project.notice_date, Project.plan_approved_date, Project.handover_deadline,
            reached.c.notified, reached.c.posted, reached.c.plan_approved, reached.c.paid,
        )
        .join(Project, Case.project_id == Project.id)
        .join(Party, Case.party_id == Party.id)
        .outerjoin(reached, reached.c.case_id == Case.id)
        .where(Case.project_id.in_(visible), Case.status.in_(set().union(*OPEN_FOR.values())))
    ).all()
    items = []
    for row in rows:
        starts = {
            "posting_end": ("public_posting", row.posted),
            "payment_due": ("payment", row.plan_approved or row.plan_approved_date),
            "notice_expiry": ("recovery_notice", row.notified or row.notice_date),
            "handover_due": ("handover", row.paid),
        }
        for kind, (code, start) in starts.items():
            step = steps.get(code)
            if row.status not in OPEN_FOR[kind] or start is None or step is None or not step.period_days:
                continue
            due = add_period(start, step.period_days, step.period_kind, holidays)
            if kind == "handover_due" and row.handover_deadline is not None:
                due = min(due, row.handover_deadline)
            days_left = (due - today).days
            if days_left > horizon_days:
                continue
            items.append(
                DueItem(kind, row.id, row.code, row.project_code, row.name, row.status, due, days_left, step.legal_basis)
            )
    grievances = db.session.execute(
        sa.select(Case.id, Case.code, Case.status, Project.code.label("project_code"), Party.name, Grievance.deadline)
        .join(Case, Grievance.case_id == Case.id)
        .join(Project, Case.project_id == Project.id)
        .join(Party, Case.party_id == Party.id)
        .where(Case.project_id.in_(visible), Grievance.status == GrievanceStatus.OPEN)
    ).all()
    for row in grievances:
        days_left = (row.deadline - today).days
        if days_left <= horizon_days:
            items.append(
                DueItem("grievance_due", row.id, row.code, row.project_code, row.name, row.status, row.deadline, days_left, GRIEVANCE_BASIS)
            )
    items.sort(key=lambda item: (item.days_left, item.project_code, item.case_code))
    return items
