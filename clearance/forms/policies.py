"""Forms of the policy sets: a set's fields and parameters, a rate, a new version, an Excel upload."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from clearance.forms.base import Form
from clearance.forms.fields import VNDateField, parse_decimal, strip_filter

REQUIRED = _l("Trường này bắt buộc.")
F = [strip_filter]
CODE_RULE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", message=_l("Chỉ dùng chữ không dấu, số, “.”, “-” và “_”, ví dụ HN-2026."))


class NumberField(StringField):
    """A number typed the Vietnamese way: '296.601.000', '2.500.000 đ', '1,5', '0,03' or '5'.

    Dots followed by groups of three digits separate thousands; a comma (or a lone dot) marks the
    decimals. ``data`` is a Decimal (never a float)."""

    def __init__(self, *args: Any, places: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = places

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip().removesuffix("đ").removesuffix("%").strip().replace(" ", "")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", raw):
            raw = raw.replace(".", "").replace(",", ".")
        try:
            value = parse_decimal(raw)
        except ValueError:
            raise ValueError(_l("Phải là số, ví dụ 2.500.000 hoặc 1,5.")) from None
        if value.as_tuple().exponent < -self.places:  # type: ignore[operator]
            raise ValueError(_l("Chỉ ghi tới %(n)s chữ số thập phân.", n=self.places))
        self.data = value

    def _value(self) -> str:
        if self.data is None:
            return self.raw_data[0] if self.raw_data else ""
        from clearance.formatting import group_thousands

        value = Decimal(self.data).normalize()
        whole, _, fraction = f"{value:f}".partition(".")
        text = group_thousands(whole)
        return f"{text},{fraction}" if fraction else text


def rounding_choices() -> list[tuple[str, str]]:
    from clearance.services.policies import rounding_mode_label

    return [(mode, rounding_mode_label(mode)) for mode in ("half_up", "down", "up")]


class PolicySetForm(Form):
    """Bộ chính sách: its identity, validity and the parameters of the calculation."""

    version = HiddenField()
    province_id = SelectField(_l("Tỉnh/thành phố"), coerce=int, validators=[InputRequired(REQUIRED)])
    unit_id = SelectField(_l("Phường/xã áp dụng"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                          validators=[Optional()])
    code = StringField(_l("Mã bộ chính sách"), filters=F, validators=[DataRequired(REQUIRED), Length(max=40), CODE_RULE],
                       render_kw={"placeholder": "HN-2026", "autocomplete": "off"})
    name = StringField(_l("Tên"), filters=F, validators=[DataRequired(REQUIRED), Length(max=300)])
    legal_basis = TextAreaField(_l("Căn cứ pháp lý"), filters=F, validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 5})
    valid_from = VNDateField(_l("Áp dụng từ ngày"), validators=[InputRequired(REQUIRED)])
    valid_to = VNDateField(_l("Áp dụng đến ngày"), validators=[Optional()])
    land_coefficient = NumberField(_l("Hệ số điều chỉnh giá đất (K)"), places=4, validators=[InputRequired(REQUIRED)],
                                   default=Decimal(1), render_kw={"inputmode": "decimal"})
    rounding_step = IntegerField(_l("Làm tròn đến (đồng)"), default=1000,
                                 validators=[InputRequired(REQUIRED), NumberRange(min=1, max=1_000_000_000)],
                                 render_kw={"inputmode": "numeric"})
    rounding_mode = SelectField(_l("Cách làm tròn"), default="half_up")
    payment_days = IntegerField(_l("Hạn chi trả (ngày kể từ ngày phê duyệt)"), default=30,
                                validators=[InputRequired(REQUIRED), NumberRange(min=1, max=3650)],
                                render_kw={"inputmode": "numeric"})
    late_payment_rate = NumberField(_l("Tiền chậm chi trả (%/ngày)"), places=4, default=Decimal("0.03"),
                                    validators=[InputRequired(REQUIRED)], render_kw={"inputmode": "decimal"})
    is_demo = BooleanField(_l("Dữ liệu mẫu (không dùng để lập phương án thật)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rounding_mode.choices = rounding_choices()


class RateForm(Form):
    """Một đơn giá: the template shows the fields of its category only."""

    item = StringField(_l("Tên"), filters=F, validators=[Optional(), Length(max=160)])
    support_item = SelectField(_l("Khoản hỗ trợ"), validators=[Optional()])
    segment = StringField(_l("Đoạn (để trống: toàn tuyến)"), filters=F, validators=[Optional(), Length(max=160)])
    land_type = StringField(_l("Loại đất (mã)"), filters=F, validators=[Optional(), Length(max=20)],
                            render_kw={"placeholder": "ODT", "autocapitalize": "characters"})
    position = SelectField(_l("Vị trí"), validators=[Optional()])
    size = StringField(_l("Kích thước, quy cách"), filters=F, validators=[Optional(), Length(max=80)])
    unit = StringField(_l("Đơn vị tính"), filters=F, validators=[DataRequired(REQUIRED), Length(max=30)],
                       render_kw={"placeholder": "m²"})
    unit_price = NumberField(_l("Đơn giá (đồng)"), validators=[InputRequired(REQUIRED)],
                             render_kw={"inputmode": "decimal", "placeholder": "2.500.000"})
    cap = NumberField(_l("Mức tối đa (đồng)"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    basis_document = StringField(_l("Văn bản căn cứ"), filters=F, validators=[DataRequired(REQUIRED), Length(max=160)],
                                 render_kw={"placeholder": "Quyết định 10/2026/QĐ-UBND"})
    basis_article = StringField(_l("Điều"), filters=F, validators=[Optional(), Length(max=40)])
    basis_clause = StringField(_l("Khoản"), filters=F, validators=[Optional(), Length(max=40)])
    note = StringField(_l("Ghi chú"), filters=F, validators=[Optional(), Length(max=300)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Assigned, not declared: WTForms 3.3 warns about tuple choices given to the constructor.
        self.position.choices = [(str(n), f"VT{n}") for n in range(1, 5)]


class CopyForm(Form):
    """Sao chép thành phiên bản mới."""

    code = StringField(_l("Mã bộ chính sách mới"), filters=F, validators=[DataRequired(REQUIRED), Length(max=40), CODE_RULE])
    name = StringField(_l("Tên"), filters=F, validators=[DataRequired(REQUIRED), Length(max=300)])
    valid_from = VNDateField(_l("Áp dụng từ ngày"), validators=[InputRequired(REQUIRED)])


class ImportForm(Form):
    """Nhập bộ chính sách từ file Excel."""

    file = FileField(_l("File Excel (.xlsx)"), validators=[
        FileRequired(_l("Chọn một file.")), FileAllowed(["xlsx"], _l("Chỉ nhận file Excel .xlsx.")),
    ], render_kw={"accept": ".xlsx"})
    province_id = SelectField(_l("Tỉnh/thành phố"), coerce=int, validators=[InputRequired(REQUIRED)])
    code = StringField(_l("Mã bộ chính sách mới (để trống: theo file)"), filters=F,
                       validators=[Optional(), Length(max=40), CODE_RULE])
    name = StringField(_l("Tên (để trống: theo file)"), filters=F, validators=[Optional(), Length(max=300)])


class ConfirmForm(Form):
    """A form with only its CSRF token: removing a rate."""
