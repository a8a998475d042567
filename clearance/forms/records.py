"""Forms for the case records: projects, legal documents, parcels, parties, cases, holdings."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from clearance.forms.base import Form
from clearance.forms.fields import (
    AreaField,
    MoneyField,
    PolygonField,
    ShareField,
    VNDateField,
    strip_filter,
    validate_with,
)
from clearance.validation import cccd_problem, phone_problem

REQUIRED = _l("Trường này bắt buộc.")
F = [strip_filter]


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"), filters=F, validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class ProjectForm(Form):
    code = StringField(
        _l("Mã dự án"),
        filters=F,
        validators=[
            DataRequired(REQUIRED),
            Length(max=30),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Chỉ dùng chữ không dấu, số, '-' và '_'.")),
        ],
    )
    name = StringField(_l("Tên dự án"), filters=F, validators=[DataRequired(REQUIRED), Length(max=300)])
    investor = StringField(_l("Chủ đầu tư"), filters=F, validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField(_l("Mô tả"), filters=F)
    status = SelectField(_l("Trạng thái"))
    unit_ids = SelectMultipleField(
        _l("Đơn vị hành chính"), coerce=int, validators=[DataRequired(_l("Chọn ít nhất một phường/xã."))]
    )
    approved_budget = MoneyField(_l("Kinh phí bồi thường được duyệt (đồng)"), validators=[Optional()])
    notice_date = VNDateField(_l("Ngày thông báo thu hồi"), validators=[Optional()])
    plan_approved_date = VNDateField(_l("Ngày duyệt phương án"), validators=[Optional()])
    recovery_decision_date = VNDateField(_l("Ngày quyết định thu hồi"), validators=[Optional()])
    handover_deadline = VNDateField(_l("Hạn bàn giao mặt bằng"), validators=[Optional()])
    boundary = PolygonField(
        _l("Ranh giới thu hồi (GeoJSON, WGS84)"), validators=[Optional()], render_kw={"rows": 4}
    )


class LegalDocumentForm(Form):
    number = StringField(_l("Số, ký hiệu"), filters=F, validators=[DataRequired(REQUIRED), Length(max=60)])
    issued_on = VNDateField(_l("Ngày ban hành"), validators=[InputRequired(REQUIRED)])
    issuer = StringField(_l("Cơ quan ban hành"), filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    summary = TextAreaField(_l("Trích yếu"), filters=F, validators=[DataRequired(REQUIRED)])


class ParcelForm(Form):
    map_sheet = StringField(_l("Tờ bản đồ số"), filters=F, validators=[DataRequired(REQUIRED), Length(max=20)])
    parcel_no = StringField(_l("Số thửa"), filters=F, validators=[DataRequired(REQUIRED), Length(max=20)])
    address = StringField(_l("Địa chỉ"), filters=F, validators=[Length(max=300)])
    former_address = StringField(_l("Địa chỉ cũ (trước 01/7/2025)"), filters=F, validators=[Length(max=300)])
    land_use_code = StringField(_l("Mục đích sử dụng (mã)"), filters=F, validators=[Length(max=20)])
    legal_area = AreaField(_l("Diện tích pháp lý (m²)"), validators=[Optional()])
    measured_area = AreaField(_l("Diện tích đo đạc (m²)"), validators=[Optional()])
    geom = PolygonField(_l("Hình thửa (GeoJSON, WGS84)"), validators=[Optional()], render_kw={"rows": 4})


class PartyForm(Form):
    kind = SelectField(_l("Loại"))
    name = StringField(_l("Họ tên chủ hộ / tên tổ chức"), filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    id_number = StringField(
        _l("Số CCCD (12 số)"), filters=F, validators=[Optional(), validate_with(cccd_problem)]
    )
    tax_code = StringField(_l("Mã số thuế (tổ chức)"), filters=F, validators=[Optional(), Length(max=14)])
    phone = StringField(_l("Điện thoại"), filters=F, validators=[Optional(), validate_with(phone_problem)])
    address = StringField(_l("Địa chỉ"), filters=F, validators=[Length(max=300)])
    former_address = StringField(_l("Địa chỉ cũ (trước 01/7/2025)"), filters=F, validators=[Length(max=300)])
    members = IntegerField(
        _l("Số nhân khẩu"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=99, message=_l("Từ 0 đến 99 người."))],
    )
    unit_id = SelectField(_l("Phường/xã quản lý"), coerce=int)
    is_poor = BooleanField(_l("Hộ nghèo"))
    is_policy_family = BooleanField(_l("Gia đình chính sách"))
    is_elderly_alone = BooleanField(_l("Người cao tuổi sống một mình"))
    has_disabled_member = BooleanField(_l("Có người khuyết tật"))


class CaseForm(Form):
    code = StringField(_l("Số hồ sơ"), filters=F, validators=[DataRequired(REQUIRED), Length(max=30)])
    party_id = SelectField(_l("Hộ / tổ chức"), coerce=int)
    status = SelectField(_l("Trạng thái"))
    notes = TextAreaField(_l("Ghi chú"), filters=F)
    version = HiddenField()


class HoldingForm(Form):
    parcel_id = SelectField(_l("Thửa đất"), coerce=int)
    tenure = SelectField(_l("Quan hệ với thửa"))
    share = ShareField(_l("Phần quyền (%)"), default=Decimal(100), validators=[InputRequired(REQUIRED)])
