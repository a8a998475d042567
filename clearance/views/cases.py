"""Cases (hồ sơ) of a project: list, case page with holdings, procedure and history, create and
edit, moving a case to its next step."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.forms.records import CaseForm, HoldingForm
from clearance.forms.workflow import GrievanceCloseForm, GrievanceForm, TransitionForm
from clearance.models import Case, CaseParcel, Grievance, Parcel, Party
from clearance.services import grievances, transitions
from clearance.services.errors import FieldError
from clearance.services.history import case_history
from clearance.services.records import add_holding, remove_holding, save_case
from clearance.services.scope import case_or_404, parties_query, project_or_404, require_editor
from clearance.views.common import form_values, like, page_args, search_term, show_field_error
from clearance.workflow.statuses import (
    CaseStatus,
    GrievanceKind,
    GrievanceLevel,
    GrievanceStatus,
    Tenure,
    choices,
    label,
)

bp = Blueprint("cases", __name__, url_prefix="/projects/<code>/cases")


@bp.route("/")
def index(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    term = search_term()
    status = request.args.get("status", "")
    query = (
        sa.select(Case)
        .join(Case.party)
        .where(Case.project_id == project.id)
        .options(selectinload(Case.party), selectinload(Case.holdings).selectinload(CaseParcel.parcel))
    )
    if term:
        pattern = like(term)
        query = query.where(sa.or_(Case.code.ilike(pattern, escape="\\"), Party.name.ilike(pattern, escape="\\")))
    if status in CaseStatus.__members__.values():
        query = query.where(Case.status == status)
    page, per_page = page_args()
    pagination = db.paginate(query.order_by(Case.code), page=page, per_page=per_page, error_out=False)
    return render_template(
        "cases/index.html", project=project, pagination=pagination, term=term, status=status,
        statuses=choices(CaseStatus),
    )


def _holding_form(project_id: int) -> HoldingForm:
    form = HoldingForm()
    parcels = db.session.scalars(
        sa.select(Parcel).where(Parcel.project_id == project_id).order_by(Parcel.map_sheet, Parcel.parcel_no)
    )
    form.parcel_id.choices = [(p.id, f"{p} — {p.address}") for p in parcels]
    form.tenure.choices = choices(Tenure)
    return form


@bp.route("/<int(max=2147483647):case_id>")
def detail(code: str, case_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    return render_template(
        "cases/detail.html", project=project, case=case, history=case_history(case),
        holding_form=_holding_form(project.id), **_procedure_context(case),
    )


def _procedure_context(
    case: Case, form: TransitionForm | None = None, refused: str | None = None, grievance_form: GrievanceForm | None = None
) -> dict:
    from clearance.workflow.procedure import GUARD_LABELS

    moment = transitions.Moment(day=datetime.now(LOCAL_TZ).date(), at=datetime.now(UTC))
    return {
        "options": transitions.options(case, current_user, moment) if current_user.can_edit else [],
        "timeline": transitions.timeline(case),
        "steps": {s.code: s for s in transitions.all_steps()},
        "transition_form": form or TransitionForm(formdata=None, data={"version": case.version, "occurred_on": moment.day}),
        "guard_labels": GUARD_LABELS,
        "refused": refused,
        "grievances": grievances.grievances_of(case),
        "grievance_form": grievance_form or _grievance_form(),
        "close_form": _close_form(),
        "today": _today(),
    }


def _grievance_form(formdata: object = None) -> GrievanceForm:
    form = GrievanceForm(formdata=formdata) if formdata is not None else GrievanceForm(formdata=None)
    form.kind.choices = choices(GrievanceKind)
    form.level.choices = choices(GrievanceLevel)
    return form


def _close_form(formdata: object = None) -> GrievanceCloseForm:
    form = GrievanceCloseForm(formdata=formdata) if formdata is not None else GrievanceCloseForm(formdata=None)
    form.status.choices = [(s.value, label(s)) for s in (GrievanceStatus.RESOLVED, GrievanceStatus.WITHDRAWN)]
    return form


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


@bp.route("/<int(max=2147483647):case_id>/grievances", methods=["POST"])
def file_grievance(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Ghi nhận khiếu nại, kiến nghị."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = _grievance_form(request.form)
    if form.validate_on_submit():
        try:
            grievances.file_grievance(case, form_values(form), _today())
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã ghi nhận đơn. Việc giải quyết đơn không làm dừng các bước thu hồi đất."), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#grievances")
    return render_template(
        "cases/detail.html", project=project, case=case, history=case_history(case),
        holding_form=_holding_form(project.id), **_procedure_context(case, grievance_form=form),
    ), 422


@bp.route("/<int(max=2147483647):case_id>/grievances/<int(max=2147483647):grievance_id>/close", methods=["POST"])
def close_grievance(code: str, case_id: int, grievance_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    grievance = db.session.get(Grievance, grievance_id)
    if grievance is None or grievance.case_id != case.id:
        abort(404)
    form = _close_form(request.form)
    if form.validate_on_submit():
        try:
            grievances.close_grievance(
                grievance, GrievanceStatus(form.status.data), form.resolved_on.data, form.resolution.data or "", _today()
            )
        except FieldError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã ghi kết quả giải quyết đơn."), "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for(".detail", code=code, case_id=case.id) + "#grievances")


@bp.route("/<int(max=2147483647):case_id>/transition", methods=["POST"])
def transition(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Chuyển bước: validate the form, ask the service, commit once; a refusal changes nothing."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = TransitionForm()
    status = 422
    refused = None
    if form.validate_on_submit():
        try:
            target = CaseStatus(form.target.data)
        except ValueError:
            abort(400)
        at = None
        if form.occurred_time.data:
            hour, minute = (int(part) for part in form.occurred_time.data.split(":"))
            at = datetime.combine(form.occurred_on.data, time(hour, minute), tzinfo=LOCAL_TZ)
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            transitions.transition_case(
                case, target, current_user, transitions.Moment(form.occurred_on.data, at),
                document=form.document.data or "", note=form.note.data or "", expected_version=expected,
            )
        except transitions.TransitionRefused as error:
            db.session.rollback()
            refused = str(error)
        except FieldError as error:
            db.session.rollback()
            refused, status = error.message, 409
        else:
            db.session.commit()
            flash(_("Đã chuyển %(case)s sang “%(status)s”.", case=str(case), status=label(target)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#procedure")
    case = case_or_404(project, case_id)
    return render_template(
        "cases/detail.html", project=project, case=case, history=case_history(case),
        holding_form=_holding_form(project.id), **_procedure_context(case, form, refused),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int(max=2147483647):case_id>/edit", methods=["GET", "POST"])
def edit(code: str, case_id: int | None = None):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id) if case_id is not None else None
    form = CaseForm(obj=case)
    if case is None:
        form.status.choices = choices(CaseStatus)
    else:
        del form.status  # an existing case's status moves only through the procedure's steps
    parties = db.session.scalars(parties_query(current_user).order_by(Party.name)).all()
    form.party_id.choices = [(p.id, f"{p.name} ({p.id_number or p.tax_code or '—'})") for p in parties]
    if request.method == "GET" and case is None and request.args.get("party_id", "").isdigit():
        form.party_id.data = int(request.args["party_id"])
    if form.validate_on_submit():
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            saved = save_case(project, case, form_values(form, "version"), expected_version=expected)
        except FieldError as error:
            db.session.rollback()
            if error.field == "version":
                form.form_errors.append(error.message)
                current = case_or_404(project, case_id) if case_id else None
                return render_template("cases/form.html", project=project, case=current, form=form, conflict=True), 409
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu %(case)s.", case=str(saved)), "success")
            return redirect(url_for(".detail", code=code, case_id=saved.id))
    return render_template("cases/form.html", project=project, case=case, form=form), 200 if not form.errors else 422


@bp.route("/<int(max=2147483647):case_id>/parcels", methods=["POST"])
def add_parcel(code: str, case_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = _holding_form(project.id)
    if form.validate_on_submit():
        parcel = db.session.get(Parcel, form.parcel_id.data)
        try:
            if parcel is None:
                raise FieldError("parcel_id", _("Không có thửa đất này."))
            add_holding(case, parcel, form.tenure.data, form.share.data)
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm %(parcel)s vào hồ sơ.", parcel=str(parcel)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#parcels")
    case = case_or_404(project, case_id)
    return render_template(
        "cases/detail.html", project=project, case=case, history=case_history(case), holding_form=form,
        **_procedure_context(case),
    ), 422


@bp.route("/<int(max=2147483647):case_id>/parcels/<int(max=2147483647):holding_id>/delete", methods=["POST"])
def remove_parcel(code: str, case_id: int, holding_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    holding = next((h for h in case.holdings if h.id == holding_id), None)
    if holding is None:
        return render_template("error.html", code=404, error=None), 404
    label = str(holding.parcel)
    remove_holding(holding)
    db.session.commit()
    flash(_("Đã bỏ %(parcel)s khỏi hồ sơ.", parcel=label), "info")
    return redirect(url_for(".detail", code=code, case_id=case.id) + "#parcels")
