"""Forms of the balance of interests on the case page: a new offer version, a payment (or the
reversal of one), and a team lead's dispute status."""

from __future__ import annotations

import re
from uuid import uuid4

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from clearance.forms.base import Form
from clearance.forms.fields import MAX_MONEY, MoneyField, VNDateField

F = [lambda value: value.strip().replace("\x00", "") if isinstance(value, str) else value]
REQUIRED = _l("Trường này bắt buộc.")


class SignedMoneyField(MoneyField):
    """Whole đồng, with a leading minus for a reversal: '-150.000.000' or '−150.000.000'."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip().removesuffix("đ").strip()
        negative = raw[:1] in ("-", "−")
        compact = re.sub(r"[.\s]", "", raw[1:] if negative else raw)
        if not compact.isdigit():
            raise ValueError(_l("Số tiền phải là số nguyên đồng, ví dụ 4.210.000.000 (hoàn lại: -4.210.000.000)."))
        if int(compact) > MAX_MONEY:
            raise ValueError(_l("Số tiền quá lớn."))
        self.data = -int(compact) if negative else int(compact)

    def _value(self) -> str:
        if self.data is None:
            return self.raw_data[0] if self.raw_data else ""
        from clearance.formatting import group_thousands

        return group_thousands(str(self.data))


def new_submission_key() -> str:
    """A one-time key per form shown: the same form sent twice records once."""
    return str(uuid4())


class OfferForm(Form):
    submission_key = HiddenField(default=new_submission_key, validators=[Optional(), Length(max=36)])
    amount = MoneyField(
        _l("Giá trị bồi thường, hỗ trợ (đồng)"), validators=[InputRequired(REQUIRED)],
        render_kw={"inputmode": "numeric", "placeholder": "4.210.000.000"},
    )
    offered_on = VNDateField(_l("Ngày đề nghị"), validators=[InputRequired(REQUIRED)])
    basis = TextAreaField(
        _l("Căn cứ, điều gì thay đổi"), filters=F, validators=[InputRequired(REQUIRED), Length(max=4000)],
        render_kw={"rows": 2},
    )


class PaymentForm(Form):
    submission_key = HiddenField(default=new_submission_key, validators=[Optional(), Length(max=36)])
    amount = SignedMoneyField(
        _l("Số tiền (đồng)"), validators=[InputRequired(REQUIRED)], render_kw={"placeholder": "4.210.000.000"},
    )
    paid_on = VNDateField(_l("Ngày chi trả"), validators=[InputRequired(REQUIRED)])
    document = StringField(_l("Số chứng từ"), filters=F, validators=[Optional(), Length(max=100)])
    note = TextAreaField(_l("Ghi chú, lý do hoàn lại"), filters=F, validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})


class DisputeForm(Form):
    #: Empty: hand the case back to the status derived from its record.
    status = SelectField(_l("Tình trạng vướng mắc"), validators=[Optional()])
    reason = TextAreaField(_l("Lý do"), filters=F, validators=[InputRequired(REQUIRED), Length(max=4000)], render_kw={"rows": 2})
