"""The dispute status of a case, derived from its record with the reason in words, and a team
lead's ruling over it; offers by version and payments as legal records. Both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from clearance.models import CaseEvent, CompensationOffer, DisputeRuling, Payment
from clearance.services import case_balance, disputes, grievances, meetings
from clearance.services.balance import case_balances
from clearance.services.errors import FieldError
from clearance.workflow.statuses import CaseStatus, CommitmentStatus, DisputeStatus, GrievanceKind, Role
from tests import factories as f
from tests.queries import counting_queries

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("vietnamese_request")


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK-44", [ward], approved_budget=9_000_000_000)
    lead = f.user("truongnhom", Role.LEAD, ward)
    officer = f.user("canbo", Role.OFFICER, ward)
    case = f.case(project, f.party("Nguyễn Văn An", ward), "YK-001", CaseStatus.DECIDED)
    f.records.add_holding(case, f.parcel(project, "1"), "land_user", 100)
    return {"project": project, "lead": lead, "officer": officer, "case": case, "ward": ward}


def met(world, day: int, position: str, month: int = 11, kind: str = "persuasion", **values):
    case = world["case"]
    return f.meeting(
        world["project"], [case], held_at=datetime(2026, month, day, 2, 0, tzinfo=UTC), kind=kind,
        positions={case.id: position}, **values,
    )


def said(world, category="price", words="Giá đền bù thấp hơn giá thị trường"):
    return [{"case_id": world["case"].id, "category": category, "words": words, "answer": ""}]


def status_of(world):
    d = disputes.dispute_of(world["case"], today=TODAY)
    return d.status, d.reason


# --- each derived status, with its reason -------------------------------------------------------


def test_a_household_never_met_has_no_concerns_and_the_reason_says_so(world):
    status, reason = status_of(world)

    assert status == DisputeStatus.NO_CONCERNS
    assert reason == "Chưa có cuộc gặp nào với hộ; chưa ghi nhận vướng mắc"


def test_a_household_that_agreed_without_raising_anything_has_no_concerns(world):
    met(world, 10, "agrees", kind="consultation")

    assert status_of(world) == (
        DisputeStatus.NO_CONCERNS, "Hộ đồng ý tại buổi họp lấy ý kiến phương án 10/11/2026, không nêu vướng mắc",
    )


def test_a_household_that_disagreed_at_its_latest_meeting_disagrees_naming_that_meeting(world):
    met(world, 12, "partly", concerns=said(world))
    met(world, 20, "disagrees", kind="dialogue")

    assert status_of(world) == (DisputeStatus.DISAGREES, "Hộ không đồng ý tại buổi đối thoại 20/11/2026")


def test_a_refused_inventory_is_named_with_the_disagreement(world):
    case = world["case"]
    f.meeting(
        world["project"], [case], held_at=datetime(2026, 11, 19, 2, 0, tzinfo=UTC),
        households=[{"case_id": case.id, "position": "disagrees", "demand": None, "refused_inventory": True}],
    )

    assert status_of(world)[1] == "Hộ không đồng ý và không cho điều tra, kiểm đếm tại buổi vận động, thuyết phục tại nhà 19/11/2026"


def test_concerns_with_a_partial_answer_are_open_concerns_with_the_categories_and_the_promise(world):
    met(
        world, 20, "partly",
        concerns=said(world) + said(world, "resettlement", "Muốn tái định cư tại chỗ"),
        commitments=[{"case_id": world["case"].id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán",
                      "due_on": date(2026, 12, 15)}],
    )

    status, reason = status_of(world)

    assert status == DisputeStatus.OPEN_CONCERNS
    assert reason == (
        "Hộ đồng ý một phần tại buổi vận động, thuyết phục tại nhà 20/11/2026; đã nêu 2 ý kiến "
        "(giá bồi thường · tái định cư); còn 1 cam kết chưa thực hiện, hạn gần nhất 15/12/2026"
    )


def test_concerns_left_without_an_answer_are_open_concerns(world):
    met(world, 20, "no_answer", concerns=said(world))

    assert status_of(world) == (
        DisputeStatus.OPEN_CONCERNS,
        "Hộ chưa trả lời tại buổi vận động, thuyết phục tại nhà 20/11/2026; đã nêu 1 ý kiến (giá bồi thường)",
    )


def test_an_overdue_promise_keeps_concerns_open_even_after_the_household_agreed(world):
    met(world, 2, "agrees", concerns=said(world), commitments=[
        {"case_id": world["case"].id, "what": "Trả lời về chế độ người có công", "responsible": "UBND phường",
         "due_on": date(2026, 11, 12)},
    ])

    assert status_of(world) == (
        DisputeStatus.OPEN_CONCERNS, "Có 1 cam kết quá hạn chưa thực hiện (hạn 12/11/2026)",
    )


def test_an_open_petition_is_an_open_concern_and_a_complaint_is_pending(world):
    case = world["case"]
    grievances.file_grievance(case, {
        "kind": GrievanceKind.PETITION, "level": "first", "filed_on": date(2026, 11, 18), "filed_by": "Nguyễn Văn An",
        "content": "Xin lùi hạn bàn giao", "deadline": date(2026, 12, 18),
    }, TODAY)
    assert status_of(world) == (
        DisputeStatus.OPEN_CONCERNS, "Kiến nghị nhận ngày 18/11/2026 đang chờ giải quyết, hạn 18/12/2026",
    )

    grievances.file_grievance(case, {
        "kind": GrievanceKind.COMPLAINT, "level": "first", "filed_on": date(2026, 10, 20), "filed_by": "Nguyễn Văn An",
        "content": "Khiếu nại quyết định thu hồi đất", "deadline": date(2026, 11, 19),
    }, TODAY)
    assert status_of(world) == (
        DisputeStatus.COMPLAINT_PENDING, "Khiếu nại nhận ngày 20/10/2026 đã quá hạn giải quyết (hạn 19/11/2026)",
    )


def test_agreeing_after_raising_concerns_resolves_the_dispute(world):
    met(world, 2, "partly", concerns=said(world))
    met(world, 20, "agrees")

    assert status_of(world) == (
        DisputeStatus.RESOLVED, "Hộ đồng ý tại buổi vận động, thuyết phục tại nhà 20/11/2026, sau 1 ý kiến đã nêu",
    )


def test_payment_and_handover_resolve_the_dispute_naming_the_day_of_the_step(world, db):
    case = world["case"]
    met(world, 2, "partly", month=8, concerns=said(world))
    db.session.add(CaseEvent(case_id=case.id, step_code="payment", from_status=CaseStatus.DECIDED,
                             to_status=CaseStatus.PAID, occurred_on=date(2026, 8, 15), actor="test"))
    case.status = CaseStatus.PAID
    db.session.flush()

    assert status_of(world) == (DisputeStatus.RESOLVED, "Hồ sơ đã chi trả ngày 15/08/2026")
    # A household still unhappy after taking the money says so at a later meeting.
    met(world, 20, "partly", concerns=said(world, "area", "Phần đất còn lại không xây được"))
    assert status_of(world)[0] == DisputeStatus.OPEN_CONCERNS


def test_enforcement_comes_first_whatever_else_is_recorded(world, db):
    case = world["case"]
    met(world, 20, "disagrees", concerns=said(world))
    grievances.file_grievance(case, {
        "kind": GrievanceKind.COMPLAINT, "level": "first", "filed_on": date(2026, 11, 21), "filed_by": "Nguyễn Văn An",
        "content": "Khiếu nại", "deadline": date(2026, 12, 21),
    }, TODAY)
    assert status_of(world)[0] == DisputeStatus.COMPLAINT_PENDING, "a complaint outranks the disagreement"

    db.session.add(CaseEvent(case_id=case.id, step_code="enforcement", from_status=CaseStatus.DECIDED,
                             to_status=CaseStatus.ENFORCEMENT, occurred_on=date(2026, 11, 25), actor="test"))
    case.status = CaseStatus.ENFORCEMENT
    db.session.flush()

    assert status_of(world) == (DisputeStatus.ENFORCEMENT, "Hồ sơ ở bước cưỡng chế thu hồi đất từ ngày 25/11/2026")


def test_the_precedence_table_lists_every_status_once_with_no_concerns_last():
    order = [rule.status for rule in disputes.PRECEDENCE]

    assert sorted(order) == sorted(DisputeStatus)
    assert order[0] == DisputeStatus.ENFORCEMENT and order[-1] == DisputeStatus.NO_CONCERNS
    assert order.index(DisputeStatus.COMPLAINT_PENDING) < order.index(DisputeStatus.DISAGREES) < order.index(
        DisputeStatus.OPEN_CONCERNS
    ) < order.index(DisputeStatus.RESOLVED)


def test_disagreement_outranks_an_open_promise_and_a_closed_promise_no_longer_counts(world, db):
    first = met(world, 2, "partly", concerns=said(world), commitments=[
        {"case_id": world["case"].id, "what": "Đo lại", "responsible": "Cán bộ địa chính", "due_on": date(2026, 11, 10)},
    ])
    met(world, 20, "disagrees")
    assert status_of(world)[0] == DisputeStatus.DISAGREES

    met(world, 25, "agrees")
    assert status_of(world)[0] == DisputeStatus.OPEN_CONCERNS
    meetings.close_commitment(first.commitments[0], CommitmentStatus.DONE, date(2026, 11, 26), "Đã đo", TODAY)
    assert status_of(world)[0] == DisputeStatus.RESOLVED


# --- the team lead's ruling ---------------------------------------------------------------------------


def test_a_lead_overrides_with_a_reason_and_the_derived_status_stays_visible(world):
    met(world, 20, "agrees")

    disputes.set_dispute_status(world["case"], DisputeStatus.OPEN_CONCERNS, "Hộ gọi điện, vẫn đề nghị thu hồi hết", world["lead"])
    d = disputes.dispute_of(world["case"], today=TODAY)

    assert (d.status, d.reason) == (DisputeStatus.OPEN_CONCERNS, "Hộ gọi điện, vẫn đề nghị thu hồi hết")
    assert d.derived_status == DisputeStatus.NO_CONCERNS
    assert d.ruling.actor == "Truongnhom" and d.overridden
    assert d.summary.startswith("Do trưởng nhóm xác định (Truongnhom, ")


def test_an_officer_may_not_override_and_a_lead_must_give_a_reason(world, db):
    with pytest.raises(disputes.DisputeNotAllowed, match="Chỉ trưởng nhóm hoặc quản trị viên"):
        disputes.set_dispute_status(world["case"], DisputeStatus.RESOLVED, "Hộ đã đồng ý", world["officer"])
    with pytest.raises(FieldError) as refused:
        disputes.set_dispute_status(world["case"], DisputeStatus.RESOLVED, "   ", world["lead"])
    assert refused.value.field == "reason"
    with pytest.raises(FieldError) as nothing_to_clear:
        disputes.set_dispute_status(world["case"], None, "Trở lại theo dữ liệu", world["lead"])
    assert nothing_to_clear.value.field == "status"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisputeRuling)) == 0


def test_clearing_the_override_returns_the_case_to_its_derived_status_and_keeps_both_rulings(world):
    met(world, 20, "disagrees", kind="dialogue")
    disputes.set_dispute_status(world["case"], DisputeStatus.RESOLVED, "Đã thỏa thuận miệng", world["lead"],
                                at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
    assert disputes.dispute_of(world["case"], today=TODAY).status == DisputeStatus.RESOLVED

    disputes.set_dispute_status(world["case"], None, "Hộ chưa ký biên bản thỏa thuận", world["lead"],
                                at=datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    d = disputes.dispute_of(world["case"], today=TODAY)

    assert (d.status, d.ruling) == (DisputeStatus.DISAGREES, None)
    assert d.reason == "Hộ không đồng ý tại buổi đối thoại 20/11/2026"
    assert [r.status for r in disputes.rulings_of(world["case"])] == [None, DisputeStatus.RESOLVED]


# --- a whole project in a fixed number of queries --------------------------------------------------




def grow(world, upto: int) -> None:
    """Cases up to ``upto``, each with a different record: meetings, concerns, promises, complaints."""
    project, ward = world["project"], world["ward"]
    have = len(case_balances(project))
    kinds = ("agrees", "partly", "disagrees", "no_answer")
    for n in range(have + 1, upto + 1):
        case = f.case(project, f.party(f"Hộ số {n}", ward), f"YK-{n:03d}", CaseStatus.DECIDED)
        f.records.add_holding(case, f.parcel(project, str(n), lon=105.856 + n * 0.0003), "land_user", 100)
        f.meeting(project, [case], held_at=datetime(2026, 11, 1 + n % 20, 2, 0, tzinfo=UTC),
                  positions={case.id: kinds[n % 4]},
                  concerns=[{"case_id": case.id, "category": "price", "words": "Giá thấp", "answer": ""}] if n % 3 else [],
                  commitments=[{"case_id": case.id, "what": "Trả lời", "responsible": "Tổ", "due_on": date(2026, 11, 5 + n % 20)}]
                  if n % 5 == 0 else [])
        if n % 7 == 0:
            grievances.file_grievance(case, {"kind": "complaint", "level": "first", "filed_on": date(2026, 11, 2),
                                             "filed_by": "Hộ", "content": "Khiếu nại", "deadline": date(2026, 12, 2)}, TODAY)
        if n % 11 == 0:
            disputes.set_dispute_status(case, DisputeStatus.RESOLVED, "Đã thỏa thuận", world["lead"])


def test_the_project_list_agrees_with_each_case_page_in_the_same_few_queries_for_3_or_30_cases(world, db):
    grow(world, 3)
    with counting_queries() as few:
        small = disputes.dispute_statuses(world["project"], today=TODAY)
    grow(world, 30)
    with counting_queries() as many:
        large = disputes.dispute_statuses(world["project"], today=TODAY)

    assert len(small) == 3 and len(large) == 30
    assert len(few) == len(many) <= 11
    from clearance.models import Case

    for case in db.session.scalars(sa.select(Case).where(Case.project_id == world["project"].id)):
        one = disputes.dispute_of(case, today=TODAY)
        assert large[case.id] == (one.status, one.summary), case.code
    assert {status for status, _reason in large.values()} >= {
        DisputeStatus.NO_CONCERNS, DisputeStatus.OPEN_CONCERNS, DisputeStatus.DISAGREES, DisputeStatus.COMPLAINT_PENDING,
        DisputeStatus.RESOLVED,
    }


def test_balances_already_read_are_reused_not_read_again(world):
    grow(world, 5)
    balances = case_balances(world["project"])
    with counting_queries() as statements:
        disputes.dispute_statuses(world["project"], balances=balances, today=TODAY)
    assert len(statements) == 6


# --- offers by version, payments -------------------------------------------------------------------


def test_a_new_offer_is_the_next_version_with_its_basis_and_the_change_from_the_last(world, db):
    case = world["case"]
    case_balance.record_offer(case, 4_000_000_000, date(2026, 6, 10), "Dự thảo phương án", world["officer"], TODAY)
    second = case_balance.record_offer(
        case, 4_210_000_000, date(2026, 7, 10), "Bổ sung hỗ trợ thuê nhà sau đối thoại", world["officer"], TODAY
    )

    versions = case_balance.offer_versions(case)

    assert second.number == 2 and second.actor == "Canbo"
    assert [(v.number, v.amount, v.change) for v in versions] == [(1, 4_000_000_000, None), (2, 4_210_000_000, 210_000_000)]
    assert str(versions[1].change_percent) == "5.3"
    assert db.session.get(CompensationOffer, versions[0].id).amount == 4_000_000_000, "the first version is untouched"


@pytest.mark.parametrize(("amount", "offered_on", "basis", "field", "message"), [
    (-1, date(2026, 6, 10), "Dự thảo", "amount", "không âm"),
    (None, date(2026, 6, 10), "Dự thảo", "amount", "Ghi giá trị"),
    (4_000_000_000, date(2026, 6, 10), "  ", "basis", "căn cứ"),
    (4_000_000_000, date(2026, 12, 1), "Dự thảo", "offered_on", "sau hôm nay"),
    (4_000_000_000, date(2026, 5, 1), "Dự thảo", "offered_on", "phiên bản 1 (10/06/2026)"),
])
def test_an_offer_without_basis_negative_in_the_future_or_dated_before_the_last_is_refused(
    world, amount, offered_on, basis, field, message,
):
    case_balance.record_offer(world["case"], 3_900_000_000, date(2026, 6, 10), "Dự thảo", None, TODAY)

    with pytest.raises(FieldError) as refused:
        case_balance.record_offer(world["case"], amount, offered_on, basis, None, TODAY)

    assert refused.value.field == field and message in refused.value.message
    assert len(case_balance.offer_versions(world["case"])) == 1


def test_a_payment_is_reversed_with_its_reason_never_below_zero_never_in_the_future(world, db):
    case = world["case"]
    case_balance.record_payment(case, 4_210_000_000, date(2026, 11, 20), "UNC 01", "", None, TODAY)
    case_balance.record_payment(case, 4_210_000_000, date(2026, 11, 20), "UNC 02", "", None, TODAY)

    with pytest.raises(FieldError) as no_reason:
        case_balance.record_payment(case, -4_210_000_000, date(2026, 11, 22), "GNT 01", "", None, TODAY)
    assert no_reason.value.field == "note"
    with pytest.raises(FieldError) as too_much:
        case_balance.record_payment(case, -9_000_000_000, date(2026, 11, 22), "GNT 01", "Chi trùng", None, TODAY)
    assert too_much.value.field == "amount" and "8.420.000.000 đ" in too_much.value.message
    with pytest.raises(FieldError) as future:
        case_balance.record_payment(case, 1_000, date(2026, 11, 30), "UNC 03", "", None, TODAY)
    assert future.value.field == "paid_on"
    with pytest.raises(FieldError) as zero:
        case_balance.record_payment(case, 0, date(2026, 11, 22), "UNC 03", "", None, TODAY)
    assert zero.value.field == "amount"

    case_balance.record_payment(case, -4_210_000_000, date(2026, 11, 22), "GNT 01", "Chi trùng UNC 02", None, TODAY)

    lines = case_balance.payments_of(case)
    assert [(line.amount, line.running_total, line.is_reversal) for line in lines] == [
        (4_210_000_000, 4_210_000_000, False), (4_210_000_000, 8_420_000_000, False), (-4_210_000_000, 4_210_000_000, True),
    ]
    assert case_balances(world["project"], [case.id])[case.id].paid == 4_210_000_000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 3


def test_the_gap_moves_over_the_meetings_with_the_offer_in_force_on_each_day(world):
    case = world["case"]
    case_balance.record_offer(case, 4_000_000_000, date(2026, 6, 10), "Dự thảo", None, TODAY)
    met(world, 16, "disagrees", month=6, kind="consultation", demands={case.id: 5_500_000_000})
    case_balance.record_offer(case, 4_210_000_000, date(2026, 7, 10), "Sau đối thoại", None, TODAY)
    met(world, 2, "partly", month=7, kind="dialogue", demands={case.id: 5_200_000_000})
    met(world, 25, "partly", month=9)
    met(world, 23, "partly", demands={case.id: 5_000_000_000})

    points = case_balance.movement(case)

    assert [(p.offer_number, p.demand, p.demand_stated, str(p.gap_percent)) for p in points] == [
        (1, 5_500_000_000, True, "37.5"),
        (1, 5_200_000_000, True, "30.0"),
        (2, 5_200_000_000, False, "23.5"),
        (2, 5_000_000_000, True, "18.8"),
    ]
    assert points[-1].gap == 790_000_000


# --- the demo's dialogue log -------------------------------------------------------------------


def test_the_demo_dialogue_log_follows_each_case_timeline_and_tells_its_stories(db):
    from clearance.audit import acting_as
    from clearance.demo import load_demo
    from clearance.demo.facts import DEMO_TODAY
    from clearance.formatting import LOCAL_TZ
    from clearance.models import Case, Commitment, Meeting, MeetingAttendee, MeetingCase, Project

    with acting_as(None, "demo"):
        load_demo()
    events: dict[int, dict[CaseStatus, date]] = {}
    for case_id, reached, day in db.session.execute(sa.select(CaseEvent.case_id, CaseEvent.to_status, CaseEvent.occurred_on)):
        events.setdefault(case_id, {})[reached] = day
    rows = db.session.execute(sa.select(MeetingCase.case_id, Meeting.kind, Meeting.held_at).join(Meeting)).all()

    assert {row.kind.value for row in rows} == {"pre_notice", "persuasion", "consultation", "dialogue", "mediation"}
    for case_id, kind, held_at in rows:
        day, steps = held_at.astimezone(LOCAL_TZ).date(), events[case_id]
        assert day <= DEMO_TODAY
        if kind.value == "pre_notice":
            assert day < steps[CaseStatus.NOTIFIED]
        else:
            assert day >= steps[CaseStatus.NOTIFIED]
        if kind.value in ("consultation", "dialogue"):
            assert day >= steps[CaseStatus.POSTED]
        for end in (CaseStatus.HANDED_OVER, CaseStatus.ENFORCEMENT):
            assert end not in steps or day <= steps[end]
    sizes = db.session.execute(sa.select(MeetingCase.meeting_id, sa.func.count()).group_by(MeetingCase.meeting_id)).all()
    assert max(n for _id, n in sizes) >= 15, "a group meeting of the whole street"
    sides = set(db.session.scalars(sa.select(MeetingAttendee.side)))
    assert {s.value for s in sides} >= {"official", "household", "ward", "fatherland_front", "investor"}

    commitments = list(db.session.scalars(sa.select(Commitment)))
    assert any(c.status == CommitmentStatus.DONE for c in commitments)
    overdue = [c for c in commitments if c.status == CommitmentStatus.OPEN and c.due_on < DEMO_TODAY]
    assert overdue and any(c.status == CommitmentStatus.OPEN and c.due_on > DEMO_TODAY for c in commitments)

    cases = {c.code: c for c in db.session.scalars(sa.select(Case))}
    refusing = db.session.scalars(
        sa.select(MeetingCase.case_id).where(MeetingCase.refused_inventory.is_(True)).distinct()
    ).all()
    vulnerable = [cid for cid in refusing if db.session.get(Case, cid).party.is_vulnerable]
    assert vulnerable and any(c.case_id in vulnerable for c in overdue)

    yk = db.session.scalar(sa.select(Project).where(Project.code == "BCA-YK44"))
    story = case_balances(yk, [cases["YK-012"].id])[cases["YK-012"].id]
    assert (story.offer, story.offer_number, story.demand, str(story.gap_percent), story.paid) == (
        21_050_000_000, 2, 25_000_000_000, "18.8", 0,
    )
    found = {}
    for project in db.session.scalars(sa.select(Project)):
        for case_id, (status, _reason) in disputes.dispute_statuses(project, today=DEMO_TODAY).items():
            found.setdefault(status, case_id)
    assert set(found) == set(DisputeStatus)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisputeRuling)) == 1
    for code in ("YK-002", "YK-008", "YK-021"):
        paid = case_balances(yk, [cases[code].id])[cases[code].id]
        assert paid.paid == paid.offer
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.amount < 0)) == 1
