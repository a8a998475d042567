"""Complaints and petitions on the case page: recorded, shown with their deadline, closed, and
listed on the to-do page while open. Filing one does not stop the procedure."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from clearance.formatting import LOCAL_TZ
from clearance.models import Grievance
from clearance.workflow.statuses import CaseStatus, GrievanceStatus, Role
from tests import factories as f
from tests.conftest import post_form, sign_in


def today():
    return datetime.now(LOCAL_TZ).date()


def setup(db, role: Role = Role.OFFICER):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", role, ward)
    project = f.project("KN-01", [ward])
    case = f.case(project, f.party("Phạm Văn Khiếu", ward), "KN-001", CaseStatus.DECIDED)
    db.session.commit()
    return project, case


def test_a_complaint_is_recorded_with_its_deadline_shows_on_the_todo_page_and_is_resolved(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    page = f"/projects/{project.code}/cases/{case.id}"
    filed = today() - timedelta(days=25)
    response = post_form(client, f"{page}/grievances", {
        "kind": "complaint", "level": "first", "filed_on": filed.strftime("%d/%m/%Y"), "filed_by": "Phạm Văn Khiếu",
        "against": "Quyết định 91/QĐ-UBND", "content": "Không đồng ý đơn giá đất vị trí 2", "deadline": "",
    }, form_page=page)
    assert response.status_code == 302
    grievance = db.session.scalars(sa.select(Grievance)).one()
    assert grievance.deadline > filed and grievance.status == GrievanceStatus.OPEN
    html = client.get(page).get_data(as_text=True)
    assert "Không đồng ý đơn giá đất vị trí 2" in html and "không làm dừng" in html
    assert "Quyết định 91/QĐ-UBND" in html
    todo = client.get("/todo/").get_data(as_text=True)
    assert "Hạn giải quyết khiếu nại, kiến nghị" in todo and "KN-001" in todo
    closed = post_form(client, f"{page}/grievances/{grievance.id}/close", {
        "status": "resolved", "resolved_on": today().strftime("%d/%m/%Y"), "resolution": "Giữ nguyên đơn giá; giải thích căn cứ",
    }, form_page=page)
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Grievance, grievance.id).status == GrievanceStatus.RESOLVED
    assert "Hạn giải quyết khiếu nại" not in client.get("/todo/").get_data(as_text=True)


def test_a_complaint_with_a_missing_content_or_a_future_date_is_refused_naming_the_field(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    page = f"/projects/{project.code}/cases/{case.id}"
    response = post_form(client, f"{page}/grievances", {
        "kind": "complaint", "level": "first", "filed_on": (today() + timedelta(days=3)).strftime("%d/%m/%Y"),
        "filed_by": "Phạm Văn Khiếu", "content": "",
    }, form_page=page)
    assert response.status_code == 422
    assert "Trường này bắt buộc" in response.get_data(as_text=True)
    response = post_form(client, f"{page}/grievances", {
        "kind": "complaint", "level": "first", "filed_on": (today() + timedelta(days=3)).strftime("%d/%m/%Y"),
        "filed_by": "Phạm Văn Khiếu", "content": "Đơn",
    }, form_page=page)
    assert response.status_code == 422 and "không được sau hôm nay" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0


def test_a_resolution_needs_its_content(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    page = f"/projects/{project.code}/cases/{case.id}"
    post_form(client, f"{page}/grievances", {"kind": "petition", "level": "first", "filed_on": today().strftime("%d/%m/%Y"),
                                            "filed_by": "Tổ dân phố", "content": "Đề nghị hỗ trợ thuê nhà"}, form_page=page)
    grievance = db.session.scalars(sa.select(Grievance)).one()
    post_form(client, f"{page}/grievances/{grievance.id}/close", {"status": "resolved", "resolved_on": today().strftime("%d/%m/%Y"), "resolution": ""}, form_page=page)
    db.session.expire_all()
    assert db.session.get(Grievance, grievance.id).status == GrievanceStatus.OPEN


def test_a_viewer_cannot_record_a_complaint(client, db):
    project, case = setup(db, Role.VIEWER)
    sign_in(client, "canbo")
    page = f"/projects/{project.code}/cases/{case.id}"
    response = post_form(client, f"{page}/grievances", {"kind": "complaint", "level": "first", "filed_on": "01/11/2026",
                                                         "filed_by": "X", "content": "Y"}, form_page=page)
    assert response.status_code == 403


def test_the_api_records_and_closes_a_complaint(client, db):
    from clearance.models import ApiToken

    project, case = setup(db)
    from clearance.models import User

    officer = db.session.scalar(sa.select(User).where(User.username == "canbo"))
    row, token = ApiToken.issue(officer)
    db.session.add(row)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/projects/{project.code}/cases/{case.id}/grievances"
    created = client.post(url, headers=headers, json={"kind": "complaint", "filed_on": today().isoformat(),
                                                      "filed_by": "Phạm Văn Khiếu", "content": "Đề nghị đo lại"})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["status"] == "open" and body["deadline"] > today().isoformat()
    refused = client.post(f"{url}/{body['id']}/close", headers=headers,
                          json={"status": "resolved", "resolved_on": today().isoformat(), "resolution": ""})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "resolution"
    closed = client.post(f"{url}/{body['id']}/close", headers=headers,
                         json={"status": "withdrawn", "resolved_on": today().isoformat()})
    assert closed.status_code == 200 and closed.get_json()["status"] == "withdrawn"
    assert [g["id"] for g in client.get(url, headers=headers).get_json()] == [body["id"]]
