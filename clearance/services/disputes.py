"""The dispute status of a case (tình trạng vướng mắc): derived from its record, with the reason
in words, unless a team lead has set it by hand.

The derived status is the first row of ``PRECEDENCE`` whose condition holds, so a case under
enforcement is "enforcement" whatever else is true of it, and a case with nothing recorded is
"no concerns". A team lead (or an administrator) may override it with a reason
(``set_dispute_status``): the latest ruling stands until a later one clears it, which hands the
case back to the derived status. Every ruling is kept.

``derive`` is pure (the facts of one case in, status and reason out); ``dispute_statuses`` and
``disputes`` gather the facts of all the cases of a project in a fixed number of queries, and
``dispute_of`` is the same for one case, so a list and the case page always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, vndate
from clearance.models import (
    Case,
    CaseDialogue,
    CaseEvent,
    Commitment,
    Concern,
    DisputeRuling,
    Grievance,
    Meeting,
    MeetingCase,
    Project,
    User,
)
from clearance.models.types import utcnow
from clearance.services.balance import CaseBalance, case_balances
from clearance.services.errors import FieldError
from clearance.workflow.statuses import (
    CaseStatus,
    CommitmentStatus,
    ConcernCategory,
    DisputeStatus,
    GrievanceKind,
    GrievanceStatus,
    MeetingKind,
    Position,
    label,
)


class DisputeNotAllowed(PermissionError):
    """Only a team lead or an administrator sets a case's dispute status by hand."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the facts of one case ---------------------------------------------------------------------


@dataclass(frozen=True)
class LatestMeeting:
    """The household's latest meeting and where it stood afterwards."""

    meeting_id: int
    kind: MeetingKind
    held_at: datetime
    position: Position
    #: Hộ không hợp tác điều tra, kiểm đếm at that meeting.
    refused_inventory: bool = False


@dataclass(frozen=True)
class OpenGrievance:
    kind: GrievanceKind
    filed_on: date
    deadline: date


@dataclass(frozen=True)
class DisputeFacts:
    """What the derived status is read from."""

    case_status: CaseStatus
    #: The day the case reached its current status, for enforcement, payment and handover.
    status_since: date | None = None
    latest: LatestMeeting | None = None
    meetings: int = 0
    #: Concerns the household raised (its own, not those of a group as a whole), by category.
    concerns: dict[ConcernCategory, int] = field(default_factory=dict)
    open_commitments: int = 0
    overdue_commitments: int = 0
    next_due: date | None = None
    #: Open complaints and petitions, oldest first.
    grievances: tuple[OpenGrievance, ...] = ()

    @property
    def concern_count(self) -> int:
        return sum(self.concerns.values())

    def open_of(self, kind: GrievanceKind) -> list[OpenGrievance]:
        return [g for g in self.grievances if g.kind == kind]

    @property
    def current(self) -> LatestMeeting | None:
        """The latest meeting, unless the case was paid or handed over after it: taking the money
        or handing over the land says more than a position stated before."""
        latest = self.latest
        if latest is None:
            return None
        settled = self.case_status in (CaseStatus.PAID, CaseStatus.HANDED_OVER) and self.status_since is not None
        if settled and latest.held_at.astimezone(LOCAL_TZ).date() < self.status_since:  # type: ignore[operator]
            return None
        return latest


# --- the precedence ----------------------------------------------------------------------------


def _day(moment: datetime) -> str:
    return vndate(moment.astimezone(LOCAL_TZ).date())


def _at_meeting(latest: LatestMeeting) -> str:
    """'buổi đối thoại 20/11/2026'."""
    kind = label(latest.kind)
    return _("buổi %(kind)s %(day)s", kind=kind[:1].lower() + kind[1:], day=_day(latest.held_at))


def _grievance_words(grievance: OpenGrievance, today: date) -> str:
    what = _("Khiếu nại") if grievance.kind == GrievanceKind.COMPLAINT else _("Kiến nghị")
    if grievance.deadline < today:
        return _(
            "%(what)s nhận ngày %(filed)s đã quá hạn giải quyết (hạn %(deadline)s)",
            what=what, filed=vndate(grievance.filed_on), deadline=vndate(grievance.deadline),
        )
    return _(
        "%(what)s nhận ngày %(filed)s đang chờ giải quyết, hạn %(deadline)s",
        what=what, filed=vndate(grievance.filed_on), deadline=vndate(grievance.deadline),
    )


def _enforcement(facts: DisputeFacts, today: date) -> str | None:
    if facts.case_status != CaseStatus.ENFORCEMENT:
        return None
    if facts.status_since:
        return _("Hồ sơ ở bước cưỡng chế thu hồi đất từ ngày %(day)s", day=vndate(facts.status_since))
    return _("Hồ sơ ở bước cưỡng chế thu hồi đất")


def _complaint(facts: DisputeFacts, today: date) -> str | None:
    complaints = facts.open_of(GrievanceKind.COMPLAINT)
    if not complaints:
        return None
    words = _grievance_words(complaints[0], today)
    if len(complaints) > 1:
        words += " " + _("(và %(n)s khiếu nại khác chưa giải quyết)", n=len(complaints) - 1)
    return words


def _disagrees(facts: DisputeFacts, today: date) -> str | None:
    latest = facts.current
    if latest is None or latest.position != Position.DISAGREES:
        return None
    if latest.refused_inventory:
        return _("Hộ không đồng ý và không cho điều tra, kiểm đếm tại %(meeting)s", meeting=_at_meeting(latest))
    return _("Hộ không đồng ý tại %(meeting)s", meeting=_at_meeting(latest))


def _open_concerns(facts: DisputeFacts, today: date) -> str | None:
    parts: list[str] = []
    latest = facts.current
    position = latest.position if latest else None
    # "Partly" is itself something raised, even when no concern was written down with it.
    if latest is not None and position == Position.PARTLY:
        parts.append(_("Hộ đồng ý một phần tại %(meeting)s", meeting=_at_meeting(latest)))
    elif latest is not None and position == Position.NO_ANSWER and facts.concern_count:
        parts.append(_("Hộ chưa trả lời tại %(meeting)s", meeting=_at_meeting(latest)))
    if parts and latest is not None and latest.refused_inventory:
        parts.append(_("không cho điều tra, kiểm đếm"))
    if parts and facts.concern_count:
        # Some labels hold a comma ("Thời gian, tiến độ"): the categories are set apart by dots.
        categories = " · ".join(label(c).lower() for c in ConcernCategory if c in facts.concerns)
        parts.append(_("đã nêu %(n)s ý kiến (%(categories)s)", n=facts.concern_count, categories=categories))
    if facts.overdue_commitments:
        words = _("có %(n)s cam kết quá hạn chưa thực hiện (hạn %(day)s)", n=facts.overdue_commitments, day=vndate(facts.next_due))
        if facts.open_commitments > facts.overdue_commitments:
            words += ", " + _("%(n)s cam kết khác chưa đến hạn", n=facts.open_commitments - facts.overdue_commitments)
        parts.append(words)
    elif facts.open_commitments:
        parts.append(
            _("còn %(n)s cam kết chưa thực hiện, hạn gần nhất %(day)s", n=facts.open_commitments, day=vndate(facts.next_due))
        )
    parts.extend(_grievance_words(g, today) for g in facts.open_of(GrievanceKind.PETITION))
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def _resolved(facts: DisputeFacts, today: date) -> str | None:
    if facts.case_status in (CaseStatus.PAID, CaseStatus.HANDED_OVER):
        if facts.status_since:
            return _("Hồ sơ %(status)s ngày %(day)s", status=label(facts.case_status).lower(), day=vndate(facts.status_since))
        return _("Hồ sơ %(status)s", status=label(facts.case_status).lower())
    latest = facts.latest
    if latest is not None and latest.position == Position.AGREES and facts.concern_count:
        return _(
            "Hộ đồng ý tại %(meeting)s, sau %(n)s ý kiến đã nêu", meeting=_at_meeting(latest), n=facts.concern_count
        )
    return None


def _nothing_raised(facts: DisputeFacts, today: date) -> str:
    if facts.latest is None:
        return _("Chưa có cuộc gặp nào với hộ; chưa ghi nhận vướng mắc")
    if facts.latest.position == Position.AGREES:
        return _("Hộ đồng ý tại %(meeting)s, không nêu vướng mắc", meeting=_at_meeting(facts.latest))
    return _("Hộ chưa nêu vướng mắc nào qua %(n)s cuộc gặp", n=facts.meetings)


@dataclass(frozen=True)
class Rule:
    status: DisputeStatus
    #: The condition, as the case page explains it.
    when: object
    #: The reason in words when the condition holds, else None.
    reason: Callable[[DisputeFacts, date], str | None]


#: The derived status is the first row whose condition holds (one screen, read top to bottom).
PRECEDENCE: tuple[Rule, ...] = (
    Rule(DisputeStatus.ENFORCEMENT, _l("Hồ sơ đang ở bước cưỡng chế."), _enforcement),
    Rule(DisputeStatus.COMPLAINT_PENDING, _l("Có khiếu nại chưa giải quyết xong."), _complaint),
    Rule(DisputeStatus.DISAGREES, _l("Ở cuộc gặp gần nhất, hộ không đồng ý."), _disagrees),
    # Once a case is paid or handed over, only meetings from that day on state its position.
    Rule(
        DisputeStatus.OPEN_CONCERNS,
        _l(
            "Lần gần nhất hộ đồng ý một phần, hoặc chưa trả lời sau khi đã nêu ý kiến; hoặc còn cam kết "
            "chưa thực hiện; hoặc có kiến nghị chưa giải quyết."
        ),
        _open_concerns,
    ),
    Rule(
        DisputeStatus.RESOLVED,
        _l(
            "Đã chi trả hoặc đã bàn giao mặt bằng (ý kiến nêu ở các cuộc gặp trước ngày đó không còn tính); hoặc "
            "hộ đồng ý sau khi đã nêu ý kiến."
        ),
        _resolved,
    ),
    Rule(DisputeStatus.NO_CONCERNS, _l("Chưa nêu vướng mắc nào."), _nothing_raised),
)


def derive(facts: DisputeFacts, today: date) -> tuple[DisputeStatus, str]:
    """The derived dispute status of a case and why, by ``PRECEDENCE``."""
    for rule in PRECEDENCE:
        reason = rule.reason(facts, today)
        if reason is not None:
            return rule.status, reason
    raise AssertionError("the last rule always applies")  # pragma: no cover


# --- what a page shows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ruling:
    """A team lead's ruling that stands: the status they set, why, who and when."""

    status: DisputeStatus
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class Dispute:
    status: DisputeStatus
    reason: str
    derived_status: DisputeStatus
    derived_reason: str
    ruling: Ruling | None = None

    @property
    def overridden(self) -> bool:
        return self.ruling is not None

    @property
    def summary(self) -> str:
        """The reason as one line for lists: a ruling says it was set by hand, by whom and when."""
        if self.ruling is None:
            return self.reason
        return _(
            "Do trưởng nhóm xác định (%(actor)s, %(day)s): %(reason)s",
            actor=self.ruling.actor, day=_day(self.ruling.at), reason=self.ruling.reason,
        )


def _local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def disputes(
    project: Project, case_ids: Iterable[int] | None = None, balances: dict[int, CaseBalance] | None = None,
    today: date | None = None,
) -> dict[int, Dispute]:
    """The dispute of each of the project's cases (all, or ``case_ids``).

    Six queries, plus the five of ``case_balances`` unless ``balances`` (for the same cases or
    more) is passed in, whatever the number of cases, meetings, concerns or grievances.
    """
    today = today or _local_today()
    ids = None if case_ids is None else list(case_ids)
    if balances is None:
        balances = case_balances(project, ids)
    wanted = set(balances) if ids is None else set(ids) & set(balances)
    if not wanted:
        return {}

    def scoped(column: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
        return column.in_(ids) if ids is not None else sa.true()

    in_project = sa.select(Case.id).where(Case.project_id == project.id)

    # 1. The kind of each case's latest meeting and whether the household refused the inventory
    #    there (same order as case_balances: newest first, then the last recorded).
    latest_kind = {
        row.case_id: (row.meeting_id, MeetingKind(row.kind), row.held_at, bool(row.refused_inventory))
        for row in db.session.execute(
            sa.select(
                CaseDialogue.case_id, Meeting.id.label("meeting_id"), Meeting.kind, Meeting.held_at, MeetingCase.refused_inventory,
            )
            .join(Meeting, Meeting.id == CaseDialogue.last_meeting_id)
            .join(MeetingCase, sa.and_(MeetingCase.meeting_id == Meeting.id, MeetingCase.case_id == CaseDialogue.case_id))
            .where(Meeting.project_id == project.id, scoped(CaseDialogue.case_id))
        )
    }

    # 2. Concerns the household raised, by category.
    concerns: dict[int, dict[ConcernCategory, int]] = {}
    for case_id, category, count in db.session.execute(
        sa.select(Concern.case_id, Concern.category, sa.func.count())
        .where(Concern.project_id == project.id, Concern.case_id.is_not(None), scoped(Concern.case_id))
        .group_by(Concern.case_id, Concern.category)
    ):
        concerns.setdefault(case_id, {})[ConcernCategory(category)] = int(count)

    # 3. Open commitments: how many, how many overdue, the nearest due day.
    commitments = {
        row[0]: (int(row[1]), int(row[2] or 0), row[3])
        for row in db.session.execute(
            sa.select(
                Commitment.case_id, sa.func.count(),
                sa.func.sum(sa.case((Commitment.due_on < today, 1), else_=0)), sa.func.min(Commitment.due_on),
            )
            .where(
                Commitment.project_id == project.id, Commitment.status == CommitmentStatus.OPEN,
                Commitment.case_id.is_not(None), scoped(Commitment.case_id),
            )
            .group_by(Commitment.case_id)
        )
    }

    # 4. Open complaints and petitions, oldest first.
    grievances: dict[int, list[OpenGrievance]] = {}
    for case_id, kind, filed_on, deadline in db.session.execute(
        sa.select(Grievance.case_id, Grievance.kind, Grievance.filed_on, Grievance.deadline)
        .where(Grievance.case_id.in_(in_project), Grievance.status == GrievanceStatus.OPEN, scoped(Grievance.case_id))
        .order_by(Grievance.filed_on, Grievance.id)
    ):
        grievances.setdefault(case_id, []).append(OpenGrievance(GrievanceKind(kind), filed_on, deadline))

    # 5. When each case reached enforcement, payment or handover (the latest such step).
    since: dict[tuple[int, CaseStatus], date] = {}
    for case_id, reached, day in db.session.execute(
        sa.select(CaseEvent.case_id, CaseEvent.to_status, sa.func.max(CaseEvent.occurred_on))
        .where(
            CaseEvent.case_id.in_(in_project), scoped(CaseEvent.case_id),
            CaseEvent.to_status.in_([CaseStatus.ENFORCEMENT, CaseStatus.PAID, CaseStatus.HANDED_OVER]),
        )
        .group_by(CaseEvent.case_id, CaseEvent.to_status)
    ):
        since[(case_id, CaseStatus(reached))] = day

    # 6. The latest ruling of each case; it stands unless it cleared the status.
    newest_ruling = (
        sa.select(
            DisputeRuling.case_id, DisputeRuling.status, DisputeRuling.reason, DisputeRuling.actor, DisputeRuling.at,
            sa.func.row_number()
            .over(partition_by=DisputeRuling.case_id, order_by=(DisputeRuling.at.desc(), DisputeRuling.id.desc()))
            .label("newest"),
        )
        .where(DisputeRuling.case_id.in_(in_project), scoped(DisputeRuling.case_id))
        .subquery()
    )
    rulings = {
        row.case_id: Ruling(DisputeStatus(row.status), row.reason, row.actor, row.at)
        for row in db.session.execute(sa.select(newest_ruling).where(newest_ruling.c.newest == 1))
        if row.status is not None
    }

    result: dict[int, Dispute] = {}
    for case_id in wanted:
        balance = balances[case_id]
        latest = None
        if case_id in latest_kind and balance.position is not None:
            meeting_id, kind, held_at, refused = latest_kind[case_id]
            latest = LatestMeeting(meeting_id, kind, held_at, balance.position, refused)
        open_count, overdue, next_due = commitments.get(case_id, (0, 0, None))
        facts = DisputeFacts(
            case_status=balance.status,
            status_since=since.get((case_id, balance.status)),
            latest=latest,
            meetings=balance.meetings,
            concerns=concerns.get(case_id, {}),
            open_commitments=open_count,
            overdue_commitments=overdue,
            next_due=next_due,
            grievances=tuple(grievances.get(case_id, ())),
        )
        derived, reason = derive(facts, today)
        ruling = rulings.get(case_id)
        if ruling is None:
            result[case_id] = Dispute(derived, reason, derived, reason)
        else:
            result[case_id] = Dispute(ruling.status, ruling.reason, derived, reason, ruling)
    return result


def dispute_statuses(
    project: Project, balances: dict[int, CaseBalance] | None = None, today: date | None = None
) -> dict[int, tuple[DisputeStatus, str]]:
    """{case id: (status, reason)} for every case of the project, in a fixed number of queries
    (pass ``balances`` from ``case_balances(project)`` when the caller has them already). A
    ruling's reason says that it was set by a team lead, by whom and when."""
    return {case_id: (d.status, d.summary) for case_id, d in disputes(project, None, balances, today).items()}


def dispute_of(case: Case, balances: dict[int, CaseBalance] | None = None, today: date | None = None) -> Dispute:
    """The dispute of one case: the status that stands, the derived one, and the ruling if any."""
    project = db.session.get(Project, case.project_id)
    assert project is not None
    return disputes(project, [case.id], balances, today)[case.id]


# --- the team lead's ruling ----------------------------------------------------------------------


def rulings_of(case: Case) -> list[DisputeRuling]:
    """Every ruling on the case, newest first (they are never changed or deleted)."""
    return list(
        db.session.scalars(
            sa.select(DisputeRuling).where(DisputeRuling.case_id == case.id).order_by(DisputeRuling.at.desc(), DisputeRuling.id.desc())
        )
    )


def set_dispute_status(
    case: Case, status: DisputeStatus | str | None, reason: str, user: User | None, at: datetime | None = None
) -> DisputeRuling:
    """A team lead sets the case's dispute status by hand (``status``), or hands it back to the
    derived one (``status`` None), with the reason. Officers and viewers are refused."""
    if user is None or not user.can_approve:
        raise DisputeNotAllowed(_("Chỉ trưởng nhóm hoặc quản trị viên được xác định tình trạng vướng mắc của hồ sơ."))
    if status in ("", None):
        status = None
    else:
        try:
            status = DisputeStatus(status)
        except ValueError:
            raise FieldError("status", _("Tình trạng vướng mắc không hợp lệ.")) from None
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", _("Ghi lý do xác định tình trạng vướng mắc."))
    if status is None:
        standing = db.session.scalar(
            sa.select(DisputeRuling.status)
            .where(DisputeRuling.case_id == case.id)
            .order_by(DisputeRuling.at.desc(), DisputeRuling.id.desc())
            .limit(1)
        )
        if standing is None:
            raise FieldError("status", _("Hồ sơ đang theo tình trạng tự xác định từ dữ liệu; không có gì để bỏ."))
    ruling = DisputeRuling(
        case_id=case.id, status=status, reason=reason, user_id=user.id, actor=user.full_name or user.username,
        at=at or utcnow(),
    )
    db.session.add(ruling)
    db.session.flush()
    return ruling
