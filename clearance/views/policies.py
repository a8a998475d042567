"""Policy sets (bộ chính sách): the list, a set with its parameters and rate tables, and — for
administrators and team leads — creating and editing sets and rates, a new version, and the
Excel download and upload. Everyone else reads (403 on any change)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, audit_value, group_thousands, money, percent
from clearance.forms.policies import ConfirmForm, CopyForm, ImportForm, PolicySetForm, RateForm
from clearance.models import AdminUnit, PolicyRate, PolicySet
from clearance.services import policies
from clearance.services.errors import FieldError
from clearance.services.policy_excel import CATEGORY_SHEETS, PolicyImportError, export_policy_set, import_policy_set
from clearance.views.common import show_field_error
from clearance.workflow.calculation import SUPPORT_ITEMS
from clearance.workflow.statuses import RateCategory

bp = Blueprint("policies", __name__, url_prefix="/policies")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The form fields each category shows (besides unit, price and basis).
CATEGORY_FORM_FIELDS: dict[RateCategory, tuple[str, ...]] = {
    RateCategory.LAND: ("item", "segment", "land_type", "position"),
    RateCategory.STRUCTURE: ("item",),
    RateCategory.CROP: ("item", "size"),
    RateCategory.SUPPORT: ("support_item", "cap"),
    RateCategory.RESETTLEMENT: ("item",),
}
#: Default units offered when a rate is added.
DEFAULT_UNITS = {
    RateCategory.LAND: "m²", RateCategory.STRUCTURE: "m²", RateCategory.CROP: "cây", RateCategory.SUPPORT: "",
    RateCategory.RESETTLEMENT: "m²",
}


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _status(form: Any) -> int:
    return 200 if not form.errors else 422


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    sets = list(db.session.scalars(
        policies.policy_sets_query(current_user).order_by(PolicySet.valid_from.desc(), PolicySet.code)
    ))
    ids = [s.id for s in sets]
    today = _today()
    # The set in force today for each place (province, ward), as the calculation would choose it.
    in_force: set[int] = set()
    for place in {(s.province_id, s.unit_id) for s in sets}:
        current = policies.applicable_policy_set(place[0], place[1], today)
        if current is not None and current.unit_id == place[1]:
            in_force.add(current.id)
    return render_template(
        "policies/index.html", sets=sets, rate_counts=policies.rate_counts(ids),
        frozen=policies.frozen_plan_counts(ids), in_force=in_force, can_change=policies.can_change(current_user),
    )


def _set_form(policy_set: PolicySet | None = None) -> PolicySetForm:
    form = PolicySetForm(obj=policy_set) if policy_set is not None and request.method == "GET" else PolicySetForm()
    provinces = policies.provinces_for(current_user) if policy_set is None else [policy_set.province]
    form.province_id.choices = [(p.id, p.name) for p in provinces]
    wards = policies.wards_for(current_user, [p.id for p in provinces])
    if policy_set is not None and policy_set.unit is not None and policy_set.unit not in wards:
        wards.append(policy_set.unit)
    form.unit_id.choices = [("", _("— Toàn tỉnh/thành phố —"))] + [(w.id, w.name) for w in wards]
    if policy_set is not None and request.method == "GET":
        form.version.data = str(policy_set.version)
        form.unit_id.data = policy_set.unit_id
    return form


def _set_values(form: PolicySetForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in policies.SET_FIELDS}


@bp.route("/new", methods=["GET", "POST"])
def create():  # type: ignore[no-untyped-def]
    policies.require_changer(current_user)
    form = _set_form()
    if form.validate_on_submit():
        province = db.session.get(AdminUnit, form.province_id.data)
        try:
            assert province is not None  # the select's choices are the user's provinces
            policy_set = policies.create_policy_set(province, _set_values(form))
            policies.check_authority(current_user, policy_set)
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã tạo bộ chính sách %(code)s. Thêm các đơn giá ở bảng dưới.", code=policy_set.code), "success")
            return redirect(url_for(".detail", policy_set_id=policy_set.id))
    return render_template("policies/form.html", form=form, policy_set=None), _status(form)


def price_text(value: Any, unit: str = "") -> str:
    """A unit price as the tables show it: "296.601.000 đ", a multiple as "5 lần", decimals kept."""
    if value is None:
        return "—"
    amount = Decimal(value)
    if unit.strip().casefold() == "lần":
        return f"{percent(amount)} {unit.strip()}"
    if amount == amount.to_integral_value():
        return money(amount)
    whole, _sep, fraction = f"{amount.normalize():f}".partition(".")
    return f"{group_thousands(whole)},{fraction} đ"


def _set_field_labels() -> dict[str, str]:
    return {
        "code": _("Mã"), "name": _("Tên"), "legal_basis": _("Căn cứ pháp lý"), "valid_from": _("Áp dụng từ ngày"),
        "valid_to": _("Áp dụng đến ngày"), "land_coefficient": _("Hệ số điều chỉnh giá đất (K)"),
        "rounding_step": _("Làm tròn đến (đồng)"), "rounding_mode": _("Cách làm tròn"),
        "payment_days": _("Hạn chi trả (ngày)"), "late_payment_rate": _("Tiền chậm chi trả (%/ngày)"),
        "is_demo": _("Dữ liệu mẫu"), "unit_id": _("Phường/xã áp dụng"), "province_id": _("Tỉnh/thành phố"),
        "policy_set_id": _("Bộ chính sách"),
    }


def history_field(name: str) -> str:
    """A field's name in the history of a set and its rates."""
    return _set_field_labels().get(name) or policies.rate_field_label(name)


def history_value(name: str, value: Any) -> str:
    """A value as the audit trail stored it, shown the Vietnamese way."""
    if value is None or value == "":
        return "—"
    if name in ("unit_price", "cap"):
        return price_text(value)
    if name == "position":
        return f"VT{value}" if value else "—"
    if name == "rounding_mode":
        return policies.rounding_mode_label(str(value))
    if name == "rounding_step":
        return money(int(value))
    if name in ("land_coefficient", "late_payment_rate"):
        return percent(Decimal(str(value)))
    return audit_value(value, name)


def _detail_context(policy_set: PolicySet) -> dict[str, Any]:
    return {
        "price": price_text,
        "field_name": history_field,
        "shown": history_value,
        "policy_set": policy_set,
        "rates": policies.rates_by_category(policy_set),
        "frozen": policies.frozen_plan_count(policy_set),
        "history": policies.history(policy_set),
        "can_change": policies.can_change(current_user, policy_set),
        "support_items": SUPPORT_ITEMS,
        "sheets": CATEGORY_SHEETS,
        "rounding": policies.rounding_text(policy_set.rounding_step, policy_set.rounding_mode),
        "confirm_form": ConfirmForm(),
        "rate_label": policies.rate_field_label,
    }


@bp.route("/<int(max=2147483647):policy_set_id>")
def detail(policy_set_id: int):  # type: ignore[no-untyped-def]
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    return render_template("policies/detail.html", **_detail_context(policy_set))


@bp.route("/<int(max=2147483647):policy_set_id>/edit", methods=["GET", "POST"])
def edit(policy_set_id: int):  # type: ignore[no-untyped-def]
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    policies.require_changer(current_user, policy_set)
    form = _set_form(policy_set)
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            policies.update_policy_set(policy_set, _set_values(form), expected_version=version)
            policies.check_authority(current_user, policy_set)
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu bộ chính sách %(code)s.", code=policy_set.code), "success")
            return redirect(url_for(".detail", policy_set_id=policy_set.id))
    return render_template(
        "policies/form.html", form=form, policy_set=policy_set, frozen=policies.frozen_plan_count(policy_set),
    ), _status(form)


#: The fields that depend on the category; the others are removed from a rate's form.
VARIABLE_FIELDS = ("item", "support_item", "segment", "land_type", "position", "size", "cap")


def _rate_form(category: RateCategory, rate: PolicyRate | None = None) -> RateForm:
    form = RateForm(obj=rate) if rate is not None and request.method == "GET" else RateForm()
    for name in VARIABLE_FIELDS:
        if name not in CATEGORY_FORM_FIELDS[category]:
            delattr(form, name)  # not shown, not read, not validated
    if category == RateCategory.SUPPORT:
        form.support_item.choices = [(code, f"{text} — {code}") for code, text in SUPPORT_ITEMS.items()]
    else:
        form.item.label.text = policies.item_label(category)
    if request.method == "GET":
        if rate is None:
            form.unit.data = DEFAULT_UNITS[category]
        elif category == RateCategory.LAND:
            form.position.data = str(rate.position)
        elif category == RateCategory.SUPPORT:
            form.support_item.data = rate.item
    return form


def _rate_values(category: RateCategory, form: RateForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in policies.RATE_FIELDS if getattr(form, name, None) is not None}
    if category == RateCategory.SUPPORT:
        values["item"] = form.support_item.data
    if category == RateCategory.LAND:
        values["position"] = int(form.position.data) if (form.position.data or "").isdigit() else None
    return values


def _category_or_404(text: str) -> RateCategory:
    if text not in RateCategory.__members__.values():
        abort(404)
    return RateCategory(text)


def _rate_page(policy_set: PolicySet, category: RateCategory, form: RateForm, rate: PolicyRate | None) -> Any:
    return render_template(
        "policies/rate_form.html", policy_set=policy_set, category=category, form=form, rate=rate,
        shown=CATEGORY_FORM_FIELDS[category], frozen=policies.frozen_plan_count(policy_set),
    ), _status(form)


@bp.route("/<int(max=2147483647):policy_set_id>/rates/new/<category>", methods=["GET", "POST"])
def add_rate(policy_set_id: int, category: str):  # type: ignore[no-untyped-def]
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    policies.require_changer(current_user, policy_set)
    kind = _category_or_404(category)
    form = _rate_form(kind)
    if form.validate_on_submit():
        try:
            rate = policies.add_rate(policy_set, kind, _rate_values(kind, form))
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error if error.field != "item" or kind != RateCategory.SUPPORT
                             else FieldError("support_item", error.message))
        else:
            db.session.commit()
            flash(_("Đã thêm đơn giá “%(rate)s”.", rate=str(rate)), "success")
            return redirect(url_for(".detail", policy_set_id=policy_set.id) + f"#{kind.value}")
    return _rate_page(policy_set, kind, form, None)


def _rate_or_404(policy_set: PolicySet, rate_id: int) -> PolicyRate:
    rate = db.session.get(PolicyRate, rate_id)
    if rate is None or rate.policy_set_id != policy_set.id:
        abort(404)
    return rate


@bp.route("/<int(max=2147483647):policy_set_id>/rates/<int(max=2147483647):rate_id>/edit", methods=["GET", "POST"])
def edit_rate(policy_set_id: int, rate_id: int):  # type: ignore[no-untyped-def]
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    policies.require_changer(current_user, policy_set)
    rate = _rate_or_404(policy_set, rate_id)
    kind = RateCategory(rate.category)
    form = _rate_form(kind, rate)
    if form.validate_on_submit():
        try:
            policies.update_rate(rate, _rate_values(kind, form))
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error if error.field != "item" or kind != RateCategory.SUPPORT
                             else FieldError("support_item", error.message))
        else:
            db.session.commit()
            flash(_("Đã lưu đơn giá “%(rate)s”.", rate=str(rate)), "success")
            return redirect(url_for(".detail", policy_set_id=policy_set.id) + f"#{kind.value}")
    return _rate_page(policy_set, kind, form, rate)


@bp.route("/<int(max=2147483647):policy_set_id>/rates/<int(max=2147483647):rate_id>/delete", methods=["GET", "POST"])
def delete_rate(policy_set_id: int, rate_id: int):  # type: ignore[no-untyped-def]
    """Removing a rate asks first (a page, so it works without JavaScript)."""
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    policies.require_changer(current_user, policy_set)
    rate = _rate_or_404(policy_set, rate_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        label = str(rate)
        kind = RateCategory(rate.category)
        policies.remove_rate(rate)
        db.session.commit()
        flash(_("Đã xoá đơn giá “%(rate)s”.", rate=label), "success")
        return redirect(url_for(".detail", policy_set_id=policy_set.id) + f"#{kind.value}")
    return render_template(
        "policies/delete_rate.html", policy_set=policy_set, rate=rate, form=form,
        frozen=policies.frozen_plan_count(policy_set),
    )


@bp.route("/<int(max=2147483647):policy_set_id>/copy", methods=["GET", "POST"])
def copy(policy_set_id: int):  # type: ignore[no-untyped-def]
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    policies.require_changer(current_user, policy_set)
    form = CopyForm()
    if request.method == "GET":
        form.code.data = policies.next_code(policy_set)
        form.name.data = policy_set.name
        form.valid_from.data = max(_today(), policy_set.valid_from)
    if form.validate_on_submit():
        try:
            new = policies.copy_as_new_version(policy_set, form.code.data, form.valid_from.data, form.name.data)
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã tạo phiên bản mới %(code)s với %(n)s đơn giá sao chép từ %(old)s.",
                    code=new.code, n=len(new.rates), old=policy_set.code), "success")
            return redirect(url_for(".detail", policy_set_id=new.id))
    return render_template("policies/copy.html", policy_set=policy_set, form=form), _status(form)


def _file_name(code: str) -> str:
    """'bo-chinh-sach-HN-2026.xlsx': ASCII, safe in every browser."""
    ascii_code = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode()
    return f"bo-chinh-sach-{re.sub(r'[^A-Za-z0-9._-]+', '-', ascii_code) or 'export'}.xlsx"


@bp.route("/<int(max=2147483647):policy_set_id>/export.xlsx")
def export(policy_set_id: int):  # type: ignore[no-untyped-def]
    policy_set = policies.policy_set_or_404(current_user, policy_set_id)
    data = export_policy_set(policy_set)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=_file_name(policy_set.code), max_age=0)


@bp.route("/import", methods=["GET", "POST"])
def upload():  # type: ignore[no-untyped-def]
    """Nhập từ Excel: a new set from a workbook in the download's layout; every problem of the file
    is listed by sheet, row and column, and nothing is written unless the whole file is valid."""
    policies.require_changer(current_user)
    form = ImportForm()
    form.province_id.choices = [(p.id, p.name) for p in policies.provinces_for(current_user)]
    problems = None
    if form.validate_on_submit():
        province = db.session.get(AdminUnit, form.province_id.data)
        upload_file = form.file.data
        try:
            assert province is not None  # the select's choices are the user's provinces
            policy_set = import_policy_set(
                upload_file.read(), province, code=form.code.data or None, name=form.name.data or None,
                filename=upload_file.filename or "",
            )
            policies.check_authority(current_user, policy_set)
        except PolicyImportError as error:
            db.session.rollback()
            problems = error.problems
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã nhập bộ chính sách %(code)s với %(n)s đơn giá.", code=policy_set.code, n=len(policy_set.rates)), "success")
            return redirect(url_for(".detail", policy_set_id=policy_set.id))
    status = 422 if problems or form.errors else 200
    return render_template("policies/import.html", form=form, problems=problems), status

