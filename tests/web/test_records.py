"""Creating and editing records through the forms: Vietnamese messages, nothing half-saved."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from clearance.models import AuditEntry, Case, Parcel, Party
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import post_form, sign_in

SQUARE = {"type": "Polygon", "coordinates": [[[105.856, 21.0185], [105.8562, 21.0185], [105.8562, 21.0186], [105.856, 21.0186], [105.856, 21.0185]]]}


def a_ward_with_a_project(db, role: Role = Role.OFFICER):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", role, ward)
    project = f.project("YK44", [ward])
    db.session.commit()
    return ward, project


def test_an_officer_adds_a_parcel_and_its_area_is_measured_from_the_shape(client, db):
    _, project = a_ward_with_a_project(db)
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/parcels/new", {
        "map_sheet": "12", "parcel_no": "45", "address": "Số 44 phố Yết Kiêu", "land_use_code": "ODT",
        "legal_area": "230,5", "geom": json.dumps(SQUARE),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    parcel = db.session.scalar(sa.select(Parcel).where(Parcel.project_id == project.id))
    assert str(parcel.legal_area) == "230.50"
    # 0.0002° × 0.0001° at 21° N ≈ 20.8 m × 11.1 m
    assert 225 < parcel.measured_area < 237
    page = client.get(f"/projects/YK44/parcels/{parcel.id}").get_data(as_text=True)
    assert "230,50 m²" in page


def test_a_duplicate_parcel_number_is_refused_with_the_typed_values_kept(client, db):
    _, project = a_ward_with_a_project(db)
    f.parcel(project, "45")
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/parcels/new", {
        "map_sheet": "12", "parcel_no": "45", "address": "Nhà bà Hoa, ngõ Yết Kiêu",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dự án đã có thửa số 45, tờ bản đồ số 12." in page
    assert 'value="Nhà bà Hoa, ngõ Yết Kiêu"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Parcel)) == 1


def test_a_point_instead_of_a_polygon_is_refused_naming_the_field(client, db):
    a_ward_with_a_project(db)
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/parcels/new", {
        "map_sheet": "12", "parcel_no": "46", "geom": '{"type": "Point", "coordinates": [105.85, 21.01]}',
    })
    assert response.status_code == 422
    assert "Hình học: cần Polygon hoặc MultiPolygon, nhận được Point" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Parcel)) == 0


def test_an_invalid_id_number_is_refused_with_a_vietnamese_message(client, db):
    ward, _ = a_ward_with_a_project(db)
    sign_in(client, "canbo")
    response = post_form(client, "/households/new", {
        "kind": "household", "name": "Nguyễn Văn Thử", "id_number": "12345", "members": "3", "unit_id": ward.id,
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Số CCCD phải gồm đúng 12 chữ số." in page
    assert 'value="Nguyễn Văn Thử"' in page
    response = post_form(client, "/households/new", {
        "kind": "household", "name": "Nguyễn Văn Thử", "id_number": "999190012345", "members": "3", "unit_id": ward.id,
    })
    assert "Mã tỉnh 999 ở đầu số CCCD không tồn tại." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 0


def test_a_case_is_opened_a_parcel_attached_and_both_show_in_its_history(client, db):
    ward, project = a_ward_with_a_project(db)
    parcel = f.parcel(project, "45")
    party = f.party("Phạm Văn Mẫu", ward, id_number="001090012345")
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, "/projects/YK44/cases/new", {"code": "YK-001", "party_id": party.id, "status": "notified"})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = db.session.scalar(sa.select(Case))
    response = post_form(client, f"/projects/YK44/cases/{case.id}/parcels",
                         {"parcel_id": parcel.id, "tenure": "land_user", "share": "100"},
                         form_page=f"/projects/YK44/cases/{case.id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/projects/YK44/cases/{case.id}").get_data(as_text=True)
    assert "Phạm Văn Mẫu" in page
    assert "Thửa 45, tờ 12" in page
    assert "Đã thông báo thu hồi" in page  # the status, by its label
    assert page.count("Tạo mới") >= 2  # the case and the holding, in the history
    actors = db.session.scalars(sa.select(AuditEntry.actor).where(AuditEntry.case_id == case.id)).all()
    assert set(actors) == {"Canbo"}


def test_shares_of_one_parcel_cannot_pass_100_percent(client, db):
    ward, project = a_ward_with_a_project(db)
    parcel = f.parcel(project, "45")
    first = f.case(project, f.party("Hộ A", ward), "YK-001")
    second = f.case(project, f.party("Hộ B", ward), "YK-002")
    from decimal import Decimal

    from clearance.services.records import add_holding

    add_holding(first, parcel, "co_user", Decimal("60"))
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/YK44/cases/{second.id}/parcels",
                         {"parcel_id": parcel.id, "tenure": "co_user", "share": "50"},
                         form_page=f"/projects/YK44/cases/{second.id}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "đã được ghi 60% cho hồ sơ khác" in page, re.findall(r"class=\"error\"[^>]*>([^<]*)", page)


def test_two_officers_saving_the_same_case_do_not_overwrite_each_other(client, db, app):
    ward, project = a_ward_with_a_project(db)
    case = f.case(project, f.party("Hộ C", ward), "YK-003")
    db.session.commit()
    sign_in(client, "canbo")
    form_version = case.version
    # Someone else saves first.
    case.notes = "Hộ hẹn gặp lại thứ Hai"
    db.session.commit()
    response = post_form(client, f"/projects/YK44/cases/{case.id}/edit", {
        "code": "YK-003", "party_id": case.party_id, "status": "surveyed", "notes": "Đã kiểm đếm",
        "version": form_version,
    })
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Hồ sơ vừa được người khác cập nhật" in page
    assert "Hộ hẹn gặp lại thứ Hai" in page  # what is stored now is shown beside the form
    db.session.refresh(case)
    assert case.notes == "Hộ hẹn gặp lại thứ Hai"


def test_a_viewer_reads_but_cannot_open_the_edit_forms(client, db):
    a_ward_with_a_project(db, Role.VIEWER)
    sign_in(client, "canbo")
    assert client.get("/projects/YK44").status_code == 200
    assert client.get("/projects/YK44/edit").status_code == 403
    assert client.get("/projects/YK44/parcels/new").status_code == 403
    assert client.get("/households/new").status_code == 403


def test_money_and_dates_show_the_vietnamese_way(client, db):
    ward, project = a_ward_with_a_project(db)
    from datetime import date

    project.approved_budget = 4_210_000_000
    project.notice_date = date(2026, 3, 20)
    db.session.commit()
    sign_in(client, "canbo")
    page = client.get("/projects/YK44").get_data(as_text=True)
    assert "4.210.000.000 đ" in page
    assert "20/03/2026" in page


def test_long_lists_are_paged_and_keep_their_filters(client, db, app):
    _, project = a_ward_with_a_project(db)
    for n in range(app.config["PAGE_SIZE"] + 5):
        f.parcel(project, str(200 + n), lon=105.85 + n * 0.0003, land_use_code="ODT")
    db.session.commit()
    sign_in(client, "canbo")
    first = client.get("/projects/YK44/parcels/?land_use=ODT").get_data(as_text=True)
    assert "Trang 1/2 · 30 bản ghi" in first
    assert "page=2" in first and "land_use=ODT" in first
    second = client.get("/projects/YK44/parcels/?land_use=ODT&page=2").get_data(as_text=True)
    assert "Trang 2/2 · 30 bản ghi" in second


def test_a_household_page_shows_who_changed_its_details(client, db):
    ward, _ = a_ward_with_a_project(db)
    household = f.party("Hộ ông Mẫu", ward, phone="0912000111")
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, f"/households/{household.id}/edit", {
        "kind": "household", "name": "Hộ ông Mẫu", "members": "4", "unit_id": ward.id, "phone": "0988777666",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Lịch sử thay đổi" in page
    assert "0912000111" in page and "0988777666" in page and "Canbo" in page


def test_taking_a_parcel_out_of_a_case_shows_in_its_history(client, db):
    ward, project = a_ward_with_a_project(db)
    case = f.case(project, f.party("Hộ D", ward), "YK-004")
    from decimal import Decimal

    from clearance.services.records import add_holding

    holding = add_holding(case, f.parcel(project, "47"), "land_user", Decimal(100))
    db.session.commit()
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/YK44/cases/{case.id}/parcels/{holding.id}/delete", {},
                         form_page=f"/projects/YK44/cases/{case.id}")
    assert response.status_code == 302
    page = client.get(f"/projects/YK44/cases/{case.id}").get_data(as_text=True)
    assert "Chưa gắn thửa đất nào." in page
    assert "Xoá" in page and "Thửa 47, tờ 12 (100%)" in page
