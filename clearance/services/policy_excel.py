"""A policy set as an Excel workbook (.xlsx), and back.

The workbook has a "Thông tin" sheet (the set's fields and parameters, one per line) and one sheet
per rate category with a Vietnamese header row. ``import_policy_set`` reads the same layout and
creates a new policy set — all or nothing: every problem of the file (wrong or missing headers,
text in a number cell, a negative price, the same rate twice…) is collected first, each named by
sheet, row and column, and nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from clearance.audit import set_reason
from clearance.extensions import db
from clearance.models import AdminUnit, PolicyRate, PolicySet
from clearance.services import policies
from clearance.services.errors import FieldError
from clearance.workflow.calculation import SUPPORT_ITEMS
from clearance.workflow.statuses import RateCategory

INFO_SHEET = "Thông tin"
CATEGORY_SHEETS: dict[RateCategory, str] = {
    RateCategory.LAND: "Giá đất",
    RateCategory.STRUCTURE: "Nhà, công trình",
    RateCategory.CROP: "Cây trồng",
    RateCategory.SUPPORT: "Hỗ trợ",
    RateCategory.RESETTLEMENT: "Tái định cư",
}
MONEY_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Column:
    """One column of a rate sheet: its header, the rate field it holds ("" for a column written
    for the reader and ignored on import), what kind of value it holds, its width."""

    header: str
    field: str
    kind: str = "text"  # text | money | int
    width: int = 14


_BASIS = (
    Column("Văn bản căn cứ", "basis_document", width=44),
    Column("Điều", "basis_article", width=8),
    Column("Khoản", "basis_clause", width=8),
    Column("Ghi chú", "note", width=36),
)
COLUMNS: dict[RateCategory, tuple[Column, ...]] = {
    RateCategory.LAND: (
        Column("Tuyến phố", "item", width=26), Column("Đoạn", "segment", width=32),
        Column("Loại đất", "land_type", width=10), Column("VT", "position", "int", 6),
        Column("Đơn vị tính", "unit", width=12), Column("Đơn giá (đồng)", "unit_price", "money", 18), *_BASIS,
    ),
    RateCategory.STRUCTURE: (
        Column("Loại nhà, công trình", "item", width=38), Column("Đơn vị tính", "unit", width=12),
        Column("Đơn giá (đồng)", "unit_price", "money", 18), *_BASIS,
    ),
    RateCategory.CROP: (
        Column("Loài cây, vật nuôi", "item", width=30), Column("Kích thước, quy cách", "size", width=28),
        Column("Đơn vị tính", "unit", width=12), Column("Đơn giá (đồng)", "unit_price", "money", 18), *_BASIS,
    ),
    RateCategory.SUPPORT: (
        Column("Mã khoản hỗ trợ", "item", width=20), Column("Khoản hỗ trợ", "", width=50),
        Column("Đơn vị tính", "unit", width=14), Column("Mức hỗ trợ (đồng hoặc số lần)", "unit_price", "money", 20),
        Column("Mức tối đa (đồng)", "cap", "money", 18), *_BASIS,
    ),
    RateCategory.RESETTLEMENT: (
        Column("Khu tái định cư", "item", width=32), Column("Đơn vị tính", "unit", width=12),
        Column("Đơn giá (đồng)", "unit_price", "money", 18), *_BASIS,
    ),
}

#: The lines of the "Thông tin" sheet: label, the set's field ("" = shown only), kind.
INFO_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Mã bộ chính sách", "code", "text"),
    ("Tên", "name", "text"),
    ("Tỉnh/thành phố", "", "text"),
    ("Phường/xã áp dụng (để trống: toàn tỉnh/thành phố)", "unit_id", "text"),
    ("Áp dụng từ ngày", "valid_from", "date"),
    ("Áp dụng đến ngày", "valid_to", "date"),
    ("Hệ số điều chỉnh giá đất (K)", "land_coefficient", "decimal"),
    ("Làm tròn đến (đồng)", "rounding_step", "int"),
    ("Cách làm tròn", "rounding_mode", "text"),
    ("Hạn chi trả (ngày kể từ ngày phê duyệt)", "payment_days", "int"),
    ("Tiền chậm chi trả (%/ngày)", "late_payment_rate", "decimal"),
    ("Dữ liệu mẫu", "is_demo", "text"),
    ("Căn cứ pháp lý (mỗi văn bản một dòng)", "legal_basis", "text"),
)
INFO_HEADERS = ("Mục", "Giá trị")
#: How the rounding modes are written in the file (the codes are accepted too).
ROUNDING_WORDS = {"half_up": "Thông thường", "down": "Xuống", "up": "Lên"}
YES, NO = "Có", "Không"


# --- export -----------------------------------------------------------------------------------


def export_policy_set(policy_set: PolicySet) -> bytes:
    """The set as an .xlsx workbook: "Thông tin", then one sheet per category."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF2")
    book = Workbook()
    info = book.active
    info.title = INFO_SHEET
    _header(info, INFO_HEADERS, bold, fill)
    info.column_dimensions["A"].width = 48
    info.column_dimensions["B"].width = 90
    for row, (label, field, kind) in enumerate(INFO_ROWS, start=2):
        info.cell(row, 1, label)
        value = _info_value(policy_set, label, field)
        cell = info.cell(row, 2)
        if kind == "date":
            cell.value = value
            cell.number_format = DATE_FORMAT
        elif kind in ("int", "decimal"):
            cell.value = _number(value)
            if kind == "int":
                cell.number_format = MONEY_FORMAT
        else:
            _text_cell(cell, value)
        if field == "legal_basis":
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    rates = policies.rates_by_category(policy_set)
    for category, title in CATEGORY_SHEETS.items():
        sheet = book.create_sheet(title)
        columns = COLUMNS[category]
        _header(sheet, [c.header for c in columns], bold, fill)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row, rate in enumerate(rates[category], start=2):
            for index, column in enumerate(columns, start=1):
                cell = sheet.cell(row, index)
                if not column.field:
                    _text_cell(cell, SUPPORT_ITEMS.get(rate.item, ""))
                elif column.kind == "money":
                    amount = getattr(rate, column.field)
                    cell.value = _number(amount)
                    if amount is not None:
                        cell.number_format = MONEY_FORMAT if amount == amount.to_integral_value() else DECIMAL_FORMAT
                elif column.kind == "int":
                    cell.value = getattr(rate, column.field)
                else:
                    _text_cell(cell, getattr(rate, column.field))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: Any, headers: Any, bold: Any, fill: Any) -> None:
    for index, text in enumerate(headers, start=1):
        cell = sheet.cell(1, index, text)
        cell.font, cell.fill = bold, fill
    sheet.freeze_panes = "A2"


def _text_cell(cell: Any, value: Any) -> None:
    """Text stays text: a value starting with "=" must not become a formula."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"
    if cell.value == "":
        cell.value = None


def _number(value: Any) -> int | Decimal | None:
    """Whole numbers as integers (the cell shows 296.601.000, not 296601000.00)."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


def _info_value(policy_set: PolicySet, label: str, field: str) -> Any:
    if label.startswith("Tỉnh"):
        return policy_set.province.name
    if field == "unit_id":
        return policy_set.unit.name if policy_set.unit is not None else ""
    if field == "rounding_mode":
        return ROUNDING_WORDS.get(policy_set.rounding_mode, policy_set.rounding_mode)
    if field == "is_demo":
        return YES if policy_set.is_demo else NO
    return getattr(policy_set, field)


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the file, where it is: sheet, row (as Excel numbers it) and column header."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = _("Trang “%(sheet)s”", sheet=self.sheet)
        if self.row is not None:
            where += ", " + _("dòng %(row)s", row=self.row)
        if self.column:
            where += ", " + _("cột “%(column)s”", column=self.column)
        return f"{where}: {self.message}"


class PolicyImportError(Exception):
    """The file was refused; ``problems`` lists every problem found. Nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def _norm(text: Any) -> str:
    """Headers and labels compared without regard to case, spacing or Unicode composition."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split()).casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    """Collects the problems while a workbook is read."""

    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []

    def problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(sheet, row, column, message))

    def number(self, sheet: str, row: int, column: str, value: Any, whole: bool = False) -> Decimal | None:
        """A number cell: empty → None; text, a date or a yes/no → a problem."""
        if _blank(value):
            return None
        if isinstance(value, bool) or isinstance(value, (datetime, date)) or not isinstance(value, (int, float, Decimal)):
            shown = value if isinstance(value, str) else str(value)
            self.problem(sheet, row, column, _("phải là số, ô đang chứa “%(value)s”.", value=shown))
            return None
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if whole and number != number.to_integral_value():
            self.problem(sheet, row, column, _("phải là số nguyên."))
            return None
        return number

    @staticmethod
    def text(value: Any) -> str:
        """A text cell; a number typed into it (an article "3") reads as its digits."""
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.strftime("%d/%m/%Y")
        return str(value).strip()


def import_policy_set(
    data: bytes, province: AdminUnit, *, code: str | None = None, name: str | None = None,
    filename: str = "",
) -> PolicySet:
    """A new policy set of ``province`` from a workbook in the export's layout. ``code``/``name``
    replace those in the file (to import a file exported from a set that still exists).
    Raises PolicyImportError with every problem; writes nothing unless the whole file is valid."""
    book = _open(data)
    reader = _Reader()
    known = {_norm(title): category for category, title in CATEGORY_SHEETS.items()}
    sheets: dict[RateCategory, Any] = {}
    info_sheet = None
    for sheet in book.worksheets:
        key = _norm(sheet.title)
        if key == _norm(INFO_SHEET):
            info_sheet = sheet
        elif key in known:
            sheets[known[key]] = sheet
        else:
            reader.problem(sheet.title, None, None, _(
                "không phải trang của bộ chính sách (các trang: %(sheets)s).",
                sheets=", ".join([INFO_SHEET, *CATEGORY_SHEETS.values()]),
            ))
    values: dict[str, Any] = {}
    rows_of: dict[str, int] = {}
    if info_sheet is None:
        reader.problem(INFO_SHEET, None, None, _("thiếu trang này (mã, tên, ngày áp dụng và các tham số của bộ chính sách)."))
    else:
        values, rows_of = _read_info(info_sheet, province, reader)
    if code:
        values["code"] = code
    if name:
        values["name"] = name
    if info_sheet is not None:
        _check_info(values, rows_of, province, reader)
    rates: list[tuple[RateCategory, dict[str, Any]]] = []
    for category, sheet in sheets.items():
        rates.extend((category, clean) for clean in _read_rates(category, sheet, reader))
    if reader.problems:
        raise PolicyImportError(reader.problems)
    policy_set = PolicySet(province_id=province.id, **values)
    policy_set.rates = [PolicyRate(category=category, **clean) for category, clean in rates]
    db.session.add(policy_set)
    set_reason(db.session, _("Nhập từ file Excel %(file)s", file=filename) if filename else _("Nhập từ file Excel"))
    db.session.flush()
    return policy_set


def _open(data: bytes) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Files saved by other programs draw harmless style warnings from openpyxl.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, InvalidFileException):
        problem = ImportProblem(_("(cả file)"), None, None, _("không phải bảng tính Excel (.xlsx) đọc được."))
        raise PolicyImportError([problem]) from None


def _read_info(sheet: Any, province: AdminUnit, reader: _Reader) -> tuple[dict[str, Any], dict[str, int]]:
    """The set's values from the "Thông tin" sheet, by the labels in column A."""
    title = INFO_SHEET
    header = [_norm(c) for c in next(sheet.iter_rows(min_row=1, max_row=1, max_col=2, values_only=True), ())]
    if header[:2] != [_norm(h) for h in INFO_HEADERS]:
        reader.problem(title, 1, None, _("tiêu đề phải là “%(a)s” và “%(b)s”.", a=INFO_HEADERS[0], b=INFO_HEADERS[1]))
    by_label = {_norm(label): (field, kind) for label, field, kind in INFO_ROWS}
    values: dict[str, Any] = {}
    rows_of: dict[str, int] = {}
    value_header = INFO_HEADERS[1]
    for row_no, row in enumerate(sheet.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        label, value = (list(row) + [None, None])[:2]
        if _blank(label):
            continue
        found = by_label.get(_norm(label))
        if found is None:
            reader.problem(title, row_no, INFO_HEADERS[0], _("“%(label)s” không phải một mục của bộ chính sách.", label=label))
            continue
        field, kind = found
        if not field:
            continue
        rows_of[field] = row_no
        if kind == "date":
            if isinstance(value, datetime):
                values[field] = value.date()
            elif isinstance(value, date):
                values[field] = value
            elif _blank(value):
                values[field] = None
            else:
                try:
                    values[field] = datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
                except ValueError:
                    reader.problem(title, row_no, value_header, _("ngày không hợp lệ, ghi theo dạng dd/mm/yyyy."))
        elif kind in ("int", "decimal"):
            number = reader.number(title, row_no, value_header, value, whole=kind == "int")
            if number is not None or _blank(value):
                values[field] = number
        elif field == "unit_id":
            values[field] = _ward(_Reader.text(value), province, reader, row_no)
        elif field == "rounding_mode":
            words = {_norm(word): mode for mode, word in ROUNDING_WORDS.items()} | {mode: mode for mode in ROUNDING_WORDS}
            mode = words.get(_norm(value) or "thông thường")
            if mode is None:
                reader.problem(title, row_no, value_header, _("cách làm tròn là “Thông thường”, “Xuống” hoặc “Lên”."))
            else:
                values[field] = mode
        elif field == "is_demo":
            values[field] = _norm(value) in (_norm(YES), "x", "true", "1")
        else:
            values[field] = _Reader.text(value)
    return values, rows_of


def _ward(text: str, province: AdminUnit, reader: _Reader, row_no: int) -> int | None:
    if not text:
        return None
    for unit in province.children:
        if _norm(unit.name) == _norm(text) or unit.code == text:
            return unit.id
    reader.problem(INFO_SHEET, row_no, INFO_HEADERS[1], _("không có phường/xã “%(name)s” thuộc %(province)s.", name=text, province=province.name))
    return None


def _check_info(values: dict[str, Any], rows_of: Mapping[str, int], province: AdminUnit, reader: _Reader) -> None:
    """The service's rules on the set's values, each named by its line; the code must be free."""
    missing = set()
    for label, field, _kind in INFO_ROWS:
        if field in ("code", "name", "valid_from") and field not in values:
            reader.problem(INFO_SHEET, None, None, _("thiếu dòng “%(label)s”.", label=label))
            missing.add(field)
    clean, errors = policies.check_set({field: values.get(field) for field in ("code", "name", "valid_from")} | values)
    for error in errors:
        if error.field not in missing:
            reader.problem(INFO_SHEET, rows_of.get(error.field), INFO_HEADERS[1] if error.field in rows_of else None, error.message)
    if not any(error.field in ("code", "unit_id") for error in errors) and "code" not in missing:
        try:
            policies.check_place(province, clean, None)
        except FieldError as error:
            reader.problem(INFO_SHEET, rows_of.get(error.field), INFO_HEADERS[1] if error.field in rows_of else None, error.message)
    values.clear()
    values.update({k: v for k, v in clean.items() if v is not None or k in ("valid_to", "unit_id")})


def _read_rates(category: RateCategory, sheet: Any, reader: _Reader) -> list[dict[str, Any]]:
    title = sheet.title
    columns = COLUMNS[category]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, ()))
    by_header = {_norm(c.header): c for c in columns}
    position: dict[str, int] = {}
    bad_header = False
    for index, text in enumerate(header):
        if _blank(text):
            continue
        column = by_header.get(_norm(text))
        if column is None:
            from openpyxl.utils import get_column_letter

            reader.problem(title, 1, str(text), _(
                "tiêu đề cột %(letter)s không đúng; các cột của trang này: %(headers)s.",
                letter=get_column_letter(index + 1), headers=", ".join(f"“{c.header}”" for c in columns),
            ))
            bad_header = True
        elif column.field in position:
            reader.problem(title, 1, column.header, _("cột này có hai lần."))
            bad_header = True
        else:
            position[column.field or column.header] = index
    for column in columns:
        if column.field and column.field not in position:
            reader.problem(title, 1, column.header, _("thiếu cột này."))
            bad_header = True
    if bad_header:
        return []  # the rows cannot be read without knowing which column is which
    header_of = {c.field: c.header for c in columns if c.field}
    seen: dict[Any, int] = {}
    result: list[dict[str, Any]] = []
    for row_no, row in enumerate(rows, start=2):
        cells = list(row)
        if all(_blank(v) for v in cells):
            continue
        values: dict[str, Any] = {}
        untyped: set[str] = set()  # number cells holding text: already reported
        for column in columns:
            if not column.field:
                continue
            index = position[column.field]
            value = cells[index] if index < len(cells) else None
            if column.kind == "text":
                values[column.field] = _Reader.text(value)
            else:
                before = len(reader.problems)
                values[column.field] = reader.number(title, row_no, column.header, value, whole=column.kind == "int")
                if len(reader.problems) > before:
                    untyped.add(column.field)
        clean, errors = policies.check_rate(category, values)
        for error in errors:
            if error.field not in untyped:
                reader.problem(title, row_no, header_of.get(error.field), error.message)
        if untyped:
            continue
        if errors:
            continue
        key = policies.key_of(category, clean)
        if key in seen:
            reader.problem(title, row_no, None, _(
                "“%(rate)s” trùng với dòng %(row)s (cùng %(what)s).", rate=policies.describe_key(category, clean),
                row=seen[key], what=_key_words(category),
            ))
            continue
        seen[key] = row_no
        result.append(clean)
    return result


def _key_words(category: RateCategory) -> str:
    return {
        RateCategory.LAND: _("tuyến phố, đoạn, loại đất và vị trí"),
        RateCategory.STRUCTURE: _("loại nhà, công trình"),
        RateCategory.CROP: _("loài cây và kích thước"),
        RateCategory.SUPPORT: _("mã khoản hỗ trợ"),
        RateCategory.RESETTLEMENT: _("khu tái định cư"),
    }[category]
