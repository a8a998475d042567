"""Documents (văn bản): the register of a project, previews and issuing of notices, minutes and the
plan summary, the issued documents themselves (HTML as stored, PDF), cancelling, and batch printing
in the background.

Viewers read and preview; officers and leads issue; only leads cancel.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import escape
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import TextInput

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.forms.base import Form
from clearance.forms.fields import VNDateField, strip_filter
from clearance.models import Case, IssuedDocument, Project
from clearance.notices import documents, jobs, register
from clearance.notices.documents import CASE_TYPES, IssueFields
from clearance.notices.pdf import render_pdf
from clearance.services.errors import FieldError
from clearance.services.scope import case_or_404, project_or_404, projects_query, require_editor
from clearance.views.common import page_args, show_field_error
from clearance.workflow.statuses import DocumentType, choices, label

bp = Blueprint("documents", __name__)

ID = "int(max=2147483647)"
PROJECT = "/projects/<code>"
F = [strip_filter]


def _today():  # type: ignore[no-untyped-def]
    return datetime.now(LOCAL_TZ).date()


# -- forms ---------------------------------------------------------------------------------------


class _TimeField(TimeField):
    """hh:mm; empty is None (the time of payment is optional)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            raise ValueError(_l("Giờ ghi theo dạng hh:mm, ví dụ 08:00.")) from None


class IssueForm(Form):
    """What the person issuing says; which fields a document needs is the service's rule."""

    issued_on = VNDateField(_l("Ngày ban hành"), validators=[Optional()])
    signer_name = StringField(_l("Họ tên người ký"), filters=F, validators=[Optional(), Length(max=200)])
    deputy = BooleanField(_l("Phó Chủ tịch ký thay (KT. Chủ tịch)"))
    number = IntegerField(
        _l("Số văn bản"), validators=[Optional(), NumberRange(min=1, max=10**9)], widget=TextInput(),
        render_kw={"inputmode": "numeric", "placeholder": _l("để trống: số tiếp theo trong sổ")},
    )
    payment_on = VNDateField(_l("Ngày bắt đầu chi trả"), validators=[Optional()])
    payment_time = _TimeField(_l("Giờ chi trả"), format=["%H:%M", "%H:%M:%S"], validators=[Optional()],
                              render_kw={"placeholder": "08:00"})
    payment_place = StringField(_l("Địa điểm chi trả"), filters=F, validators=[Optional(), Length(max=300)])
    handover_on = VNDateField(_l("Hạn bàn giao mặt bằng"), validators=[Optional()])
    survey_from = VNDateField(_l("Điều tra, kiểm đếm từ ngày"), validators=[Optional()])
    survey_to = VNDateField(_l("Đến ngày"), validators=[Optional()])
    resettlement_plan = TextAreaField(
        _l("Dự kiến kế hoạch di chuyển, bố trí tái định cư"), filters=F, validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 3, "placeholder": _l("để trống: nội dung chung theo quy định")},
    )

    #: The fields each document type shows (besides date, signer, deputy and number).
    BY_TYPE = {
        DocumentType.COMPENSATION_NOTICE: ("payment_on", "payment_time", "payment_place", "handover_on"),
        DocumentType.RECOVERY_NOTICE: ("survey_from", "survey_to", "resettlement_plan"),
        DocumentType.MEETING_MINUTES: (),
        DocumentType.PLAN_SUMMARY: (),
    }

    def values(self, doc_type: DocumentType) -> dict[str, Any]:
        """Keyword arguments for register.issue / preview."""
        out: dict[str, Any] = {"issued_on": self.issued_on.data, "signer_name": self.signer_name.data or "",
                               "deputy": bool(self.deputy.data)}
        for name in self.BY_TYPE[doc_type]:
            out[name] = getattr(self, name).data if getattr(self, name).data is not None else None
        out = {k: v for k, v in out.items() if v is not None}
        if "payment_place" in out and not out["payment_place"]:
            del out["payment_place"]
        return out


class BatchForm(IssueForm):
    doc_type = SelectField(_l("Loại văn bản"), choices=[])
    cases = StringField(
        _l("Hồ sơ (để trống: tất cả)"), filters=F, validators=[Optional(), Length(max=20000)],
        render_kw={"placeholder": _l("ví dụ: YK-001, YK-002")},
    )

    def fields_for(self, doc_type: DocumentType) -> IssueFields:
        values = self.values(doc_type)
        return IssueFields(**values)


def _batch_form(formdata: Any = None) -> BatchForm:
    form = BatchForm(formdata=formdata) if formdata is not None else BatchForm(formdata=None, data={"issued_on": _today()})
    form.doc_type.choices = [(t.value, label(t)) for t in CASE_TYPES]
    return form


class CancelForm(Form):
    reason = StringField(_l("Lý do hủy"), filters=F, validators=[Optional(), Length(max=2000)])


def _preview_values(doc_type: DocumentType) -> dict[str, Any]:
    """The issue form's values from the query string (the preview button sends them); a value
    that does not parse is left out (it prints as a line to fill in)."""
    form = IssueForm(formdata=_sent(), meta={"csrf": False})
    form.validate()
    values = {}
    for name, value in form.values(doc_type).items():
        if not getattr(form, name).errors:
            values[name] = value
    return values


# -- the register --------------------------------------------------------------------------------


@bp.route(f"{PROJECT}/documents")
def index(code: str):  # type: ignore[no-untyped-def]
    """Sổ văn bản: the project's issued documents by number, with filters by type and year."""
    project = project_or_404(current_user, code)
    return _index_page(project)


def _index_page(project: Project, batch_form: BatchForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    doc_type = request.args.get("type", "")
    doc_type = doc_type if doc_type in DocumentType.__members__.values() else ""
    year_arg = request.args.get("year", "")
    year = int(year_arg) if year_arg.isdigit() and len(year_arg) == 4 else None
    page, per_page = page_args()
    pagination = db.paginate(register.register_query(project, doc_type or None, year), page=page, per_page=per_page, error_out=False)
    case_ids = {d.case_id for d in pagination.items if d.case_id}
    cases = {
        c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)).options(selectinload(Case.party)))
    } if case_ids else {}
    units = {u.id: u for u in project.units}
    form = batch_form or _batch_form()
    if batch_form is None:
        form.signer_name.data = register.last_signer(project)
    return render_template(
        "documents/index.html", project=project, pagination=pagination, cases=cases, units=units,
        types=choices(DocumentType), doc_type=doc_type, year=year, years=register.register_years(project),
        batch_form=form, cancel_form=CancelForm(formdata=None), jobs=jobs.recent_jobs(project),
        several_units=len({d.issuing_unit_id for d in pagination.items}) > 1,
    ), status


@bp.route(f"{PROJECT}/documents/<{ID}:doc_id>/cancel", methods=["POST"])
def cancel(code: str, doc_id: int):  # type: ignore[no-untyped-def]
    """Hủy văn bản (team leads): kept in the register, marked cancelled with the reason."""
    project = project_or_404(current_user, code)
    if not current_user.can_approve:
        abort(403)
    document = db.session.get(IssuedDocument, doc_id)
    if document is None or document.project_id != project.id:
        abort(404)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Không hủy được văn bản: biểu mẫu không hợp lệ, hãy thử lại."), "error")
        return redirect(url_for(".index", code=code))
    try:
        register.cancel(document, form.reason.data or "", current_user)
    except FieldError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".index", code=code, _anchor=f"doc-{doc_id}"))
    db.session.commit()
    flash(_("Đã hủy văn bản số %(number)s. Văn bản vẫn được lưu trong sổ.", number=document.number_code), "success")
    return redirect(url_for(".index", code=code, _anchor=f"doc-{doc_id}"))


# -- one issued document -------------------------------------------------------------------------


def _document_or_404(doc_id: int) -> IssuedDocument:
    document = db.session.get(IssuedDocument, doc_id)
    if document is None:
        abort(404)
    visible = db.session.scalar(projects_query(current_user).where(Project.id == document.project_id).with_only_columns(Project.id))
    if visible is None:
        abort(404)
    return document


@bp.route(f"/documents/<{ID}:doc_id>")
def show(doc_id: int):  # type: ignore[no-untyped-def]
    """The document exactly as issued: the stored HTML, byte for byte."""
    document = _document_or_404(doc_id)
    return Response(register.reprint(document), mimetype="text/html")


@bp.route(f"/documents/<{ID}:doc_id>.pdf")
def pdf(doc_id: int):  # type: ignore[no-untyped-def]
    """The PDF of the stored HTML: a reprint is the same document."""
    document = _document_or_404(doc_id)
    data = render_pdf(register.reprint(document))
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=_pdf_name(document))


def _pdf_name(document: IssuedDocument) -> str:
    return f"{document.number}-{document.code}-{document.year}.pdf"


# -- previews and issuing ------------------------------------------------------------------------


def _with_toolbar(html: str, links: list[tuple[str, str]], note: str) -> str:
    """A draft with a screen-only bar of links above the sheet (outside the sheet markers:
    printing and batches leave it out)."""
    items = "".join(f'<a href="{escape(url)}">{escape(text)}</a>' for url, text in links)
    bar = f'<nav class="screen-only" aria-label="{escape(_("Xem trước"))}"><strong>{escape(note)}</strong>{items}</nav>\n'
    return html.replace("<body>\n", "<body>\n" + bar, 1)


def _preview(doc_type: DocumentType, subject: Any, back: tuple[str, str], issue_url: str | None):  # type: ignore[no-untyped-def]
    try:
        html = register.preview(doc_type, subject, user=current_user, **_preview_values(doc_type))
    except FieldError as error:
        flash(error.message, "error")
        return redirect(back[0])
    if _sent().get("format") == "pdf":
        return send_file(BytesIO(render_pdf(html)), mimetype="application/pdf", download_name=f"du-thao-{doc_type.value}.pdf")
    links = [back, (request.path + "?" + _query(format="pdf"), _("Tải PDF dự thảo"))]
    if issue_url and current_user.can_edit:
        links.append((issue_url, _("Ban hành và cấp số")))
    return Response(_with_toolbar(html, links, _("Bản dự thảo — chưa có số, chưa ban hành.")), mimetype="text/html")


def _sent() -> Any:
    """The issue form's values: posted by its preview button, or in the query string."""
    return request.form if request.method == "POST" else request.args


def _query(**overrides: str) -> str:
    from urllib.parse import urlencode

    args = {k: v for k, v in _sent().to_dict().items() if k != "csrf_token"}
    args.update(overrides)
    return urlencode(args)


def _issue_page(doc_type: DocumentType, subject: Any, context: dict[str, Any], preview_url: str,
                form: IssueForm | None = None, status: int = 200, project: Project | None = None):  # type: ignore[no-untyped-def]
    if form is None:
        form = IssueForm(formdata=None, data={"issued_on": _today(), "signer_name": register.last_signer(project) if project else ""})
    current = None
    problem = None
    try:
        prepared = documents.prepare(doc_type, subject, IssueFields(), current_user)
        current = register.current_document(prepared)
    except FieldError as error:
        prepared, problem = None, error.message
    return render_template(
        "documents/issue.html", form=form, doc_type=doc_type, fields=IssueForm.BY_TYPE[doc_type], prepared=prepared,
        current=current, problem=problem, preview_url=preview_url, **context,
    ), status


def _issue(doc_type: DocumentType, subject: Any, context: dict[str, Any], preview_url: str, project: Project):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    if request.method == "GET":
        return _issue_page(doc_type, subject, context, preview_url, project=project)
    form = IssueForm()
    if not form.validate_on_submit():
        return _issue_page(doc_type, subject, context, preview_url, form, 422)
    try:
        document = register.issue(doc_type, subject, user=current_user, number=form.number.data, **form.values(doc_type))
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return _issue_page(doc_type, subject, context, preview_url, form, 422)
    db.session.commit()
    flash(_("Đã ban hành %(type)s số %(number)s.", type=label(doc_type).lower(), number=document.number_code), "success")
    return redirect(url_for(".index", code=project.code, _anchor=f"doc-{document.id}"))


def _case_type(doc_type: str) -> DocumentType:
    if doc_type not in {t.value for t in CASE_TYPES}:
        abort(404)
    return DocumentType(doc_type)


@bp.route(f"{PROJECT}/cases/<{ID}:case_id>/documents/<doc_type>/preview", methods=["GET", "POST"])
def case_preview(code: str, case_id: int, doc_type: str):  # type: ignore[no-untyped-def]
    """A notice of the case as it would be issued (DỰ THẢO, no number); viewers may look."""
    kind = _case_type(doc_type)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    back = (url_for("cases.detail", code=code, case_id=case.id), _("← Hồ sơ %(code)s", code=case.code))
    return _preview(kind, case, back, url_for(".case_issue", code=code, case_id=case.id, doc_type=kind.value))


@bp.route(f"{PROJECT}/cases/<{ID}:case_id>/documents/<doc_type>/issue", methods=["GET", "POST"])
def case_issue(code: str, case_id: int, doc_type: str):  # type: ignore[no-untyped-def]
    kind = _case_type(doc_type)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    context = {"project": project, "case": case, "meeting": None,
               "back_url": url_for("cases.detail", code=code, case_id=case.id), "back_label": _("Hồ sơ %(code)s", code=case.code)}
    return _issue(kind, case, context, url_for(".case_preview", code=code, case_id=case.id, doc_type=kind.value), project)


def _meeting_or_404(project: Project, meeting_id: int):  # type: ignore[no-untyped-def]
    from clearance.services.meetings import meeting_or_none

    meeting = meeting_or_none(project, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.route(f"{PROJECT}/meetings/<{ID}:meeting_id>/minutes/preview", methods=["GET", "POST"])
def minutes_preview(code: str, meeting_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    meeting = _meeting_or_404(project, meeting_id)
    back = (url_for("meetings.detail", code=code, meeting_id=meeting.id), _("← Biên bản trong nhật ký"))
    return _preview(DocumentType.MEETING_MINUTES, meeting, back, url_for(".minutes_issue", code=code, meeting_id=meeting.id))


@bp.route(f"{PROJECT}/meetings/<{ID}:meeting_id>/minutes/issue", methods=["GET", "POST"])
def minutes_issue(code: str, meeting_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    meeting = _meeting_or_404(project, meeting_id)
    context = {"project": project, "case": None, "meeting": meeting,
               "back_url": url_for("meetings.detail", code=code, meeting_id=meeting.id), "back_label": _("Biên bản trong nhật ký")}
    return _issue(DocumentType.MEETING_MINUTES, meeting, context, url_for(".minutes_preview", code=code, meeting_id=meeting.id), project)


@bp.route(f"{PROJECT}/documents/plan-summary/preview", methods=["GET", "POST"])
def summary_preview(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    back = (url_for("plans.project_plans", code=code), _("← Phương án cả dự án"))
    return _preview(DocumentType.PLAN_SUMMARY, project, back, url_for(".summary_issue", code=code))


@bp.route(f"{PROJECT}/documents/plan-summary/issue", methods=["GET", "POST"])
def summary_issue(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    context = {"project": project, "case": None, "meeting": None,
               "back_url": url_for("plans.project_plans", code=code), "back_label": _("Phương án cả dự án")}
    return _issue(DocumentType.PLAN_SUMMARY, project, context, url_for(".summary_preview", code=code), project)


# -- batches -------------------------------------------------------------------------------------


def _case_ids(project: Project, text: str) -> list[int] | None:
    """Case codes typed in the batch form ("YK-001, YK-002" or one per line) → ids; None: all."""
    codes = [part.strip() for part in text.replace(";", ",").replace("\n", ",").replace(" ", ",").split(",") if part.strip()]
    if not codes:
        return None
    found = dict(db.session.execute(sa.select(Case.code, Case.id).where(Case.project_id == project.id, Case.code.in_(codes))).all())
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise FieldError("cases", _("Không có hồ sơ %(codes)s trong dự án.", codes=", ".join(unknown[:10])))
    return list(dict.fromkeys(found[c] for c in codes))


@bp.route(f"{PROJECT}/documents/batch", methods=["POST"])
def batch(code: str):  # type: ignore[no-untyped-def]
    """In hàng loạt: a print job for the project's notices, run in the background."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = _batch_form(request.form)
    if not form.validate_on_submit():
        return _index_page(project, form, 422)
    doc_type = DocumentType(form.doc_type.data)
    try:
        fields_ = form.fields_for(doc_type)
        documents.check_fields(doc_type, fields_, _today())
        job = jobs.start_job(project, doc_type, _case_ids(project, form.cases.data or ""), fields_, current_user)
    except FieldError as error:
        db.session.rollback()
        show_field_error(form, error)
        return _index_page(project, form, 422)
    db.session.commit()
    jobs.submit(job.id)
    return redirect(url_for(".job", code=code, job_id=job.id))


def _job_or_404(project: Project, job_id: int):  # type: ignore[no-untyped-def]
    job = jobs.job_or_none(project, job_id)
    if job is None:
        abort(404)
    return job


@bp.route(f"{PROJECT}/documents/jobs/<{ID}:job_id>")
def job(code: str, job_id: int):  # type: ignore[no-untyped-def]
    """A print job's progress (the page polls the JSON below; without JavaScript it refreshes)."""
    project = project_or_404(current_user, code)
    job = _job_or_404(project, job_id)
    return render_template("documents/job.html", project=project, job=job, state=jobs.job_state(job))


@bp.route(f"{PROJECT}/documents/jobs/<{ID}:job_id>.json")
def job_json(code: str, job_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    job = _job_or_404(project, job_id)
    state = jobs.job_state(job)
    state["download_url"] = url_for(".job_pdf", code=code, job_id=job.id) if state["ready"] else None
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{PROJECT}/documents/jobs/<{ID}:job_id>.pdf")
def job_pdf(code: str, job_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    job = _job_or_404(project, job_id)
    if not jobs.job_state(job)["ready"]:
        abort(404)
    assert job.file_path is not None
    return send_file(Path(job.file_path), mimetype="application/pdf",
                     download_name=f"{job.doc_type.value}-{project.code}-{job.id}.pdf")


# -- panels other pages include ------------------------------------------------------------------


@bp.record_once
def _template_helpers(state: Any) -> None:
    """What the panels (templates/documents/_*_panel.html) read, as template globals: they cost a
    query only on the pages that include them."""
    state.app.jinja_env.globals.update(
        issued_documents_of_case=register.documents_of_case,
        issued_documents_of_meeting=register.documents_of_meeting,
        notice_plan=documents.locked_plan,
    )
