"""Fields shared by the forms: money in đồng, areas, dates dd/mm/yyyy, GeoJSON polygons."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from shapely.geometry import mapping
from wtforms import DateField, Field, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from geodata.errors import GeometryError
from geodata.geometry import parse_polygon

#: The largest amount a form accepts: 2^53 − 1 đồng, exact in every JSON client too.
MAX_MONEY = 2**53 - 1


class MoneyField(StringField):
    """Whole đồng; accepts '4.210.000.000', '4 210 000 000' or '4210000000'."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip().removesuffix("đ").strip()
        compact = re.sub(r"[.\s]", "", raw)
        if not compact.isdigit():
            self.data = None
            raise ValueError(_l("Số tiền phải là số nguyên đồng, ví dụ 4.210.000.000."))
        if int(compact) > MAX_MONEY:
            raise ValueError(_l("Số tiền quá lớn."))
        self.data = int(compact)

    def _value(self) -> str:
        if self.data is None:
            return self.raw_data[0] if self.raw_data else ""
        from clearance.formatting import group_thousands

        return group_thousands(str(self.data))


def parse_decimal(raw: str) -> Decimal:
    """'1.234,5' or '1234.5' → Decimal; raises ValueError for anything that is not a finite number."""
    raw = raw.strip().replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


class _DecimalTextField(StringField):
    """A decimal typed the Vietnamese way (comma or dot), at most two decimals; subclasses say
    what the number means (its messages and its range) and how it is shown back."""

    not_a_number: Any = None
    too_precise: Any = None

    def clean(self, raw: str) -> str:
        return raw

    def check(self, value: Decimal) -> None:
        """Raise ValueError with the user's message when ``value`` is out of range."""

    def show(self, value: Decimal) -> str:
        raise NotImplementedError

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            value = parse_decimal(self.clean(valuelist[0].strip()))
        except ValueError:
            raise ValueError(self.not_a_number) from None
        self.check(value)
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(self.too_precise)
        self.data = value

    def _value(self) -> str:
        if self.data is None:
            return self.raw_data[0] if self.raw_data else ""
        return self.show(self.data)


class AreaField(_DecimalTextField):
    """m² with up to two decimals."""

    #: The columns are NUMERIC(14, 2); larger than any parcel anyway (Vietnam is 3.3·10¹¹ m²).
    MAXIMUM = Decimal("999999999999.99")
    not_a_number = _l("Diện tích phải là số (m²), ví dụ 125,5.")
    too_precise = _l("Diện tích chỉ ghi tới 2 chữ số thập phân.")

    def check(self, value: Decimal) -> None:
        if value < 0:
            raise ValueError(_l("Diện tích không được âm."))
        if value > self.MAXIMUM:
            raise ValueError(_l("Diện tích quá lớn."))

    def show(self, value: Decimal) -> str:
        return f"{value:.2f}".replace(".", ",")


class ShareField(_DecimalTextField):
    """Phần quyền: a per cent above 0 and at most 100 ("50", "33,5%")."""

    not_a_number = _l("Phần quyền là một số phần trăm, ví dụ 50 hoặc 33,33.")
    too_precise = _l("Phần quyền chỉ ghi tới 2 chữ số thập phân.")

    def clean(self, raw: str) -> str:
        return raw.removesuffix("%")

    def check(self, value: Decimal) -> None:
        if not Decimal(0) < value <= Decimal(100):
            raise ValueError(_l("Phần quyền phải lớn hơn 0 và không quá 100%."))

    def show(self, value: Decimal) -> str:
        from clearance.formatting import percent

        return percent(value)


class VNDateField(DateField):
    """A date typed as dd/mm/yyyy; yyyy-mm-dd is accepted too (API clients, pasted values).

    A text input, not type="date": the browser's date input holds only yyyy-mm-dd and would show
    a stored dd/mm/yyyy value as empty.
    """

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%d/%m/%Y", "%Y-%m-%d"])
        super().__init__(*args, **kwargs)
        self.render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                          **(self.render_kw or {})}

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Ngày không hợp lệ: ghi theo dạng dd/mm/yyyy.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""


class PolygonField(TextAreaField):
    """GeoJSON Polygon/MultiPolygon in WGS84; ``data`` is a shapely MultiPolygon or None."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_polygon(valuelist[0])
        except GeometryError as exc:
            raise ValueError(_l("Hình học: %(reason)s", reason=str(exc))) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return json.dumps(mapping(self.data))


def strip_filter(value: Any) -> Any:
    """Surrounding spaces off, NUL characters out (PostgreSQL refuses them in text)."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def validate_with(problem_fn: Any) -> Any:
    """A WTForms validator from a pure ``problem(value) -> message | None`` function."""

    def _validator(_form: Any, field: Field) -> None:
        if field.data:
            problem = problem_fn(field.data)
            if problem:
                raise ValidationError(problem)

    return _validator
