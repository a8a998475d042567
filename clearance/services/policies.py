"""Policy sets (bộ chính sách): create and edit them, their rates (đơn giá, mức hỗ trợ), copy one
as a new version, and hand the calculation the set that applies. Flush, never commit.

A policy set may be edited even when frozen plans used it: every frozen or approved plan version
keeps a snapshot of the rates it read, so an edit changes only the plans calculated afterwards.
The screens say how many frozen plans a set has, and that those will not change.

The checks are pure functions (``check_set``, ``check_rate``) that list every broken rule, so the
Excel import can report all of a file's problems at once; the editing functions raise the first
as a ``FieldError`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from clearance.audit import set_reason
from clearance.extensions import db
from clearance.formatting import money
from clearance.models import AdminUnit, AuditEntry, CompensationPlan, PolicyRate, PolicySet, User
from clearance.models.compensation import ROUNDING_MODES
from clearance.services.errors import FieldError
from clearance.services.scope import visible_unit_ids
from clearance.workflow.calculation import SUPPORT_ITEMS, Policy, Rate, RateKey, rate_key
from clearance.workflow.statuses import PlanStatus, RateCategory, UnitLevel
from clearance.workflow.statuses import label as status_label

#: The values of a policy set a form or a file may set.
SET_FIELDS = (
    "code", "name", "legal_basis", "valid_from", "valid_to", "land_coefficient", "rounding_step",
    "rounding_mode", "payment_days", "late_payment_rate", "is_demo", "unit_id",
)
#: The values of a rate (its category is fixed when it is created).
RATE_FIELDS = (
    "item", "segment", "land_type", "position", "size", "unit", "unit_price", "cap",
    "basis_document", "basis_article", "basis_clause", "note",
)
#: The fields each category uses; the others are kept empty (they are part of the rate's key).
CATEGORY_FIELDS: dict[RateCategory, frozenset[str]] = {
    RateCategory.LAND: frozenset({"item", "segment", "land_type", "position"}),
    RateCategory.STRUCTURE: frozenset({"item"}),
    RateCategory.CROP: frozenset({"item", "size"}),
    RateCategory.SUPPORT: frozenset({"item", "cap"}),
    RateCategory.RESETTLEMENT: frozenset({"item"}),
}
#: Plans that are legal records: they keep their own copy of the rates.
LOCKED_STATUSES = (PlanStatus.FROZEN, PlanStatus.APPROVED)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LAND_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
#: NUMERIC(18, 2), NUMERIC(8, 4), NUMERIC(7, 4): the largest values the columns hold.
MAX_PRICE = Decimal("9999999999999999.99")
#: K is a coefficient near 1 (1,05; 1,2): above 10 it is a typo ("1.100" for 1,100), not a price rule.
MAX_COEFFICIENT = Decimal(10)
MAX_LATE_RATE = Decimal(100)
MAX_PAYMENT_DAYS = 3650
MAX_ROUNDING_STEP = 1_000_000_000
#: Column lengths, for messages before the database refuses.
LENGTHS = {
    "code": 40, "name": 300, "item": 160, "segment": 160, "land_type": 20, "size": 80, "unit": 30,
    "basis_document": 160, "basis_article": 40, "basis_clause": 40, "note": 300,
}


# --- names shown to the user ------------------------------------------------------------------


def item_label(category: RateCategory | str) -> str:
    """What the ``item`` of a rate is called in its category."""
    return {
        RateCategory.LAND: _("Tuyến phố"),
        RateCategory.STRUCTURE: _("Loại nhà, công trình"),
        RateCategory.CROP: _("Loài cây, vật nuôi"),
        RateCategory.SUPPORT: _("Khoản hỗ trợ"),
        RateCategory.RESETTLEMENT: _("Khu tái định cư"),
    }[RateCategory(category)]


def rate_field_label(field: str, category: RateCategory | str = RateCategory.LAND) -> str:
    """A rate field's name, as forms, messages and the Excel headers say it."""
    if field == "item":
        return item_label(category)
    return {
        "segment": _("Đoạn"), "land_type": _("Loại đất"), "position": _("Vị trí (VT)"),
        "size": _("Kích thước, quy cách"), "unit": _("Đơn vị tính"), "unit_price": _("Đơn giá"),
        "cap": _("Mức tối đa"), "basis_document": _("Văn bản căn cứ"), "basis_article": _("Điều"),
        "basis_clause": _("Khoản"), "note": _("Ghi chú"), "category": _("Nhóm đơn giá"),
    }.get(field, field)


def rounding_text(step: int, mode: str) -> str:
    """'làm tròn đến 1.000 đ' (half up), 'làm tròn xuống đến 1.000 đ'…"""
    amount = money(step) if step > 1 else _("đồng")
    if mode == "down":
        return _("làm tròn xuống đến %(amount)s", amount=amount)
    if mode == "up":
        return _("làm tròn lên đến %(amount)s", amount=amount)
    return _("làm tròn đến %(amount)s", amount=amount)


def rounding_mode_label(mode: str) -> str:
    return {
        "half_up": _("Làm tròn thông thường (từ nửa đơn vị trở lên thì làm tròn lên)"),
        "down": _("Làm tròn xuống"),
        "up": _("Làm tròn lên"),
    }.get(mode, mode)


# --- pure checks ------------------------------------------------------------------------------


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    if value is None:
        return ""
    return str(value).replace("\x00", "").strip()


def _decimal(value: Any) -> Decimal | None:
    """A number from a form or a file as Decimal (never through float arithmetic)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that reads back as this float
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_rate(category: RateCategory | str, values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """A rate's values cleaned for its category, and every rule they break (pure: no queries).

    Land needs a street, a land-use code and a position 1–4; support items are the codes the
    calculation knows; prices are never negative; every rate names the document it comes from.
    """
    category = RateCategory(category)
    used = CATEGORY_FIELDS[category]
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name in ("item", "segment", "land_type", "size", "unit", "basis_document", "basis_article", "basis_clause", "note"):
        text = _text(values, name) if name in used or name not in {"segment", "land_type", "size"} else ""
        if name == "land_type":
            text = text.upper()
        if len(text) > LENGTHS[name]:
            errors.append(FieldError(name, _("%(field)s: tối đa %(n)s ký tự.", field=rate_field_label(name, category), n=LENGTHS[name])))
        clean[name] = text
    if not clean["item"]:
        errors.append(FieldError("item", _("%(field)s: bắt buộc.", field=item_label(category))))
    if category == RateCategory.SUPPORT and clean["item"] and clean["item"] not in SUPPORT_ITEMS:
        errors.append(FieldError("item", _(
            "Khoản hỗ trợ “%(code)s” không có trong danh mục; dùng một trong các mã: %(codes)s.",
            code=clean["item"], codes=", ".join(SUPPORT_ITEMS),
        )))
    if not clean["unit"]:
        errors.append(FieldError("unit", _("Đơn vị tính: bắt buộc (ví dụ m², cây, hộ, người/tháng).")))
    if not clean["basis_document"]:
        errors.append(FieldError("basis_document", _("Văn bản căn cứ: bắt buộc; mỗi đơn giá phải ghi văn bản ban hành nó.")))

    clean["position"] = 0
    if category == RateCategory.LAND:
        if not clean["land_type"]:
            errors.append(FieldError("land_type", _("Loại đất: bắt buộc với giá đất (mã mục đích sử dụng, ví dụ ODT, TMD).")))
        elif not LAND_TYPE_RE.match(clean["land_type"]):
            errors.append(FieldError("land_type", _("Loại đất: ghi mã mục đích sử dụng đất, ví dụ ODT, TMD, LUC.")))
        position = values.get("position")
        try:
            number = _decimal(position)
        except ValueError:
            number = None
        if number is None or number != number.to_integral_value() or not 1 <= number <= 4:
            errors.append(FieldError("position", _("Vị trí (VT): phải là 1, 2, 3 hoặc 4.")))
        else:
            clean["position"] = int(number)

    for name, required in (("unit_price", True), ("cap", False)):
        label = rate_field_label(name, category)
        try:
            amount = _decimal(values.get(name))
        except ValueError:
            errors.append(FieldError(name, _("%(field)s: phải là số.", field=label)))
            clean[name] = None
            continue
        clean[name] = amount
        if amount is None:
            if required:
                errors.append(FieldError(name, _("%(field)s: bắt buộc.", field=label)))
            continue
        if name == "cap" and category != RateCategory.SUPPORT:
            errors.append(FieldError(name, _("Mức tối đa chỉ dùng cho các khoản hỗ trợ.")))
        elif amount < 0:
            errors.append(FieldError(name, _("%(field)s: không được âm.", field=label)))
        elif amount > MAX_PRICE:
            errors.append(FieldError(name, _("%(field)s: quá lớn.", field=label)))
        elif _places(amount) > 2:
            errors.append(FieldError(name, _("%(field)s: chỉ ghi tới 2 chữ số thập phân.", field=label)))
    return clean, errors


def check_set(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """A policy set's values cleaned, and every rule they break (pure: no queries). Only the
    fields present in ``values`` are checked (an edit may change a few)."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    if "code" in values:
        code = _text(values, "code")
        if not code:
            errors.append(FieldError("code", _("Mã bộ chính sách: bắt buộc.")))
        elif len(code) > LENGTHS["code"] or not CODE_RE.match(code):
            errors.append(FieldError("code", _("Mã bộ chính sách: tối đa 40 ký tự, chỉ gồm chữ không dấu, số, “.”, “-”, “_” (ví dụ HN-2026).")))
        clean["code"] = code
    if "name" in values:
        name = _text(values, "name")
        if not name:
            errors.append(FieldError("name", _("Tên bộ chính sách: bắt buộc.")))
        elif len(name) > LENGTHS["name"]:
            errors.append(FieldError("name", _("Tên bộ chính sách: tối đa 300 ký tự.")))
        clean["name"] = name
    if "legal_basis" in values:
        lines = [line.strip() for line in _text(values, "legal_basis").splitlines()]
        clean["legal_basis"] = "\n".join(line for line in lines if line)
    for name in ("valid_from", "valid_to"):
        if name in values:
            value = values[name]
            if value is not None and not isinstance(value, date):
                errors.append(FieldError(name, _("Ngày không hợp lệ: ghi theo dạng dd/mm/yyyy.")))
                value = None
            clean[name] = value
    if "valid_from" in values and clean.get("valid_from") is None and not any(e.field == "valid_from" for e in errors):
        errors.append(FieldError("valid_from", _("Ngày bắt đầu áp dụng: bắt buộc.")))
    start, end = clean.get("valid_from"), clean.get("valid_to")
    if start is not None and end is not None and end < start:
        errors.append(FieldError("valid_to", _("Ngày hết hiệu lực không được trước ngày bắt đầu áp dụng.")))
    for name, label, low, high, places, positive in (
        ("land_coefficient", _("Hệ số điều chỉnh giá đất (K)"), Decimal(0), MAX_COEFFICIENT, 4, True),
        ("late_payment_rate", _("Tiền chậm chi trả (%/ngày)"), Decimal(0), MAX_LATE_RATE, 4, False),
    ):
        if name not in values:
            continue
        try:
            number = _decimal(values[name])
        except ValueError:
            errors.append(FieldError(name, _("%(field)s: phải là số.", field=label)))
            continue
        if number is None:
            errors.append(FieldError(name, _("%(field)s: bắt buộc.", field=label)))
        elif (number <= low if positive else number < low):
            errors.append(FieldError(name, _("%(field)s: phải lớn hơn 0.", field=label) if positive
                                     else _("%(field)s: không được âm.", field=label)))
        elif number > high:
            errors.append(FieldError(name, _("%(field)s: quá lớn.", field=label)))
        elif _places(number) > places:
            errors.append(FieldError(name, _("%(field)s: chỉ ghi tới %(n)s chữ số thập phân.", field=label, n=places)))
        clean[name] = number
    for name, label, high in (
        ("rounding_step", _("Làm tròn đến (đồng)"), MAX_ROUNDING_STEP),
        ("payment_days", _("Hạn chi trả (ngày)"), MAX_PAYMENT_DAYS),
    ):
        if name not in values:
            continue
        try:
            number = _decimal(values[name])
        except ValueError:
            number = Decimal(-1)
        if number is None:
            errors.append(FieldError(name, _("%(field)s: bắt buộc.", field=label)))
        elif number != number.to_integral_value() or not 1 <= number <= high:
            errors.append(FieldError(name, _("%(field)s: phải là số nguyên từ 1 đến %(high)s.", field=label, high=f"{high:,}".replace(",", "."))))
        else:
            clean[name] = int(number)
    if "rounding_mode" in values:
        mode = _text(values, "rounding_mode") or "half_up"
        if mode not in ROUNDING_MODES:
            errors.append(FieldError("rounding_mode", _("Cách làm tròn không hợp lệ.")))
        clean["rounding_mode"] = mode
    if "is_demo" in values:
        clean["is_demo"] = bool(values["is_demo"])
    if "unit_id" in values:
        clean["unit_id"] = values["unit_id"] or None
    return clean, errors


def _first(errors: list[FieldError]) -> None:
    if errors:
        raise errors[0]


# --- policy sets ------------------------------------------------------------------------------


def check_place(province: AdminUnit, clean: dict[str, Any], policy_set: PolicySet | None) -> None:
    """The code is free in the province; the ward, if any, is one of the province's."""
    if province.level != UnitLevel.PROVINCE:
        raise FieldError("province_id", _("Bộ chính sách thuộc một tỉnh/thành phố, không phải %(unit)s.", unit=province.name))
    if "code" in clean:
        query = sa.select(PolicySet.id).where(PolicySet.province_id == province.id, PolicySet.code == clean["code"])
        if policy_set is not None:
            query = query.where(PolicySet.id != policy_set.id)
        if db.session.scalar(query) is not None:
            raise FieldError("code", _("Mã %(code)s đã được dùng cho bộ chính sách khác của %(province)s.", code=clean["code"], province=province.name))
    if clean.get("unit_id") is not None:
        parent = db.session.scalar(sa.select(AdminUnit.parent_id).where(AdminUnit.id == clean["unit_id"]))
        if parent != province.id:
            raise FieldError("unit_id", _("Phường/xã áp dụng phải thuộc %(province)s.", province=province.name))


def create_policy_set(province: AdminUnit, values: Mapping[str, Any]) -> PolicySet:
    """A new policy set of ``province`` (empty: its rates are added afterwards)."""
    defaults = {"legal_basis": "", "valid_to": None, "land_coefficient": Decimal(1), "rounding_step": 1000,
                "rounding_mode": "half_up", "payment_days": 30, "late_payment_rate": Decimal("0.03"),
                "is_demo": False, "unit_id": None}
    clean, errors = check_set({**defaults, **values, "code": values.get("code"), "name": values.get("name"),
                               "valid_from": values.get("valid_from")})
    _first(errors)
    check_place(province, clean, None)
    policy_set = PolicySet(province_id=province.id, **clean)
    db.session.add(policy_set)
    db.session.flush()
    return policy_set


def update_policy_set(policy_set: PolicySet, values: Mapping[str, Any], expected_version: int | None = None) -> PolicySet:
    """Change a set's fields and parameters; ``expected_version``: the version the form was built
    from (someone else saving in between is refused, not overwritten)."""
    if expected_version is not None and policy_set.version != expected_version:
        raise FieldError("version", _("Bộ chính sách vừa được người khác cập nhật. Tải lại trang để xem thay đổi rồi nhập lại."))
    clean, errors = check_set({k: v for k, v in values.items() if k in SET_FIELDS})
    _first(errors)
    if clean.get("valid_from") is not None and "valid_to" not in clean and policy_set.valid_to is not None \
            and policy_set.valid_to < clean["valid_from"]:
        raise FieldError("valid_from", _("Ngày bắt đầu áp dụng không được sau ngày hết hiệu lực."))
    if "valid_to" in clean and "valid_from" not in clean and clean["valid_to"] is not None \
            and clean["valid_to"] < policy_set.valid_from:
        raise FieldError("valid_to", _("Ngày hết hiệu lực không được trước ngày bắt đầu áp dụng."))
    check_place(policy_set.province, clean, policy_set)
    for name, value in clean.items():
        setattr(policy_set, name, value)
    db.session.flush()
    return policy_set


def next_code(policy_set: PolicySet) -> str:
    """A free code for the next version: HN-2026 → HN-2026-2, HN-2026-2 → HN-2026-3."""
    match = re.fullmatch(r"(.+)-(\d{1,2})", policy_set.code)
    base, number = (match.group(1), int(match.group(2))) if match else (policy_set.code, 1)
    taken = set(db.session.scalars(sa.select(PolicySet.code).where(PolicySet.province_id == policy_set.province_id)))
    while True:
        number += 1
        code = f"{base}-{number}"
        if code not in taken and len(code) <= LENGTHS["code"]:
            return code
        if len(code) > LENGTHS["code"]:
            base = base[: LENGTHS["code"] - len(str(number)) - 1]


def copy_as_new_version(policy_set: PolicySet, code: str, valid_from: date, name: str | None = None) -> PolicySet:
    """A new policy set with a new code, every rate of ``policy_set`` copied, in force from
    ``valid_from`` (the original is left as it is: the newer set applies from its first day)."""
    rates = list(db.session.scalars(sa.select(PolicyRate).where(PolicyRate.policy_set_id == policy_set.id)))
    values = {name_: getattr(policy_set, name_) for name_ in SET_FIELDS}
    values.update(code=code, valid_from=valid_from, name=name or policy_set.name)
    if values["valid_to"] is not None and values["valid_to"] < valid_from:
        values["valid_to"] = None
    clean, errors = check_set(values)
    _first(errors)
    check_place(policy_set.province, clean, None)
    copy = PolicySet(province_id=policy_set.province_id, **clean)
    copy.rates = [PolicyRate(category=r.category, **{f: getattr(r, f) for f in RATE_FIELDS}) for r in rates]
    db.session.add(copy)
    set_reason(db.session, _("Sao chép thành phiên bản mới từ bộ chính sách %(code)s", code=policy_set.code))
    db.session.flush()
    return copy


# --- rates ------------------------------------------------------------------------------------


def key_of(category: RateCategory | str, values: Mapping[str, Any]) -> RateKey:
    """The calculation's key of a rate (case and spacing do not make two rates different)."""
    return rate_key(
        RateCategory(category).value, values.get("item") or "", values.get("segment") or "",
        values.get("land_type") or "", values.get("position") or 0, values.get("size") or "",
    )


def describe_key(category: RateCategory | str, values: Mapping[str, Any]) -> str:
    """'Yết Kiêu · ODT · VT1', as a rate reads."""
    position = values.get("position") or 0
    parts = [values.get("item") or "", values.get("segment") or "", values.get("land_type") or "",
             f"VT{position}" if position else "", values.get("size") or ""]
    return " · ".join(p for p in parts if p)


def _check_unique(policy_set: PolicySet, category: RateCategory, clean: Mapping[str, Any], rate_id: int | None) -> None:
    rows = db.session.execute(
        sa.select(PolicyRate.id, PolicyRate.item, PolicyRate.segment, PolicyRate.land_type, PolicyRate.position, PolicyRate.size)
        .where(PolicyRate.policy_set_id == policy_set.id, PolicyRate.category == category)
    )
    key = key_of(category, clean)
    for row in rows:
        if row.id != rate_id and key_of(category, row._mapping) == key:
            raise FieldError("item", _("Bộ chính sách đã có đơn giá “%(rate)s” trong nhóm %(category)s.",
                                       rate=describe_key(category, clean), category=_category_label(category)))


def _category_label(category: RateCategory) -> str:
    return status_label(category)


def add_rate(policy_set: PolicySet, category: RateCategory | str, values: Mapping[str, Any]) -> PolicyRate:
    category = RateCategory(category)
    clean, errors = check_rate(category, values)
    _first(errors)
    _check_unique(policy_set, category, clean, None)
    rate = PolicyRate(policy_set_id=policy_set.id, category=category, **clean)
    db.session.add(rate)
    db.session.flush()
    return rate


def update_rate(rate: PolicyRate, values: Mapping[str, Any]) -> PolicyRate:
    """Change a rate; its category stays (a land price does not become a support item)."""
    clean, errors = check_rate(rate.category, {**{f: getattr(rate, f) for f in RATE_FIELDS}, **values})
    _first(errors)
    _check_unique(rate.policy_set, rate.category, clean, rate.id)
    for name, value in clean.items():
        if getattr(rate, name) != value:
            setattr(rate, name, value)
    db.session.flush()
    return rate


def remove_rate(rate: PolicyRate) -> None:
    db.session.delete(rate)
    db.session.flush()


# --- what the calculation reads ---------------------------------------------------------------


def policy_facts(policy_set: PolicySet) -> Policy:
    """The pure ``Policy`` the plan calculation reads: parameters and every rate keyed by
    ``rate_key``. One query (the rates), whatever their number."""
    rows = db.session.scalars(sa.select(PolicyRate).where(PolicyRate.policy_set_id == policy_set.id))
    rates: dict[RateKey, Rate] = {}
    for row in rows:
        rates[key_of(row.category, _values(row))] = Rate(
            label=str(row), unit=row.unit, unit_price=Decimal(row.unit_price), basis=row.basis,
            cap=Decimal(row.cap) if row.cap is not None else None,
        )
    return Policy(
        code=policy_set.code, name=policy_set.name, legal_basis=policy_set.legal_basis,
        land_coefficient=Decimal(policy_set.land_coefficient), rounding_step=policy_set.rounding_step,
        rounding_mode=policy_set.rounding_mode, payment_days=policy_set.payment_days,
        late_payment_rate=Decimal(policy_set.late_payment_rate), rates=rates,
    )


def _values(rate: PolicyRate) -> dict[str, Any]:
    return {f: getattr(rate, f) for f in RATE_FIELDS}


def applicable_policy_set(province_id: int, unit_id: int | None, on: date) -> PolicySet | None:
    """The policy set in force on ``on``: one for the ward before one for the whole province, the
    latest start first, a real table before a demo one; None when none is in force."""
    query = (
        sa.select(PolicySet)
        .where(
            PolicySet.province_id == province_id,
            PolicySet.valid_from <= on,
            sa.or_(PolicySet.valid_to.is_(None), PolicySet.valid_to >= on),
            sa.or_(PolicySet.unit_id.is_(None), PolicySet.unit_id == unit_id) if unit_id is not None
            else PolicySet.unit_id.is_(None),
        )
        .order_by(
            sa.case((PolicySet.unit_id.is_(None), 1), else_=0),
            PolicySet.is_demo,
            PolicySet.valid_from.desc(),
            PolicySet.id.desc(),
        )
        .limit(1)
    )
    return db.session.scalar(query)


# --- reading: counts, history, who may see and change -----------------------------------------


def frozen_plan_counts(policy_set_ids: Iterable[int]) -> dict[int, int]:
    """How many frozen or approved plan versions use each set (one query)."""
    ids = list(policy_set_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(CompensationPlan.policy_set_id, sa.func.count())
        .where(CompensationPlan.policy_set_id.in_(ids), CompensationPlan.status.in_(LOCKED_STATUSES))
        .group_by(CompensationPlan.policy_set_id)
    )
    return {row[0]: row[1] for row in rows}


def frozen_plan_count(policy_set: PolicySet) -> int:
    return frozen_plan_counts([policy_set.id]).get(policy_set.id, 0)


def rate_counts(policy_set_ids: Iterable[int]) -> dict[int, int]:
    ids = list(policy_set_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(PolicyRate.policy_set_id, sa.func.count()).where(PolicyRate.policy_set_id.in_(ids)).group_by(PolicyRate.policy_set_id)
    )
    return {row[0]: row[1] for row in rows}


def rates_by_category(policy_set: PolicySet) -> dict[RateCategory, list[PolicyRate]]:
    """The set's rates grouped in the order of the categories (one query)."""
    grouped: dict[RateCategory, list[PolicyRate]] = {category: [] for category in RateCategory}
    rows = db.session.scalars(
        sa.select(PolicyRate).where(PolicyRate.policy_set_id == policy_set.id).order_by(
            PolicyRate.item, PolicyRate.segment, PolicyRate.land_type, PolicyRate.position, PolicyRate.size, PolicyRate.id
        )
    )
    for row in rows:
        grouped[RateCategory(row.category)].append(row)
    return grouped


def history(policy_set: PolicySet, limit: int = 50) -> list[AuditEntry]:
    """Changes to the set and to its rates (also those removed since), newest first. A rate's
    entries are found through its creation entry, which names the set."""
    created_here = (
        sa.select(AuditEntry.entity_id)
        .where(
            AuditEntry.entity == PolicyRate.__tablename__,
            AuditEntry.action == "create",
            AuditEntry.changes[("policy_set_id", 1)].as_string().like(f"{policy_set.id} · %"),
        )
    )
    query = (
        sa.select(AuditEntry)
        .where(
            sa.or_(
                sa.and_(AuditEntry.entity == PolicySet.__tablename__, AuditEntry.entity_id == policy_set.id),
                sa.and_(AuditEntry.entity == PolicyRate.__tablename__, AuditEntry.entity_id.in_(created_here)),
            )
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def province_of(user: User) -> int | None:
    """The province a user's team works in (None for an admin without a team)."""
    if user.team is None:
        return None
    unit = user.team.unit
    return unit.parent_id if unit.parent_id is not None else unit.id


def policy_sets_query(user: User) -> sa.Select[tuple[PolicySet]]:
    """The sets a user reads: every set for an admin, the sets of their province otherwise."""
    query = sa.select(PolicySet)
    if not user.is_admin:
        query = query.where(PolicySet.province_id == province_of(user))
    return query


def policy_set_or_404(user: User, policy_set_id: int) -> PolicySet:
    policy_set = db.session.scalar(policy_sets_query(user).where(PolicySet.id == policy_set_id))
    if policy_set is None:
        abort(404)
    return policy_set


def can_change(user: User, policy_set: PolicySet | None = None) -> bool:
    """Only administrators and team leads change policy sets. A province-wide set (the
    province's own tables) is an administrator's; a lead changes only sets limited to a ward of
    their team: a ward's team must not change the prices every other ward's plans are made with."""
    if not user.is_authenticated or not user.can_approve:
        return False
    if user.is_admin or policy_set is None:
        return True
    if policy_set.province_id != province_of(user) or policy_set.unit_id is None:
        return False
    units = visible_unit_ids(user)
    return units is None or policy_set.unit_id in units


def check_authority(user: User, policy_set: PolicySet) -> None:
    """Raise FieldError when ``user`` may not own the set as it now stands (after creating,
    editing or importing it): a lead's set must be limited to one of their team's wards."""
    if not can_change(user, policy_set):
        raise FieldError(
            "unit_id",
            _("Bộ chính sách áp dụng toàn tỉnh, thành phố do quản trị viên quản lý; trưởng nhóm chỉ tạo, sửa bộ chính sách "
              "riêng cho phường, xã của tổ mình."),
        )


def require_changer(user: User, policy_set: PolicySet | None = None) -> None:
    if not can_change(user, policy_set):
        abort(403)


def provinces_for(user: User) -> list[AdminUnit]:
    """The provinces a user may create sets in."""
    query = sa.select(AdminUnit).where(AdminUnit.level == UnitLevel.PROVINCE).order_by(AdminUnit.name)
    if not user.is_admin:
        query = query.where(AdminUnit.id == province_of(user))
    return list(db.session.scalars(query))


def wards_for(user: User, province_ids: Iterable[int]) -> list[AdminUnit]:
    """The wards a set may be limited to: any of the province's for an admin, the team's own for a lead."""
    query = sa.select(AdminUnit).where(AdminUnit.parent_id.in_(list(province_ids))).order_by(AdminUnit.name)
    if not user.is_admin:
        units = visible_unit_ids(user) or set()
        query = query.where(AdminUnit.id.in_(units))
    return list(db.session.scalars(query))
