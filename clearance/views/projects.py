"""Projects: list, dashboard (with the balance of interests and the residents' concerns), the
concerns page, create and edit, legal documents, change history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.forms.records import LegalDocumentForm, ProjectForm
from clearance.models import AuditEntry, Project
from clearance.services import dashboard
from clearance.services.balance import case_balances
from clearance.services.concerns import concern_page, concerns_summary, first_concern_month, months_back
from clearance.services.errors import FieldError
from clearance.services.hotspots import project_hotspots
from clearance.services.project_balance import month_start, months_between, project_balance
from clearance.services.records import add_legal_document, save_project
from clearance.services.scope import project_or_404, projects_query, require_editor, units_for, visible_unit_ids
from clearance.views.common import form_values, like, page_args, search_term, show_field_error
from clearance.workflow.statuses import ConcernCategory, ProjectStatus, choices

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    query = projects_query(current_user).options(selectinload(Project.units))
    term = search_term()
    status = request.args.get("status", "")
    if term:
        pattern = like(term)
        query = query.where(
            sa.or_(Project.code.ilike(pattern, escape="\\"), Project.name.ilike(pattern, escape="\\"),
                   Project.investor.ilike(pattern, escape="\\"))
        )
    if status in ProjectStatus.__members__.values():
        query = query.where(Project.status == status)
    page, per_page = page_args()
    pagination = db.paginate(query.order_by(Project.code), page=page, per_page=per_page, error_out=False)
    counts = dashboard.project_counts([p.id for p in pagination.items])
    return render_template(
        "projects/index.html", pagination=pagination, counts=counts, term=term, status=status,
        statuses=choices(ProjectStatus),
    )


def _project_form(project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.status.choices = choices(ProjectStatus)
    current_units = project.units if project is not None else []
    form.unit_ids.choices = [(u.id, u.name) for u in units_for(current_user, keep=current_units)]
    if project is not None and request.method == "GET":
        form.unit_ids.data = [u.id for u in project.units]
        form.boundary.data = to_shape(project.boundary) if project.boundary is not None else None
    return form


def _save(form: ProjectForm, project: Project | None):  # type: ignore[no-untyped-def]
    try:
        saved = save_project(project, form_values(form), visible_unit_ids(current_user))
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return None
    db.session.commit()
    return saved


@bp.route("/new", methods=["GET", "POST"])
def create():  # type: ignore[no-untyped-def]
    require_editor(current_user)
    form = _project_form()
    if form.validate_on_submit():
        project = _save(form, None)
        if project is not None:
            flash(_("Đã tạo dự án %(code)s.", code=project.code), "success")
            return redirect(url_for(".detail", code=project.code))
    return render_template("projects/form.html", form=form, project=None), 200 if not form.errors else 422


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _dashboard(project: Project, doc_form: LegalDocumentForm) -> str:
    today = _today()
    summary = dashboard.project_dashboard(project)
    context: dict[str, Any] = {
        "project": project, "summary": summary, "doc_form": doc_form, "today": today,
        "concerns": concerns_summary(project, today),
    }
    # The case balances are read once and shared by the money figures and the hotspot scoring.
    balances = case_balances(project)
    context["balance"] = project_balance(project, today, summary, balances)
    context["hotspots"] = project_hotspots(project, today, balances=balances)
    return render_template("projects/detail.html", **context)


@bp.route("/<code>")
def detail(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    return _dashboard(project, LegalDocumentForm())


def _month_arg(text: str) -> date | None:
    """A month filter as the form sends it (yyyy-mm); anything else is no filter."""
    try:
        month = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None
    # Years the calendar arithmetic (Hanoi midnight in UTC, the next month) can always handle.
    return month if 1900 <= month.year <= 2999 else None


@bp.route("/<code>/concerns")
def concerns(code: str):  # type: ignore[no-untyped-def]
    """Tâm tư, nguyện vọng: what the people of the project ask about, by category and month,
    and in their own words."""
    project = project_or_404(current_user, code)
    today = _today()
    category_arg = request.args.get("category", "")
    category = ConcernCategory(category_arg) if category_arg in ConcernCategory.__members__.values() else None
    month = _month_arg(request.args.get("month", ""))
    page, per_page = page_args()
    summary = concerns_summary(project, today, months=12)
    listing = concern_page(project, page, per_page, category, month)
    first = first_concern_month(project)
    # The months the filter offers: from the first concern (or a year back) to this month, newest first.
    start = min(first or month_start(today), months_back(month_start(today), 11))
    filter_months = sorted(months_between(start, today), reverse=True)
    if month is not None and month not in filter_months:
        filter_months.append(month)
    return render_template(
        "projects/concerns.html", project=project, summary=summary, listing=listing, category=category, month=month,
        filter_months=filter_months, categories=choices(ConcernCategory), today=today,
    )


@bp.route("/<code>/edit", methods=["GET", "POST"])
def edit(code: str):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = _project_form(project)
    if form.validate_on_submit():
        saved = _save(form, project)
        if saved is not None:
            flash(_("Đã lưu dự án %(code)s.", code=saved.code), "success")
            return redirect(url_for(".detail", code=saved.code))
    return render_template("projects/form.html", form=form, project=project), 200 if not form.errors else 422


@bp.route("/<code>/documents", methods=["POST"])
def add_document(code: str):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = LegalDocumentForm()
    if form.validate_on_submit():
        try:
            add_legal_document(project, form_values(form))
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm văn bản %(number)s.", number=form.number.data), "success")
            return redirect(url_for(".detail", code=code) + "#documents")
    return _dashboard(project, form), 422


@bp.route("/<code>/history")
def history(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    page, per_page = page_args()
    query = sa.select(AuditEntry).where(AuditEntry.project_id == project.id).order_by(AuditEntry.id.desc())
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return render_template("projects/history.html", project=project, pagination=pagination)
