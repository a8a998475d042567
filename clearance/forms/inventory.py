"""The inventory form (biên bản kiểm đếm): the record's header as WTForms fields, its lines as
rows read from the posted form by name, and the upload form of the Excel import.

The lines have as many rows as the officer adds, so ``ItemRows`` reads them from the posted form
(``items-<n>-<field>``), keeps every typed text (a refused save must lose nothing), parses the
numbers, and numbers the lines kept (blank rows and rows ticked for removal are left out) the way
the service numbers them, so that a problem the service names by line lands on its row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import TextInput

from clearance.forms.base import Form
from clearance.forms.fields import AreaField, MoneyField, VNDateField, strip_filter
from clearance.services.inventory import ITEM_FIELDS, Problem, parse_number
from clearance.workflow.statuses import AssetKind

F = [strip_filter]
REQUIRED = _l("Trường này bắt buộc.")

#: Blank rows after the typed ones (the form without JS takes that many more lines per save).
BLANK_ROWS = 3
#: No inventory has more lines than this in one form; a larger row index is ignored.
MAX_ROWS = 500

#: How each line field is read from its text.
_NUMBERS = {"quantity": "decimal", "quality_pct": "decimal", "unit_price": "decimal", "floors": "int", "land_position": "position", "parcel_id": "id"}


class InventoryForm(Form):
    """The header of the record: when, who signed, the household's facts for the support items."""

    recorded_on = VNDateField(_l("Ngày kiểm đếm"), validators=[InputRequired(REQUIRED)])
    signed_by = TextAreaField(
        _l("Những người ký biên bản"), filters=F, validators=[Optional(), Length(max=500)], render_kw={"rows": 2},
    )
    persons = IntegerField(
        _l("Số nhân khẩu được hỗ trợ"), validators=[InputRequired(REQUIRED)], widget=TextInput(), render_kw={"inputmode": "numeric"},
    )
    relocates = BooleanField(_l("Phải di chuyển chỗ ở"))
    life_support_months = IntegerField(
        _l("Số tháng hỗ trợ ổn định đời sống"), validators=[Optional()], widget=TextInput(), render_kw={"inputmode": "numeric"},
    )
    rent_months = IntegerField(
        _l("Số tháng hỗ trợ thuê nhà"), validators=[Optional()], widget=TextInput(), render_kw={"inputmode": "numeric"},
    )
    early_handover = BooleanField(_l("Được thưởng bàn giao mặt bằng sớm"))
    resettlement_site = StringField(_l("Khu tái định cư"), filters=F, validators=[Optional(), Length(max=160)])
    resettlement_area = AreaField(_l("Diện tích lô tái định cư (m²)"), validators=[Optional()])
    land_debt = MoneyField(_l("Nghĩa vụ tài chính về đất chưa nộp (đồng)"), validators=[Optional()])
    land_debt_basis = StringField(_l("Căn cứ khấu trừ"), filters=F, validators=[Optional(), Length(max=300)])
    notes = TextAreaField(_l("Ghi chú"), filters=F, validators=[Optional(), Length(max=20000)], render_kw={"rows": 2})
    reason = TextAreaField(_l("Lý do sửa biên bản"), filters=F, validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})
    version = HiddenField()

    def header(self) -> dict[str, Any]:
        """The header values for ``services.inventory.save_inventory``."""
        return {
            name: getattr(self, name).data
            for name in (
                "recorded_on", "signed_by", "persons", "relocates", "life_support_months", "rent_months", "early_handover",
                "resettlement_site", "resettlement_area", "land_debt", "land_debt_basis", "notes",
            )
        }


class InventoryImportForm(Form):
    file = FileField(
        _l("Tệp Excel kiểm đếm (.xlsx)"),
        validators=[FileRequired(_l("Chọn tệp Excel (.xlsx).")), FileAllowed(["xlsx"], _l("Chỉ nhận tệp Excel .xlsx."))],
        render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    reason = TextAreaField(
        _l("Lý do (bắt buộc khi tệp thay biên bản kiểm đếm đã có)"), filters=F,
        validators=[Optional(), Length(max=2000)], render_kw={"rows": 2},
    )
    check_only = BooleanField(_l("Chỉ kiểm tra, chưa ghi"))


# --- the lines --------------------------------------------------------------------------------


@dataclass
class ItemRow:
    """One line as typed: its texts by field, whether it is to be removed, its parsed values, the
    problems shown under each field, and its line number once kept."""

    index: int
    texts: dict[str, str] = field(default_factory=dict)
    remove: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    line: int | None = None

    @property
    def kind(self) -> str:
        return self.texts.get("kind", "")

    @property
    def is_blank(self) -> bool:
        return not any(self.texts.get(name) for name in ITEM_FIELDS)

    def text(self, name: str) -> str:
        return self.texts.get(name, "")

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms]


@dataclass
class ItemRows:
    rows: list[ItemRow] = field(default_factory=list)

    @classmethod
    def from_formdata(cls, data: MultiDict[str, Any]) -> ItemRows:
        """Read the posted rows; number the kept ones 1..n and parse their numbers, each problem
        kept by row and field."""
        pattern = re.compile(r"^items-(\d{1,4})-(\w+)$")
        found: dict[int, ItemRow] = {}
        for key in data.keys():
            match = pattern.match(key)
            if not match or int(match.group(1)) >= MAX_ROWS:
                continue
            index, name = int(match.group(1)), match.group(2)
            row = found.setdefault(index, ItemRow(index))
            value = strip_filter(data.get(key, ""))
            if name == "remove":
                row.remove = bool(value)
            elif name in ITEM_FIELDS:
                row.texts[name] = value if isinstance(value, str) else ""
        rows = cls([found[i] for i in sorted(found)])
        for number, row in enumerate(rows.kept, start=1):
            row.line = number
            _parse(row)
        return rows

    @classmethod
    def from_items(cls, items: list[Any]) -> ItemRows:
        """The recorded lines, as texts the form shows and reads back."""
        rows = []
        for index, item in enumerate(items):
            texts = {
                "kind": item.kind.value if isinstance(item.kind, AssetKind) else str(item.kind),
                "description": item.description, "parcel_id": str(item.parcel_id or ""), "street": item.street,
                "segment": item.segment, "land_type": item.land_type,
                "land_position": str(item.land_position or ""), "grade": item.grade,
                "floors": str(item.floors or ""), "species": item.species, "size": item.size,
                "quantity": decimal_text(item.quantity), "unit": item.unit, "quality_pct": decimal_text(item.quality_pct),
                "unit_price": money_text(item.unit_price), "price_basis": item.price_basis,
            }
            rows.append(ItemRow(index, texts, line=index + 1))
        return cls(rows)

    @property
    def kept(self) -> list[ItemRow]:
        return [row for row in self.rows if not row.remove and not row.is_blank]

    def items(self) -> list[dict[str, Any]]:
        """The kept lines' values for the service (a number that could not be read is None: its
        row already says why)."""
        result = []
        for row in self.kept:
            values: dict[str, Any] = {name: row.text(name) for name in ITEM_FIELDS if name not in _NUMBERS}
            values.update({name: row.values.get(name) for name in _NUMBERS})
            result.append(values)
        return result

    @property
    def parse_problems(self) -> list[Problem]:
        return [Problem(row.line, name, message) for row in self.kept for name, messages in row.errors.items() for message in messages]

    def attach(self, problems: list[Problem]) -> list[Problem]:
        """Put the service's problems on their rows, skipping a field whose text could not be read
        (its row already says why); returns those not about a line."""
        by_line = {row.line: row for row in self.kept}
        rest = []
        for problem in problems:
            row = by_line.get(problem.line) if problem.line is not None else None
            if row is None:
                rest.append(problem)
            elif problem.field not in row.errors or problem.message not in row.errors[problem.field]:
                if not (problem.field in _NUMBERS and row.text(problem.field) and row.values.get(problem.field) is None):
                    row.add_error(problem.field, problem.message)
        return rest

    def padded(self, blanks: int = BLANK_ROWS) -> ItemRows:
        """The rows with blank ones after them, for more lines without JS."""
        top = max((row.index for row in self.rows), default=-1)
        return ItemRows([*self.rows, *(ItemRow(top + 1 + k) for k in range(blanks))])

    def quiet(self) -> ItemRows:
        for row in self.rows:
            row.errors = {}
        return self

    @property
    def next_index(self) -> int:
        return max((row.index for row in self.rows), default=-1) + 1


def _parse(row: ItemRow) -> None:
    for name, kind in _NUMBERS.items():
        text = row.text(name)
        if not text:
            continue
        try:
            if kind == "decimal":
                row.values[name] = parse_number(text)
            elif kind == "id":
                if not text.isdigit() or len(text) > 9:
                    raise ValueError(_("lựa chọn không hợp lệ"))
                row.values[name] = int(text)
            else:
                cleaned = text.upper().removeprefix("VT") if kind == "position" else text
                number = parse_number(cleaned)
                if number != number.to_integral_value() or abs(number) > 10**6:
                    raise ValueError(_("“%(value)s” không phải là số nguyên", value=text))
                row.values[name] = int(number)
        except ValueError as error:
            row.add_error(name, str(error))


def decimal_text(value: Decimal | None) -> str:
    """50.50 → "50,5": as typed in the form (no thousands dots, so it reads back the same)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def money_text(value: Decimal | None) -> str:
    """1500000 → "1.500.000"; cents, if any, after a comma."""
    if value is None:
        return ""
    from clearance.formatting import group_thousands

    whole, _, cents = format(value.normalize(), "f").partition(".")
    return group_thousands(whole) + ("," + cents if cents else "")
