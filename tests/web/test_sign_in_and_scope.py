"""Signing in, throttling, CSRF, and who sees which project (UI)."""

from __future__ import annotations

import sqlalchemy as sa

from clearance.models import AuditEntry, Project
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import post_form, sign_in


def two_wards_with_a_project_each(db):
    hbt = f.unit("Phường Hai Bà Trưng")
    cn = f.unit("Phường Cửa Nam")
    officer_hbt = f.user("canbo_hbt", Role.OFFICER, hbt)
    f.user("canbo_cn", Role.OFFICER, cn)
    f.project("YK44", [hbt])
    f.project("TBT30", [cn])
    db.session.commit()
    return officer_hbt


def test_an_officer_signs_in_and_sees_only_the_projects_of_their_ward(client, db):
    two_wards_with_a_project_each(db)
    response = sign_in(client, "canbo_hbt")
    assert response.status_code == 302
    page = client.get("/projects/").get_data(as_text=True)
    assert "Dự án YK44" in page
    assert "Dự án TBT30" not in page
    assert client.get("/projects/YK44").status_code == 200
    assert client.get("/projects/TBT30").status_code == 404
    assert client.get("/projects/TBT30/parcels/").status_code == 404
    assert client.get("/projects/TBT30/cases/").status_code == 404


def test_pages_need_a_signed_in_user(client, db):
    response = client.get("/projects/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(client, db):
    two_wards_with_a_project_each(db)
    for _ in range(3):  # LOGIN_MAX_FAILURES in the testing config
        response = sign_in(client, "canbo_hbt", "sai-mat-khau")
        assert response.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    response = sign_in(client, "canbo_hbt")  # the right password, but locked now
    assert response.status_code == 401
    assert "Tài khoản tạm khóa" in response.get_data(as_text=True)


def test_a_form_posted_without_its_csrf_token_is_rejected_and_changes_nothing(client, db):
    two_wards_with_a_project_each(db)
    sign_in(client, "canbo_hbt")
    response = client.post("/projects/YK44/edit", data={"name": "Tên bị đổi", "code": "YK44"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(Project.name).where(Project.code == "YK44")) == "Dự án YK44"


def test_editing_a_project_is_recorded_with_who_and_what(client, db):
    officer = two_wards_with_a_project_each(db)
    sign_in(client, "canbo_hbt")
    project = db.session.scalar(sa.select(Project).where(Project.code == "YK44"))
    response = post_form(client, "/projects/YK44/edit", {
        "code": "YK44", "name": "Trụ sở 44 Yết Kiêu", "investor": "Bộ Công an", "status": "in_progress",
        "unit_ids": [u.id for u in project.units], "approved_budget": "12.500.000.000",
        "notice_date": "20/03/2026",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "project", AuditEntry.action == "update")
    ).one()
    assert entry.user_id == officer.id
    assert entry.changes["name"] == ["Dự án YK44", "Trụ sở 44 Yết Kiêu"]
    assert entry.changes["approved_budget"] == [None, 12500000000]
    assert entry.changes["notice_date"] == [None, "2026-03-20"]
    history = client.get("/projects/YK44/history").get_data(as_text=True)
    assert "20/03/2026" in history and "Trụ sở 44 Yết Kiêu" in history
