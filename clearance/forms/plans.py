"""Forms of the plan pages: recalculate, take a step, adjust by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from clearance.forms.balance import REQUIRED, F, SignedMoneyField
from clearance.forms.base import Form
from clearance.forms.fields import VNDateField

ADJUSTMENT_CATEGORIES = [
    SelectChoice("land", _l("Bồi thường về đất")),
    SelectChoice("assets", _l("Bồi thường tài sản")),
    SelectChoice("support", _l("Hỗ trợ")),
    SelectChoice("resettlement", _l("Tái định cư")),
    SelectChoice("deduction", _l("Khấu trừ")),
]


class RecalculateForm(Form):
    reason = StringField(
        _l("Lý do tính lại"), filters=F, validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": _l("Ví dụ: bổ sung kiểm đếm công trình phụ")},
    )


class PlanStepForm(Form):
    action = HiddenField(validators=[InputRequired(REQUIRED), Length(max=20)])
    approval_decision = StringField(_l("Số quyết định phê duyệt"), filters=F, validators=[Optional(), Length(max=120)])
    approved_on = VNDateField(_l("Ngày quyết định có hiệu lực"), validators=[Optional()])


class AdjustmentForm(Form):
    category = SelectField(_l("Nhóm khoản"), choices=ADJUSTMENT_CATEGORIES, validators=[InputRequired(REQUIRED)])
    amount = SignedMoneyField(
        _l("Số tiền điều chỉnh (đồng, âm để giảm)"), validators=[InputRequired(REQUIRED)],
        render_kw={"placeholder": "-12.000.000"},
    )
    reason = TextAreaField(_l("Lý do"), filters=F, validators=[InputRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 2})


class WithdrawAdjustmentForm(Form):
    reason = StringField(_l("Lý do bỏ điều chỉnh"), filters=F, validators=[InputRequired(REQUIRED), Length(max=2000)])
