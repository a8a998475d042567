"""A policy set as an Excel workbook and back, on both databases: the download's layout, a round
trip that gives the same rates, and a refused file whose every problem is named by sheet, row and
column — with nothing written."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from clearance.demo.policy import load_demo_policy_set
from clearance.models import AuditEntry, PolicyRate, PolicySet
from clearance.services import policies
from clearance.services.policy_excel import PolicyImportError, export_policy_set, import_policy_set
from tests import factories as f

pytestmark = pytest.mark.usefixtures("vietnamese_request")

SHEETS = ["Thông tin", "Giá đất", "Nhà, công trình", "Cây trồng", "Hỗ trợ", "Tái định cư"]


def demo(db):  # type: ignore[no-untyped-def]
    province = f.unit("Phường Hai Bà Trưng").parent
    return province, load_demo_policy_set(db.session, province)


def workbook(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def saved(book) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rates_of(policy_set: PolicySet) -> list[tuple]:
    """Every field of every rate, numbers compared by value (320000.5 is 320000.50)."""
    fields = ("category", *policies.RATE_FIELDS)

    def plain(value):  # type: ignore[no-untyped-def]
        return str(value.normalize()) if isinstance(value, Decimal) else str(value)

    return sorted(tuple(plain(getattr(rate, name)) for name in fields) for rate in policy_set.rates)


def counts(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return (db.session.scalar(sa.select(sa.func.count()).select_from(PolicySet)),
            db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRate)))


def problems_of(data: bytes, province, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(PolicyImportError) as caught:
        import_policy_set(data, province, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_the_download_has_an_information_sheet_and_one_sheet_per_category(db):
    _, policy_set = demo(db)
    book = workbook(export_policy_set(policy_set))
    assert book.sheetnames == SHEETS
    info = book["Thông tin"]
    rows = {info.cell(r, 1).value: info.cell(r, 2).value for r in range(2, info.max_row + 1)}
    assert rows["Mã bộ chính sách"] == "HN-2026-MAU"
    assert rows["Áp dụng từ ngày"].date() == date(2026, 1, 1)
    assert rows["Tỉnh/thành phố"] == "Thành phố Hà Nội"
    assert rows["Cách làm tròn"] == "Thông thường" and rows["Làm tròn đến (đồng)"] == 1000
    assert rows["Dữ liệu mẫu"] == "Có"
    land = book["Giá đất"]
    assert [c.value for c in land[1]][:6] == ["Tuyến phố", "Đoạn", "Loại đất", "VT", "Đơn vị tính", "Đơn giá (đồng)"]
    assert all(c.font.bold for c in land[1]) and land.freeze_panes == "A2"
    assert land.column_dimensions["A"].width > 20
    yet_kieu = next(row for row in land.iter_rows(min_row=2) if row[0].value == "Yết Kiêu" and row[2].value == "ODT" and row[3].value == 1)
    assert yet_kieu[5].value == 296_601_000 and isinstance(yet_kieu[5].value, int)
    assert yet_kieu[5].number_format == "#,##0"
    support = book["Hỗ trợ"]
    rent = next(row for row in support.iter_rows(min_row=2) if row[0].value == "rent")
    assert rent[1].value.startswith("Hỗ trợ thuê nhà") and rent[3].value == 2_500_000 and rent[4].value == 15_000_000


def test_a_downloaded_set_uploaded_again_gives_the_same_rates(db):
    province, original = demo(db)
    data = export_policy_set(original)
    copy = import_policy_set(data, province, code="HN-2026-MAU-B", filename="bo-chinh-sach.xlsx")
    assert copy.id != original.id and copy.code == "HN-2026-MAU-B"
    assert rates_of(copy) == rates_of(original)
    assert policies.policy_facts(copy).rates == policies.policy_facts(original).rates
    for name in ("name", "legal_basis", "valid_from", "valid_to", "land_coefficient", "rounding_step", "rounding_mode",
                 "payment_days", "late_payment_rate", "is_demo", "unit_id"):
        assert getattr(copy, name) == getattr(original, name), name
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "policy_set", AuditEntry.entity_id == copy.id))
    assert entry.reason == "Nhập từ file Excel bo-chinh-sach.xlsx"
    # And the copy exports to the same rate sheets.
    again = workbook(export_policy_set(copy))
    first = workbook(data)
    for title in SHEETS[1:]:
        assert [[c.value for c in row] for row in again[title].iter_rows()] == [[c.value for c in row] for row in first[title].iter_rows()]


def test_a_set_limited_to_a_ward_keeps_its_ward_and_text_stays_text(db):
    province = f.unit("Phường Hai Bà Trưng").parent
    ward = f.unit("Phường Cửa Nam")
    policy_set = policies.create_policy_set(province, {"code": "CN-2026", "name": "Cửa Nam 2026", "valid_from": date(2026, 3, 1),
                                                      "valid_to": date(2026, 12, 31), "unit_id": ward.id,
                                                      "land_coefficient": Decimal("1.15"), "late_payment_rate": Decimal("0.05")})
    policies.add_rate(policy_set, "crop", {"item": "Nhãn", "size": "Đường kính gốc 10–20 cm", "unit": "cây",
                                           "unit_price": Decimal("320000.50"), "basis_document": "=HYPERLINK(\"x\")",
                                           "basis_article": "103", "note": "+1"})
    copy = import_policy_set(export_policy_set(policy_set), province, code="CN-2026-B")
    assert (copy.unit_id, copy.valid_to, copy.land_coefficient, copy.late_payment_rate) == (ward.id, date(2026, 12, 31), Decimal("1.15"), Decimal("0.05"))
    assert rates_of(copy) == rates_of(policy_set)
    assert copy.rates[0].basis_document == '=HYPERLINK("x")'


def test_a_file_with_mistakes_is_refused_whole_each_named_by_sheet_row_and_column(db):
    province, original = demo(db)
    book = workbook(export_policy_set(original))
    land, support, crops = book["Giá đất"], book["Hỗ trợ"], book["Cây trồng"]
    land["D7"] = 7  # VT
    land["F5"] = "hai trăm triệu"  # a price as words
    land["F6"] = -296_601_000
    land.append(["Yết Kiêu", "", "odt", 1, "m²", 1, "Dự thảo bảng giá", "1", "", ""])  # Yết Kiêu VT1 ODT again
    duplicate_row = land.max_row
    support["A3"] = "tien_an_trua"
    crops["C1"] = "Đơn vị"  # a header changed
    book["Thông tin"]["B2"] = "HN-2026-MAU"  # the code is taken
    before = counts(db)
    problems = problems_of(saved(book), province)
    assert "Trang “Giá đất”, dòng 7, cột “VT”: Vị trí (VT): phải là 1, 2, 3 hoặc 4." in problems
    assert "Trang “Giá đất”, dòng 5, cột “Đơn giá (đồng)”: phải là số, ô đang chứa “hai trăm triệu”." in problems
    assert "Trang “Giá đất”, dòng 6, cột “Đơn giá (đồng)”: Đơn giá: không được âm." in problems
    duplicate = next(p for p in problems if p.startswith(f"Trang “Giá đất”, dòng {duplicate_row}:"))
    assert "trùng với dòng 2" in duplicate and "tuyến phố, đoạn, loại đất và vị trí" in duplicate
    assert any(p.startswith("Trang “Hỗ trợ”, dòng 3, cột “Mã khoản hỗ trợ”: Khoản hỗ trợ “tien_an_trua”") for p in problems)
    assert any(p.startswith("Trang “Cây trồng”, dòng 1, cột “Đơn vị”: tiêu đề cột C không đúng") for p in problems)
    assert "Trang “Cây trồng”, dòng 1, cột “Đơn vị tính”: thiếu cột này." in problems
    assert "Trang “Thông tin”, dòng 2, cột “Giá trị”: Mã HN-2026-MAU đã được dùng cho bộ chính sách khác của Thành phố Hà Nội." in problems
    assert counts(db) == before  # nothing written


def test_the_information_sheet_and_the_file_itself_are_checked(db):
    province, original = demo(db)
    book = workbook(export_policy_set(original))
    info = book["Thông tin"]
    info["B6"] = "31/02/2026"  # Áp dụng từ ngày
    info["B9"] = "mười"  # Làm tròn đến
    info["A14"] = "Ghi chú thêm"
    book.create_sheet("Ghi chú")
    problems = problems_of(saved(book), province, code="HN-2026-X")
    assert "Trang “Thông tin”, dòng 6, cột “Giá trị”: ngày không hợp lệ, ghi theo dạng dd/mm/yyyy." in problems
    assert "Trang “Thông tin”, dòng 9, cột “Giá trị”: phải là số, ô đang chứa “mười”." in problems
    assert any(p.startswith("Trang “Thông tin”, dòng 14, cột “Mục”: “Ghi chú thêm” không phải") for p in problems)
    assert any(p.startswith("Trang “Ghi chú”: không phải trang của bộ chính sách") for p in problems)
    assert problems_of(b"not a workbook", province) == ["Trang “(cả file)”: không phải bảng tính Excel (.xlsx) đọc được."]
    empty = Workbook()
    empty.active.title = "Giá đất"
    problems = problems_of(saved(empty), province)
    assert any("Trang “Thông tin”: thiếu trang này" in p for p in problems)
