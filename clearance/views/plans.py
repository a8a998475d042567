"""Plans (phương án): a case's plan with its explained lines, versions, steps and adjustments; the
diff between two versions; a project's plan summary and its recalculation."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, money
from clearance.forms.plans import AdjustmentForm, PlanStepForm, RecalculateForm, WithdrawAdjustmentForm
from clearance.models import Case, CompensationPlan, PlanAdjustment, Project
from clearance.services import plans
from clearance.services.errors import FieldError
from clearance.services.scope import case_or_404, project_or_404, require_editor
from clearance.views.common import show_field_error
from clearance.workflow.calculation import CATEGORIES
from clearance.workflow.statuses import PlanStatus, label

bp = Blueprint("plans", __name__, url_prefix="/projects/<code>")

CASE_ID = "<int(max=2147483647):case_id>"


def _today():  # type: ignore[no-untyped-def]
    return datetime.now(LOCAL_TZ).date()


@bp.route("/plans")
def project_plans(code: str):  # type: ignore[no-untyped-def]
    """Bảng tổng hợp phương án: the latest version of every household's plan."""
    project = project_or_404(current_user, code)
    return _project_page(project, RecalculateForm())


def _project_page(project: Project, form: RecalculateForm, status: int = 200):  # type: ignore[no-untyped-def]
    rows = plans.project_plans(project.id)
    totals = {
        "land": sum(r.land for r in rows), "assets": sum(r.assets for r in rows), "support": sum(r.support for r in rows),
        "resettlement": sum(r.resettlement for r in rows), "deductions": sum(r.deductions for r in rows),
        "net": sum(r.net for r in rows), "missing": sum(1 for r in rows if r.missing),
    }
    by_status = {s: sum(1 for r in rows if r.status == s) for s in PlanStatus}
    return render_template(
        "plans/project.html", project=project, rows=rows, totals=totals, by_status=by_status, form=form,
    ), status


@bp.route("/plans/recalculate", methods=["POST"])
def recalculate_project(code: str):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = RecalculateForm()
    if not form.validate_on_submit():
        return _project_page(project, form, 422)
    try:
        summary = plans.recalculate_project(project, _today(), form.reason.data or "")
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return _project_page(project, form, 422)
    db.session.commit()
    flash(
        _("Đã tính lại %(n)s hồ sơ: %(created)s phiên bản mới, %(same)s không đổi, %(missing)s hồ sơ còn dòng thiếu căn cứ.",
          n=summary.created_count + summary.unchanged, created=summary.created_count, same=summary.unchanged,
          missing=summary.missing_basis),
        "success",
    )
    return redirect(url_for(".project_plans", code=code))


# -- one case -------------------------------------------------------------------------------------


@bp.route(f"/cases/{CASE_ID}/plan")
@bp.route(f"/cases/{CASE_ID}/plan/<int(max=100000):number>")
def case_plan(code: str, case_id: int, number: int | None = None):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    return _case_page(project, case, number)


def _case_page(project: Project, case: Case, number: int | None = None, status: int = 200, **forms: object):  # type: ignore[no-untyped-def]
    all_versions = plans.versions(case.id)
    plan: CompensationPlan | None = None
    if number is not None:
        plan = next((v for v in all_versions if v.number == number), None)
        if plan is None:
            abort(404)
    elif all_versions:
        plan = all_versions[0]
    latest = all_versions[0].number if all_versions else 0
    approved = next((v for v in all_versions if v.status == PlanStatus.APPROVED), None)
    step_forms = forms.pop("step_form", None)
    context = {
        "project": project, "case": case, "plan": plan, "versions": all_versions, "latest": latest,
        "steps": plans.allowed_steps(plan, current_user, all_versions) if plan else [],
        "step_form": step_forms or PlanStepForm(formdata=None),
        "recalculate_form": forms.pop("recalculate_form", None) or RecalculateForm(formdata=None),
        "adjustment_form": forms.pop("adjustment_form", None) or AdjustmentForm(formdata=None),
        "withdraw_form": WithdrawAdjustmentForm(formdata=None),
        "adjustments": plans.adjustments(case.id),
        # The household is paid by the approved version, even while a newer draft is on screen.
        "approved": approved,
        "clock": plans.payment_clock(approved, _today()) if approved else None,
        "categories": CATEGORIES,
        "can_lead": current_user.can_approve,
    }
    return render_template("plans/case.html", **context), status


@bp.route(f"/cases/{CASE_ID}/plan/recalculate", methods=["POST"])
def recalculate_case(code: str, case_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = RecalculateForm()
    if not form.validate_on_submit():
        return _case_page(project, case, status=422, recalculate_form=form)
    try:
        plan = plans.recalculate_case(case, _today(), form.reason.data or "")
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return _case_page(project, case, status=422, recalculate_form=form)
    db.session.commit()
    if plan is None:
        flash(_("Số liệu không thay đổi: giữ nguyên phiên bản hiện tại."), "info")
    else:
        flash(_("Đã tính phương án, phiên bản %(n)s: %(net)s.", n=plan.number, net=money(plan.net_amount)), "success")
    return redirect(url_for(".case_plan", code=code, case_id=case.id))


@bp.route(f"/cases/{CASE_ID}/plan/<int(max=100000):number>/step", methods=["POST"])
def take_step(code: str, case_id: int, number: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    plan = plans.version(case.id, number) or abort(404)
    form = PlanStepForm()
    if not form.validate_on_submit():
        return _case_page(project, case, number, 422, step_form=form)
    try:
        plans.take_step(
            plan, form.action.data, current_user, approval_decision=form.approval_decision.data or "",
            approved_on=form.approved_on.data, today=_today(),
        )
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return _case_page(project, case_or_404(project, case_id), number, 422, step_form=form)
    db.session.commit()
    flash(_("Phương án số %(n)s: %(status)s.", n=plan.number, status=label(plan.status)), "success")
    return redirect(url_for(".case_plan", code=code, case_id=case.id, number=number))


@bp.route(f"/cases/{CASE_ID}/plan/diff")
def diff(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """So sánh hai phiên bản: every line, total and input that changed."""
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        abort(404)
    if not (0 < a < 100_000 and 0 < b < 100_000):
        abort(404)
    before, after = plans.version(case.id, min(a, b)), plans.version(case.id, max(a, b))
    if before is None or after is None:
        abort(404)
    return render_template("plans/diff.html", project=project, case=case, diff=plans.compare(before, after))


@bp.route(f"/cases/{CASE_ID}/plan/adjustments", methods=["POST"])
def add_adjustment(code: str, case_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = AdjustmentForm()
    if not form.validate_on_submit():
        return _case_page(project, case, status=422, adjustment_form=form)
    try:
        plans.add_adjustment(case, form.category.data, form.amount.data, form.reason.data or "", current_user)
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return _case_page(project, case_or_404(project, case_id), status=422, adjustment_form=form)
    db.session.commit()
    flash(_("Đã ghi điều chỉnh thủ công. Tính lại phương án để đưa vào phiên bản mới."), "success")
    return redirect(url_for(".case_plan", code=code, case_id=case.id) + "#adjustments")


@bp.route(f"/cases/{CASE_ID}/plan/adjustments/<int(max=2147483647):adjustment_id>/withdraw", methods=["POST"])
def withdraw_adjustment(code: str, case_id: int, adjustment_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    adjustment = db.session.get(PlanAdjustment, adjustment_id)
    if adjustment is None or adjustment.case_id != case.id:
        abort(404)
    form = WithdrawAdjustmentForm()
    try:
        if not form.validate_on_submit():
            raise FieldError("reason", _("Ghi lý do bỏ điều chỉnh."))
        plans.withdraw_adjustment(adjustment, form.reason.data or "", current_user)
    except FieldError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".case_plan", code=code, case_id=case.id) + "#adjustments")
    db.session.commit()
    flash(_("Đã bỏ điều chỉnh. Tính lại phương án để đưa vào phiên bản mới."), "success")
    return redirect(url_for(".case_plan", code=code, case_id=case.id) + "#adjustments")


@bp.route("/plans.xlsx")
def export_plan(code: str):  # type: ignore[no-untyped-def]
    """Tải phương án (bảng tổng hợp và chi tiết) dạng Excel."""
    from clearance.services.plan_excel import export_project_plan

    project = project_or_404(current_user, code)
    data = export_project_plan(project, _today())
    return send_file(
        BytesIO(data), as_attachment=True, download_name=f"phuong-an-{project.code}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
