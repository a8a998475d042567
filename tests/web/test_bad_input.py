"""Odd input in forms, URLs and the API gets a clear 4xx answer, never a 500, and saves nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from clearance.models import ApiToken, Case, CaseParcel, Parcel, Party, Project
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import post_form, sign_in


def ward_project_case(db):  # type: ignore[no-untyped-def]
    ward = f.unit("Phường Hai Bà Trưng")
    officer = f.user("canbo", Role.OFFICER, ward)
    project = f.project("YK44", [ward])
    parcel = f.parcel(project, "45")
    case = f.case(project, f.party("Hộ A", ward), "YK-001")
    db.session.commit()
    return officer, ward, project, parcel, case


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("150", "Phần quyền phải lớn hơn 0 và không quá 100%."),
        ("0", "Phần quyền phải lớn hơn 0 và không quá 100%."),
        ("abc", "Phần quyền là một số phần trăm"),
        ("NaN", "Phần quyền là một số phần trăm"),
        ("0,005", "Phần quyền chỉ ghi tới 2 chữ số thập phân."),
    ],
)
def test_a_bad_share_is_explained(client, db, share, message):
    _, _, _, parcel, case = ward_project_case(db)
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/YK44/cases/{case.id}/parcels",
                         {"parcel_id": parcel.id, "tenure": "land_user", "share": share},
                         form_page=f"/projects/YK44/cases/{case.id}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseParcel)) == 0


def test_a_share_written_with_a_percent_sign_is_understood(client, db):
    _, _, _, parcel, case = ward_project_case(db)
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/YK44/cases/{case.id}/parcels",
                         {"parcel_id": parcel.id, "tenure": "co_user", "share": "33,5%"},
                         form_page=f"/projects/YK44/cases/{case.id}")
    assert response.status_code == 302
    assert str(db.session.scalar(sa.select(CaseParcel.share))) == "33.50"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("legal_area", "NaN", "Diện tích phải là số (m²)"),
        ("legal_area", "Infinity", "Diện tích phải là số (m²)"),
        ("legal_area", "1e20", "Diện tích quá lớn."),
        ("legal_area", "-5", "Diện tích không được âm."),
        ("map_sheet", "x" * 21, "Tối đa 20 ký tự."),
    ],
)
def test_impossible_parcel_values_are_refused(client, db, field, value, message):
    ward_project_case(db)
    sign_in(client, "canbo")
    data = {"map_sheet": "12", "parcel_no": "77", field: value}
    response = post_form(client, "/projects/YK44/parcels/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Parcel)) == 1


def test_a_budget_beyond_any_project_is_refused(client, db):
    _, ward, _, _, _ = ward_project_case(db)
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/edit", {
        "code": "YK44", "name": "Dự án YK44", "investor": "Bộ Công an", "status": "preparing",
        "unit_ids": [ward.id], "approved_budget": "9223372036854775808",
    })
    assert response.status_code == 422
    assert "Số tiền quá lớn." in response.get_data(as_text=True)


def test_nul_characters_are_dropped_from_typed_text(client, db):
    ward_project_case(db)
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/parcels/new", {"map_sheet": "1\x002", "parcel_no": "78"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Parcel.map_sheet).where(Parcel.parcel_no == "78")) == "12"
    assert client.get("/households/?q=a%00b").status_code == 200


def test_ids_and_pages_out_of_range_are_not_found_or_empty(client, db):
    ward_project_case(db)
    sign_in(client, "canbo")
    assert client.get("/households/2147483648").status_code == 404
    assert client.get("/projects/YK44/cases/99999999999999999999").status_code == 404
    assert client.get("/projects/YK44/parcels/?page=99999999999999999999").status_code == 200


def test_a_next_link_to_another_site_is_ignored(client, db):
    _, ward, _, _, case = ward_project_case(db)
    sign_in(client, "canbo")
    party_id = case.party_id
    response = post_form(client, f"/households/{party_id}/edit?next=//evil.example/x", {
        "kind": "household", "name": "Hộ A", "members": "4", "unit_id": ward.id,
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/households/{party_id}")


def test_a_choice_outside_the_list_is_refused_in_vietnamese(client, db):
    ward_project_case(db)
    other = f.unit("Phường Cửa Nam")
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, "/households/new", {
        "kind": "household", "name": "Lê Thị Mẫu", "members": "2", "unit_id": other.id,
    })
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Party).where(Party.name == "Lê Thị Mẫu")) is None


def api_headers(db, user):  # type: ignore[no-untyped-def]
    row, token = ApiToken.issue(user)
    db.session.add(row)
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/projects/YK44/parcels", {"map_sheet": "a\u0000", "parcel_no": "9"}),
        ("/api/v1/households", {"name": "Hộ\u0000B", "kind": "household", "members": 2, "unit_id": 1}),
    ],
)
def test_the_api_refuses_nul_characters_with_a_4xx(client, db, url, body):
    officer, ward, *_ = ward_project_case(db)
    if "unit_id" in body:
        body = {**body, "unit_id": ward.id}
    response = client.post(url, data=json.dumps(body), headers=api_headers(db, officer))
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] in {"map_sheet", "name"}


def test_the_api_survives_out_of_range_pages_and_nul_in_searches(client, db):
    officer, *_ = ward_project_case(db)
    headers = api_headers(db, officer)
    assert client.get("/api/v1/projects?page=99999999999", headers=headers).status_code in (200, 422)
    assert client.get("/api/v1/households?q=a%00b", headers=headers).status_code == 422


def test_the_api_filters_households_by_unit_and_cases_by_party(client, db):
    officer, ward, project, _, case = ward_project_case(db)
    headers = api_headers(db, officer)
    households = client.get(f"/api/v1/households?unit_id={ward.id}", headers=headers)
    assert households.status_code == 200
    assert [h["name"] for h in households.get_json()] == ["Hộ A"]
    cases = client.get(f"/api/v1/projects/YK44/cases?party_id={case.party_id}", headers=headers)
    assert [c["code"] for c in cases.get_json()] == ["YK-001"]


def test_a_ward_team_cannot_cut_the_other_ward_out_of_a_shared_project(client, db):
    hbt = f.unit("Phường Hai Bà Trưng")
    cua_nam = f.unit("Phường Cửa Nam")
    officer = f.user("canbo", Role.OFFICER, hbt)
    f.project("YK44", [cua_nam, hbt])
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/edit", {
        "code": "YK44", "name": "Dự án YK44", "investor": "Bộ Công an", "status": "preparing", "unit_ids": [hbt.id],
    })
    assert response.status_code == 422
    assert "Bạn chỉ được thêm hoặc bỏ phường/xã của nhóm mình." in response.get_data(as_text=True)
    response = client.patch("/api/v1/projects/YK44", data=json.dumps({"unit_ids": [hbt.id]}),
                            headers=api_headers(db, officer))
    assert response.status_code == 422
    project = db.session.scalar(sa.select(Project).where(Project.code == "YK44"))
    db.session.refresh(project)
    assert {u.name for u in project.units} == {"Phường Cửa Nam", "Phường Hai Bà Trưng"}


def test_a_household_page_does_not_reveal_cases_of_projects_the_user_cannot_see(client, db):
    hbt = f.unit("Phường Hai Bà Trưng")
    hoan_kiem = f.unit("Phường Hoàn Kiếm")
    f.user("canbo", Role.OFFICER, hbt)
    mine = f.project("YK44", [hbt])
    theirs = f.project("HK1", [hoan_kiem])
    household = f.party("Hộ có hai hồ sơ", hbt)
    f.case(mine, household, "YK-009")
    f.case(theirs, household, "HK-SECRET")
    db.session.commit()
    sign_in(client, "canbo")
    for url in ("/households/", f"/households/{household.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "YK-009" in page
        assert "HK-SECRET" not in page


def test_an_unknown_user_name_is_locked_like_a_real_one(client, db):
    ward_project_case(db)
    for _ in range(3):
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in sign_in(client, "khong-ton-tai", "x").get_data(as_text=True)
    assert "Tài khoản tạm khóa" in sign_in(client, "khong-ton-tai", "x").get_data(as_text=True)


def test_case_holdings_of_another_project_are_not_found(client, db):
    officer, ward, project, _, case = ward_project_case(db)
    other = f.project("YK45", [ward])
    foreign_parcel = f.parcel(other, "1")
    db.session.commit()
    response = client.post(f"/api/v1/projects/YK44/cases/{case.id}/holdings",
                           data=json.dumps({"parcel_id": foreign_parcel.id}), headers=api_headers(db, officer))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].endswith("Không có thửa đất này trong dự án.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
