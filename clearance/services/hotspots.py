"""Hotspot early warning (cảnh báo sớm điểm nóng): which cases are drifting toward a drawn-out
dispute, and why.

Each case gets a risk score: the sum of the weights of the risk factors (yếu tố nguy cơ) that
apply to it. The factors, their weights and thresholds are rows of ``risk_factor`` (defaults in
``clearance.workflow.risk``), so a team tunes them without a release; the cut-offs between the
levels are the settings ``RISK_MEDIUM_SCORE`` and ``RISK_HIGH_SCORE``. Every factor that counts
comes back as a reason in words, with its points and the facts behind it.

The module is in two parts:

* ``score_case`` is pure: the facts of one case, the factor rows, today and the cut-offs in; the
  score, level and reasons out. No database, so every rule is tested on its own.
* ``project_hotspots`` / ``risk_levels`` gather the facts of all the cases of a project in a fixed
  number of queries (nine, whatever the number of cases or meetings) and score them.

What each factor means, precisely (a factor whose weight is 0 is switched off):

``gap``
    The household's latest stated demand (mức hộ đề nghị) is above the current offer by at least
    the threshold, in per cent of the offer. The percentage is the one shown everywhere: rounded
    half-up to one decimal (``CaseBalance.gap_percent``), and it is that figure that is compared.
``stalled``
    Meetings without progress (không tiến triển): walking back from the newest meeting, the
    number of consecutive meetings at which the household's position did not improve on its
    position at the meeting before. Positions rank agrees > partly > no answer = disagrees. A
    meeting at which the household agrees is never "without progress" (there is nowhere further to
    go); the first meeting of a case has no earlier position and counts as without progress
    unless the household agrees at it. Counts when the run is at least the threshold.
``no_contact``
    Days from the last meeting (its day in Hanoi time) to today, at least the threshold. A case
    never met counts from the later of the day its case was opened and its recovery notice (the
    ``notified`` step of its timeline, else the project's notice date): the team is not blamed for
    the time before it had the case, and the notice is itself a contact.
``overdue_commitments``
    Open commitments (cam kết) made to the household whose due day is before today, at least the
    threshold in number.
``complaint_pending``
    An open complaint (khiếu nại; petitions do not count) of the household.
``vulnerable``
    The household is poor, a policy family, an elderly person living alone, or has a disabled
    member (``Party.is_vulnerable``); the reason names which.
``refused_inventory``
    At some meeting the household refused the survey and inventory (``MeetingCase.refused_inventory``)
    and the case has not reached the status ``surveyed`` since (its status is still new or
    notified): once the inventory is done, compulsorily or not, the refusal is behind it. The
    reason names the latest meeting that recorded a refusal.

A case handed over (đã bàn giao mặt bằng) is not scored: score 0, level low, reason "Đã bàn giao".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, money, percent, vndate
from clearance.models import Case, CaseDialogue, CaseEvent, Commitment, Grievance, Party, Project, RiskFactor, User
from clearance.services.balance import CaseBalance, case_balances
from clearance.services.errors import FieldError
from clearance.services.scope import projects_query
from clearance.workflow.risk import RISK_FACTORS, factor_label
from clearance.workflow.statuses import (
    PROGRESS_ORDER,
    CaseStatus,
    CommitmentStatus,
    GrievanceKind,
    GrievanceStatus,
    Position,
    ProjectStatus,
    RiskLevel,
    label,
)

#: How far a position is toward agreement: a meeting "makes progress" when this goes up.
POSITION_RANK: dict[Position, int] = {
    Position.DISAGREES: 0,
    Position.NO_ANSWER: 0,
    Position.PARTLY: 1,
    Position.AGREES: 2,
}
#: Levels by severity, for "the highest level among the cases of a parcel".
LEVEL_RANK: dict[RiskLevel, int] = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}
#: Party flags that make a household vulnerable (hộ yếu thế), in the order the reason names them.
VULNERABLE_FLAGS: tuple[str, ...] = ("is_poor", "is_policy_family", "is_elderly_alone", "has_disabled_member")
#: The thresholds the defaults give, for a factor row whose threshold was left empty.
DEFAULT_THRESHOLDS: dict[str, int | None] = {factor.code: factor.threshold for factor in RISK_FACTORS}
#: Statuses before the inventory is done: a refusal of the inventory still matters in them.
BEFORE_SURVEY = frozenset(PROGRESS_ORDER[: PROGRESS_ORDER.index(CaseStatus.SURVEYED)])


class FactorRow(Protocol):
    """What scoring reads of a factor: a ``RiskFactor`` row, or a ``FactorDefault``."""

    code: str
    label: str
    weight: int
    threshold: int | None


def _vulnerable_label(flag: str) -> str:
    return {
        "is_poor": _("hộ nghèo"),
        "is_policy_family": _("gia đình chính sách"),
        "is_elderly_alone": _("người cao tuổi sống một mình"),
        "has_disabled_member": _("có người khuyết tật"),
    }[flag]


# --- the pure part ----------------------------------------------------------------------------


@dataclass(slots=True)
class CaseFacts:
    """What the scoring knows of one case. (Plain slotted dataclasses here and below, not frozen
    ones: a project builds thousands of them per page, and frozen ones cost twice as much.)"""

    status: CaseStatus
    #: Current offer and the household's latest stated demand, whole đồng.
    offer: int | None = None
    demand: int | None = None
    #: The run of latest meetings without progress (``meetings_without_progress``, kept in the
    #: case's dialogue summary) and the household's position at its latest meeting.
    stalled_run: int = 0
    latest_position: Position | None = None
    #: Day of the latest meeting (Hanoi time); None if never met.
    last_met_on: date | None = None
    #: For a case never met: the day "no contact" counts from, and what that day is
    #: ("notice": the recovery notice, "opened": the day the case was opened).
    contact_since: date | None = None
    contact_since_kind: str = "opened"
    #: Due days of the household's open commitments (overdue or not).
    open_commitments_due: Sequence[date] = ()
    #: Filing days of its open complaints.
    open_complaints_filed: Sequence[date] = ()
    #: Which of ``VULNERABLE_FLAGS`` are set.
    vulnerable: Sequence[str] = ()
    #: Day of the latest meeting that recorded a refusal of the inventory.
    refused_inventory_on: date | None = None

    @property
    def gap_percent(self) -> Decimal | None:
        """(demand − offer) / offer, per cent, one decimal half-up, as ``CaseBalance.gap_percent``."""
        if self.offer is None or self.demand is None or not self.offer:
            return None
        return (Decimal(self.demand - self.offer) * 100 / Decimal(self.offer)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Reason:
    """One factor that counts for a case: which, its points, and the facts in words."""

    code: str
    label: str
    points: int
    #: The facts in words (lazily translated: str() it to read).
    text: str | LazyString


@dataclass(slots=True)
class RiskScore:
    score: int
    level: RiskLevel
    reasons: tuple[Reason, ...] = ()


def meetings_without_progress(positions: Sequence[Position]) -> int:
    """The run of most recent meetings (oldest first in ``positions``) at which the household's
    position did not improve on the one before (see the module's doc)."""
    run = 0
    for index in range(len(positions) - 1, -1, -1):
        position = positions[index]
        if position == Position.AGREES:
            break
        if index > 0 and POSITION_RANK[position] > POSITION_RANK[positions[index - 1]]:
            break
        run += 1
    return run


def level_for(score: int, medium_score: int, high_score: int) -> RiskLevel:
    if score >= high_score:
        return RiskLevel.HIGH
    if score >= medium_score:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def _threshold(factor: FactorRow) -> int:
    value = factor.threshold if factor.threshold is not None else DEFAULT_THRESHOLDS.get(factor.code)
    return int(value or 1)


def _vulnerable_text(flags: list[str]) -> str:
    text = "; ".join(_vulnerable_label(flag) for flag in flags)
    return text[:1].upper() + text[1:]


def _reason_text(code: str, facts: CaseFacts, threshold: int, today: date) -> str | None:
    """The facts in words if factor ``code`` applies to the case, else None. The words are lazy:
    a project scores thousands of cases and most reasons are never shown, so they are put into
    words (translated, formatted) only when a page or the API reads them."""
    if code == "gap":
        gap = facts.gap_percent
        if gap is None or gap < threshold:
            return None
        return _l("Hộ đề nghị %(demand)s, cao hơn giá trị bồi thường %(gap)s %% (ngưỡng %(threshold)s %%)",
                 demand=money(facts.demand), gap=percent(gap), threshold=threshold)
    if code == "stalled":
        run = facts.stalled_run
        if run < threshold or facts.latest_position is None:
            return None
        return _l("%(n)s cuộc gặp liên tiếp không tiến triển (ý kiến gần nhất: %(position)s)",
                 n=run, position=LazyString(lambda: label(facts.latest_position).lower()))
    if code == "no_contact":
        if facts.last_met_on is not None:
            days = (today - facts.last_met_on).days
            if days < threshold:
                return None
            return _l("%(n)s ngày chưa gặp hộ (lần gặp gần nhất %(day)s)", n=days, day=vndate(facts.last_met_on))
        if facts.contact_since is None:
            return None
        days = (today - facts.contact_since).days
        if days < threshold:
            return None
        if facts.contact_since_kind == "notice":
            return _l("%(n)s ngày chưa gặp hộ (chưa gặp lần nào từ ngày thông báo thu hồi %(day)s)",
                     n=days, day=vndate(facts.contact_since))
        return _l("%(n)s ngày chưa gặp hộ (chưa gặp lần nào từ ngày lập hồ sơ %(day)s)", n=days, day=vndate(facts.contact_since))
    if code == "overdue_commitments":
        overdue = sorted(due for due in facts.open_commitments_due if due < today)
        if len(overdue) < threshold:
            return None
        return _l("%(n)s cam kết quá hạn (hạn sớm nhất %(day)s)", n=len(overdue), day=vndate(overdue[0]))
    if code == "complaint_pending":
        filed = sorted(facts.open_complaints_filed)
        if not filed:
            return None
        if len(filed) == 1:
            return _l("Khiếu nại nhận %(day)s chưa giải quyết", day=vndate(filed[0]))
        return _l("%(n)s khiếu nại chưa giải quyết (đơn đầu nhận %(day)s)", n=len(filed), day=vndate(filed[0]))
    if code == "vulnerable":
        flags = [flag for flag in VULNERABLE_FLAGS if flag in facts.vulnerable]
        if not flags:
            return None
        return LazyString(_vulnerable_text, flags)
    if code == "refused_inventory":
        if facts.refused_inventory_on is None or facts.status not in BEFORE_SURVEY:
            return None
        return _l("Hộ không hợp tác kiểm đếm (biên bản %(day)s)", day=vndate(facts.refused_inventory_on))
    return None  # a factor this version does not know: not scored


def score_case(facts: CaseFacts, factors: Iterable[FactorRow], today: date, medium_score: int, high_score: int) -> RiskScore:
    """The case's score (the sum of the weights of the factors that apply), its level by the
    cut-offs, and a reason per factor that counts, in the order of ``factors``."""
    if facts.status == CaseStatus.HANDED_OVER:
        return RiskScore(0, RiskLevel.LOW, (Reason("handed_over", _("Đã bàn giao"), 0, _("Đã bàn giao")),))
    reasons = []
    for factor in factors:
        if factor.weight <= 0:
            continue
        text = _reason_text(factor.code, facts, _threshold(factor), today)
        if text is not None:
            reasons.append(Reason(factor.code, str(factor.label), int(factor.weight), text))
    score = sum(reason.points for reason in reasons)
    return RiskScore(score, level_for(score, medium_score, high_score), tuple(reasons))


# --- gathering the facts of a project -----------------------------------------------------------


@dataclass(slots=True)
class Hotspot:
    """A case of the ranked list: who, where it stands, its score, level and reasons."""

    case_id: int
    case_code: str
    party_name: str
    status: CaseStatus
    project_code: str
    score: int
    level: RiskLevel
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def at_risk(self) -> bool:
        return self.level != RiskLevel.LOW


@dataclass(slots=True)
class _Factor:
    code: str
    label: str
    weight: int
    threshold: int | None


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _cut_offs(medium_score: int | None, high_score: int | None) -> tuple[int, int]:
    config = current_app.config
    return (
        int(config["RISK_MEDIUM_SCORE"] if medium_score is None else medium_score),
        int(config["RISK_HIGH_SCORE"] if high_score is None else high_score),
    )


def risk_factors() -> list[RiskFactor]:
    """The factor rows, in their order (one query)."""
    return list(db.session.scalars(sa.select(RiskFactor).order_by(RiskFactor.position, RiskFactor.id)))


def _case_facts(
    project: Project, case_ids: Iterable[int] | None, balances: dict[int, CaseBalance] | None = None,
) -> dict[int, tuple[str, str, CaseFacts]]:
    """{case id: (case code, household name, facts)} for the project's cases (all, or
    ``case_ids``), in eight queries: four of ``case_balances`` and four here."""
    ids = None if case_ids is None else list(case_ids)

    def scoped(column: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
        return column.in_(ids) if ids is not None else sa.true()

    if balances is None:
        balances = case_balances(project, ids)
    notified = (
        sa.select(CaseEvent.case_id, sa.func.max(CaseEvent.occurred_on).label("day"))
        .where(CaseEvent.to_status == CaseStatus.NOTIFIED, CaseEvent.case_id.in_(sa.select(Case.id).where(Case.project_id == project.id)))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    cases = db.session.execute(
        sa.select(
            Case.id, Case.code, Case.status, Case.created_at, Party.name, notified.c.day,
            *(getattr(Party, flag) for flag in VULNERABLE_FLAGS),
        )
        .join(Party, Party.id == Case.party_id)
        .outerjoin(notified, notified.c.case_id == Case.id)
        .where(Case.project_id == project.id, scoped(Case.id))
    ).all()

    # The run without progress and the latest refusal come from each case's dialogue summary.
    summary = {
        case_id: (stalled, refused_at)
        for case_id, stalled, refused_at in db.session.execute(
            sa.select(CaseDialogue.case_id, CaseDialogue.stalled, CaseDialogue.refused_inventory_at)
            .join(Case, Case.id == CaseDialogue.case_id)
            .where(Case.project_id == project.id, scoped(CaseDialogue.case_id))
        )
    }

    commitments: dict[int, list[date]] = defaultdict(list)
    for case_id, due_on in db.session.execute(
        sa.select(Commitment.case_id, Commitment.due_on).where(
            Commitment.project_id == project.id, Commitment.status == CommitmentStatus.OPEN,
            Commitment.case_id.is_not(None), scoped(Commitment.case_id),
        )
    ):
        commitments[case_id].append(due_on)

    complaints: dict[int, list[date]] = defaultdict(list)
    for case_id, filed_on in db.session.execute(
        sa.select(Grievance.case_id, Grievance.filed_on)
        .join(Case, Case.id == Grievance.case_id)
        .where(Case.project_id == project.id, Grievance.status == GrievanceStatus.OPEN,
               Grievance.kind == GrievanceKind.COMPLAINT, scoped(Grievance.case_id))
    ):
        complaints[case_id].append(filed_on)

    result: dict[int, tuple[str, str, CaseFacts]] = {}
    project_notice = project.notice_date
    for row in cases:
        balance = balances.get(row.id)
        opened = _local_day(row.created_at)
        notice = row.day or project_notice
        since, kind = (notice, "notice") if notice is not None and notice >= opened else (opened, "opened")
        facts = CaseFacts(
            status=CaseStatus(row.status),
            offer=balance.offer if balance else None,
            demand=balance.demand if balance else None,
            stalled_run=summary[row.id][0] if row.id in summary else 0,
            latest_position=balance.position if balance else None,
            last_met_on=_local_day(balance.last_met_at) if balance and balance.last_met_at else None,
            contact_since=since,
            contact_since_kind=kind,
            open_commitments_due=tuple(commitments.get(row.id, ())),
            open_complaints_filed=tuple(complaints.get(row.id, ())),
            vulnerable=tuple(flag for flag in VULNERABLE_FLAGS if getattr(row, flag)),
            refused_inventory_on=_local_day(summary[row.id][1]) if row.id in summary and summary[row.id][1] else None,
        )
        result[row.id] = (row.code, row.name, facts)
    return result


def _ranked(items: Iterable[Hotspot]) -> list[Hotspot]:
    return sorted(items, key=lambda h: (-h.score, len(h.case_code), h.case_code))


def project_hotspots(
    project: Project, today: date, *, case_ids: Iterable[int] | None = None,
    factors: Sequence[FactorRow] | None = None, medium_score: int | None = None, high_score: int | None = None,
    balances: dict[int, CaseBalance] | None = None,
) -> list[Hotspot]:
    """Every case of the project (or ``case_ids``) scored, highest score first, then by case
    code. Nine queries whatever the number of cases and meetings (one for the factors unless they
    are given). The cut-offs default to the settings ``RISK_MEDIUM_SCORE`` / ``RISK_HIGH_SCORE``;
    ``balances`` (the project's ``case_balances``, when the caller has them) saves four queries."""
    medium, high = _cut_offs(medium_score, high_score)
    # Plain copies: scoring thousands of cases reads each row's fields thousands of times.
    rows = [_Factor(r.code, factor_label(r.code, r.label), int(r.weight), r.threshold) for r in (risk_factors() if factors is None else factors)]
    hotspots = []
    for case_id, (code, name, facts) in _case_facts(project, case_ids, balances).items():
        scored = score_case(facts, rows, today, medium, high)
        hotspots.append(Hotspot(case_id, code, name, facts.status, project.code, scored.score, scored.level, scored.reasons))
    return _ranked(hotspots)


def risk_levels(project: Project, today: date, case_ids: Iterable[int] | None = None) -> dict[int, RiskLevel]:
    """{case id: risk level} of the project's cases (or ``case_ids``), for the map."""
    return {h.case_id: h.level for h in project_hotspots(project, today, case_ids=case_ids)}


def highest_level(levels: Iterable[RiskLevel]) -> RiskLevel | None:
    """The most severe of ``levels``; None when there are none."""
    ranked = list(levels)
    return max(ranked, key=LEVEL_RANK.__getitem__) if ranked else None


def level_counts(hotspots: Iterable[Hotspot]) -> Mapping[RiskLevel, int]:
    counts = {level: 0 for level in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)}
    for hotspot in hotspots:
        counts[hotspot.level] += 1
    return counts


# --- editing the factors --------------------------------------------------------------------------

#: The largest threshold accepted (a day count of about 27 years; a larger one is a typing slip).
MAX_THRESHOLD = 10_000


def update_factor(factor: RiskFactor, weight: int | None, threshold: int | None) -> int:
    """Set a factor's weight (0–100 points) and, for a factor that has one, its threshold (a
    positive whole number). Flushes (the audit trail records the change); returns 1 if anything
    changed, else 0. Raises FieldError naming ``weight_<code>`` or ``threshold_<code>``."""
    if weight is None or not 0 <= weight <= 100:
        raise FieldError(f"weight_{factor.code}", _("Điểm của “%(label)s” phải từ 0 đến 100.", label=factor_label(factor.code, factor.label)))
    if factor.threshold is None:
        if threshold is not None:
            raise FieldError(f"threshold_{factor.code}", _("“%(label)s” là yếu tố có/không, không có ngưỡng.", label=factor_label(factor.code, factor.label)))
    elif threshold is None or not 1 <= threshold <= MAX_THRESHOLD:
        raise FieldError(
            f"threshold_{factor.code}",
            _("Ngưỡng của “%(label)s” phải là số nguyên dương, tối đa %(max)s.", label=factor_label(factor.code, factor.label), max=MAX_THRESHOLD),
        )
    changed = factor.weight != weight or (factor.threshold is not None and factor.threshold != threshold)
    if changed:
        factor.weight = weight
        if factor.threshold is not None:
            factor.threshold = threshold
        db.session.flush()
    return int(changed)


def teams_hotspots(user: User, today: date, limit: int) -> tuple[list[Hotspot], list[tuple[Project, int]]]:
    """The ``limit`` cases most at risk (high and medium) in the projects ``user`` sees, and per
    project how many are at risk, for the to-do page. One ``project_hotspots`` call (eight queries,
    the factors read once) per visible project not completed: a team sees a handful of projects;
    an administrator who sees every unit pays per project."""
    projects = db.session.scalars(
        projects_query(user).where(Project.status != ProjectStatus.COMPLETED).order_by(Project.code)
    ).all()
    if not projects:
        return [], []
    factors = risk_factors()
    at_risk: list[Hotspot] = []
    per_project = []
    for project in projects:
        found = [h for h in project_hotspots(project, today, factors=factors) if h.at_risk]
        at_risk.extend(found)
        if found:
            per_project.append((project, len(found)))
    at_risk.sort(key=lambda h: (-h.score, h.project_code, len(h.case_code), h.case_code))
    return at_risk[:limit], per_project
