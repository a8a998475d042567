"""The inventory of a case (biên bản kiểm đếm): the record page, the form that creates or changes
it (every line on one page, phone first; more lines with JS or, without it, a few blank rows per
save), and the Excel import of a whole project's inventories with its template."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clearance.extensions import db
from clearance.formatting import area, group_thousands
from clearance.forms.inventory import InventoryForm, InventoryImportForm, ItemRows, decimal_text
from clearance.models import Case, Inventory, InventoryItem, Parcel, Project
from clearance.services import inventory as service
from clearance.services import inventory_excel
from clearance.services.errors import FieldError
from clearance.services.scope import case_or_404, project_or_404, require_editor
from clearance.views.common import show_field_error
from clearance.workflow.statuses import AssetKind, PartyKind, label

bp = Blueprint("inventory", __name__)

ID = "int(max=2147483647)"
CASE_URL = f"/projects/<code>/cases/<{ID}:case_id>/inventory"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """``inventory_summary(case_id)`` for the case page (one query, only when called)."""
    return {"inventory_summary": service.inventory_summary}


def quantity(value: Decimal | None, unit: str = "") -> str:
    """A line's quantity the Vietnamese way: "50,50 m²", "2 cây", "1.500 cây", "2,5 tấn"."""
    if value is None:
        return "—"
    if unit == "m²":
        return area(value)
    whole, _sep, fraction = format(value.normalize(), "f").partition(".")
    text = group_thousands(whole) + ("," + fraction if fraction else "")
    return f"{text} {unit}".strip()


bp.add_app_template_filter(quantity, "inventory_quantity")


# --- the record ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindGroup:
    kind: AssetKind
    items: list[InventoryItem]

    @property
    def total_area(self) -> Decimal | None:
        """Land and structures: the m² of their lines together."""
        if self.kind not in (AssetKind.LAND, AssetKind.STRUCTURE):
            return None
        return sum((i.quantity for i in self.items if i.unit == "m²"), Decimal(0))


def _groups(inventory: Inventory | None) -> list[KindGroup]:
    if inventory is None:
        return []
    return [
        KindGroup(kind, [i for i in inventory.items if i.kind == kind])
        for kind in service.KIND_ORDER
        if any(i.kind == kind for i in inventory.items)
    ]


def _parcel_labels(case: Case, inventory: Inventory | None) -> dict[int, str]:
    """Labels of the parcels the case holds and of any a line names (one query)."""
    ids = {h.parcel_id for h in case.holdings} | {i.parcel_id for i in (inventory.items if inventory else []) if i.parcel_id}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Parcel.id, Parcel.map_sheet, Parcel.parcel_no).where(Parcel.id.in_(ids)))
    return {parcel_id: service.parcel_label(sheet, number) for parcel_id, sheet, number in rows}


@bp.route(CASE_URL)
def detail(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Biên bản kiểm đếm of a case: the header, the lines by kind, the history of the record."""
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    inventory = service.inventory_of(case)
    return render_template(
        "inventory/detail.html", project=project, case=case, inventory=inventory, groups=_groups(inventory),
        parcels=_parcel_labels(case, inventory), history=service.inventory_history(case),
        field_names=service.FIELD_NAMES, kind_labels={k.value: label(k) for k in AssetKind},
    )


# --- the form -----------------------------------------------------------------------------------


def _parcel_choices(case: Case) -> list[dict[str, Any]]:
    """The case's parcels for a line's select, with what a land line takes from each."""
    held = service.held_parcels([case.id])[case.id]
    return [
        {
            "id": p.id, "label": p.label, "land_type": p.land_use_code, "street": service.street_from_address(p.address),
            "recovered": decimal_text(p.recovered_area), "recovered_label": area(p.recovered_area) if p.recovered_area is not None else "",
            "address": p.address,
        }
        for p in held.values()
    ]


def _defaults(case: Case) -> dict[str, Any]:
    """A new record: today, the household's members as persons (none for an organisation)."""
    party = case.party
    persons = 0 if party.kind == PartyKind.ORGANISATION else party.members
    return {"recorded_on": service.today(), "persons": persons, "life_support_months": 0, "rent_months": 0, "version": "0"}


def _render_form(
    project: Project, case: Case, form: InventoryForm, rows: ItemRows, inventory: Inventory | None, *,
    problems: list[str] | None = None, status: int = 200, conflict: bool = False,
):  # type: ignore[no-untyped-def]
    padded = rows.padded()
    return render_template(
        "inventory/form.html", project=project, case=case, form=form, rows=padded.rows, next_index=padded.next_index,
        inventory=inventory, parcels=_parcel_choices(case), kinds=[(k.value, label(k)) for k in service.KIND_ORDER],
        problems=problems or [], conflict=conflict,
    ), status


@bp.route(CASE_URL + "/edit", methods=["GET", "POST"])
def edit(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Lập hoặc sửa biên bản kiểm đếm: the header and all the lines in one save."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    inventory = service.inventory_of(case)
    if request.method == "GET":
        if inventory is None:
            form = InventoryForm(formdata=None, data=_defaults(case))
            return _render_form(project, case, form, ItemRows(), None)
        data = {**service.header_of(inventory), "version": str(inventory.version)}
        form = InventoryForm(formdata=None, data=data)
        return _render_form(project, case, form, ItemRows.from_items(inventory.items), inventory)

    form = InventoryForm()
    rows = ItemRows.from_formdata(request.form)
    if request.form.get("add_rows"):  # without JS: the same form with more blank rows, nothing saved
        for item in form:
            item.errors = []
        return _render_form(project, case, form, rows.quiet(), inventory)
    form.validate_on_submit()
    expected = int(form.version.data) if (form.version.data or "").isdigit() else None
    current = inventory.version if inventory is not None else 0
    if expected is not None and expected != current:
        # Someone saved since this form was shown: say so before anything else. Saving again is
        # then a deliberate change on top of the latest record.
        form.version.data = str(current)
        return _render_form(project, case, form, rows, inventory, problems=[str(service.CONFLICT)], status=409, conflict=True)
    general: list[str] = []
    if "csrf_token" in form.errors:
        general.append(_("Phiên làm việc của biểu mẫu đã hết hạn. Bấm Lưu lần nữa; nội dung đã nhập vẫn còn."))
    header = form.header()
    reason = form.reason.data or ""
    # Every problem at once: the texts that could not be read (by the form and by the rows), and
    # the service's rules on everything that could.
    unreadable = set(form.errors)
    for problem in rows.attach(service.check_inventory(case, header, rows.items(), reason=reason).problems):
        if problem.field in unreadable:
            continue  # its field already says why
        if problem.line is None and problem.field in HEADER_FORM_FIELDS:
            show_field_error(form, FieldError(problem.field, problem.message))
        else:
            general.append(problem.text)
    if general or any(name != "csrf_token" for name in form.errors) or any(row.errors for row in rows.kept):
        return _render_form(project, case, form, rows, inventory, problems=_summary(form, rows, general), status=422)
    before = inventory.version if inventory is not None else None
    try:
        saved = service.save_inventory(case, header, rows.items(), expected, reason=reason)
    except FieldError as error:
        db.session.rollback()
        case = case_or_404(project, case_id)
        current = service.inventory_of(case)
        if error.field == "version":
            # Saving again is then a deliberate change on top of the latest record.
            form.version.data = str(current.version if current is not None else 0)
            return _render_form(project, case, form, rows, current, problems=[error.message], status=409, conflict=True)
        if isinstance(error, service.InventoryRejected):
            rest = rows.attach(error.problems)
            return _render_form(project, case, form, rows, current, problems=[p.text for p in rest] or [error.message], status=422)
        raise
    db.session.commit()
    if before is not None and saved.version == before:
        flash(_("Biên bản kiểm đếm không có gì thay đổi; không ghi thêm."), "info")
    elif before is None:
        flash(_("Đã lập biên bản kiểm đếm (%(n)s dòng).", n=len(rows.kept)), "success")
    else:
        flash(_("Đã lưu thay đổi biên bản kiểm đếm (%(n)s dòng); lý do được ghi vào lịch sử.", n=len(rows.kept)), "success")
    return redirect(url_for(".detail", code=code, case_id=case.id))


#: Header fields a service problem is shown under (the rest go in the list at the top).
HEADER_FORM_FIELDS = frozenset({*service.HEADER_FIELDS, "reason"})


def _summary(form: InventoryForm, rows: ItemRows, general: list[str]) -> list[str]:
    """The list at the top of a refused form: each problem once, header first, then by line."""
    messages = list(general)
    for name, errors in form.errors.items():
        if name == "csrf_token" or name is None:
            messages += [str(m) for m in errors] if name is None else []
            continue
        for message in errors:
            messages.append(service.Problem(None, name, str(message)).text)
    for row in rows.kept:
        for name, errors in row.errors.items():
            messages += [service.Problem(row.line, name, message).text for message in errors]
    seen: set[str] = set()
    return [m for m in messages if not (m in seen or seen.add(m))]  # type: ignore[func-returns-value]


# --- the Excel import ---------------------------------------------------------------------------


@bp.route("/projects/<code>/inventory/template.xlsx")
def template(code: str):  # type: ignore[no-untyped-def]
    """Tệp mẫu kiểm đếm: the two sheets, the project's case codes prefilled."""
    project = project_or_404(current_user, code)
    content = inventory_excel.inventory_template(project)
    return send_file(
        io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=f"kiem-dem-{project.code}.xlsx", max_age=0,
    )


@bp.route("/projects/<code>/inventory/import", methods=["GET", "POST"])
def import_inventory(code: str):  # type: ignore[no-untyped-def]
    """Nhập kiểm đếm từ Excel: all or nothing; the errors by sheet, row and column, or what the
    file holds (to check first, or imported at once)."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = InventoryImportForm()
    check = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "kiem-dem.xlsx")[:200]
        check = inventory_excel.check_workbook(project, upload.read(), filename)
        if check.problems:
            status = 422
        elif not check.cases:
            form.file.errors = [_("Tệp không có dòng kiểm đếm nào để nhập.")]
            status = 422
        elif not form.check_only.data:
            try:
                result = inventory_excel.apply_import(project, check, form.reason.data or "")
            except inventory_excel.InventoryImportRejected as error:
                db.session.rollback()
                form.reason.errors = [str(error)]
                status = 422
            else:
                db.session.commit()
                flash(
                    _("Đã nhập kiểm đếm từ %(file)s: %(created)s biên bản mới, %(replaced)s biên bản thay thế, "
                      "%(unchanged)s không đổi; %(lines)s dòng.", file=filename, created=result.created,
                      replaced=result.replaced, unchanged=result.unchanged, lines=result.lines),
                    "success",
                )
                return redirect(url_for(".import_inventory", code=code))
    elif request.method == "POST":
        status = 422
    return render_template(
        "inventory/import.html", project=project, form=form, check=check, limit=inventory_excel.REPORT_LIMIT,
    ), status
