"""Moving a case through the procedure (chuyển bước hồ sơ): only along the transition table of
``clearance.workflow.procedure``, by the roles it names, when every guard passes. Each move is a
timeline event (CaseEvent) and an audited status change; a refused move changes nothing and says
why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from clearance.audit import current_actor, set_reason
from clearance.extensions import db
from clearance.formatting import vndate
from clearance.models import Case, CaseEvent, ProcedureStep, PublicHoliday, User
from clearance.models.types import utcnow
from clearance.services.errors import FieldError
from clearance.workflow import holidays as holiday_data
from clearance.workflow.calendar import PeriodKind, add_period, enforcement_blackout
from clearance.workflow.procedure import GUARD_LABELS, STEPS, Transition, find_transition, transitions_from
from clearance.workflow.statuses import CaseStatus, label


class TransitionRefused(ValueError):
    """The move is not allowed now; the message says why (for the user)."""


@dataclass(frozen=True)
class TransitionOption:
    """A move offered on the case page: allowed, or refused with its reason."""

    transition: Transition
    refusal: str | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class Moment:
    """When the step happens: its day, and its time when the hour matters (enforcement)."""

    day: date
    at: datetime | None = None


def step(code: str) -> ProcedureStep | None:
    return db.session.scalar(sa.select(ProcedureStep).where(ProcedureStep.code == code))


def all_steps() -> list[ProcedureStep]:
    return list(db.session.scalars(sa.select(ProcedureStep).order_by(ProcedureStep.position)))


def holidays() -> set[date]:
    return set(db.session.scalars(sa.select(PublicHoliday.day)))


#: Guards that judge the moment the user types into the form: checked when the move is made,
#: not when the page offers it (an enforcement of this morning is recorded tonight).
MOMENT_GUARDS = frozenset({"not_in_enforcement_blackout"})


def options(case: Case, user: User, when: Moment) -> list[TransitionOption]:
    """Every move out of the case's status, each with why it is refused (None = allowed)."""
    return [
        TransitionOption(t, _refusal(case, user, t, when, note=None, skip=MOMENT_GUARDS)) for t in transitions_from(case.status)
    ]


def transition_case(
    case: Case,
    target: CaseStatus,
    user: User,
    when: Moment,
    *,
    document: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> CaseEvent:
    """Move the case to ``target`` (the caller commits). Raises TransitionRefused with the
    reason, or FieldError("version") when someone else changed the case meanwhile."""
    if expected_version is not None and expected_version != case.version:
        raise FieldError("version", _("Hồ sơ vừa được người khác thay đổi; tải lại trang rồi thử lại."))
    transition = find_transition(case.status, target)
    if transition is None:
        raise TransitionRefused(
            _("Không thể chuyển hồ sơ từ “%(source)s” sang “%(target)s”.", source=label(case.status), target=label(target))
        )
    refusal = _refusal(case, user, transition, when, note)
    if refusal is not None:
        raise TransitionRefused(refusal)
    user_id, actor = current_actor()
    event = CaseEvent(
        case_id=case.id,
        step_code=transition.step,
        from_status=case.status,
        to_status=target,
        occurred_on=when.day,
        occurred_at=when.at,
        recorded_at=utcnow(),
        user_id=user_id,
        actor=actor,
        document=document,
        note=note,
        is_correction=transition.correction,
    )
    db.session.add(event)
    case.status = target
    set_reason(db.session, note or None)
    db.session.flush()
    return event


def timeline(case: Case) -> list[CaseEvent]:
    """The case's steps, oldest first (by the day they happened, then as recorded)."""
    return list(
        db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.occurred_on, CaseEvent.id)
        )
    )


# --- rules -------------------------------------------------------------------------------------


def _refusal(
    case: Case, user: User, transition: Transition, when: Moment, note: str | None, skip: frozenset[str] = frozenset()
) -> str | None:
    """Why the move is refused, or None. ``note`` None: not typed yet (the page is offering the
    move), so a correction's missing reason is not held against it."""
    if user.role not in transition.roles:
        return _("Chỉ trưởng nhóm hoặc quản trị được thực hiện bước này.")
    if transition.correction and note is not None and not note.strip():
        return _("Sửa lại bước trước cần ghi lý do.")
    if when.day > _today():
        return _("Ngày thực hiện không được sau hôm nay.")
    for guard in transition.guards:
        if guard in skip:
            continue
        reason = GUARDS[guard](case, when)
        if reason is not None:
            return reason
    return None


def _today() -> date:
    from clearance.formatting import LOCAL_TZ

    return datetime.now(LOCAL_TZ).date()


def _last_event_day(case: Case, status: CaseStatus) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.max(CaseEvent.occurred_on)).where(CaseEvent.case_id == case.id, CaseEvent.to_status == status)
    )


def _period(code: str) -> tuple[int, PeriodKind] | None:
    stored = step(code)
    if stored is not None:
        return (stored.period_days, stored.period_kind) if stored.period_days else None
    default = next((s for s in STEPS if s.code == code), None)
    return (default.period_days, default.period_kind) if default and default.period_days else None


def _notice_valid(case: Case, when: Moment) -> str | None:
    notified = _last_event_day(case, CaseStatus.NOTIFIED) or case.project.notice_date
    period = _period("recovery_notice")
    if notified is None or period is None:
        return None
    expires = add_period(notified, period[0], period[1], holidays())
    if when.day > expires:
        return _(
            "Thông báo thu hồi ngày %(day)s đã hết hiệu lực ngày %(end)s (Điều 85): cần thông báo lại.",
            day=vndate(notified),
            end=vndate(expires),
        )
    return None


def _posting_period_over(case: Case, when: Moment) -> str | None:
    posted = _last_event_day(case, CaseStatus.POSTED)
    if posted is None:
        return _("Chưa ghi ngày niêm yết phương án của hồ sơ này: chưa tính được thời hạn 30 ngày.")
    period = _period("public_posting")
    if period is None:
        return None
    ends = add_period(posted, period[0], period[1], holidays())
    if when.day <= ends:
        return _(
            "Phương án niêm yết từ %(day)s, chưa đủ %(n)s ngày (đến hết ngày %(end)s) (Điều 87 khoản 3).",
            day=vndate(posted),
            n=period[0],
            end=vndate(ends),
        )
    return None


def _plan_approved(case: Case, when: Moment) -> str | None:
    if _last_event_day(case, CaseStatus.PLAN_APPROVED) is None and case.project.plan_approved_date is None:
        return _("Chưa chi trả được: phương án chưa được phê duyệt.")
    return None


def _not_in_enforcement_blackout(case: Case, when: Moment) -> str | None:
    if when.at is None:
        return _("Cưỡng chế cần ghi giờ thực hiện.")
    return enforcement_blackout(when.at, holidays(), holiday_data.LUNAR_NEW_YEAR)


GUARDS: dict[str, Callable[[Case, Moment], str | None]] = {
    "notice_valid": _notice_valid,
    "posting_period_over": _posting_period_over,
    "plan_approved": _plan_approved,
    "not_in_enforcement_blackout": _not_in_enforcement_blackout,
}
assert set(GUARDS) == set(GUARD_LABELS), "every guard named in the procedure has a rule"
