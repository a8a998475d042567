"""Inventories of a whole project from Excel: a valid workbook imports every case at once; each
kind of bad input (wrong headers, text in a number cell, a negative quantity, quality above 100,
an unknown case or parcel) is named by sheet, row and column and nothing is written; replacing
recorded inventories needs a reason and leaves one audit entry per case saying what changed; the
template opens in openpyxl with the project's cases. Both databases."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from clearance.audit import acting_as
from clearance.models import AuditEntry, Inventory, InventoryItem
from clearance.services import inventory as service
from clearance.services import inventory_excel as excel
from clearance.workflow.statuses import CaseStatus
from tests import factories as f

pytestmark = pytest.mark.usefixtures("vietnamese_request")

ITEM_HEADERS = [c.header for c in excel.ITEM_COLUMNS]
HOUSEHOLD_HEADERS = [c.header for c in excel.HOUSEHOLD_COLUMNS]


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK-44", [ward])
    cases = []
    for n in (1, 2, 3):
        parcel = f.parcel(project, str(40 + n), lon=105.856 + n * 0.0004, address=f"Số {28 + 2 * n} phố Yết Kiêu")
        parcel.recovered_area = Decimal("60.00")
        case = f.case(project, f.party(f"Hộ số {n}", ward, members=3 + n), f"YK-00{n}", CaseStatus.SURVEYED)
        f.records.add_holding(case, parcel, "land_user", Decimal(100))
        cases.append(case)
    db.session.flush()
    return {"project": project, "cases": cases}


def item_row(code: str, kind: str = "Đất", **values):
    row = dict.fromkeys(ITEM_HEADERS)
    row.update({"Mã hồ sơ": code, "Loại": kind})
    row.update(values)
    return [row[h] for h in ITEM_HEADERS]


def household_row(code: str, **values):
    row = dict.fromkeys(HOUSEHOLD_HEADERS)
    row.update({"Mã hồ sơ": code, "Ngày kiểm đếm": datetime(2026, 3, 12), "Người ký": "Trần Văn Cán; chủ hộ",
                "Số nhân khẩu": 4, "Di chuyển chỗ ở": "Có", "Số tháng hỗ trợ thuê nhà": 6, "Bàn giao sớm": "Không"})
    row.update(values)
    return [row[h] for h in HOUSEHOLD_HEADERS]


def workbook(items, households, item_headers=None, household_headers=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Kiểm đếm"
    sheet.append(item_headers or ITEM_HEADERS)
    for row in items:
        sheet.append(row)
    other = book.create_sheet("Hộ")
    other.append(household_headers or HOUSEHOLD_HEADERS)
    for row in households:
        other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def a_case_of_three_lines(code: str, sheet: str, number: str) -> list:
    return [
        item_row(code, "Đất", **{"Mô tả": "Đất ở đô thị", "Tờ bản đồ": sheet, "Số thửa": number, "Vị trí": "VT1"}),
        item_row(code, "Nhà, công trình", **{"Mô tả": "Nhà ở", "Cấp nhà": "Nhà 2–3 tầng khung BTCT", "Số tầng": 3,
                                              "Số lượng": 150.5, "Chất lượng còn lại (%)": 80}),
        item_row(code, "Cây trồng", **{"Loài cây": "Cây bóng mát", "Kích thước": "Đường kính 20–30 cm", "Số lượng": 2}),
    ]


def valid_workbook() -> bytes:
    items = a_case_of_three_lines("YK-001", 12, 41) + a_case_of_three_lines("YK-002", "12", "42")
    return workbook(items, [household_row("YK-001"), household_row("YK-002", **{"Số nhân khẩu": 6}), ["YK-003"]])


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_valid_workbook_imports_every_case_in_it(db, world):
    check, result = excel.import_workbook(world["project"], valid_workbook(), "kiem-dem.xlsx")
    assert (result.created, result.replaced, result.lines) == (2, 0, 6)
    assert [c.code for c in check.cases] == ["YK-001", "YK-002"]  # YK-003's row has only its code: not imported
    one, two, three = world["cases"]
    first = service.inventory_facts(one)
    assert (first.recorded_on, first.persons, first.relocates, first.rent_months) == (date(2026, 3, 12), 4, True, 6)
    land, house, trees = first.items
    assert (land.parcel, land.street, land.land_type, land.land_position, land.quantity) == (
        "Thửa 41, tờ 12", "Yết Kiêu", "ODT", 1, Decimal("60.00"),
    )
    assert (house.grade, house.floors, house.quantity, house.quality_pct) == ("Nhà 2–3 tầng khung BTCT", 3, Decimal("150.5"), Decimal(80))
    assert (trees.species, trees.quantity, trees.unit) == ("Cây bóng mát", Decimal(2), "cây")
    assert service.inventory_facts(two).persons == 6
    assert service.inventory_facts(three) is None
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "inventory")).all()
    assert len(entries) == 2
    assert entries[0].changes["items"] == [None, "3 dòng: Đất 1; Nhà, công trình 1; Cây trồng 1"]
    assert entries[0].project_id == world["project"].id and entries[0].action == "create"


def test_replacing_recorded_inventories_needs_a_reason_and_says_what_changed(db, world):
    project = world["project"]
    excel.import_workbook(project, valid_workbook(), "lan-1.xlsx")
    items = a_case_of_three_lines("YK-001", 12, 41)[:2] + a_case_of_three_lines("YK-002", 12, 42)
    again = workbook(items, [household_row("YK-001", **{"Số nhân khẩu": 5}), household_row("YK-002", **{"Số nhân khẩu": 6})])
    with pytest.raises(excel.InventoryImportRejected) as refused:
        excel.import_workbook(project, again, "lan-2.xlsx")
    assert "YK-001" in str(refused.value) and "lý do" in str(refused.value)
    with acting_as(None, "Nguyễn Văn Hùng"):
        check, result = excel.import_workbook(project, again, "lan-2.xlsx", reason="Kiểm đếm bổ sung")
    assert (result.created, result.replaced, result.unchanged) == (0, 1, 1)  # YK-002 is as recorded
    inventory = db.session.scalar(sa.select(Inventory).where(Inventory.case_id == world["cases"][0].id))
    assert inventory.version == 2 and inventory.persons == 5
    assert [i.line_no for i in inventory.items] == [1, 2]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "inventory").order_by(AuditEntry.id.desc())).first()
    assert entry.action == "update" and entry.actor == "Nguyễn Văn Hùng"
    assert entry.reason == "Kiểm đếm bổ sung (nhập từ tệp lan-2.xlsx)"
    assert entry.changes == {
        "persons": [4, 5],
        "items": ["3 dòng: Đất 1; Nhà, công trình 1; Cây trồng 1", "2 dòng: Đất 1; Nhà, công trình 1"],
    }


def problems_of(world, content: bytes) -> list[str]:
    check = excel.check_workbook(world["project"], content, "x.xlsx")
    assert not check.can_import
    with pytest.raises(excel.InventoryImportRejected):
        excel.apply_import(world["project"], check, "lý do")
    return [p.text for p in check.problems]


def assert_nothing_written(db):
    assert count(db, Inventory) == 0 and count(db, InventoryItem) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity == "inventory")) == 0


def test_wrong_or_missing_headers_are_named(db, world):
    headers = [h if h != "Số lượng" else "So luong nhap" for h in ITEM_HEADERS]
    texts = problems_of(world, workbook([], [household_row("YK-001")], item_headers=headers))
    assert texts == [
        "Trang “Kiểm đếm”, dòng 1, cột “So luong nhap”: cột này không có trong mẫu",
        "Trang “Kiểm đếm”, dòng 1, cột “Số lượng”: thiếu cột này ở dòng tiêu đề",
    ]
    # Headers are read without regard to case or accents' spacing; a missing sheet is named.
    book = Workbook()
    book.active.title = "Sheet1"
    buffer = io.BytesIO()
    book.save(buffer)
    assert problems_of(world, buffer.getvalue()) == [
        "Trang “Kiểm đếm”: không có trang này trong tệp (tải tệp mẫu để xem cách ghi)",
        "Trang “Hộ”: không có trang này trong tệp (tải tệp mẫu để xem cách ghi)",
    ]
    assert_nothing_written(db)


def test_text_in_a_number_cell_is_named_by_row_and_column(db, world):
    items = a_case_of_three_lines("YK-001", 12, 41)
    items[2][ITEM_HEADERS.index("Số lượng")] = "ba"
    texts = problems_of(world, workbook(items, [household_row("YK-001", **{"Số nhân khẩu": "năm"})]))
    assert texts == [
        "Trang “Kiểm đếm”, dòng 4, cột “Số lượng”: “ba” không phải là số",
        "Trang “Hộ”, dòng 2, cột “Số nhân khẩu”: “năm” không phải là số",
    ]
    assert_nothing_written(db)


def test_a_negative_quantity_and_a_quality_above_100_are_refused(db, world):
    items = a_case_of_three_lines("YK-001", 12, 41)
    items[1][ITEM_HEADERS.index("Chất lượng còn lại (%)")] = 120
    items[2][ITEM_HEADERS.index("Số lượng")] = -2
    texts = problems_of(world, workbook(items, [household_row("YK-001")]))
    assert texts == [
        "Trang “Kiểm đếm”, dòng 3, cột “Chất lượng còn lại (%)”: không quá 100 %",
        "Trang “Kiểm đếm”, dòng 4, cột “Số lượng”: không được âm",
    ]
    assert_nothing_written(db)


def test_an_unknown_case_an_unknown_parcel_and_another_case_s_parcel_are_refused(db, world):
    items = a_case_of_three_lines("YK-001", 12, 41)
    items.append(item_row("YK-999", "Mộ", **{"Số lượng": 1}))
    items.append(item_row("YK-001", "Đất", **{"Tờ bản đồ": 12, "Số thửa": 99, "Vị trí": 1, "Số lượng": 10}))
    items.append(item_row("YK-001", "Đất", **{"Tờ bản đồ": 12, "Số thửa": 42, "Vị trí": 1, "Số lượng": 10}))
    items.append(item_row("YK-001", "Nhà cửa", **{"Số lượng": 10}))
    texts = problems_of(world, workbook(items, [household_row("YK-001"), household_row("YK-777")]))
    assert texts == [
        "Trang “Kiểm đếm”, dòng 5, cột “Mã hồ sơ”: không có hồ sơ “YK-999” trong dự án YK-44",
        "Trang “Kiểm đếm”, dòng 6, cột “Số thửa”: không có thửa 99, tờ 12 trong dự án",
        "Trang “Kiểm đếm”, dòng 7, cột “Số thửa”: thửa 42, tờ 12 không thuộc hồ sơ YK-001",
        "Trang “Kiểm đếm”, dòng 8, cột “Loại”: “Nhà cửa” không phải là loại dòng (Đất, Nhà, công trình, Cây trồng, Mộ, Tài sản khác)",
        "Trang “Hộ”, dòng 3, cột “Mã hồ sơ”: không có hồ sơ “YK-777” trong dự án YK-44",
    ]
    assert_nothing_written(db)


def test_a_case_needs_its_household_row_and_its_lines(db, world):
    items = a_case_of_three_lines("YK-001", 12, 41)
    texts = problems_of(world, workbook(items, [household_row("YK-002")]))
    assert texts == [
        "Trang “Kiểm đếm”: hồ sơ YK-002 (dòng 2 trang “Hộ”) chưa có dòng kiểm đếm nào",
        "Trang “Hộ”: hồ sơ YK-001 có dòng kiểm đếm (dòng 2 trang “Kiểm đếm”) nhưng chưa có dòng ở trang này "
        "(ngày kiểm đếm, người ký, số nhân khẩu…)",
    ]
    assert_nothing_written(db)


def test_a_file_that_is_not_a_workbook_is_refused(db, world):
    assert problems_of(world, b"not a zip at all") == [
        "Trang “x.xlsx”: tệp không đọc được như một bảng tính Excel (.xlsx)"
    ]


def test_the_template_opens_with_its_sheets_headers_and_the_project_s_cases(db, world):
    content = excel.inventory_template(world["project"])
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Kiểm đếm", "Hộ", "Hướng dẫn"]
    assert [c.value for c in book["Kiểm đếm"][1]] == ITEM_HEADERS
    assert [c.value for c in book["Hộ"][1]] == HOUSEHOLD_HEADERS
    assert [(r[0].value, r[1].value) for r in book["Hộ"].iter_rows(min_row=2, max_row=4)] == [
        ("YK-001", "Hộ số 1"), ("YK-002", "Hộ số 2"), ("YK-003", "Hộ số 3"),
    ]
    # The template as downloaded imports nothing and says why.
    check = excel.check_workbook(world["project"], content, "mau.xlsx")
    assert check.problems == [] and check.cases == []


def test_a_quality_typed_as_100_percent_in_a_percent_cell_is_refused_not_read_as_1_percent():
    from clearance.services.inventory_excel import CellError, _percent

    for stored in (1, 1.0, 0.8):  # what a cell formatted as % holds for 100 %, 100 %, 80 %
        with pytest.raises(CellError, match="ghi số phần trăm"):
            _percent(stored)
    assert _percent(80) == 80


def test_an_inventory_saved_after_the_file_was_checked_is_not_overwritten(db, world):
    project = world["project"]
    excel.import_workbook(project, valid_workbook(), "lan-1.xlsx")
    items = a_case_of_three_lines("YK-001", 12, 41)[:2] + a_case_of_three_lines("YK-002", 12, 42)
    again = workbook(items, [household_row("YK-001", **{"Số nhân khẩu": 5}), household_row("YK-002", **{"Số nhân khẩu": 6})])
    check = excel.check_workbook(project, again, "lan-2.xlsx")
    # Meanwhile a colleague saves YK-001's record by hand (its version moves on).
    inventory = db.session.scalar(sa.select(Inventory).where(Inventory.case_id == world["cases"][0].id))
    inventory.signed_by = "Tổ kiểm đếm, ông Nguyễn Văn A"
    db.session.flush()
    with pytest.raises(excel.InventoryImportRejected, match="YK-001.*vừa được sửa"):
        excel.apply_import(project, check, reason="Kiểm đếm bổ sung")
    db.session.refresh(inventory)
    assert (inventory.signed_by, inventory.persons, len(inventory.items)) == ("Tổ kiểm đếm, ông Nguyễn Văn A", 4, 3)
