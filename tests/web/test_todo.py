"""Việc cần làm: statutory deadlines due soon or overdue, for the cases the team sees."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from clearance.extensions import db as _db
from clearance.formatting import LOCAL_TZ
from clearance.models import CaseEvent
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in
from tests.queries import counting_queries


def event(case, status: CaseStatus, day: date) -> None:
    _db.session.add(CaseEvent(case_id=case.id, step_code="x", from_status=status, to_status=status, occurred_on=day, actor="test"))


def today() -> date:
    from datetime import datetime

    return datetime.now(LOCAL_TZ).date()


def setup(db):
    ward, other = f.unit("Phường Hai Bà Trưng"), f.unit("Phường Cửa Nam")
    f.user("canbo", Role.OFFICER, ward)
    mine = f.project("TODO-1", [ward], plan_approved_date=today() - timedelta(days=40))
    theirs = f.project("TODO-2", [other], plan_approved_date=today() - timedelta(days=40))
    late = f.case(mine, f.party("Nguyễn Văn Chậm", ward), "T-001", CaseStatus.DECIDED)
    posted = f.case(mine, f.party("Trần Thị Niêm", ward), "T-002", CaseStatus.POSTED)
    event(posted, CaseStatus.POSTED, today() - timedelta(days=25))
    f.case(theirs, f.party("Lê Văn Khác", other), "T-003", CaseStatus.DECIDED)
    db.session.commit()
    return mine, late, posted


def test_an_officer_sees_an_overdue_payment_and_a_posting_about_to_end(client, db):
    setup(db)
    sign_in(client, "canbo")
    html = client.get("/todo/").get_data(as_text=True)
    overdue, upcoming = html.split("Đến hạn trong")
    assert "Nguyễn Văn Chậm" in overdue and "Hạn chi trả tiền bồi thường" in overdue
    assert "quá hạn" in overdue and "0,03 %/ngày" in overdue
    assert "Trần Thị Niêm" in upcoming and "Hết thời hạn niêm yết phương án" in upcoming
    assert "Lê Văn Khác" not in html  # another ward's project


def test_the_todo_page_runs_the_same_queries_however_many_cases(client, db):
    mine, _late, _posted = setup(db)
    sign_in(client, "canbo")
    with counting_queries() as few:
        assert client.get("/todo/").status_code == 200
    ward = mine.units[0]
    for n in range(15):
        case = f.case(mine, f.party(f"Hộ số {n}", ward), f"T-1{n:02d}", CaseStatus.POSTED if n % 2 else CaseStatus.PAID)
        event(case, CaseStatus.POSTED if n % 2 else CaseStatus.PAID, today() - timedelta(days=n))
    db.session.commit()
    with counting_queries() as many:
        html = client.get("/todo/").get_data(as_text=True)
    assert len(many) == len(few)
    assert html.count("Hạn bàn giao mặt bằng") >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == 16
