"""The project's plan as an Excel workbook, in the layout officials use: a summary table (bảng
tổng hợp) with one row per household and a detail sheet with every explained line."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from clearance.extensions import db
from clearance.formatting import vndate
from clearance.models import Case, CompensationPlan, Party, Project
from clearance.services.plans import newest_versions
from clearance.workflow.statuses import label

MONEY = "#,##0"
QUANTITY = "#,##0.00"

SUMMARY_HEADERS = (
    "STT", "Mã hồ sơ", "Họ tên chủ sử dụng", "Địa chỉ", "Phiên bản", "Trạng thái", "Bồi thường về đất",
    "Bồi thường tài sản", "Hỗ trợ", "Tái định cư", "Khấu trừ", "Tổng số tiền được nhận", "Dòng thiếu căn cứ", "Mã kiểm tra",
)
DETAIL_HEADERS = (
    "Mã hồ sơ", "Họ tên chủ sử dụng", "STT dòng", "Nhóm", "Nội dung", "Diễn giải", "Khối lượng", "Đơn vị",
    "Đơn giá (đồng)", "Hệ số", "Chất lượng còn lại (%)", "Thành tiền (đồng)", "Căn cứ", "Thiếu căn cứ",
)
CATEGORY_NAMES = {
    "land": "Bồi thường về đất", "assets": "Bồi thường tài sản", "support": "Hỗ trợ",
    "resettlement": "Tái định cư", "deduction": "Khấu trừ",
}


def export_project_plan(project: Project, today: Any) -> bytes:
    """The latest version of every household's plan: summary sheet, then detail sheet."""
    newest = newest_versions(project.id)
    rows = db.session.execute(
        sa.select(Case.code, Party.name, Party.address, CompensationPlan)
        .join(newest, sa.and_(newest.c.case_id == CompensationPlan.case_id, newest.c.number == CompensationPlan.number))
        .join(Case, Case.id == CompensationPlan.case_id)
        .join(Party, Party.id == Case.party_id)
        .order_by(Case.code)
    ).all()
    book = Workbook(write_only=True)
    summary = book.create_sheet("Tổng hợp")
    detail = book.create_sheet("Chi tiết")
    _title(summary, f"BẢNG TỔNG HỢP PHƯƠNG ÁN BỒI THƯỜNG, HỖ TRỢ, TÁI ĐỊNH CƯ — {project.name}", today, len(SUMMARY_HEADERS))
    _title(detail, f"CHI TIẾT TÍNH TOÁN PHƯƠNG ÁN — {project.name}", today, len(DETAIL_HEADERS))
    summary.column_dimensions["C"].width = 28
    summary.column_dimensions["D"].width = 30
    detail.column_dimensions["E"].width = 48
    detail.column_dimensions["M"].width = 40
    _headers(summary, SUMMARY_HEADERS)
    _headers(detail, DETAIL_HEADERS)
    totals = [0] * 6
    for index, (code, name, address, plan) in enumerate(rows, start=1):
        figures = [plan.land_total, plan.assets_total, plan.support_total, plan.resettlement_total, plan.deductions_total, plan.net_amount]
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        summary.append([
            index, _text(summary, code), _text(summary, name), _text(summary, address), plan.number, label(plan.status),
            *(_money(summary, v) for v in figures), plan.missing_basis, plan.content_hash[:16],
        ])
        for line in plan.snapshot["lines"]:
            detail.append([
                _text(detail, code), _text(detail, name), line["no"], CATEGORY_NAMES.get(line["category"], line["category"]),
                _text(detail, line["description"]), _text(detail, line.get("detail")),
                _number(detail, line.get("quantity"), QUANTITY), _text(detail, line.get("unit")),
                _number(detail, line.get("unit_price"), MONEY), _number(detail, line.get("coefficient"), "0.####"),
                _number(detail, line.get("quality_pct"), "0.##"),
                _money(detail, line.get("amount")), _text(detail, line.get("basis")), _text(detail, line.get("missing")),
            ])
    bold = Font(bold=True)
    total_row: list[Any] = [WriteOnlyCell(summary, value="Cộng")] + [""] * 5
    for value in totals:
        cell = _money(summary, value)
        cell.font = bold
        total_row.append(cell)
    total_row[0].font = bold
    summary.append(total_row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _title(sheet: Worksheet, text: str, today: Any, width: int) -> None:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True, size=13)
    sheet.append([cell])
    sheet.append([f"Lập ngày {vndate(today)}"])
    sheet.append([])


def _headers(sheet: Worksheet, headers: tuple[str, ...]) -> None:
    cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    sheet.freeze_panes = "A5"
    sheet.append(cells)


def _text(sheet: Worksheet, value: str | None) -> Any:
    """Text stays text: a name or description starting with "=" must not become a formula."""
    cell = WriteOnlyCell(sheet, value=value or "")
    cell.data_type = "s"
    return cell


def _money(sheet: Worksheet, value: int | None) -> Any:
    if value is None:
        return ""
    cell = WriteOnlyCell(sheet, value=int(value))
    cell.number_format = MONEY
    return cell


def _number(sheet: Worksheet, value: str | int | None, fmt: str) -> Any:
    """Snapshot numbers are exact decimal strings; Excel stores them as numbers, whole ones as
    integers so money stays exact."""
    if value is None or value == "":
        return ""
    exact = Decimal(str(value))
    cell = WriteOnlyCell(sheet, value=int(exact) if exact == exact.to_integral_value() else exact)
    cell.number_format = fmt
    return cell
