"""The procedure on the case page: the next steps offered, a step recorded, a refusal explained."""

from __future__ import annotations

import sqlalchemy as sa

from clearance.models import CaseEvent
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import csrf_token, post_form, sign_in


def setup(db, role: Role = Role.OFFICER, status: CaseStatus = CaseStatus.NEW):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", role, ward)
    project = f.project("QT-WEB", [ward])
    case = f.case(project, f.party("Nguyễn Thị Hoa", ward), "QT-001", status)
    db.session.commit()
    return project, case


def status_of(db, case) -> CaseStatus:
    return db.session.scalar(sa.select(type(case).status).where(type(case).id == case.id))


def page_of(client, project, case) -> str:
    return client.get(f"/projects/{project.code}/cases/{case.id}").get_data(as_text=True)


def test_an_officer_records_the_recovery_notice_and_it_shows_on_the_timeline(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    html = page_of(client, project, case)
    assert "Quy trình" in html and "Chuyển sang" in html
    url = f"/projects/{project.code}/cases/{case.id}/transition"
    response = post_form(client, url, {"target": "notified", "version": case.version, "occurred_on": "20/11/2026",
                                       "document": "12/TB-UBND", "note": "Giao tận tay"}, form_page=f"/projects/{project.code}/cases/{case.id}")
    assert response.status_code == 302
    html = page_of(client, project, case)
    assert "20/11/2026" in html and "12/TB-UBND" in html and "Giao tận tay" in html
    assert status_of(db, case) == CaseStatus.NOTIFIED


def test_a_refused_step_says_why_and_changes_nothing(client, db):
    project, case = setup(db, status=CaseStatus.POSTED)
    sign_in(client, "canbo")
    html = page_of(client, project, case)
    assert "Chỉ trưởng nhóm" in html  # approval offered but refused for an officer, with the reason
    url = f"/projects/{project.code}/cases/{case.id}/transition"
    response = post_form(client, url, {"target": "plan_approved", "version": case.version, "occurred_on": "20/11/2026"},
                         form_page=f"/projects/{project.code}/cases/{case.id}")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Chỉ trưởng nhóm" in text and "Không có gì thay đổi" in text
    assert status_of(db, case) == CaseStatus.POSTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == 0


def test_a_stale_page_gets_a_conflict_not_a_silent_overwrite(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    page = f"/projects/{project.code}/cases/{case.id}"
    url = f"{page}/transition"
    first = post_form(client, url, {"target": "notified", "version": 1, "occurred_on": "20/11/2026"}, form_page=page)
    assert first.status_code == 302
    second = post_form(client, url, {"target": "surveyed", "version": 1, "occurred_on": "21/11/2026"}, form_page=page)
    assert second.status_code == 409
    assert "người khác thay đổi" in second.get_data(as_text=True)
    assert status_of(db, case) == CaseStatus.NOTIFIED


def test_the_edit_form_no_longer_changes_the_status(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    edit = f"/projects/{project.code}/cases/{case.id}/edit"
    assert 'name="status"' not in client.get(edit).get_data(as_text=True)
    post_form(client, edit, {"code": "QT-001", "party_id": case.party_id, "status": "paid", "notes": "", "version": case.version})
    assert status_of(db, case) == CaseStatus.NEW


def test_a_viewer_cannot_move_a_case(client, db):
    project, case = setup(db, Role.VIEWER)
    sign_in(client, "canbo")
    token = csrf_token(client, f"/projects/{project.code}/cases/{case.id}")
    response = client.post(f"/projects/{project.code}/cases/{case.id}/transition",
                           data={"csrf_token": token, "target": "notified", "occurred_on": "20/11/2026"})
    assert response.status_code == 403
