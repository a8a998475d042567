"""The statutory procedure as data (Land Law 2024, Art. 85–89, 91, 94): the steps a case goes
through, the transitions between case statuses, who may make each, and the guard each must pass.

This module is the default. The steps and their periods are copied into the database
(``procedure_step``) where an administrator can correct a period or its legal basis without a
release; the transition table below is read from here. Guards are named here and implemented in
``clearance.services.transitions``, each returning the reason a transition is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from clearance.workflow.calendar import PeriodKind
from clearance.workflow.statuses import CaseStatus as S
from clearance.workflow.statuses import Role as R


@dataclass(frozen=True)
class StepDefault:
    """One step of the procedure (bước), with the period the law sets for it, if any."""

    code: str
    label: str
    legal_basis: str
    #: Length of the period, its kind, and the step whose date starts it ("" = this step's own date).
    period_days: int | None = None
    period_kind: PeriodKind = PeriodKind.CALENDAR
    period_from: str = ""
    #: What the period means: "deadline" (must be done within), "duration" (lasts), "validity".
    period_meaning: str = "deadline"


STEPS: tuple[StepDefault, ...] = (
    StepDefault("pre_notice_meeting", "Họp dân trước khi thông báo thu hồi", "Luật Đất đai 2024, Điều 87 khoản 1"),
    StepDefault("recovery_notice", "Thông báo thu hồi đất", "Luật Đất đai 2024, Điều 85", 365, PeriodKind.CALENDAR, "", "validity"),
    StepDefault("survey", "Điều tra, đo đạc, kiểm đếm", "Luật Đất đai 2024, Điều 87 khoản 2"),
    StepDefault("plan_drafted", "Lập phương án bồi thường, hỗ trợ, tái định cư", "Luật Đất đai 2024, Điều 87 khoản 3"),
    StepDefault("public_posting", "Niêm yết công khai phương án", "Luật Đất đai 2024, Điều 87 khoản 3 điểm a", 30, PeriodKind.CALENDAR, "", "duration"),
    StepDefault("consultation", "Họp lấy ý kiến về phương án", "Luật Đất đai 2024, Điều 87 khoản 3 điểm a"),
    StepDefault("dialogue", "Đối thoại với người còn ý kiến khác", "Luật Đất đai 2024, Điều 87 khoản 3 điểm a", 60, PeriodKind.CALENDAR, "consultation"),
    StepDefault("plan_approved", "Phê duyệt phương án", "Luật Đất đai 2024, Điều 87 khoản 3; Nghị định 88/2024", 30, PeriodKind.CALENDAR, "public_posting"),
    StepDefault("recovery_decision", "Quyết định thu hồi đất", "Luật Đất đai 2024, Điều 87 khoản 5–6", 10, PeriodKind.CALENDAR, "plan_approved"),
    StepDefault("payment", "Chi trả tiền bồi thường, hỗ trợ", "Luật Đất đai 2024, Điều 94", 30, PeriodKind.CALENDAR, "plan_approved"),
    StepDefault("handover", "Bàn giao mặt bằng", "Luật Đất đai 2024, Điều 87 khoản 7", 20, PeriodKind.CALENDAR, "payment"),
    StepDefault("enforcement", "Cưỡng chế thu hồi đất", "Luật Đất đai 2024, Điều 89"),
)


@dataclass(frozen=True)
class Transition:
    """A move of a case from one status to another: the step it records, who may make it, and
    the guards that must all pass."""

    source: S
    target: S
    step: str
    roles: frozenset[R]
    guards: tuple[str, ...] = ()
    #: A move backwards (correction): a reason is required.
    correction: bool = False


EDITORS = frozenset({R.ADMIN, R.LEAD, R.OFFICER})
LEADS = frozenset({R.ADMIN, R.LEAD})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.NEW, S.NOTIFIED, "recovery_notice", EDITORS),
    Transition(S.NOTIFIED, S.SURVEYED, "survey", EDITORS, ("notice_valid",)),
    Transition(S.SURVEYED, S.PLAN_DRAFTED, "plan_drafted", EDITORS),
    Transition(S.PLAN_DRAFTED, S.POSTED, "public_posting", EDITORS),
    Transition(S.POSTED, S.PLAN_APPROVED, "plan_approved", LEADS, ("posting_period_over",)),
    Transition(S.PLAN_APPROVED, S.DECIDED, "recovery_decision", LEADS),
    Transition(S.DECIDED, S.PAID, "payment", EDITORS, ("plan_approved",)),
    Transition(S.PAID, S.HANDED_OVER, "handover", EDITORS),
    Transition(S.DECIDED, S.ENFORCEMENT, "enforcement", LEADS, ("not_in_enforcement_blackout",)),
    Transition(S.PAID, S.ENFORCEMENT, "enforcement", LEADS, ("not_in_enforcement_blackout",)),
    Transition(S.ENFORCEMENT, S.HANDED_OVER, "handover", LEADS),
    # Corrections, with a reason: a plan sent back for redrafting, a status entered by mistake.
    Transition(S.POSTED, S.PLAN_DRAFTED, "plan_drafted", LEADS, correction=True),
    Transition(S.PLAN_APPROVED, S.PLAN_DRAFTED, "plan_drafted", LEADS, correction=True),
    Transition(S.NOTIFIED, S.NEW, "recovery_notice", LEADS, correction=True),
)

GUARD_LABELS = {
    "notice_valid": _l("thông báo thu hồi còn hiệu lực (12 tháng)"),
    "posting_period_over": _l("đã niêm yết đủ 30 ngày"),
    "plan_approved": _l("phương án đã được phê duyệt"),
    "not_in_enforcement_blackout": _l("không cưỡng chế ban đêm, ngày lễ, 15 ngày trước và sau Tết"),
}


def transitions_from(status: S) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status]


def find_transition(source: S, target: S) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)
