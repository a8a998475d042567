"""Hotspots of a project from its stored record: the case drifting toward a dispute comes first,
with its reasons in words, and scoring a project costs the same queries however many cases and
meetings it has. Both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from clearance.services import grievances, hotspots
from clearance.workflow.statuses import CaseStatus, RiskLevel, Role
from tests import factories as f
from tests.queries import counting_queries

TODAY = date(2026, 11, 29)


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi


pytestmark = pytest.mark.usefixtures("vietnamese_request")


def complaint(case, filed_on: date) -> None:  # type: ignore[no-untyped-def]
    grievances.file_grievance(case, {
        "kind": "complaint", "level": "first", "filed_on": filed_on, "filed_by": "Chủ hộ",
        "against": "Phương án dự thảo", "content": "Giá bồi thường thấp",
    }, TODAY)


def promise(case, due_on: date) -> dict:  # type: ignore[no-untyped-def]
    return {"case_id": case.id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán", "due_on": due_on}


@pytest.fixture()
def world(db):
    """YK44: Nóng (on posting, asks 18,8 % more, three meetings without moving, a promise to her
    overdue, a complaint pending), Yếu (poor, elderly alone, refused the inventory in October and
    not met since), Xong (handed over, still a complaint), Ổn (agreed yesterday)."""
    ward = f.unit("Phường Hai Bà Trưng")
    officer = f.user("canbo", Role.OFFICER, ward)
    project = f.project("YK44", [ward])
    nong = f.case(project, f.party("Nguyễn Văn Nóng", ward), "YK-001", CaseStatus.POSTED)
    yeu = f.case(project, f.party("Trần Thị Yếu", ward, is_poor=True, is_elderly_alone=True), "YK-002", CaseStatus.NOTIFIED)
    xong = f.case(project, f.party("Lê Văn Xong", ward), "YK-003", CaseStatus.HANDED_OVER)
    on = f.case(project, f.party("Phạm Thị Ổn", ward), "YK-004", CaseStatus.POSTED)
    f.offer(nong, 4_210_000_000)
    f.meeting(project, [nong], at(2), positions={nong.id: "disagrees"}, user_=officer,
              commitments=[promise(nong, date(2026, 11, 10))])
    f.meeting(project, [nong], at(12), positions={nong.id: "disagrees"}, user_=officer)
    f.meeting(project, [nong, on], at(20), positions={nong.id: "disagrees", on.id: "partly"},
              demands={nong.id: 5_000_000_000}, user_=officer)
    f.meeting(project, [on], at(28), positions={on.id: "agrees"}, user_=officer)
    f.meeting(project, [yeu], at(12, 10), user_=officer, households=[
        {"case_id": yeu.id, "position": "no_answer", "demand": None, "refused_inventory": True},
    ])
    complaint(nong, date(2026, 11, 3))
    complaint(xong, date(2026, 11, 25))
    return {"project": project, "officer": officer, "nong": nong, "yeu": yeu, "xong": xong, "on": on, "ward": ward}


def test_the_case_drifting_toward_a_dispute_comes_first_with_its_reasons(world):
    ranked = hotspots.project_hotspots(world["project"], TODAY)
    assert [h.case_code for h in ranked] == ["YK-001", "YK-002", "YK-003", "YK-004"]
    first = ranked[0]
    assert (first.party_name, first.score, first.level) == ("Nguyễn Văn Nóng", 30 + 20 + 20 + 25, RiskLevel.HIGH)
    assert [(r.code, r.points, r.text) for r in first.reasons] == [
        ("gap", 30, "Hộ đề nghị 5.000.000.000 đ, cao hơn giá trị bồi thường 18,8 % (ngưỡng 15 %)"),
        ("stalled", 20, "3 cuộc gặp liên tiếp không tiến triển (ý kiến gần nhất: không đồng ý)"),
        ("overdue_commitments", 20, "1 cam kết quá hạn (hạn sớm nhất 10/11/2026)"),
        ("complaint_pending", 25, "Khiếu nại nhận 03/11/2026 chưa giải quyết"),
    ]
    second = ranked[1]
    assert (second.score, second.level) == (15 + 10 + 25, RiskLevel.MEDIUM)
    assert [r.text for r in second.reasons] == [
        "48 ngày chưa gặp hộ (lần gặp gần nhất 12/10/2026)",
        "Hộ nghèo; người cao tuổi sống một mình",
        "Hộ không hợp tác kiểm đếm (biên bản 12/10/2026)",
    ]
    handed_over = ranked[2]
    assert (handed_over.score, handed_over.level, [r.text for r in handed_over.reasons]) == (0, RiskLevel.LOW, ["Đã bàn giao"])
    assert (ranked[3].score, ranked[3].reasons) == (0, ())


def test_the_factor_rows_and_the_settings_decide(world, app, db):
    from clearance.models import RiskFactor

    gap = db.session.query(RiskFactor).filter_by(code="gap").one()
    gap.weight = 0
    db.session.flush()
    first = hotspots.project_hotspots(world["project"], TODAY)[0]
    assert first.case_code == "YK-001" and first.score == 65 and "gap" not in {r.code for r in first.reasons}
    # Raising the high cut-off above 65 leaves the case at "cần theo dõi".
    app.config["RISK_HIGH_SCORE"] = 70
    try:
        assert hotspots.risk_levels(world["project"], TODAY)[world["nong"].id] == RiskLevel.MEDIUM
    finally:
        app.config["RISK_HIGH_SCORE"] = 60


def test_risk_levels_and_a_few_cases_only(world):
    levels = hotspots.risk_levels(world["project"], TODAY)
    assert levels == {
        world["nong"].id: RiskLevel.HIGH, world["yeu"].id: RiskLevel.MEDIUM,
        world["xong"].id: RiskLevel.LOW, world["on"].id: RiskLevel.LOW,
    }
    some = hotspots.project_hotspots(world["project"], TODAY, case_ids=[world["yeu"].id])
    assert [h.case_code for h in some] == ["YK-002"] and some[0].score == 50


def test_a_promise_kept_and_a_complaint_resolved_lower_the_score(world, db):
    from clearance.models import Commitment, Grievance
    from clearance.services import meetings
    from clearance.workflow.statuses import CommitmentStatus, GrievanceStatus

    commitment = db.session.query(Commitment).filter_by(case_id=world["nong"].id).one()
    meetings.close_commitment(commitment, CommitmentStatus.DONE, date(2026, 11, 27), "Đã gửi", TODAY)
    grievance = db.session.query(Grievance).filter_by(case_id=world["nong"].id).one()
    grievances.close_grievance(grievance, GrievanceStatus.RESOLVED, date(2026, 11, 28), "Giữ nguyên phương án", TODAY)
    ranked = hotspots.project_hotspots(world["project"], TODAY)
    # Nóng is down to the gap and the stalled meetings: 50, level with Yếu; equal scores go by code.
    assert [(h.case_code, h.score, h.level) for h in ranked[:2]] == [
        ("YK-001", 50, RiskLevel.MEDIUM), ("YK-002", 50, RiskLevel.MEDIUM),
    ]
    assert {r.code for r in ranked[0].reasons} == {"gap", "stalled"}


def test_scoring_a_project_costs_the_same_queries_with_few_or_many_cases_and_meetings(world, db):
    project = world["project"]
    with counting_queries() as few:
        hotspots.project_hotspots(project, TODAY)
    officer, ward = world["officer"], world["ward"]
    extra = [f.case(project, f.party(f"Hộ số {n}", ward, is_poor=n % 2 == 0), f"YK-1{n:02d}", CaseStatus.POSTED) for n in range(12)]
    for n, case in enumerate(extra):
        f.offer(case, 1_000_000_000 + n)
        for day in (3, 9, 15):
            f.meeting(project, [case], at(day), positions={case.id: "disagrees"}, demands={case.id: 1_300_000_000},
                      user_=officer, commitments=[promise(case, date(2026, 11, day + 2))])
        complaint(case, date(2026, 11, 16))
    f.meeting(project, extra, at(21), user_=officer)  # a group meeting of all of them
    db.session.flush()
    with counting_queries() as many:
        ranked = hotspots.project_hotspots(project, TODAY)
    assert len(many) == len(few) == 9
    assert len(ranked) == 16
    assert sum(1 for h in ranked if h.level == RiskLevel.HIGH) == 13
