"""The plan pages as a team lead and an officer use them: calculate, read the explained lines,
check → freeze → approve, compare two versions, adjust by hand, recalculate the whole project and
take its plan away as Excel. Both databases."""

from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from clearance.models import CompensationOffer, CompensationPlan, InventoryItem
from clearance.workflow.statuses import PlanStatus, Role
from tests import factories as f
from tests.conftest import post_form, sign_in
from tests.queries import counting_queries

NET = "15.179.351.000 đ"  # see tests/integration/test_plans.py: EXPECTED_NET


def setup(db):
    ward = f.unit("Phường Hai Bà Trưng")
    for name, role in (("truongnhom", Role.LEAD), ("canbo", Role.OFFICER), ("xem", Role.VIEWER)):
        f.user(name, role, ward)
    project = f.project("YK44", [ward])
    case = f.case(project, f.party("Nguyễn Văn An", ward), "YK-001")
    f.policy_set(ward.parent)
    f.inventory(case)
    return project, case


def plan_url(project, case, tail: str = "") -> str:
    return f"/projects/{project.code}/cases/{case.id}/plan{tail}"


def test_an_officer_calculates_and_reads_each_line_explained(client, db):
    project, case = setup(db)
    sign_in(client, "canbo")
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "Hồ sơ chưa có phương án" in page
    response = post_form(client, plan_url(project, case, "/recalculate"), {"reason": "Lần đầu"}, plan_url(project, case))
    assert response.status_code == 302
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "Phương án số 1" in page and "Dự thảo" in page
    assert "50,5 m² × 296.601.000 đ = 14.978.350.500 đ, làm tròn 14.978.351.000 đ" in page
    assert "40 m² × 4.500.000 đ × 75 %" in page
    assert "4 người × 2.500.000 đ/người/tháng" in page
    assert NET in page
    assert "Mười lăm tỷ một trăm bảy mươi chín triệu ba trăm năm mươi mốt nghìn đồng" in page
    again = post_form(client, plan_url(project, case, "/recalculate"), {}, plan_url(project, case))
    assert "Số liệu không thay đổi" in client.get(again.headers["Location"]).get_data(as_text=True)
    # An officer sees no step buttons, and a step sent anyway is refused with the reason.
    assert "Đánh dấu đã kiểm tra" not in page
    refused = post_form(client, plan_url(project, case, "/1/step"), {"action": "check"}, plan_url(project, case))
    assert refused.status_code == 422 and "Chỉ trưởng nhóm" in refused.get_data(as_text=True)


def test_a_lead_checks_freezes_and_approves_and_the_offer_follows(client, db):
    project, case = setup(db)
    sign_in(client, "truongnhom")
    post_form(client, plan_url(project, case, "/recalculate"), {}, plan_url(project, case))
    for action in ("check", "freeze"):
        assert post_form(client, plan_url(project, case, "/1/step"), {"action": action}, plan_url(project, case)).status_code == 302
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "Đã chốt, trình duyệt" in page and "phiên bản này không thể sửa" in page
    missing_date = post_form(client, plan_url(project, case, "/1/step"), {"action": "approve", "approval_decision": "1520/QĐ-UBND"}, plan_url(project, case))
    assert missing_date.status_code == 422 and "Ghi ngày quyết định" in missing_date.get_data(as_text=True)
    approved = post_form(client, plan_url(project, case, "/1/step"),
                         {"action": "approve", "approval_decision": "1520/QĐ-UBND", "approved_on": "15/10/2026"}, plan_url(project, case))
    assert approved.status_code == 302
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "Phê duyệt theo 1520/QĐ-UBND, có hiệu lực ngày 15/10/2026" in page
    assert "Hạn chi trả: 14/11/2026" in page
    offer = db.session.scalar(sa.select(CompensationOffer).where(CompensationOffer.case_id == case.id))
    assert offer.amount == 15_179_351_000


def test_a_viewer_reads_but_cannot_calculate(client, db):
    project, case = setup(db)
    sign_in(client, "xem")
    assert client.get(plan_url(project, case)).status_code == 200
    assert post_form(client, plan_url(project, case, "/recalculate"), {}, plan_url(project, case)).status_code == 403


def test_a_missing_price_is_shown_and_blocks_the_steps(client, db):
    project, case = setup(db)
    inventory = case_inventory(db, case)
    inventory.items.append(InventoryItem(case_id=case.id, line_no=3, kind="crop", description="Cây nhãn", species="Nhãn", quantity=2, unit="cây"))
    db.session.flush()
    sign_in(client, "truongnhom")
    post_form(client, plan_url(project, case, "/recalculate"), {}, plan_url(project, case))
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "1 dòng thiếu căn cứ" in page
    assert "Không có đơn giá cây trồng “Nhãn” trong bộ chính sách HN-2026" in page
    refused = post_form(client, plan_url(project, case, "/1/step"), {"action": "check"}, plan_url(project, case))
    assert refused.status_code == 422 and "thiếu căn cứ" in refused.get_data(as_text=True)


def case_inventory(db, case):
    from clearance.models import Inventory

    return db.session.scalar(sa.select(Inventory).where(Inventory.case_id == case.id))


def test_two_versions_compare_line_by_line(client, db):
    project, case = setup(db)
    sign_in(client, "truongnhom")
    post_form(client, plan_url(project, case, "/recalculate"), {}, plan_url(project, case))
    item = db.session.scalar(sa.select(InventoryItem).where(InventoryItem.case_id == case.id, InventoryItem.line_no == 2))
    item.quality_pct = 80
    db.session.flush()
    post_form(client, plan_url(project, case, "/recalculate"), {"reason": "Đánh giá lại chất lượng nhà"}, plan_url(project, case))
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "Phương án số 2" in page and "So với số 1" in page
    diff = client.get(plan_url(project, case, "/diff?a=1&b=2")).get_data(as_text=True)
    assert "So sánh phương án số 1 và số 2" in diff
    assert "135.000.000 đ" in diff and "144.000.000 đ" in diff  # 40 × 4.500.000 × 75 % → 80 %
    assert "+9.000.000 đ" in diff
    assert client.get(plan_url(project, case, "/diff?a=1&b=9")).status_code == 404


def test_a_lead_adjusts_by_hand_with_a_reason_and_it_becomes_a_marked_line(client, db):
    project, case = setup(db)
    sign_in(client, "truongnhom")
    no_reason = post_form(client, plan_url(project, case, "/adjustments"), {"category": "support", "amount": "5.000.000", "reason": ""}, plan_url(project, case))
    assert no_reason.status_code == 422
    post_form(client, plan_url(project, case, "/adjustments"),
              {"category": "support", "amount": "5.000.000", "reason": "Hỗ trợ thêm hộ nghèo theo ý kiến Hội đồng"}, plan_url(project, case))
    post_form(client, plan_url(project, case, "/recalculate"), {}, plan_url(project, case))
    page = client.get(plan_url(project, case)).get_data(as_text=True)
    assert "Điều chỉnh thủ công" in page and "Điều chỉnh: Hỗ trợ thêm hộ nghèo theo ý kiến Hội đồng" in page
    assert "15.184.351.000 đ" in page


def test_the_project_plan_recalculates_everything_and_exports_to_excel(client, db):
    project, case = setup(db)
    second = f.case(project, f.party("Trần Thị Bình", f.unit("Phường khác")), "YK-002")
    f.inventory(second, area="30.00")
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/{project.code}/plans/recalculate", {"reason": "Niêm yết đợt 1"}, f"/projects/{project.code}/plans")
    assert "Đã tính lại 2 hồ sơ: 2 phiên bản mới" in client.get(response.headers["Location"]).get_data(as_text=True)
    with counting_queries() as queries:
        page = client.get(f"/projects/{project.code}/plans").get_data(as_text=True)
    assert "YK-001" in page and "YK-002" in page and "Trần Thị Bình" in page
    few = len(queries)
    third = f.case(project, f.party("Lê Văn Cường", f.unit("Phường thứ ba")), "YK-003")
    f.inventory(third, area="20.00")
    post_form(client, f"/projects/{project.code}/plans/recalculate", {}, f"/projects/{project.code}/plans")
    with counting_queries() as queries:
        client.get(f"/projects/{project.code}/plans")
    assert len(queries) == few
    export = client.get(f"/projects/{project.code}/plans.xlsx")
    assert export.status_code == 200
    book = load_workbook(BytesIO(export.data), read_only=True)
    summary = [row for row in book["Tổng hợp"].iter_rows(values_only=True) if len(row) > 1 and str(row[1]).startswith("YK-")]
    assert [(row[1], row[2], row[11]) for row in summary][0] == ("YK-001", "Nguyễn Văn An", 15_179_351_000)
    detail = [row for row in book["Chi tiết"].iter_rows(values_only=True) if row and row[0] == "YK-001"]
    assert detail[0][4].startswith("Đất ở") and detail[0][8] == 296_601_000 and detail[0][11] == 14_978_351_000
    assert db.session.scalar(sa.select(sa.func.count(CompensationPlan.id)).where(CompensationPlan.status == PlanStatus.DRAFT)) == 3


def test_a_name_that_looks_like_a_formula_stays_text_in_the_excel(client, db):
    project, case = setup(db)
    case.party.name = "=HYPERLINK(\"http://x\",\"Bấm\")"
    db.session.flush()
    sign_in(client, "canbo")
    post_form(client, f"/projects/{project.code}/plans/recalculate", {}, f"/projects/{project.code}/plans")
    book = load_workbook(BytesIO(client.get(f"/projects/{project.code}/plans.xlsx").data))
    cell = next(row[2] for row in book["Tổng hợp"].iter_rows() if len(row) > 2 and row[1].value == "YK-001")
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\",\"Bấm\")", "s")
