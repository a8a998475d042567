"""Inventories of a whole project from an Excel workbook (nhập kiểm đếm từ Excel).

The workbook has two sheets: “Kiểm đếm”, one row per inventory line of any case, and “Hộ”, one
row per case with the record's header (date, signers, persons, support facts). ``inventory_template``
writes an empty one with the project's case codes in “Hộ”.

The import is all or nothing. ``check_workbook`` reads and checks everything and writes nothing:
every problem names its sheet, row and column ("Trang “Kiểm đếm”, dòng 12, cột “Số lượng”: “ba”
không phải là số"). ``apply_import`` then replaces the inventories of the cases in the file in the
caller's transaction, through the database's bulk path (``clearance.db.bulk_insert``) rather than
one ORM object at a time, so a 10,000-row workbook imports in seconds; for the same reason it
writes the audit trail itself, one entry per case inventory created or replaced, saying what
changed (the header's fields, and the lines before → after). A case whose inventory in the file
is what is already recorded is left alone. Replacing existing inventories needs a reason.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from clearance.audit import current_actor
from clearance.db import bulk_insert
from clearance.extensions import db
from clearance.models import AuditEntry, Case, Inventory, InventoryItem, Parcel, Party, Project
from clearance.models.types import utcnow
from clearance.services import inventory as service
from clearance.workflow.statuses import AssetKind

ITEMS_SHEET = "Kiểm đếm"
HOUSEHOLDS_SHEET = "Hộ"
GUIDE_SHEET = "Hướng dẫn"
#: Problems shown in full; the rest are counted.
REPORT_LIMIT = 500
#: Ids per IN (…) list: well under SQLite's bound on parameters.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    """A column of the workbook: its header (the file format: always Vietnamese), the field it
    fills and how its cells are read."""

    header: str
    field: str
    reader: str
    required: bool = False


ITEM_COLUMNS: tuple[Column, ...] = (
    Column("Mã hồ sơ", "case_code", "code", required=True),
    Column("Loại", "kind", "kind", required=True),
    Column("Mô tả", "description", "text"),
    Column("Tờ bản đồ", "map_sheet", "code"),
    Column("Số thửa", "parcel_no", "code"),
    Column("Tuyến phố", "street", "text"),
    Column("Đoạn", "segment", "text"),
    Column("Loại đất", "land_type", "text"),
    Column("Vị trí", "land_position", "position"),
    Column("Cấp nhà", "grade", "text"),
    Column("Số tầng", "floors", "int"),
    Column("Loài cây", "species", "text"),
    Column("Kích thước", "size", "text"),
    Column("Số lượng", "quantity", "decimal", required=True),
    Column("Đơn vị", "unit", "text"),
    Column("Chất lượng còn lại (%)", "quality_pct", "percent"),
    Column("Đơn giá", "unit_price", "decimal"),
    Column("Căn cứ đơn giá", "price_basis", "text"),
)
HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("Mã hồ sơ", "case_code", "code", required=True),
    #: For the officer filling the sheet; not imported.
    Column("Chủ hộ, tổ chức", "party_name", "text"),
    Column("Ngày kiểm đếm", "recorded_on", "date", required=True),
    Column("Người ký", "signed_by", "text"),
    Column("Số nhân khẩu", "persons", "int"),
    Column("Di chuyển chỗ ở", "relocates", "bool"),
    Column("Số tháng hỗ trợ ổn định đời sống", "life_support_months", "int"),
    Column("Số tháng hỗ trợ thuê nhà", "rent_months", "int"),
    Column("Bàn giao sớm", "early_handover", "bool"),
    Column("Khu tái định cư", "resettlement_site", "text"),
    Column("Diện tích lô TĐC", "resettlement_area", "decimal"),
    Column("Nghĩa vụ tài chính chưa nộp", "land_debt", "decimal"),
    Column("Căn cứ khấu trừ", "land_debt_basis", "text"),
)
#: Which column a field's problem is reported in.
_ITEM_FIELD_COLUMN = {c.field: c.header for c in ITEM_COLUMNS} | {"parcel_id": "Số thửa"}
_HOUSEHOLD_FIELD_COLUMN = {c.field: c.header for c in HOUSEHOLD_COLUMNS}

#: "Loại" as written in the sheet (compared without accents, case or punctuation).
KIND_WORDS = {
    AssetKind.LAND: ("Đất", "land"),
    AssetKind.STRUCTURE: ("Nhà, công trình", "Nhà công trình", "Nhà", "Công trình", "Vật kiến trúc", "structure"),
    AssetKind.CROP: ("Cây trồng", "Cây", "Cây trồng, vật nuôi", "crop"),
    AssetKind.GRAVE: ("Mộ", "Mồ mả", "Ngôi mộ", "grave"),
    AssetKind.OTHER: ("Tài sản khác", "Khác", "other"),
}
YES = ("có", "x", "1", "yes", "true", "đúng")
NO = ("không", "ko", "0", "no", "false", "sai", "")


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """Compare names without accents, case, punctuation or extra spaces: "Nhà, công trình" ~ "nha cong trinh"."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^\w%]+", " ", text.casefold()).split())


_KINDS = {_fold(word): kind for kind, words in KIND_WORDS.items() for word in words}
_YES = frozenset(_fold(word) for word in YES)
_NO = frozenset(_fold(word) for word in NO)


# --- what the check finds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """A problem at a place in the workbook: sheet, row (1 = the header row) and column, any of
    which may be unknown (a missing sheet has no row)."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    @property
    def text(self) -> str:
        if self.row is None:
            return _("Trang “%(sheet)s”: %(message)s", sheet=self.sheet, message=self.message)
        if self.column is None:
            return _("Trang “%(sheet)s”, dòng %(row)s: %(message)s", sheet=self.sheet, row=self.row, message=self.message)
        return _(
            "Trang “%(sheet)s”, dòng %(row)s, cột “%(column)s”: %(message)s",
            sheet=self.sheet, row=self.row, column=self.column, message=self.message,
        )


class InventoryImportRejected(ValueError):
    """The workbook has problems, or replaces inventories without a reason; nothing was written."""

    def __init__(self, message: str, problems: Sequence[ImportProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class CaseImport:
    """One case's inventory as the workbook gives it, checked, and what is recorded now."""

    case_id: int
    code: str
    header: dict[str, Any] | None = None
    header_row: int | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    item_rows: list[int] = field(default_factory=list)
    #: The inventory recorded now (id, version, header), or None.
    existing_id: int | None = None
    #: Its version when the file was checked: a save made since makes the import refuse it.
    existing_version: int | None = None
    existing_header: dict[str, Any] | None = None
    existing_items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def action(self) -> str:
        """create, replace or unchanged."""
        if self.existing_id is None:
            return "create"
        header = self.header or self.existing_header or {}
        same = service.same_header(self.existing_header or {}, header) and service.same_items(self.existing_items, self.items)
        return "unchanged" if same else "replace"


@dataclass
class ImportCheck:
    """Everything the import would do, and every problem found; nothing written."""

    filename: str
    problems: list[ImportProblem] = field(default_factory=list)
    cases: list[CaseImport] = field(default_factory=list)
    rows: int = 0

    @property
    def can_import(self) -> bool:
        return not self.problems and bool(self.cases)

    def count(self, action: str) -> int:
        return sum(1 for case in self.cases if case.action == action)

    @property
    def lines(self) -> int:
        return sum(len(case.items) for case in self.cases)

    @property
    def lines_by_kind(self) -> list[tuple[AssetKind, int]]:
        counts = Counter(str(item["kind"]) for case in self.cases for item in case.items)
        return [(kind, counts[kind.value]) for kind in service.KIND_ORDER if counts.get(kind.value)]

    @property
    def replaced_codes(self) -> list[str]:
        return [case.code for case in self.cases if case.action == "replace"]

    @property
    def shown_problems(self) -> list[ImportProblem]:
        return self.problems[:REPORT_LIMIT]


# --- reading cells --------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


def _shown(value: Any) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _number(value: Any) -> Decimal:
    """A number cell, or a number typed as text the Vietnamese way ("1.234,5", "50,5", "50.5")."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” không phải là số", value=_shown(value)))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Excel keeps binary floats: 50.43000000000001 is the 50,43 typed.
        number = Decimal(repr(round(value, 6)))
        return Decimal(int(number)) if number == number.to_integral_value() else number
    try:
        return service.parse_number(str(value))
    except ValueError as error:
        raise CellError(str(error)) from None


def _integer(value: Any) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s” không phải là số nguyên", value=_shown(value)))
    return int(number)


def _position(value: Any) -> int:
    if isinstance(value, str) and _fold(value).replace(" ", "").startswith("vt"):
        value = _fold(value).replace(" ", "")[2:]
    try:
        return _integer(value)
    except CellError:
        raise CellError(_("“%(value)s” không phải là vị trí (1–4 hoặc VT1–VT4)", value=_shown(value))) from None


def _percent(value: Any) -> Decimal:
    number = _number(value)
    # A cell formatted as a percentage holds a fraction (80 % is 0.8, 100 % is 1): no structure is
    # counted at 1 % of its quality or less, so such a value is a formatting slip, not a figure.
    if 0 < number <= 1:  # 100 % typed in a percent cell is stored as 1
        raise CellError(_("“%(value)s”: ghi số phần trăm, ví dụ 80 (ô định dạng kiểu %% lưu 80%% thành 0,8)", value=_shown(value)))
    return number


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for layout in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” không phải là ngày (dd/mm/yyyy)", value=_shown(value)))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = _fold(str(value))
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError(_("“%(value)s”: ghi “Có” hoặc “Không”", value=_shown(value)))


def _code(value: Any) -> str:
    """A code-like cell (case code, map sheet, parcel number): 12.0 in Excel is "12"."""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _kind(value: Any) -> AssetKind:
    kind = _KINDS.get(_fold(str(value)))
    if kind is None:
        raise CellError(
            _("“%(value)s” không phải là loại dòng (Đất, Nhà, công trình, Cây trồng, Mộ, Tài sản khác)", value=_shown(value))
        )
    return kind


_READERS = {
    "text": lambda v: str(v).strip() if not isinstance(v, float) or v != int(v) else str(int(v)),
    "code": _code, "kind": _kind, "decimal": _number, "int": _integer, "position": _position,
    "percent": _percent, "date": _date, "bool": _bool,
}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- reading the workbook ----------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    #: Column index (0-based) → column.
    columns: dict[int, Column]
    rows: list[tuple[int, tuple[Any, ...]]]


def _read_sheet(workbook: Any, name: str, spec: Sequence[Column], problems: list[ImportProblem]) -> _Sheet | None:
    if name not in workbook.sheetnames:
        problems.append(ImportProblem(name, None, None, _("không có trang này trong tệp (tải tệp mẫu để xem cách ghi)")))
        return None
    sheet = workbook[name]
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    known = {_fold(column.header): column for column in spec}
    columns: dict[int, Column] = {}
    for index, value in enumerate(header):
        if _empty(value):
            continue
        column = known.get(_fold(str(value)))
        if column is None:
            problems.append(ImportProblem(name, 1, str(value).strip(), _("cột này không có trong mẫu")))
        elif column in columns.values():
            problems.append(ImportProblem(name, 1, column.header, _("cột bị lặp lại")))
        else:
            columns[index] = column
    for column in spec:
        if column.required and column not in columns.values():
            problems.append(ImportProblem(name, 1, column.header, _("thiếu cột này ở dòng tiêu đề")))
    data = [(number, row) for number, row in enumerate(rows, start=2) if any(not _empty(v) for v in row)]
    return _Sheet(name, columns, data)


def _cells(sheet: _Sheet, number: int, row: tuple[Any, ...], problems: list[ImportProblem]) -> dict[str, Any]:
    """A row's values by field; a cell that cannot be read is reported and left out."""
    values: dict[str, Any] = {}
    for index, column in sheet.columns.items():
        value = row[index] if index < len(row) else None
        if _empty(value):
            continue
        try:
            values[column.field] = _READERS[column.reader](value)
        except CellError as error:
            problems.append(ImportProblem(sheet.name, number, column.header, str(error)))
            values.setdefault("_unreadable", set()).add(column.field)
    return values


def _open(data: bytes | IO[bytes]) -> Any:
    from openpyxl import load_workbook

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return load_workbook(stream, read_only=True, data_only=True)


def check_workbook(project: Project, data: bytes | IO[bytes], filename: str = "") -> ImportCheck:
    """Read and check the workbook against the project; nothing is written."""
    check = ImportCheck(filename=filename)
    try:
        workbook = _open(data)
    except Exception:  # a corrupt zip, another format, an encrypted file: all say the same to the user
        check.problems.append(
            ImportProblem(filename or "?", None, None, _("tệp không đọc được như một bảng tính Excel (.xlsx)"))
        )
        return check
    try:
        items_sheet = _read_sheet(workbook, ITEMS_SHEET, ITEM_COLUMNS, check.problems)
        households_sheet = _read_sheet(workbook, HOUSEHOLDS_SHEET, HOUSEHOLD_COLUMNS, check.problems)
    finally:
        workbook.close()
    if items_sheet is None or households_sheet is None or check.problems:
        return check  # without the right columns, the rows cannot be read
    check.rows = len(items_sheet.rows) + len(households_sheet.rows)
    _check_rows(project, items_sheet, households_sheet, check)
    return check


def _project_cases(project: Project) -> dict[str, tuple[int, str]]:
    rows = db.session.execute(sa.select(Case.code, Case.id).where(Case.project_id == project.id))
    return {_fold(code): (case_id, code) for code, case_id in rows}


def _check_rows(project: Project, items_sheet: _Sheet, households_sheet: _Sheet, check: ImportCheck) -> None:
    problems = check.problems
    cases = _project_cases(project)
    parcels = {
        (sheet, number): parcel_id
        for parcel_id, sheet, number in db.session.execute(
            sa.select(Parcel.id, Parcel.map_sheet, Parcel.parcel_no).where(Parcel.project_id == project.id)
        )
    }
    plans: dict[int, CaseImport] = {}

    def case_of(sheet: _Sheet, number: int, values: dict[str, Any]) -> CaseImport | None:
        code = values.get("case_code")
        if not code:
            if "case_code" not in values.get("_unreadable", ()):
                problems.append(ImportProblem(sheet.name, number, "Mã hồ sơ", _("chưa ghi mã hồ sơ")))
            return None
        found = cases.get(_fold(code))
        if found is None:
            problems.append(ImportProblem(
                sheet.name, number, "Mã hồ sơ", _("không có hồ sơ “%(code)s” trong dự án %(project)s", code=code, project=project.code),
            ))
            return None
        case_id, real_code = found
        return plans.setdefault(case_id, CaseImport(case_id, real_code))

    for number, row in households_sheet.rows:
        values = _cells(households_sheet, number, row, problems)
        filled = {k for k in values if k not in ("case_code", "party_name", "_unreadable")} | values.get("_unreadable", set())
        if not filled - {"case_code"}:
            continue  # a prefilled case code with nothing else: the case is not in this import
        plan = case_of(households_sheet, number, values)
        if plan is None:
            continue
        if plan.header_row is not None:
            problems.append(ImportProblem(
                households_sheet.name, number, "Mã hồ sơ",
                _("hồ sơ %(code)s đã có ở dòng %(row)s của trang này", code=plan.code, row=plan.header_row),
            ))
            continue
        plan.header_row = number
        clean, found = service.normalise_header(values)
        for name, message in found:
            if name not in values.get("_unreadable", ()):
                problems.append(ImportProblem(households_sheet.name, number, _HOUSEHOLD_FIELD_COLUMN.get(name), message))
        plan.header = clean

    raw_items: list[tuple[CaseImport, int, dict[str, Any]]] = []
    for number, row in items_sheet.rows:
        values = _cells(items_sheet, number, row, problems)
        plan = case_of(items_sheet, number, values)
        if plan is None:
            continue
        raw_items.append((plan, number, values))

    _existing(check, plans)
    for plan in plans.values():
        if plan.header is not None and plan.existing_header is not None:
            # The workbook has no notes column: the notes typed on the record stay.
            plan.header["notes"] = plan.existing_header["notes"]
    held = service.held_parcels(plans)
    for plan, number, values in raw_items:
        unreadable = values.get("_unreadable", set())
        sheet_no, parcel_no = values.get("map_sheet"), values.get("parcel_no")
        # What a land line would have taken from a parcel named wrongly is not missing too.
        taken_from_parcel = {"street", "land_type"} | ({"quantity"} if "quantity" not in values else set())
        if sheet_no or parcel_no:
            if not (sheet_no and parcel_no):
                missing = "Tờ bản đồ" if not sheet_no else "Số thửa"
                problems.append(ImportProblem(items_sheet.name, number, missing, _("ghi cả tờ bản đồ và số thửa")))
            else:
                parcel_id = parcels.get((sheet_no, parcel_no))
                if parcel_id is None:
                    problems.append(ImportProblem(
                        items_sheet.name, number, "Số thửa",
                        _("không có thửa %(number)s, tờ %(sheet)s trong dự án", number=parcel_no, sheet=sheet_no),
                    ))
                elif parcel_id not in held[plan.case_id]:
                    problems.append(ImportProblem(
                        items_sheet.name, number, "Số thửa",
                        _("thửa %(number)s, tờ %(sheet)s không thuộc hồ sơ %(code)s", number=parcel_no, sheet=sheet_no, code=plan.code),
                    ))
                else:
                    values["parcel_id"] = parcel_id
            if "parcel_id" not in values:
                unreadable = unreadable | taken_from_parcel
        clean, found = service.normalise_item(values, held[plan.case_id])
        for name, message in found:
            if name not in unreadable:
                problems.append(ImportProblem(items_sheet.name, number, _ITEM_FIELD_COLUMN.get(name), message))
        plan.items.append(clean)
        plan.item_rows.append(number)

    for plan in plans.values():
        for index, name, message in service.check_land_totals(plan.items, held[plan.case_id]):
            problems.append(ImportProblem(items_sheet.name, plan.item_rows[index], _ITEM_FIELD_COLUMN[name], message))
        if not plan.items:
            problems.append(ImportProblem(
                items_sheet.name, None, None,
                _("hồ sơ %(code)s (dòng %(row)s trang “%(other)s”) chưa có dòng kiểm đếm nào",
                  code=plan.code, row=plan.header_row, other=HOUSEHOLDS_SHEET),
            ))
        if plan.header is None and plan.existing_id is None:
            problems.append(ImportProblem(
                HOUSEHOLDS_SHEET, None, None,
                _("hồ sơ %(code)s có dòng kiểm đếm (dòng %(row)s trang “%(other)s”) nhưng chưa có dòng ở trang này "
                  "(ngày kiểm đếm, người ký, số nhân khẩu…)", code=plan.code, row=plan.item_rows[0], other=ITEMS_SHEET),
            ))
    problems.sort(key=lambda p: (p.sheet != ITEMS_SHEET, p.sheet, p.row or 0))
    check.cases = sorted(plans.values(), key=lambda plan: plan.code)


def _existing(check: ImportCheck, plans: dict[int, CaseImport]) -> None:
    """The inventories recorded now for the cases in the file (two queries per chunk of cases)."""
    ids = sorted(plans)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in db.session.execute(
            sa.select(Inventory.id, Inventory.case_id, Inventory.version, *(getattr(Inventory, n) for n in service.HEADER_FIELDS)).where(
                Inventory.case_id.in_(chunk)
            )
        ):
            plan = plans[row.case_id]
            plan.existing_id = row.id
            plan.existing_version = row.version
            plan.existing_header = {name: getattr(row, name) for name in service.HEADER_FIELDS}
        for row in db.session.execute(
            sa.select(InventoryItem.case_id, *(getattr(InventoryItem, n) for n in service.ITEM_FIELDS))
            .where(InventoryItem.case_id.in_(chunk))
            .order_by(InventoryItem.case_id, InventoryItem.line_no)
        ):
            plans[row.case_id].existing_items.append({name: getattr(row, name) for name in service.ITEM_FIELDS})


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    replaced: int
    unchanged: int
    lines: int


def apply_import(project: Project, check: ImportCheck, reason: str = "") -> ImportResult:
    """Replace the inventories of the cases in the checked workbook, in the current transaction
    (the caller commits). Raises InventoryImportRejected, writing nothing, when the check found
    problems or when existing inventories would be replaced without a reason."""
    if check.problems:
        raise InventoryImportRejected(_("Tệp có %(n)s lỗi; chưa nhập dòng nào.", n=len(check.problems)), check.problems)
    if not check.cases:
        raise InventoryImportRejected(_("Tệp không có dòng kiểm đếm nào để nhập."))
    replaced = [case for case in check.cases if case.action == "replace"]
    created = [case for case in check.cases if case.action == "create"]
    if replaced and not reason.strip():
        raise InventoryImportRejected(
            _("Tệp thay thế biên bản kiểm đếm đã có của %(n)s hồ sơ (%(codes)s): ghi lý do thay thế.",
              n=len(replaced), codes=_codes(replaced))
        )
    user_id, actor = current_actor()
    now = utcnow()
    connection = db.session.connection()
    source = f"nhập từ tệp {check.filename}" if check.filename else "nhập từ tệp Excel"
    audit_reason = f"{reason.strip()} ({source})" if reason.strip() else source[0].upper() + source[1:]
    audit_rows: list[dict[str, Any]] = []

    # Replaced: their old lines go, their header is rewritten and its version moves on; but not
    # over a save someone made after the file was checked (locked until commit on PostgreSQL).
    old_ids = [case.existing_id for case in replaced]
    item_table, inventory_table = InventoryItem.__table__, Inventory.__table__
    moved = []
    for start in range(0, len(replaced), CHUNK):
        chunk = replaced[start : start + CHUNK]
        now_versions = dict(connection.execute(
            sa.select(inventory_table.c.id, inventory_table.c.version)
            .where(inventory_table.c.id.in_([case.existing_id for case in chunk]))
            .with_for_update()
        ).all())
        moved += [case for case in chunk if now_versions.get(case.existing_id) != case.existing_version]
    if moved:
        raise InventoryImportRejected(
            _("Biên bản kiểm đếm của %(n)s hồ sơ (%(codes)s) vừa được sửa sau khi kiểm tra tệp: tải lại rồi nhập lại.",
              n=len(moved), codes=_codes(moved))
        )
    for start in range(0, len(old_ids), CHUNK):
        connection.execute(sa.delete(item_table).where(item_table.c.inventory_id.in_(old_ids[start : start + CHUNK])))
    if replaced:
        update = (
            sa.update(inventory_table)
            .where(inventory_table.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(f"b_{name}") for name in service.HEADER_FIELDS} | {"version": inventory_table.c.version + 1})
        )
        connection.execute(
            update,
            [{"b_id": case.existing_id, **{f"b_{name}": _header(case)[name] for name in service.HEADER_FIELDS}} for case in replaced],
        )
    if created:
        bulk_insert(connection, inventory_table, [{"case_id": case.case_id, "version": 1, **_header(case)} for case in created])
        ids = {}
        new_case_ids = [case.case_id for case in created]
        for start in range(0, len(new_case_ids), CHUNK):
            ids.update(dict(connection.execute(
                sa.select(inventory_table.c.case_id, inventory_table.c.id).where(
                    inventory_table.c.case_id.in_(new_case_ids[start : start + CHUNK])
                )
            ).all()))
        for case in created:
            case.existing_id = ids[case.case_id]

    rows = []
    for case in (*replaced, *created):
        for number, item in enumerate(case.items, start=1):
            rows.append({"inventory_id": case.existing_id, "case_id": case.case_id, "line_no": number,
                         **{name: item[name] for name in service.ITEM_FIELDS}})
    bulk_insert(connection, item_table, rows)

    for case in created:
        header = _header(case)
        changes: dict[str, list[Any]] = {
            name: [None, _plain(value)] for name, value in header.items() if value not in (None, "", False, 0) or name == "persons"
        }
        changes["items"] = [None, service.lines_summary(item["kind"] for item in case.items)]
        audit_rows.append(_audit_row("create", case, project, header, changes))
    for case in replaced:
        header = _header(case)
        before = case.existing_header or {}
        changes = {
            name: [_plain(before.get(name)), _plain(header[name])]
            for name in service.HEADER_FIELDS
            if service.comparable(before.get(name)) != service.comparable(header[name])
        }
        if not service.same_items(case.existing_items, case.items):
            changes["items"] = [
                service.lines_summary(item["kind"] for item in case.existing_items),
                service.lines_summary(item["kind"] for item in case.items),
            ]
        audit_rows.append(_audit_row("update", case, project, header, changes))
    bulk_insert(
        connection, AuditEntry.__table__,
        [{**row, "user_id": user_id, "actor": actor, "reason": audit_reason, "at": now} for row in audit_rows],
    )
    # The session may hold these inventories from before: make it read them again.
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, (Inventory, InventoryItem)):
            db.session.expire(instance)
    return ImportResult(len(created), len(replaced), check.count("unchanged"), sum(len(c.items) for c in (*replaced, *created)))


def import_workbook(project: Project, data: bytes | IO[bytes], filename: str = "", reason: str = "") -> tuple[ImportCheck, ImportResult]:
    """Check the workbook, then import it (all or nothing). Raises InventoryImportRejected."""
    check = check_workbook(project, data, filename)
    return check, apply_import(project, check, reason)


def _header(case: CaseImport) -> dict[str, Any]:
    """The header to store: the file's, or (for a case given only lines) the one recorded."""
    header = case.header if case.header is not None else case.existing_header
    assert header is not None
    return {name: header[name] for name in service.HEADER_FIELDS}


def _codes(cases: Sequence[CaseImport], limit: int = 5) -> str:
    codes = [case.code for case in cases]
    return ", ".join(codes[:limit]) + (f"… (+{len(codes) - limit})" if len(codes) > limit else "")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _audit_row(action: str, case: CaseImport, project: Project, header: dict[str, Any], changes: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        "action": action,
        "entity": "inventory",
        "entity_id": case.existing_id,
        "label": f"Biên bản kiểm đếm {header['recorded_on']:%d/%m/%Y}",
        "project_id": project.id,
        "case_id": case.case_id,
        "changes": changes,
    }


# --- the template ---------------------------------------------------------------------------------


def inventory_template(project: Project) -> bytes:
    """An empty workbook for the officers to fill in: the two sheets with their headers, the
    project's case codes (and who each is) in “Hộ”, and a guide with the accepted values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCEFE6")

    def headed(sheet: Any, columns: Sequence[Column], widths: dict[str, int]) -> None:
        sheet.append([column.header for column in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(index)].width = widths.get(column.header, 14)
        sheet.freeze_panes = "B2"

    items = workbook.active
    items.title = ITEMS_SHEET
    headed(items, ITEM_COLUMNS, {"Mô tả": 30, "Tuyến phố": 18, "Cấp nhà": 26, "Loài cây": 18, "Kích thước": 20,
                                 "Căn cứ đơn giá": 34, "Chất lượng còn lại (%)": 16})
    households = workbook.create_sheet(HOUSEHOLDS_SHEET)
    headed(households, HOUSEHOLD_COLUMNS, {"Chủ hộ, tổ chức": 30, "Người ký": 34, "Khu tái định cư": 24, "Căn cứ khấu trừ": 34})
    rows = db.session.execute(
        sa.select(Case.code, Party.name).join(Party, Party.id == Case.party_id).where(Case.project_id == project.id).order_by(Case.code)
    )
    for code, name in rows:
        households.append([code, name])
        for cell in households[households.max_row][:2]:
            cell.data_type = "s"  # text stays text: a name starting with "=" is not a formula
    day_column = next(i for i, c in enumerate(HOUSEHOLD_COLUMNS, start=1) if c.field == "recorded_on")
    for row in range(2, households.max_row + 200):
        households.cell(row=row, column=day_column).number_format = "DD/MM/YYYY"

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 100
    guide.append(["Loại (cột “Loại”)", "Ghi gì"])
    for kind, text in (
        ("Đất", "Tờ bản đồ, số thửa (thửa của hồ sơ); tuyến phố, đoạn, loại đất (ODT, TMD…), vị trí 1–4; số lượng = diện tích thu hồi, m² (để trống: lấy diện tích thu hồi của thửa)."),
        ("Nhà, công trình", "Cấp nhà hoặc loại công trình (theo bộ đơn giá), số tầng; số lượng = diện tích sàn, m²; chất lượng còn lại, %."),
        ("Cây trồng", "Loài cây, kích thước (theo bộ đơn giá); số lượng = số cây."),
        ("Mộ", "Số lượng = số ngôi mộ."),
        ("Tài sản khác", "Mô tả, số lượng, đơn vị; đơn giá và căn cứ (chứng thư thẩm định giá…) nếu có."),
    ):
        guide.append([kind, text])
    guide.append([])
    for line in (
        "Trang “Hộ”: mỗi hồ sơ một dòng. Ngày ghi dd/mm/yyyy; “Có” hoặc “Không” ở các cột di chuyển chỗ ở, bàn giao sớm; "
        "số tháng để trống là 0; tổ chức ghi số nhân khẩu 0. Dòng chỉ có mã hồ sơ được bỏ qua.",
        "Mỗi hồ sơ có trong tệp được thay toàn bộ biên bản kiểm đếm bằng nội dung của tệp. Thay biên bản đã có cần ghi lý do.",
        "Tệp có lỗi thì không dòng nào được nhập; danh sách lỗi ghi rõ trang, dòng, cột.",
    ):
        guide.append(["", line])
    for cell in guide[1]:
        cell.font, cell.fill = bold, fill
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    # Drop-down lists; the kind list lives on the guide sheet ("Nhà, công trình" has a comma).
    kinds = DataValidation(type="list", formula1=f"='{GUIDE_SHEET}'!$A$2:$A$6", allow_blank=True)
    positions = DataValidation(type="list", formula1='"1,2,3,4"', allow_blank=True)
    items.add_data_validation(kinds)
    items.add_data_validation(positions)
    def letter(columns: Sequence[Column], name: str) -> str:
        return get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.field == name))

    kinds.add(f"{letter(ITEM_COLUMNS, 'kind')}2:{letter(ITEM_COLUMNS, 'kind')}20000")
    positions.add(f"{letter(ITEM_COLUMNS, 'land_position')}2:{letter(ITEM_COLUMNS, 'land_position')}20000")
    yes_no = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
    households.add_data_validation(yes_no)
    for name in ("relocates", "early_handover"):
        yes_no.add(f"{letter(HOUSEHOLD_COLUMNS, name)}2:{letter(HOUSEHOLD_COLUMNS, name)}5000")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
