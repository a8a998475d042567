"""The statutory procedure: a case moves only along the transition table, by the roles it names,
when its guards pass; a refusal changes nothing and says why. Both databases."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from clearance.formatting import LOCAL_TZ
from clearance.models import AuditEntry, CaseEvent
from clearance.services.errors import FieldError
from clearance.services.transitions import Moment, TransitionRefused, options, timeline, transition_case
from clearance.workflow.procedure import TRANSITIONS, find_transition
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f

#: A Wednesday morning far from any holiday or Tết: enforcement is allowed then.
QUIET = Moment(date(2026, 10, 14), datetime(2026, 10, 14, 10, 0, tzinfo=LOCAL_TZ))
_codes = itertools.count(1)


pytestmark = pytest.mark.usefixtures("vietnamese_request")


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("QT-01", [ward], plan_approved_date=date(2026, 9, 1))
    lead = f.user("truong", Role.LEAD, ward)
    officer = f.user("canbo", Role.OFFICER, ward)
    return {"ward": ward, "project": project, "lead": lead, "officer": officer}


def case_at(world, status: CaseStatus, posted: date | None = date(2026, 9, 1)):
    n = next(_codes)
    party = f.party(f"Hộ số {n}", world["ward"])
    case = f.case(world["project"], party, f"QT-{n:03d}", status)
    if posted is not None:
        # The posting began long enough ago for the 30 days to be over.
        f.db.session.add(CaseEvent(case_id=case.id, step_code="public_posting", from_status=CaseStatus.PLAN_DRAFTED,
                                   to_status=CaseStatus.POSTED, occurred_on=posted, actor="test"))
        f.db.session.flush()
    return case


def test_every_pair_of_statuses_is_allowed_exactly_when_the_table_says(db, world):
    for source, target in itertools.product(CaseStatus, CaseStatus):
        case = case_at(world, source)
        transition = find_transition(source, target)
        savepoint = db.session.begin_nested()
        try:
            transition_case(case, target, world["lead"], QUIET, note="sửa nhầm trạng thái")
        except TransitionRefused as refused:
            assert transition is None, f"{source} → {target} refused: {refused}"
            assert "Không thể chuyển" in str(refused)
        else:
            assert transition is not None, f"{source} → {target} should be refused"
            assert case.status == target
        savepoint.rollback()
    assert len(TRANSITIONS) == len({(t.source, t.target) for t in TRANSITIONS})  # no pair twice


def test_only_a_team_lead_approves_a_plan(db, world):
    case = case_at(world, CaseStatus.POSTED)
    with pytest.raises(TransitionRefused, match="Chỉ trưởng nhóm"):
        transition_case(case, CaseStatus.PLAN_APPROVED, world["officer"], QUIET)
    refused = [o for o in options(case, world["officer"], QUIET) if o.transition.target == CaseStatus.PLAN_APPROVED]
    assert refused and not refused[0].allowed
    transition_case(case, CaseStatus.PLAN_APPROVED, world["lead"], QUIET)
    assert case.status == CaseStatus.PLAN_APPROVED


def test_a_plan_posted_less_than_30_days_ago_cannot_be_approved_and_nothing_changes(db, world):
    case = case_at(world, CaseStatus.POSTED, posted=date(2026, 10, 1))
    version = case.version
    with pytest.raises(TransitionRefused) as refused:
        transition_case(case, CaseStatus.PLAN_APPROVED, world["lead"], Moment(date(2026, 10, 20)))
    assert "niêm yết từ 01/10/2026" in str(refused.value) and "02/11/2026" in str(refused.value)
    db.session.flush()
    assert case.status == CaseStatus.POSTED and case.version == version
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)) == 1
    # 31/10 is a Saturday: the 30 days run to Monday 02/11 (Civil Code Art. 148); on 03/11 they are over.
    transition_case(case, CaseStatus.PLAN_APPROVED, world["lead"], Moment(date(2026, 11, 3)))
    assert case.status == CaseStatus.PLAN_APPROVED


def test_no_payment_before_the_plan_is_approved(db, world):
    world["project"].plan_approved_date = None
    case = case_at(world, CaseStatus.DECIDED)
    with pytest.raises(TransitionRefused, match="phương án chưa được phê duyệt"):
        transition_case(case, CaseStatus.PAID, world["officer"], QUIET)
    world["project"].plan_approved_date = date(2026, 9, 1)
    transition_case(case, CaseStatus.PAID, world["officer"], QUIET)
    assert case.status == CaseStatus.PAID


@pytest.mark.parametrize(("moment", "reason"), [
    (datetime(2026, 10, 14, 22, 30, tzinfo=LOCAL_TZ), "22 giờ"),
    (datetime(2026, 9, 2, 10, 0, tzinfo=LOCAL_TZ), "Quốc khánh"),
    (datetime(2026, 2, 10, 10, 0, tzinfo=LOCAL_TZ), "Tết"),
])
def test_enforcement_is_refused_at_night_on_holidays_and_around_tet(db, world, moment, reason):
    case = case_at(world, CaseStatus.DECIDED)
    with pytest.raises(TransitionRefused, match=reason):
        transition_case(case, CaseStatus.ENFORCEMENT, world["lead"], Moment(moment.date(), moment))


def test_enforcement_needs_its_hour(db, world):
    case = case_at(world, CaseStatus.DECIDED)
    with pytest.raises(TransitionRefused, match="cần ghi giờ"):
        transition_case(case, CaseStatus.ENFORCEMENT, world["lead"], Moment(date(2026, 10, 14)))


def test_a_correction_needs_a_reason_which_the_audit_trail_keeps(db, world):
    case = case_at(world, CaseStatus.POSTED)
    with pytest.raises(TransitionRefused, match="cần ghi lý do"):
        transition_case(case, CaseStatus.PLAN_DRAFTED, world["lead"], QUIET)
    event = transition_case(case, CaseStatus.PLAN_DRAFTED, world["lead"], QUIET, note="Sai đơn giá đất ở vị trí 2")
    assert event.is_correction
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "clearance_case", AuditEntry.entity_id == case.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes["status"] == ["posted", "plan_drafted"]
    assert entry.reason == "Sai đơn giá đất ở vị trí 2"


def test_a_step_in_the_future_is_refused(db, world):
    case = case_at(world, CaseStatus.NEW)
    with pytest.raises(TransitionRefused, match="không được sau hôm nay"):
        transition_case(case, CaseStatus.NOTIFIED, world["officer"], Moment(date(2099, 1, 1)))


def test_an_expired_notice_must_be_given_again_before_the_survey(db, world):
    case = case_at(world, CaseStatus.NEW)
    transition_case(case, CaseStatus.NOTIFIED, world["officer"], Moment(date(2025, 1, 6)))
    with pytest.raises(TransitionRefused, match="hết hiệu lực"):
        transition_case(case, CaseStatus.SURVEYED, world["officer"], Moment(date(2026, 3, 1)))


def test_two_officers_moving_the_same_case_do_not_overwrite_each_other(db, world):
    case = case_at(world, CaseStatus.NEW)
    seen = case.version
    transition_case(case, CaseStatus.NOTIFIED, world["officer"], QUIET, expected_version=seen)
    db.session.flush()
    with pytest.raises(FieldError) as conflict:
        transition_case(case, CaseStatus.SURVEYED, world["officer"], QUIET, expected_version=seen)
    assert conflict.value.field == "version"
    assert case.status == CaseStatus.NOTIFIED


def test_the_timeline_lists_the_steps_by_the_day_they_happened(db, world):
    case = case_at(world, CaseStatus.NEW, posted=None)
    transition_case(case, CaseStatus.NOTIFIED, world["officer"], Moment(date(2026, 10, 1)), document="12/TB-UBND")
    transition_case(case, CaseStatus.SURVEYED, world["officer"], Moment(date(2026, 10, 12)), note="Hộ đồng ý kiểm đếm")
    steps = timeline(case)
    assert [(e.step_code, e.occurred_on, e.document) for e in steps] == [
        ("recovery_notice", date(2026, 10, 1), "12/TB-UBND"), ("survey", date(2026, 10, 12), ""),
    ]
    assert steps[1].note == "Hộ đồng ý kiểm đếm" and steps[1].actor


def test_the_page_offers_enforcement_at_night_but_the_hour_typed_is_checked_when_recorded(db, world):
    case = case_at(world, CaseStatus.DECIDED)
    night = Moment(date(2026, 10, 14), datetime(2026, 10, 14, 23, 0, tzinfo=LOCAL_TZ))
    offered = {o.transition.target: o for o in options(case, world["lead"], night)}
    assert offered[CaseStatus.ENFORCEMENT].allowed  # recording this morning's enforcement tonight
    with pytest.raises(TransitionRefused, match="22 giờ"):
        transition_case(case, CaseStatus.ENFORCEMENT, world["lead"], night)
