"""Plan versions (phiên bản phương án): calculate, check, freeze, approve, compare.

A recalculation writes a new version only where the figures or their inputs changed; an unchanged
case keeps its current version. Frozen and approved versions never change (the database refuses
it): a correction is a new version. Approving a version records it as the case's offer, so the
balance of interests reads the approved plan.

Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from clearance.audit import current_actor
from clearance.db import JSONText, bulk_insert
from clearance.extensions import db
from clearance.models import (
    AuditEntry,
    Case,
    CompensationOffer,
    CompensationPlan,
    Payment,
    PlanAdjustment,
    PolicySet,
    Project,
    User,
)
from clearance.models.types import utcnow
from clearance.services.errors import FieldError
from clearance.workflow import calculation
from clearance.workflow.statuses import PlanStatus, Role

#: Insert the new versions of a project in chunks of this many rows.
CHUNK = 500


@dataclass(frozen=True)
class PlanStep:
    """One allowed step of a plan version: from which status, to which, and who may take it."""

    action: str
    source: PlanStatus
    target: PlanStatus
    roles: frozenset[Role]


_LEADS = frozenset({Role.LEAD, Role.ADMIN})

#: The plan's workflow, all of it: Dự thảo → Đã kiểm tra → Đã chốt → Đã phê duyệt. A checked
#: version may go back to draft (a mistake found before freezing); nothing leaves frozen except
#: approval, and nothing leaves approved.
PLAN_STEPS: tuple[PlanStep, ...] = (
    PlanStep("check", PlanStatus.DRAFT, PlanStatus.CHECKED, _LEADS),
    PlanStep("reopen", PlanStatus.CHECKED, PlanStatus.DRAFT, _LEADS),
    PlanStep("freeze", PlanStatus.CHECKED, PlanStatus.FROZEN, _LEADS),
    PlanStep("approve", PlanStatus.FROZEN, PlanStatus.APPROVED, _LEADS),
)


class PlanRefused(FieldError):
    """A plan step that the rules do not allow now; the message says why."""


@dataclass
class Recalculation:
    """What a recalculation did, for the flash message and the CLI."""

    created: list[int] = field(default_factory=list)
    unchanged: int = 0
    without_inventory: int = 0
    missing_basis: int = 0
    net_total: int = 0

    @property
    def created_count(self) -> int:
        return len(self.created)


def policy_set_for(project: Project, on: date) -> PolicySet:
    """The policy set valid for the project's wards (or province) on that day. A project across
    wards whose sets differ is refused: one household must not be priced by its neighbour's set."""
    from clearance.services.policies import applicable_policy_set

    found: dict[int, PolicySet] = {}
    for unit in project.units:
        policy_set = applicable_policy_set(unit.parent_id or unit.id, unit.id, on)
        if policy_set is not None:
            found[policy_set.id] = policy_set
    if len(found) > 1:
        raise PlanRefused(
            "policy_set",
            _("Các phường, xã của dự án áp dụng các bộ chính sách khác nhau (%(codes)s): chưa tính được phương án chung.",
              codes=", ".join(sorted(p.code for p in found.values()))),
        )
    if not found:
        raise PlanRefused(
            "policy_set", _("Chưa có bộ chính sách nào có hiệu lực ngày %(day)s cho địa bàn của dự án.", day=on.strftime("%d/%m/%Y"))
        )
    return next(iter(found.values()))


def recalculate_project(
    project: Project, on: date, reason: str = "", *, policy_set: PolicySet | None = None,
    case_ids: set[int] | None = None, progress: Callable[[int, int], None] | None = None,
) -> Recalculation:
    """Calculate every case of the project that has an inventory (or those in ``case_ids``) and
    write a new draft version wherever the result or its inputs differ from the latest version."""
    from clearance.services.inventory import inventory_facts_for_project
    from clearance.services.policies import policy_facts

    # One recalculation of a project at a time (PostgreSQL; SQLite has one writer anyway): two
    # would both read the same latest version numbers.
    db.session.execute(sa.select(Project.id).where(Project.id == project.id).with_for_update())
    policy_set = policy_set or policy_set_for(project, on)
    policy = policy_facts(policy_set)
    facts_by_case = inventory_facts_for_project(project.id)
    if case_ids is not None:
        facts_by_case = {case_id: facts for case_id, facts in facts_by_case.items() if case_id in case_ids}
    latest = _latest_versions(project.id)
    summary = Recalculation()
    summary.without_inventory = db.session.scalar(
        sa.select(sa.func.count(Case.id)).where(Case.project_id == project.id)
    ) - len(facts_by_case) if case_ids is None else len(case_ids - facts_by_case.keys())
    user_id, actor = current_actor()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for case_id, facts in facts_by_case.items():
        result = calculation.calculate(facts, policy)
        snap = calculation.snapshot(facts, policy, result, calculation.rates_used(facts, policy, result))
        # Serialised once: the hash is taken of the very text stored.
        text = JSONText(calculation.canonical_json(snap))
        digest = calculation.content_hash(text)
        summary.missing_basis += bool(result.missing)
        summary.net_total += result.net
        previous = latest.get(case_id)
        if previous is not None and previous[1] == digest:
            summary.unchanged += 1
            continue
        rows.append({
            "case_id": case_id, "project_id": project.id, "number": (previous[0] + 1) if previous else 1,
            "status": PlanStatus.DRAFT.value, "policy_set_id": policy_set.id, "snapshot": text, "content_hash": digest,
            "land_total": result.totals["land"], "assets_total": result.totals["assets"],
            "support_total": result.totals["support"], "resettlement_total": result.totals["resettlement"],
            "deductions_total": result.totals["deduction"], "net_amount": result.net, "missing_basis": result.missing,
            "reason": reason.strip(), "calculated_at": now, "calculated_by": actor, "version": 1,
        })
    _write_versions(project.id, rows, user_id, actor, now, summary, progress)
    return summary


def recalculate_case(case: Case, on: date, reason: str = "") -> CompensationPlan | None:
    """Recalculate one case: the new version, or None when nothing changed. Raises PlanRefused
    when the case has no inventory yet."""
    summary = recalculate_project(case.project, on, reason, case_ids={case.id})
    if summary.without_inventory:
        raise PlanRefused("inventory", _("Hồ sơ chưa có biên bản kiểm đếm: chưa tính được phương án."))
    return db.session.get(CompensationPlan, summary.created[0]) if summary.created else None


def newest_versions(
    project_id: int, statuses: tuple[PlanStatus, ...] | None = None, case_ids: list[int] | None = None
) -> sa.Subquery:
    """(case_id, number) of each case's newest version in the project (of those statuses, of those
    cases): join it to CompensationPlan on both columns to read the versions in one query."""
    query = (
        sa.select(CompensationPlan.case_id, sa.func.max(CompensationPlan.number).label("number"))
        .where(CompensationPlan.project_id == project_id)
        .group_by(CompensationPlan.case_id)
    )
    if statuses is not None:
        query = query.where(CompensationPlan.status.in_(statuses))
    if case_ids is not None:
        query = query.where(CompensationPlan.case_id.in_(case_ids))
    return query.subquery()


def _latest_versions(project_id: int) -> dict[int, tuple[int, str]]:
    """case id → (number, content hash) of its latest version."""
    newest = newest_versions(project_id)
    rows = db.session.execute(
        sa.select(CompensationPlan.case_id, CompensationPlan.number, CompensationPlan.content_hash).join(
            newest, sa.and_(newest.c.case_id == CompensationPlan.case_id, newest.c.number == CompensationPlan.number)
        )
    )
    return {case_id: (number, digest) for case_id, number, digest in rows}


def _write_versions(
    project_id: int, rows: list[dict[str, Any]], user_id: int | None, actor: str, now: Any, summary: Recalculation,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Insert the new versions and one audit entry each through the database's bulk path (COPY
    on PostgreSQL): a project of 2,000 households is recalculated in one request."""
    if not rows:
        return
    connection = db.session.connection()
    table = CompensationPlan.__table__
    for start in range(0, len(rows), CHUNK):
        bulk_insert(connection, table, rows[start : start + CHUNK])
        if progress:
            progress(min(start + CHUNK, len(rows)), len(rows))
    written = connection.execute(
        sa.select(table.c.id, table.c.case_id, table.c.number)
        .where(table.c.project_id == project_id, table.c.calculated_at == now)
        .order_by(table.c.id)
    ).all()
    reason = rows[0]["reason"] or None
    audit = []
    for plan_id, case_id, number in written:
        summary.created.append(plan_id)
        audit.append({
            "at": now, "user_id": user_id, "actor": actor, "action": "create", "entity": "CompensationPlan",
            "entity_id": plan_id, "label": f"Phương án số {number}", "project_id": project_id, "case_id": case_id,
            "changes": {"status": [None, PlanStatus.DRAFT.value]}, "reason": reason,
        })
    bulk_insert(connection, AuditEntry.__table__, audit)


# -- versions of one case -----------------------------------------------------------------------


def versions(case_id: int) -> list[CompensationPlan]:
    """Every version of a case's plan, the newest first."""
    return list(
        db.session.scalars(
            sa.select(CompensationPlan).where(CompensationPlan.case_id == case_id).order_by(CompensationPlan.number.desc())
        )
    )


def latest_version(case_id: int) -> CompensationPlan | None:
    """The newest version of a case's plan, whatever its status."""
    return db.session.scalar(
        sa.select(CompensationPlan).where(CompensationPlan.case_id == case_id).order_by(CompensationPlan.number.desc()).limit(1)
    )


def version(case_id: int, number: int) -> CompensationPlan | None:
    return db.session.scalar(
        sa.select(CompensationPlan).where(CompensationPlan.case_id == case_id, CompensationPlan.number == number)
    )


def approved_plan(case_id: int) -> CompensationPlan | None:
    """The latest approved version: the one the household is paid by."""
    return db.session.scalar(
        sa.select(CompensationPlan)
        .where(CompensationPlan.case_id == case_id, CompensationPlan.status == PlanStatus.APPROVED)
        .order_by(CompensationPlan.number.desc())
        .limit(1)
    )


def allowed_steps(plan: CompensationPlan, user: User, versions: list[CompensationPlan]) -> list[PlanStep]:
    """The steps this user may take on this version now (see ``_newer``)."""
    return [
        step for step in PLAN_STEPS
        if step.source == plan.status and user.role in step.roles and _newer(plan, step, versions) is None
    ]


def _newer(plan: CompensationPlan, step: PlanStep, versions: list[CompensationPlan]) -> CompensationPlan | None:
    """A newer version that stands in the way: any newer one for check, reopen and freeze; a
    newer frozen or approved one for approval. A draft calculated after freezing does not stop the
    frozen version, the one submitted, from being approved."""
    for other in versions:
        if other.number > plan.number and (step.action != "approve" or other.is_locked):
            return other
    return None


def take_step(
    plan: CompensationPlan, action: str, user: User, *, approval_decision: str = "", approved_on: date | None = None,
    today: date | None = None,
) -> CompensationPlan:
    """Move a version one step. Checking and freezing need every line priced and the version
    to match the inputs as they are now; approving needs the decision's number and date, and
    records the net payable as the case's offer.

    Raises PlanRefused (nothing changed) when the step is not allowed."""
    step = next((s for s in PLAN_STEPS if s.action == action and s.source == plan.status), None)
    if step is None:
        raise PlanRefused("action", _("Phương án đang ở trạng thái này không thể thực hiện thao tác đó."))
    if user.role not in step.roles:
        raise PlanRefused("action", _("Chỉ trưởng nhóm được kiểm tra, chốt và phê duyệt phương án."))
    newer = _newer(plan, step, versions(plan.case_id))
    if newer is not None:
        raise PlanRefused("action", _("Đã có phiên bản mới hơn (số %(n)s): thao tác trên phiên bản mới nhất.", n=newer.number))
    now, actor = utcnow(), user.display_name
    today = today or now.date()
    if step.target in (PlanStatus.CHECKED, PlanStatus.FROZEN):
        if plan.missing_basis:
            raise PlanRefused(
                "action",
                _("Còn %(n)s dòng thiếu căn cứ: bổ sung đơn giá hoặc căn cứ rồi tính lại trước khi chốt.", n=plan.missing_basis),
            )
        if calculation.content_hash(plan.snapshot) != plan.content_hash:
            raise PlanRefused("action", _("Số liệu của phiên bản không khớp mã kiểm tra: không thể kiểm tra, chốt."))
        if current_digest(plan.case, today) != plan.content_hash:
            raise PlanRefused(
                "action",
                _("Biên bản kiểm đếm, điều chỉnh hoặc bộ chính sách đã thay đổi sau khi tính phiên bản này: tính lại phương án trước."),
            )
    if step.target == PlanStatus.CHECKED:
        plan.checked_at, plan.checked_by = now, actor
    elif step.target == PlanStatus.DRAFT:
        plan.checked_at, plan.checked_by = None, None
    elif step.target == PlanStatus.FROZEN:
        plan.frozen_at, plan.frozen_by = now, actor
    elif step.target == PlanStatus.APPROVED:
        _approve(plan, user, approval_decision, approved_on, today)
    plan.status = step.target
    db.session.flush()
    return plan


def current_digest(case: Case, on: date) -> str | None:
    """The content hash a recalculation of the case would give now (None: no inventory)."""
    from clearance.services.inventory import inventory_facts
    from clearance.services.policies import policy_facts

    facts = inventory_facts(case)
    if facts is None:
        return None
    policy = policy_facts(policy_set_for(case.project, on))
    result = calculation.calculate(facts, policy)
    return calculation.content_hash(calculation.snapshot(facts, policy, result, calculation.rates_used(facts, policy, result)))


def _approve(plan: CompensationPlan, user: User, decision: str, approved_on: date | None, today: date) -> None:
    decision = (decision or "").strip()
    if not decision:
        raise PlanRefused("approval_decision", _("Ghi số quyết định phê duyệt phương án."))
    if approved_on is None:
        raise PlanRefused("approved_on", _("Ghi ngày quyết định phê duyệt có hiệu lực."))
    if approved_on > today:
        raise PlanRefused("approved_on", _("Ngày phê duyệt không được sau hôm nay."))
    # Status and approval columns change in one UPDATE: the database lets a frozen version take
    # exactly that step (record_offer's queries below would flush them one by one otherwise).
    plan.approved_at, plan.approved_by = utcnow(), user.display_name
    plan.approval_decision, plan.approved_on = decision, approved_on
    plan.status = PlanStatus.APPROVED
    from clearance.services.case_balance import record_offer

    last_offer = db.session.scalar(
        sa.select(sa.func.max(CompensationOffer.offered_on)).where(CompensationOffer.case_id == plan.case_id)
    )
    # A household whose resettlement plot costs more than its compensation is offered 0 đ and owes
    # the rest, which the plan shows; an offer is never negative.
    record_offer(
        plan.case, max(0, plan.net_amount), max(approved_on, last_offer) if last_offer else approved_on,
        _("Phương án số %(n)s được phê duyệt theo %(decision)s (mã kiểm tra %(hash)s)",
          n=plan.number, decision=decision, hash=plan.content_hash[:12]),
        user, today,
    )


# -- manual adjustments --------------------------------------------------------------------------


def add_adjustment(case: Case, category: str, amount: int | None, reason: str, user: User) -> PlanAdjustment:
    """Điều chỉnh thủ công: only a team lead, only with a reason; it shows as its own line in the
    next calculation, marked manual, with who made it and in which role."""
    if user.role not in _LEADS:
        raise PlanRefused("reason", _("Chỉ trưởng nhóm được điều chỉnh thủ công phương án."))
    if category not in calculation.CATEGORIES:
        raise FieldError("category", _("Chọn nhóm khoản điều chỉnh."))
    if not amount:
        raise FieldError("amount", _("Ghi số tiền điều chỉnh (âm để giảm), khác 0."))
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", _("Ghi lý do điều chỉnh: điều chỉnh thủ công phải có lý do."))
    adjustment = PlanAdjustment(
        case_id=case.id, category=category, amount=amount, reason=reason, user_id=user.id,
        actor=user.display_name, role=user.role.value,
    )
    db.session.add(adjustment)
    db.session.flush()
    return adjustment


def withdraw_adjustment(adjustment: PlanAdjustment, reason: str, user: User) -> PlanAdjustment:
    if user.role not in _LEADS:
        raise PlanRefused("reason", _("Chỉ trưởng nhóm được điều chỉnh thủ công phương án."))
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", _("Ghi lý do bỏ điều chỉnh."))
    if adjustment.withdrawn_at is not None:
        raise FieldError("reason", _("Điều chỉnh này đã được bỏ."))
    adjustment.withdrawn_at, adjustment.withdrawn_reason = utcnow(), reason
    db.session.flush()
    return adjustment


def adjustments(case_id: int) -> list[PlanAdjustment]:
    return list(db.session.scalars(sa.select(PlanAdjustment).where(PlanAdjustment.case_id == case_id).order_by(PlanAdjustment.at)))


# -- comparing, paying late -----------------------------------------------------------------------


@dataclass
class PlanDiff:
    before: CompensationPlan
    after: CompensationPlan
    lines: list[calculation.LineChange]
    totals: list[tuple[str, int, int]]
    inputs: list[tuple[str, Any, Any]]


_TOTAL_FIELDS = ("land_total", "assets_total", "support_total", "resettlement_total", "deductions_total", "net_amount")
_INPUT_FIELDS = (
    "persons", "relocates", "life_support_months", "rent_months", "early_handover", "resettlement_site",
    "resettlement_area", "land_debt", "recorded_on", "signed_by",
)


def compare(before: CompensationPlan, after: CompensationPlan) -> PlanDiff:
    """Every changed line, total, parameter and household fact between two versions."""
    lines = calculation.diff_lines(before.snapshot["lines"], after.snapshot["lines"])
    totals = [(name, getattr(before, name), getattr(after, name)) for name in _TOTAL_FIELDS if getattr(before, name) != getattr(after, name)]
    inputs: list[tuple[str, Any, Any]] = []
    for name in _INPUT_FIELDS:
        old, new = before.snapshot["inventory"].get(name), after.snapshot["inventory"].get(name)
        if old != new:
            inputs.append((name, old, new))
    for name, old in before.snapshot["policy"].items():
        new = after.snapshot["policy"].get(name)
        if old != new:
            inputs.append((f"policy.{name}", old, new))
    return PlanDiff(before, after, lines, totals, inputs)


@dataclass
class PaymentClock:
    """Thời hạn chi trả of an approved plan (Art. 94): due date, paid, unpaid, and the extra
    amount owed for days past it."""

    due: date
    payable: int
    paid: int
    days_late: int
    late_amount: int

    @property
    def unpaid(self) -> int:
        return max(0, self.payable - self.paid)


def payment_clock(plan: CompensationPlan, today: date) -> PaymentClock | None:
    """For an approved version: the payment deadline and the extra amount owed at the policy
    set's late-payment rate: each sum paid late for its own days, the unpaid rest to today."""
    if plan.status != PlanStatus.APPROVED or plan.approved_on is None:
        return None
    from datetime import timedelta
    from decimal import Decimal

    policy = plan.snapshot["policy"]
    due = plan.approved_on + timedelta(days=int(policy["payment_days"]))
    payments = [(paid_on, int(amount)) for paid_on, amount in db.session.execute(
        sa.select(Payment.paid_on, Payment.amount).where(Payment.case_id == plan.case_id)
    )]
    payable = max(0, plan.net_amount)
    days, extra = calculation.late_payment_owed(payable, due, payments, today, Decimal(policy["late_payment_rate"]))
    return PaymentClock(due, payable, sum(amount for _day, amount in payments), days, extra)


# -- a project's plans --------------------------------------------------------------------------


@dataclass
class ProjectPlanRow:
    case_id: int
    case_code: str
    party_name: str
    address: str
    plan_id: int
    number: int
    status: PlanStatus
    content_hash: str
    land: int
    assets: int
    support: int
    resettlement: int
    deductions: int
    net: int
    missing: int


def project_plans(project_id: int, statuses: tuple[PlanStatus, ...] | None = None) -> list[ProjectPlanRow]:
    """Each case's newest version (of those statuses: the plan summary reads the frozen and
    approved ones), in case order, in one query."""
    from clearance.models import Party

    newest = newest_versions(project_id, statuses)
    plan = CompensationPlan
    rows = db.session.execute(
        sa.select(
            Case.id, Case.code, Party.name, Party.address, plan.id, plan.number, plan.status, plan.content_hash,
            plan.land_total, plan.assets_total, plan.support_total, plan.resettlement_total, plan.deductions_total,
            plan.net_amount, plan.missing_basis,
        )
        .join(newest, sa.and_(newest.c.case_id == plan.case_id, newest.c.number == plan.number))
        .join(Case, Case.id == plan.case_id)
        .join(Party, Party.id == Case.party_id)
        .order_by(Case.code)
    )
    return [ProjectPlanRow(*row) for row in rows]
