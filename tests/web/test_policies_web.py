"""Policy sets in the browser, on both databases: the list and a set's page, a team lead changing a
rate (and the change in the history), creating a set, adding and removing a rate, a new version,
the Excel download and upload (with the file's problems listed by sheet, row and column), and a
viewer or an officer refused any change."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook

from clearance.demo.policy import load_demo_policy_set
from clearance.models import CompensationPlan, PolicyRate, PolicySet
from clearance.services.policy_excel import export_policy_set
from clearance.workflow.statuses import PlanStatus, Role
from tests import factories as f
from tests.conftest import post_form, sign_in


def world(db: Any) -> dict[str, Any]:
    """Hà Nội with the demo policy set; in Hai Bà Trưng a team lead, an officer and a viewer; an
    administrator; a lead in another province."""
    hbt = f.unit("Phường Hai Bà Trưng")
    f.user("truongnhom", Role.LEAD, hbt)
    f.user("canbo", Role.OFFICER, hbt)
    f.user("xem", Role.VIEWER, hbt)
    f.user("quantri", Role.ADMIN)
    f.user("truongnhom_bn", Role.LEAD, f.unit("Phường Kinh Bắc", parent=f.unit("Tỉnh Bắc Ninh", "27")))
    policy_set = load_demo_policy_set(db.session, hbt.parent)
    # A lead changes sets of their own ward only (the province-wide tables are an administrator's).
    policy_set.unit_id = hbt.id
    db.session.commit()
    return {"hbt": hbt, "province": hbt.parent, "policy_set": policy_set}


def rate(db: Any, policy_set: PolicySet, **where: Any) -> PolicyRate:
    return db.session.scalar(sa.select(PolicyRate).where(PolicyRate.policy_set_id == policy_set.id).filter_by(**where))


def rate_form(r: PolicyRate, **changes: Any) -> dict[str, Any]:
    data = {"item": r.item, "segment": r.segment, "land_type": r.land_type, "position": str(r.position or 1),
            "size": r.size, "unit": r.unit, "unit_price": str(r.unit_price), "cap": "" if r.cap is None else str(r.cap),
            "basis_document": r.basis_document, "basis_article": r.basis_article, "basis_clause": r.basis_clause,
            "note": r.note, "support_item": r.item}
    data.update(changes)
    return data


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


# --- reading ------------------------------------------------------------------------------------


def test_the_list_shows_each_set_with_its_area_validity_rates_and_demo_mark(client, db):
    w = world(db)
    sign_in(client, "xem")  # a viewer reads
    html = client.get("/policies/").get_data(as_text=True)
    assert "HN-2026-MAU" in html and "Bộ chính sách mẫu Hà Nội 2026 (dữ liệu mẫu)" in html
    assert "Dữ liệu mẫu" in html and "Phường Hai Bà Trưng" in html and "từ 01/01/2026" in html
    row = html.split("HN-2026-MAU", 1)[1].split("</tr>", 1)[0]
    assert f'data-label="Số đơn giá">{len(w["policy_set"].rates)}</td>' in row
    assert 'data-label="Phương án đã chốt">0</td>' in row
    assert "Bộ chính sách mới" not in html and "Nhập từ Excel" not in html


def test_a_sets_page_shows_its_parameters_and_rates_with_their_basis(client, db):
    w = world(db)
    sign_in(client, "xem")
    html = client.get(f"/policies/{w['policy_set'].id}").get_data(as_text=True)
    parameters = section(html, "parameters")
    assert "làm tròn đến 1.000 đ" in parameters and "30 ngày" in parameters and "0,03 %/ngày" in parameters
    assert "Luật Đất đai số 31/2024/QH15" in html and "Quyết định số 56/2024/QĐ-UBND" in html
    land = section(html, "land")
    assert "296.601.000 đ" in land and "Điều 1 Dự thảo Bảng giá đất Hà Nội 2026, Phụ lục 5" in land
    assert "Quang Trung – Trần Bình Trọng" in land and "Toàn tuyến" in land
    support = section(html, "support")
    assert "2.500.000 đ" in support and "15.000.000 đ" in support and "5 lần" in support
    assert "Điều 1 khoản 3 Quyết định 10/2026/QĐ-UBND" in support
    assert "Mai Lâm, Đông Anh" in section(html, "resettlement")
    assert "Sửa thông tin" not in html and "/edit" not in land  # read only
    assert "Tải file Excel" in html
    assert "phương án đã chốt hoặc đã phê duyệt" not in html  # no frozen plan uses it yet


def test_a_set_used_by_frozen_plans_says_so_and_that_they_will_not_change(client, db):
    w = world(db)
    hbt = w["hbt"]
    project = f.project("YK44", [hbt])
    for number, status in ((1, PlanStatus.FROZEN), (2, PlanStatus.APPROVED)):
        case = f.case(project, f.party(f"Hộ {number}", hbt), f"YK-00{number}")
        db.session.add(CompensationPlan(
            case_id=case.id, project_id=project.id, number=1, status=status, policy_set_id=w["policy_set"].id,
            snapshot={}, content_hash="0" * 64, land_total=1, assets_total=0, support_total=0, resettlement_total=0,
            deductions_total=0, net_amount=1, calculated_by="test", approved_on=date(2026, 6, 1) if number == 2 else None,
        ))
    db.session.commit()
    sign_in(client, "truongnhom")
    html = client.get(f"/policies/{w['policy_set'].id}").get_data(as_text=True)
    assert "đã được dùng cho 2 phương án đã chốt hoặc đã phê duyệt" in html
    assert "sẽ không thay đổi" in html
    r = rate(db, w["policy_set"], item="Nhà cấp 4")
    assert "đã được dùng cho 2 phương án" in client.get(f"/policies/{w['policy_set'].id}/rates/{r.id}/edit").get_data(as_text=True)
    listing = client.get("/policies/").get_data(as_text=True).split("HN-2026-MAU", 1)[1].split("</tr>", 1)[0]
    assert listing.rstrip().endswith('data-label="Phương án đã chốt">2</td>')


# --- changing -----------------------------------------------------------------------------------


def test_a_team_lead_changes_a_rate_and_the_change_shows_in_the_history(client, db):
    w = world(db)
    r = rate(db, w["policy_set"], item="Yết Kiêu", land_type="ODT", position=1)
    sign_in(client, "truongnhom")
    url = f"/policies/{w['policy_set'].id}/rates/{r.id}/edit"
    form_page = client.get(url).get_data(as_text=True)
    assert 'value="296.601.000"' in form_page and "Tuyến phố" in form_page and "Kích thước" not in form_page
    response = post_form(client, url, rate_form(r, unit_price="310.000.000", note="Điều chỉnh theo bảng giá chính thức"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert rate(db, w["policy_set"], id=r.id).unit_price == 310_000_000
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "310.000.000 đ" in section(html, "land")
    history = section(html, "history")
    assert "Truongnhom" in history  # who
    assert "Yết Kiêu · ODT · VT1" in history
    assert re.search(r"Đơn giá</span>:\s*<del>296\.601\.000 đ</del> → <ins>310\.000\.000 đ</ins>", history)


def test_a_wrong_rate_is_refused_naming_the_field_with_the_values_kept(client, db):
    w = world(db)
    r = rate(db, w["policy_set"], item="Yết Kiêu", land_type="ODT", position=2)
    sign_in(client, "truongnhom")
    url = f"/policies/{w['policy_set'].id}/rates/{r.id}/edit"
    response = post_form(client, url, rate_form(r, unit_price="-5", land_type="Đất ở"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Loại đất: ghi mã mục đích sử dụng đất, ví dụ ODT, TMD, LUC." in html
    response = post_form(client, url, rate_form(r, unit_price="-5"))
    assert response.status_code == 422 and "Đơn giá: không được âm." in response.get_data(as_text=True)
    response = post_form(client, url, rate_form(r, position="1"))  # VT1 exists already
    assert response.status_code == 422 and "Bộ chính sách đã có đơn giá “Yết Kiêu · ODT · VT1”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert rate(db, w["policy_set"], id=r.id).unit_price == 145_334_000


def test_a_lead_creates_a_set_adds_a_support_rate_and_removes_it_after_confirming(client, db):
    w = world(db)
    sign_in(client, "truongnhom")
    province_wide = post_form(client, "/policies/new", {
        "province_id": w["province"].id, "unit_id": "", "code": "HN-2026", "name": "Bộ chính sách Hà Nội 2026",
        "valid_from": "01/01/2026", "land_coefficient": "1", "rounding_step": "1000", "rounding_mode": "half_up",
        "payment_days": "30", "late_payment_rate": "0,03",
    })
    assert province_wide.status_code == 422
    assert "toàn tỉnh, thành phố do quản trị viên quản lý" in province_wide.get_data(as_text=True)
    response = post_form(client, "/policies/new", {
        "province_id": w["province"].id, "unit_id": w["hbt"].id, "code": "HN-2026", "name": "Bộ chính sách Hà Nội 2026",
        "legal_basis": "Quyết định 10/2026/QĐ-UBND\n\n Luật Đất đai 2024 ", "valid_from": "01/01/2026", "valid_to": "",
        "land_coefficient": "1,05", "rounding_step": "1000", "rounding_mode": "half_up", "payment_days": "30",
        "late_payment_rate": "0,03",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    policy_set = db.session.scalar(sa.select(PolicySet).where(PolicySet.code == "HN-2026"))
    assert policy_set.legal_basis == "Quyết định 10/2026/QĐ-UBND\nLuật Đất đai 2024" and str(policy_set.land_coefficient) == "1.0500"
    add = f"/policies/{policy_set.id}/rates/new/support"
    assert "Mức tối đa" in client.get(add).get_data(as_text=True)
    response = post_form(client, add, {
        "support_item": "rent", "unit": "người/tháng", "unit_price": "2.500.000", "cap": "15.000.000",
        "basis_document": "Quyết định 10/2026/QĐ-UBND", "basis_article": "1", "basis_clause": "3",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    added = rate(db, policy_set, item="rent")
    assert (added.unit_price, added.cap) == (2_500_000, 15_000_000)
    delete = f"/policies/{policy_set.id}/rates/{added.id}/delete"
    confirm = client.get(delete).get_data(as_text=True)
    assert "Xoá dòng “rent” (Hỗ trợ) khỏi bộ chính sách HN-2026?" in confirm
    assert rate(db, policy_set, item="rent") is not None  # asking removes nothing
    assert post_form(client, delete, {}).status_code == 302
    assert rate(db, policy_set, item="rent") is None
    history = section(client.get(f"/policies/{policy_set.id}").get_data(as_text=True), "history")
    assert history.index("Xoá") < history.index("Tạo mới")


def test_a_lead_edits_the_parameters_and_copies_the_set_as_a_new_version(client, db):
    w = world(db)
    ps = w["policy_set"]
    sign_in(client, "truongnhom")
    page = client.get(f"/policies/{ps.id}/edit").get_data(as_text=True)
    assert 'value="HN-2026-MAU"' in page and 'value="01/01/2026"' in page and 'value="0,03"' in page
    stale = str(ps.version)
    response = post_form(client, f"/policies/{ps.id}/edit", {
        "version": str(ps.version), "province_id": ps.province_id, "unit_id": ps.unit_id, "code": "HN-2026-MAU", "name": ps.name,
        "legal_basis": ps.legal_basis, "valid_from": "01/01/2026", "valid_to": "30/06/2026", "land_coefficient": "1,1",
        "rounding_step": "1000", "rounding_mode": "half_up", "payment_days": "30", "late_payment_rate": "0,03", "is_demo": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PolicySet, ps.id).valid_to == date(2026, 6, 30)
    copy_page = client.get(f"/policies/{ps.id}/copy").get_data(as_text=True)
    assert 'value="HN-2026-MAU-2"' in copy_page
    response = post_form(client, f"/policies/{ps.id}/copy", {"code": "HN-2026-MAU-2", "name": "Bộ chính sách mẫu từ 01/07/2026",
                                                               "valid_from": "01/07/2026"})
    assert response.status_code == 302, response.get_data(as_text=True)
    copy = db.session.scalar(sa.select(PolicySet).where(PolicySet.code == "HN-2026-MAU-2"))
    assert len(copy.rates) == len(db.session.get(PolicySet, ps.id).rates)
    listing = client.get("/policies/").get_data(as_text=True)
    assert "01/01/2026 – 30/06/2026" in listing and "từ 01/07/2026" in listing
    # A stale form (the version it was built from has moved on) is refused, not applied.
    response = post_form(client, f"/policies/{ps.id}/edit", {
        "version": stale, "province_id": ps.province_id, "unit_id": ps.unit_id, "code": "HN-2026-MAU", "name": ps.name,
        "valid_from": "01/01/2026", "land_coefficient": "2", "rounding_step": "1000", "rounding_mode": "half_up",
        "payment_days": "30", "late_payment_rate": "0,03",
    })
    assert response.status_code == 422 and "vừa được người khác cập nhật" in response.get_data(as_text=True)


# --- permissions --------------------------------------------------------------------------------


def test_a_viewer_and_an_officer_may_not_change_anything(client, db):
    w = world(db)
    ps = w["policy_set"]
    r = rate(db, ps, item="Nhà cấp 4")
    for username in ("xem", "canbo"):
        sign_in(client, username)
        assert client.get(f"/policies/{ps.id}").status_code == 200
        for url in (f"/policies/{ps.id}/edit", f"/policies/{ps.id}/rates/{r.id}/edit", f"/policies/{ps.id}/rates/new/land",
                    "/policies/new", f"/policies/{ps.id}/copy", "/policies/import"):
            assert client.get(url).status_code == 403, url
        assert post_form(client, f"/policies/{ps.id}/rates/{r.id}/edit", rate_form(r, unit_price="1"),
                         form_page="/policies/").status_code == 403
        assert post_form(client, f"/policies/{ps.id}/rates/{r.id}/delete", {}, form_page="/policies/").status_code == 403
        post_form(client, "/logout", {}, form_page="/policies/")
    db.session.expire_all()
    assert rate(db, ps, id=r.id).unit_price == 4_500_000


def test_a_lead_of_another_province_neither_sees_nor_changes_the_set(client, db):
    w = world(db)
    sign_in(client, "truongnhom_bn")
    assert client.get(f"/policies/{w['policy_set'].id}").status_code == 404
    assert "HN-2026-MAU" not in client.get("/policies/").get_data(as_text=True)
    post_form(client, "/logout", {}, form_page="/policies/")
    sign_in(client, "quantri")  # an administrator sees and changes every set
    assert "Sửa thông tin" in client.get(f"/policies/{w['policy_set'].id}").get_data(as_text=True)


# --- Excel ----------------------------------------------------------------------------------------


def test_the_set_downloads_as_an_excel_workbook(client, db):
    w = world(db)
    sign_in(client, "xem")
    response = client.get(f"/policies/{w['policy_set'].id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "bo-chinh-sach-HN-2026-MAU.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Thông tin", "Giá đất", "Nhà, công trình", "Cây trồng", "Hỗ trợ", "Tái định cư"]


def upload(client: Any, data: bytes, **fields: Any) -> Any:
    return post_form(client, "/policies/import", {"file": (io.BytesIO(data), "bang-gia.xlsx"), **fields})


def test_an_uploaded_file_with_mistakes_lists_them_by_row_and_column_and_writes_nothing(client, db):
    w = world(db)
    book = load_workbook(io.BytesIO(export_policy_set(w["policy_set"])))
    book["Giá đất"]["D7"] = 9
    book["Giá đất"]["F8"] = "ba trăm triệu"
    out = io.BytesIO()
    book.save(out)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRate))
    sign_in(client, "truongnhom")
    response = upload(client, out.getvalue(), province_id=w["province"].id, code="HN-2026-MOI")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "File có 2 lỗi, chưa ghi gì" in html
    table = html.split('class="list import-problems"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td class=\"nowrap\">Giá đất</td><td class=\"num\">7</td><td>VT</td><td>Vị trí \(VT\): phải là 1, 2, 3 hoặc 4\.</td>", table)
    assert re.search(r"<td class=\"nowrap\">Giá đất</td><td class=\"num\">8</td><td>Đơn giá \(đồng\)</td><td>phải là số, ô đang chứa “ba trăm triệu”\.</td>", table)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRate)) == before
    assert db.session.scalar(sa.select(PolicySet).where(PolicySet.code == "HN-2026-MOI")) is None


def test_a_good_file_becomes_a_new_set(client, db):
    w = world(db)
    data = export_policy_set(w["policy_set"])
    sign_in(client, "truongnhom")
    response = upload(client, data, province_id=w["province"].id)
    assert response.status_code == 422  # the code in the file is taken
    assert "Mã HN-2026-MAU đã được dùng" in response.get_data(as_text=True)
    response = upload(client, data, province_id=w["province"].id, code="HN-2026-NHAP", name="Bảng nhập lại")
    assert response.status_code == 302, response.get_data(as_text=True)
    imported = db.session.scalar(sa.select(PolicySet).where(PolicySet.code == "HN-2026-NHAP"))
    assert imported.name == "Bảng nhập lại" and len(imported.rates) == len(w["policy_set"].rates)
    assert "Nhập từ file Excel bang-gia.xlsx" in client.get(response.headers["Location"]).get_data(as_text=True)
