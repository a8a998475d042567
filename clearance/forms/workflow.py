"""Forms of the procedure: moving a case to its next step."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from clearance.forms.base import Form
from clearance.forms.fields import VNDateField

F = [lambda value: value.strip().replace("\x00", "") if isinstance(value, str) else value]


class TransitionForm(Form):
    target = HiddenField(validators=[InputRequired()])
    version = HiddenField()
    occurred_on = VNDateField(_l("Ngày thực hiện"), validators=[InputRequired(_l("Trường này bắt buộc."))])
    occurred_time = StringField(
        _l("Giờ (hh:mm)"),
        filters=F,
        validators=[Optional(), Regexp(r"^([01]?\d|2[0-3]):[0-5]\d$", message=_l("Giờ ghi theo dạng hh:mm, ví dụ 08:30."))],
        render_kw={"placeholder": "hh:mm", "inputmode": "numeric"},
    )
    document = StringField(_l("Số văn bản"), filters=F, validators=[Optional(), Length(max=100)])
    note = TextAreaField(_l("Ghi chú, lý do"), filters=F, validators=[Optional(), Length(max=4000)])


class GrievanceForm(Form):
    kind = SelectField(_l("Loại đơn"), validators=[InputRequired(_l("Trường này bắt buộc."))])
    level = SelectField(_l("Lần giải quyết"), validators=[InputRequired(_l("Trường này bắt buộc."))])
    filed_on = VNDateField(_l("Ngày nhận đơn"), validators=[InputRequired(_l("Trường này bắt buộc."))])
    filed_by = StringField(_l("Người gửi đơn"), filters=F, validators=[InputRequired(_l("Trường này bắt buộc.")), Length(max=200)])
    against = StringField(_l("Khiếu nại quyết định, hành vi"), filters=F, validators=[Optional(), Length(max=300)])
    content = TextAreaField(_l("Nội dung"), filters=F, validators=[InputRequired(_l("Trường này bắt buộc.")), Length(max=10000)])
    deadline = VNDateField(_l("Hạn giải quyết"), validators=[Optional()])


class GrievanceCloseForm(Form):
    status = SelectField(_l("Kết quả"), validators=[InputRequired(_l("Trường này bắt buộc."))])
    resolved_on = VNDateField(_l("Ngày"), validators=[InputRequired(_l("Trường này bắt buộc."))])
    resolution = TextAreaField(_l("Nội dung giải quyết"), filters=F, validators=[Optional(), Length(max=10000)])
