"""Việc cần làm: the statutory deadlines of the cases a team sees, due soon or overdue.

Computed from each case's timeline and its project's dates with the periods stored in
``procedure_step`` and the holidays of ``public_holiday``: the end of the 30-day posting, the
30-day payment deadline after approval (with the days late, which the late-payment amount
accrues on), the 12-month validity of the recovery notice, the handover after payment, the
resolution deadlines of open complaints and petitions, the promises made to households at meetings
(cam kết) that are still open, and the 60-day dialogue window (step 6, Art. 87(3)(a)) of the
households that still disagree after the consultation. Six queries whatever the number of cases.

The dialogue window of a case is listed when the household attended a consultation meeting
(``Meeting.kind`` consultation), its position at its latest meeting is anything but "agrees", it
has had no dialogue meeting since its first consultation, and its status is still before the plan's
approval. The window closes the ``dialogue`` step's period (60 calendar days) after that first
consultation, counted as every statutory period is (``add_period``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import (
    Case,
    CaseDialogue,
    CaseEvent,
    Commitment,
    Grievance,
    Meeting,
    Party,
    ProcedureStep,
    Project,
    PublicHoliday,
    User,
)
from clearance.services.scope import projects_query
from clearance.workflow.calendar import add_period
from clearance.workflow.statuses import PROGRESS_ORDER, CommitmentStatus, GrievanceStatus, Position
from clearance.workflow.statuses import CaseStatus as S

#: Items due within this many days are listed as coming up.
HORIZON_DAYS = 14

KINDS = {
    "posting_end": _l("Hết thời hạn niêm yết phương án"),
    "payment_due": _l("Hạn chi trả tiền bồi thường"),
    "notice_expiry": _l("Thông báo thu hồi hết hiệu lực"),
    "handover_due": _l("Hạn bàn giao mặt bằng"),
    "grievance_due": _l("Hạn giải quyết khiếu nại, kiến nghị"),
    "commitment_due": _l("Cam kết với hộ"),
    "dialogue_due": _l("Hạn đối thoại với hộ còn ý kiến khác"),
}
GRIEVANCE_BASIS = "Luật Khiếu nại 2011, Điều 28"
#: Statuses in which each deadline still matters.
OPEN_FOR = {
    "posting_end": {S.POSTED},
    "payment_due": {S.PLAN_APPROVED, S.DECIDED},
    "notice_expiry": {S.NOTIFIED, S.SURVEYED, S.PLAN_DRAFTED, S.POSTED},
    "handover_due": {S.PAID},
}
#: A dialogue is owed only until the plan is approved.
BEFORE_APPROVAL = frozenset(PROGRESS_ORDER[: PROGRESS_ORDER.index(S.PLAN_APPROVED)])


@dataclass(frozen=True)
class DueItem:
    kind: str
    #: Empty only for a promise made to a whole meeting rather than to one household.
    case_id: int | None
    case_code: str
    project_code: str
    party_name: str
    status: S | None
    #: The last day of the period.
    due: date
    #: Days from today to the due day (negative: overdue by that many days).
    days_left: int
    legal_basis: str
    #: A commitment: what was promised, who answers for it, and the meeting it was made at.
    what: str = ""
    responsible: str = ""
    meeting_id: int | None = None
    #: The day of the meeting the item comes from (the commitment's meeting, the consultation).
    meeting_on: date | None = None
    #: The dialogue window: the household's position at its latest meeting.
    position: Position | None = None

    @property
    def label(self) -> str:
        if self.kind == "commitment_due":
            return str(_l("Cam kết với hộ: %(what)s", what=self.what))
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
    items.extend(_commitments(visible, today, horizon_days))
    items.extend(_dialogue_windows(visible, steps.get("dialogue"), holidays, today, horizon_days))
    items.sort(key=lambda item: (item.days_left, item.project_code, item.case_code, item.kind))
    return items


def _commitments(visible: sa.Select[tuple[int]], today: date, horizon_days: int) -> list[DueItem]:
    """Open promises to households (cam kết) overdue or due within the horizon (one query)."""
    rows = db.session.execute(
        sa.select(
            Commitment.case_id, Commitment.what, Commitment.responsible, Commitment.due_on, Commitment.meeting_id,
            Meeting.held_at, Project.code.label("project_code"), Case.code.label("case_code"), Case.status, Party.name,
        )
        .join(Meeting, Meeting.id == Commitment.meeting_id)
        .join(Project, Project.id == Commitment.project_id)
        .outerjoin(Case, Case.id == Commitment.case_id)
        .outerjoin(Party, Party.id == Case.party_id)
        .where(
            Commitment.project_id.in_(visible), Commitment.status == CommitmentStatus.OPEN,
            Commitment.due_on <= today + timedelta(days=horizon_days),
        )
    ).all()
    return [
        DueItem(
            "commitment_due", row.case_id, row.case_code or "", row.project_code,
            row.name or str(_l("Các hộ dự cuộc gặp")), row.status, row.due_on, (row.due_on - today).days, "",
            what=row.what, responsible=row.responsible, meeting_id=row.meeting_id,
            meeting_on=row.held_at.astimezone(LOCAL_TZ).date(),
        )
        for row in rows
    ]


def _dialogue_windows(
    visible: sa.Select[tuple[int]], step: ProcedureStep | None, holidays: set[date], today: date, horizon_days: int,
) -> list[DueItem]:
    """The 60-day dialogue window of households still not agreeing after the consultation (one
    query; see the module's doc for which cases)."""
    if step is None or not step.period_days:
        return []
    # Each case's first consultation, latest dialogue and latest position: its dialogue summary.
    summary = CaseDialogue
    rows = db.session.execute(
        sa.select(
            Case.id, Case.code, Case.status, Project.code.label("project_code"), Party.name,
            summary.first_consultation_at.label("consulted"), summary.position,
        )
        .join(Project, Case.project_id == Project.id)
        .join(Party, Case.party_id == Party.id)
        .join(summary, summary.case_id == Case.id)
        .where(
            Case.project_id.in_(visible), Case.status.in_(BEFORE_APPROVAL), summary.first_consultation_at.is_not(None),
            summary.position != Position.AGREES,
            sa.or_(summary.last_dialogue_at.is_(None), summary.last_dialogue_at < summary.first_consultation_at),
        )
    ).all()
    items = []
    for row in rows:
        consulted = row.consulted.astimezone(LOCAL_TZ).date()
        due = add_period(consulted, step.period_days, step.period_kind, holidays)
        days_left = (due - today).days
        if days_left <= horizon_days:
            items.append(DueItem(
                "dialogue_due", row.id, row.code, row.project_code, row.name, row.status, due, days_left,
                step.legal_basis, meeting_on=consulted, position=Position(row.position),
            ))
    return items
