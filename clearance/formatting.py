"""Vietnamese display formats: dd/mm/yyyy dates, đồng with dot separators, m² with comma decimals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from clearance.workflow.statuses import LABELS, label

#: How record fields are named in the change history.
FIELD_LABELS = {
    "code": _l("Mã"), "name": _l("Tên"), "investor": _l("Chủ đầu tư"), "description": _l("Mô tả"),
    "status": _l("Trạng thái"), "approved_budget": _l("Kinh phí được duyệt"),
    "notice_date": _l("Ngày thông báo thu hồi"), "plan_approved_date": _l("Ngày duyệt phương án"),
    "recovery_decision_date": _l("Ngày quyết định thu hồi"), "handover_deadline": _l("Hạn bàn giao"),
    "boundary": _l("Ranh giới thu hồi"), "units": _l("Đơn vị hành chính"), "created_at": _l("Ngày tạo"),
    "updated_at": _l("Ngày sửa"), "id": _l("Mã số"),
    "map_sheet": _l("Tờ bản đồ"), "parcel_no": _l("Số thửa"), "address": _l("Địa chỉ"),
    "former_address": _l("Địa chỉ cũ"), "land_use_code": _l("Mục đích sử dụng"),
    "legal_area": _l("Diện tích pháp lý"), "measured_area": _l("Diện tích đo đạc"),
    "recovered_area": _l("Diện tích thu hồi"), "ward_id": _l("Phường/xã (2025)"), "geom": _l("Hình thửa"),
    "kind": _l("Loại"), "id_number": _l("Số CCCD"), "tax_code": _l("Mã số thuế"), "phone": _l("Điện thoại"),
    "members": _l("Số nhân khẩu"), "is_poor": _l("Hộ nghèo"), "is_policy_family": _l("Gia đình chính sách"),
    "is_elderly_alone": _l("Người cao tuổi sống một mình"), "has_disabled_member": _l("Có người khuyết tật"),
    "unit_id": _l("Phường/xã quản lý"), "party_id": _l("Hộ/tổ chức"), "notes": _l("Ghi chú"),
    "version": _l("Phiên bản"), "case_id": _l("Hồ sơ"), "parcel_id": _l("Thửa đất"),
    "tenure": _l("Quan hệ với thửa"), "share": _l("Phần quyền (%)"), "project_id": _l("Dự án"),
    "number": _l("Số, ký hiệu"), "issued_on": _l("Ngày ban hành"), "issuer": _l("Cơ quan ban hành"),
    "summary": _l("Trích yếu"),
    "inventory_id": _l("Biên bản"), "line_no": _l("Dòng"), "street": _l("Tuyến phố"), "segment": _l("Đoạn"),
    "land_type": _l("Loại đất"), "land_position": _l("Vị trí"), "grade": _l("Cấp nhà"), "floors": _l("Số tầng"),
    "species": _l("Loài cây"), "size": _l("Kích thước"), "quantity": _l("Số lượng"), "unit": _l("Đơn vị"),
    "quality_pct": _l("Chất lượng còn lại"), "unit_price": _l("Đơn giá"), "price_basis": _l("Căn cứ đơn giá"),
    "recorded_on": _l("Ngày kiểm đếm"), "signed_by": _l("Người ký"), "persons": _l("Số nhân khẩu"),
    "relocates": _l("Di chuyển chỗ ở"), "life_support_months": _l("Số tháng hỗ trợ ổn định đời sống"),
    "rent_months": _l("Số tháng hỗ trợ thuê nhà"), "early_handover": _l("Bàn giao sớm"),
    "resettlement_site": _l("Khu tái định cư"), "resettlement_area": _l("Diện tích lô TĐC"),
    "land_debt": _l("Nghĩa vụ tài chính chưa nộp"), "land_debt_basis": _l("Căn cứ khấu trừ"),
    "items": _l("Các dòng kiểm đếm"), "amount": _l("Thành tiền"), "basis": _l("Căn cứ"), "missing": _l("Thiếu căn cứ"),
    "coefficient": _l("Hệ số"), "detail": _l("Diễn giải"),
    "policy.land_coefficient": _l("Hệ số điều chỉnh giá đất (K)"), "policy.rounding_step": _l("Làm tròn đến (đồng)"),
    "policy.rounding_mode": _l("Cách làm tròn"), "policy.code": _l("Bộ chính sách"), "policy.name": _l("Tên bộ chính sách"),
    "policy.legal_basis": _l("Căn cứ của bộ chính sách"), "policy.payment_days": _l("Thời hạn chi trả (ngày)"),
    "policy.late_payment_rate": _l("Tỷ lệ tiền chậm chi trả (%/ngày)"),
    "net_amount": _l("Tổng số tiền được nhận"), "missing_basis": _l("Dòng thiếu căn cứ"),
    "approval_decision": _l("Quyết định phê duyệt"), "approved_on": _l("Ngày phê duyệt"),
}

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def group_thousands(digits: str) -> str:
    """'1234567' → '1.234.567'."""
    sign = "-" if digits.startswith("-") else ""
    digits = digits.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + ".".join(groups)


def money(amount: int | Decimal | None, unit: str = " đ") -> str:
    """Whole đồng with dot separators: 4210000000 → '4.210.000.000 đ'. None → '—'."""
    if amount is None:
        return "—"
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return group_thousands(str(int(whole))) + unit


def area(value: Decimal | float | int | None) -> str:
    """Square metres with two decimals, Vietnamese style: 1234.5 → '1.234,50 m²'."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{amount:.2f}".partition(".")
    return f"{group_thousands(whole)},{frac} m²"


def percent(value: Decimal | int) -> str:
    """A share without trailing zeros, decimal comma: Decimal('33.50') → '33,5'."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def number(value: Decimal | int | str | None) -> str:
    """A quantity, rate or coefficient as written in Vietnamese: thousands with dots, decimals
    with a comma, no trailing zeros: "1234.50" → "1.234,5". None → "—"."""
    if value is None or value == "":
        return "—"
    text = f"{Decimal(str(value)).normalize():f}"
    whole, _, frac = text.partition(".")
    return group_thousands(whole) + ("," + frac if frac else "")


def in_words(amount: int | None) -> str:
    """The amount in official Vietnamese words, "Một tỷ … đồng" (documents, the plan page)."""
    from clearance.notices.words import amount_in_words

    return "" if amount is None else amount_in_words(int(amount)) if amount >= 0 else "Âm " + amount_in_words(-int(amount)).lower()


def vndate(value: date | datetime | None) -> str:
    """dd/mm/yyyy; datetimes are shown in Hanoi time with hh:mm."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LOCAL_TZ)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


#: How the audit trail's stored values of these fields are shown.
MONEY_FIELDS = frozenset({"approved_budget", "price_per_m2"})
AREA_FIELDS = frozenset({"legal_area", "measured_area", "recovered_area"})
PERCENT_FIELDS = frozenset({"share"})


def audit_value(value: object, field: str = "") -> str:
    """A value as stored in the audit trail, shown the Vietnamese way (money, m², %, dates)."""
    if value is None or value == "":
        return "—"
    try:
        if field in MONEY_FIELDS:
            return money(Decimal(str(value)))
        if field in AREA_FIELDS:
            return area(Decimal(str(value)))
        if field in PERCENT_FIELDS:
            return percent(Decimal(str(value))) + "%"
    except ArithmeticError:  # a value stored before the field's type changed: show it as it is
        return str(value)
    if value is True:
        return str(_l("có"))
    if value is False:
        return str(_l("không"))
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, str):
        if value in LABELS:  # type: ignore[comparison-overlap]
            return label(value)
        try:
            if len(value) == 10 and value[4] == "-" and value[7] == "-":
                return vndate(date.fromisoformat(value))
            if "T" in value and len(value) >= 19:
                return vndate(datetime.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, area=area, percent=percent, number=number, in_words=in_words, vndate=vndate, label=label, field_label=field_label, audit_value=audit_value
    )
    app.jinja_env.globals.update(current_locale=lambda: str(get_locale() or "vi"))
