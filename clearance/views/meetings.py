"""The dialogue log pages: logging a meeting (two screens, phone first), the minutes with their
amendments, attachments and commitments.

The minutes page reads the same way for the current minutes and for any earlier version: both are
built from the plain structure a revision keeps (``services.minutes``), so what a revision shows is
exactly what was recorded then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.forms.meetings import (
    GROUP,
    AttachmentForm,
    AttendeeRow,
    CommitmentCloseForm,
    MeetingEntries,
    MeetingForm,
)
from clearance.models import Case, Meeting, MeetingAttachment, MeetingCase, Party, Project
from clearance.services import meetings as service
from clearance.services.errors import FieldError
from clearance.services.minutes import (
    CommitmentLine,
    minutes_from,
    revision_lines,
)
from clearance.services.scope import project_or_404, require_editor
from clearance.views.common import like, page_args, search_term
from clearance.workflow.statuses import (
    AttendeeSide,
    CommitmentStatus,
    ConcernCategory,
    MeetingKind,
    Position,
    choices,
)

bp = Blueprint("meetings", __name__, url_prefix="/projects/<code>/meetings")

ID = "int(max=2147483647)"

#: Which screen of the form each part is on: an error sends the officer to its screen.
SCREEN_ONE = frozenset({"kind", "held_on", "held_time", "held_at", "place", "households", "attendees"})


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _meeting_or_404(project: Project, meeting_id: int) -> Meeting:
    meeting = service.meeting_or_none(project, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


# --- the list -------------------------------------------------------------------------------


@bp.route("/")
def index(code: str):  # type: ignore[no-untyped-def]
    """Nhật ký đối thoại: the project's meetings, newest first."""
    project = project_or_404(current_user, code)
    term = search_term()
    kind = request.args.get("kind", "")
    case_id = request.args.get("case_id", "")
    query = (
        sa.select(Meeting)
        .where(Meeting.project_id == project.id)
        .options(selectinload(Meeting.households).selectinload(MeetingCase.case).selectinload(Case.party))
    )
    if kind in MeetingKind.__members__.values():
        query = query.where(Meeting.kind == kind)
    if case_id.isdigit() and len(case_id) < 10:
        query = query.where(Meeting.id.in_(sa.select(MeetingCase.meeting_id).where(MeetingCase.case_id == int(case_id))))
    if term:
        pattern = like(term)
        query = query.where(
            Meeting.id.in_(
                sa.select(MeetingCase.meeting_id)
                .join(Case, Case.id == MeetingCase.case_id)
                .join(Party, Party.id == Case.party_id)
                .where(sa.or_(Case.code.ilike(pattern, escape="\\"), Party.name.ilike(pattern, escape="\\")))
            )
        )
    page, per_page = page_args()
    pagination = db.paginate(
        query.order_by(Meeting.held_at.desc(), Meeting.id.desc()), page=page, per_page=per_page, error_out=False
    )
    return render_template(
        "meetings/index.html", project=project, pagination=pagination, term=term, kind=kind, kinds=choices(MeetingKind),
    )


# --- logging and amending -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseChoice:
    id: int
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


def _case_choices(project: Project) -> list[CaseChoice]:
    rows = db.session.execute(
        sa.select(Case.id, Case.code, Party.name)
        .join(Party, Party.id == Case.party_id)
        .where(Case.project_id == project.id)
        .order_by(Case.code)
    ).all()
    return [CaseChoice(*row) for row in rows]


def _meeting_form(formdata: Any = None, **data: Any) -> MeetingForm:
    form = MeetingForm(formdata=formdata, data=data) if formdata is not None else MeetingForm(formdata=None, data=data)
    form.kind.choices = choices(MeetingKind)
    return form


def _draft_key(project: Project, meeting: Meeting | None) -> str:
    """Where the phone keeps the draft: per project, user and form (a new log, or an amendment)."""
    target = f"amend-{meeting.id}" if meeting else "new"
    return f"gpmb-meeting-draft:{project.code}:{current_user.id}:{target}"


@dataclass
class FormProblems:
    """What stops a save, by part of the form, in the order found."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    @property
    def messages(self) -> list[str]:
        return [m for messages in self.by_field.values() for m in messages]

    @property
    def screen(self) -> int:
        return 1 if any(name in SCREEN_ONE for name in self.by_field) else 2

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _render_form(
    project: Project, form: MeetingForm, entries: MeetingEntries, cases: list[CaseChoice], *,
    meeting: Meeting | None = None, problems: FormProblems | None = None, status: int = 200,
    conflict: bool = False, files_refused: bool = False,
):  # type: ignore[no-untyped-def]
    problems = problems or FormProblems()
    for name, errors in form.errors.items():
        if name != "csrf_token":
            for message in errors:
                problems.add(name, str(message))
    chosen = set(entries.case_ids)
    return render_template(
        "meetings/form.html", project=project, meeting=meeting, form=form, entries=entries.padded(),
        # The households at the meeting first, in the order chosen; then the rest of the project.
        cases=sorted(cases, key=lambda c: (c.id not in chosen, entries.case_ids.index(c.id) if c.id in chosen else 0)),
        case_labels={c.id: c.label for c in cases}, problems=problems, conflict=conflict, files_refused=files_refused,
        draft_key=_draft_key(project, meeting), rerendered=request.method == "POST",
        closed_commitments=[c for c in meeting.commitments if c.status != CommitmentStatus.OPEN] if meeting else [],
        kinds=choices(MeetingKind), sides=choices(AttendeeSide), positions=choices(Position),
        categories=choices(ConcernCategory), group=GROUP, attachment_max_mb=_attachment_max_mb(),
    ), status


def _attachment_max_mb() -> int:
    from flask import current_app

    return int(current_app.config["ATTACHMENT_MAX_MB"])


def _values(form: MeetingForm, entries: MeetingEntries) -> dict[str, Any]:
    held_at = None
    if form.held_on.data and form.held_time.data:
        held_at = datetime.combine(form.held_on.data, form.held_time.data, tzinfo=LOCAL_TZ)
    return {
        "kind": form.kind.data, "held_at": held_at, "place": form.place.data or "",
        "answers": form.answers.data or "", "next_step": form.next_step.data or "", "notes": form.notes.data or "",
        **entries.values(),
    }


def _read_post(project: Project, cases: list[CaseChoice]) -> tuple[MeetingForm, MeetingEntries, FormProblems, bool]:
    """The posted form and its rows; problems found before the service is asked; whether the
    form is valid enough to try saving."""
    form = _meeting_form(request.form)
    entries = MeetingEntries.from_formdata(request.form, {c.id: c.label for c in cases})
    problems = FormProblems()
    valid = form.validate_on_submit()
    if not entries.case_ids:
        problems.add("households", _("Chọn ít nhất một hộ dự cuộc gặp."))
    for section, message in entries.errors:
        problems.add(section, message)
    if "csrf_token" in form.errors:
        problems.add("form", _("Phiên làm việc của biểu mẫu đã hết hạn. Bấm Lưu lần nữa; nội dung đã nhập vẫn còn."))
    return form, entries, problems, valid and not problems


def _save_files(meeting: Meeting) -> None:
    for upload in request.files.getlist("files"):
        if upload and upload.filename:
            service.attach(meeting, upload.filename, upload.stream, current_user)


def _refused(problems: FormProblems, error: FieldError) -> bool:
    """Record a service's refusal; True when it was about an attached file."""
    problems.add(error.field, error.message)
    if error.field == "file":
        problems.add("file", _("Không có gì được lưu. Nội dung đã nhập vẫn còn; hãy chọn lại tệp đính kèm."))
        return True
    return False


@bp.route("/new", methods=["GET", "POST"])
def new(code: str):  # type: ignore[no-untyped-def]
    """Ghi cuộc gặp: the original minutes, with the scans attached, in one save."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    cases = _case_choices(project)
    if request.method == "GET":
        now = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0)
        preselected = [c for c in cases if str(c.id) == request.args.get("case_id", "")]
        form = _meeting_form(
            kind=(MeetingKind.PERSUASION.value if preselected else None), held_on=now.date(), held_time=now.time(),
            place=_home_of(preselected[0].id) if preselected else "",
        )
        attendees = [AttendeeRow(AttendeeSide.OFFICIAL.value, current_user.display_name, "")]
        entries = MeetingEntries.blank([c.id for c in preselected], attendees)
        return _render_form(project, form, entries, cases)

    form, entries, problems, valid = _read_post(project, cases)
    if request.form.get("refresh"):  # the form without JS: show the blocks of the households ticked
        return _render_form(project, _without_errors(form), entries.quiet(), cases)
    if not valid:
        return _render_form(project, form, entries, cases, problems=problems, status=422)
    already = service.recorded_with_key(project, form.submission_key.data or None)
    if already is not None:  # the same form sent twice (a double tap, a retry): recorded once
        flash(_("Biên bản này đã được lưu trước đó; không ghi thêm lần nữa."), "info")
        return redirect(url_for(".detail", code=code, meeting_id=already.id))
    files_refused = False
    try:
        values = {**_values(form, entries), "submission_key": form.submission_key.data or None}
        meeting = service.record_meeting(project, values, current_user, _now())
        _save_files(meeting)
    except FieldError as error:
        db.session.rollback()
        files_refused = _refused(problems, error)
        return _render_form(project, form, entries, cases, problems=problems, status=422, files_refused=files_refused)
    db.session.commit()
    session["meeting_draft_saved"] = _draft_key(project, None)
    flash(_("Đã lưu biên bản %(meeting)s (%(n)s hộ).", meeting=str(meeting), n=len(entries.case_ids)), "success")
    return redirect(url_for(".detail", code=code, meeting_id=meeting.id))


def _home_of(case_id: int) -> str:
    address = db.session.scalar(sa.select(Party.address).join(Case, Case.party_id == Party.id).where(Case.id == case_id))
    return _("Nhà hộ, %(address)s", address=address) if address else ""


def _without_errors(form: MeetingForm) -> MeetingForm:
    """The form as typed, without the messages of a save that was not asked for."""
    for item in form:
        item.errors = []
    form.form_errors = []
    return form


@bp.route(f"/<{ID}:meeting_id>/amend", methods=["GET", "POST"])
def amend(code: str, meeting_id: int):  # type: ignore[no-untyped-def]
    """Sửa biên bản: the same form, prefilled, with the reason for the correction."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    meeting = _meeting_or_404(project, meeting_id)
    cases = _case_choices(project)
    if request.method == "GET":
        held = meeting.held_at.astimezone(LOCAL_TZ)
        form = _meeting_form(
            kind=meeting.kind.value, held_on=held.date(), held_time=held.time().replace(second=0, microsecond=0),
            place=meeting.place, answers=meeting.answers, next_step=meeting.next_step, notes=meeting.notes,
            version=str(meeting.version),
        )
        return _render_form(project, form, MeetingEntries.from_meeting(meeting), cases, meeting=meeting)

    form, entries, problems, valid = _read_post(project, cases)
    if request.form.get("refresh"):
        return _render_form(project, _without_errors(form), entries.quiet(), cases, meeting=meeting)
    if not (form.reason.data or "").strip():
        problems.add("reason", _("Ghi lý do sửa biên bản."))
        valid = False
    # Which version the officer read: without it a concurrent amendment could not be detected.
    if not (form.version.data or "").isdigit():
        problems.add("version", _("Không rõ bản biên bản đang sửa; tải lại trang rồi sửa lại."))
        valid = False
    if not valid:
        return _render_form(project, form, entries, cases, meeting=meeting, problems=problems, status=422)
    expected = int(form.version.data)
    try:
        service.amend_meeting(
            meeting, _values(form, entries), form.reason.data or "", current_user, _now(), expected_version=expected,
        )
        _save_files(meeting)
    except FieldError as error:
        db.session.rollback()
        if error.field == "version":
            problems.add("version", error.message)
            current = _meeting_or_404(project, meeting_id)
            # Saving again is then a deliberate amendment on top of the latest version.
            form.version.data = str(current.version)
            return _render_form(
                project, form, entries, cases, meeting=current, problems=problems, status=409, conflict=True,
            )
        files_refused = _refused(problems, error)
        meeting = _meeting_or_404(project, meeting_id)
        return _render_form(
            project, form, entries, cases, meeting=meeting, problems=problems, status=422, files_refused=files_refused,
        )
    db.session.commit()
    session["meeting_draft_saved"] = _draft_key(project, meeting)
    flash(_("Đã lưu bản sửa số %(n)s của biên bản.", n=meeting.revision), "success")
    return redirect(url_for(".detail", code=code, meeting_id=meeting.id))


# --- the minutes ----------------------------------------------------------------------------


def _close_form(commitment: CommitmentLine, formdata: Any = None) -> CommitmentCloseForm:
    if formdata is not None:
        return CommitmentCloseForm(formdata=formdata)
    return CommitmentCloseForm(
        formdata=None, data={"status": CommitmentStatus.DONE.value, "closed_on": _today(), "version": str(commitment.version)},
    )


def _render_minutes(
    project: Project, meeting: Meeting, *, viewing: Any = None, status: int = 200,
    closing: dict[int, CommitmentCloseForm] | None = None, upload_errors: list[str] | None = None,
    close_errors: dict[int, list[str]] | None = None,
):  # type: ignore[no-untyped-def]
    if viewing is None:
        minutes = minutes_from(service.snapshot(meeting), meeting.commitments)
    else:
        minutes = minutes_from(viewing.snapshot)
    forms = {c.id: _close_form(c) for c in minutes.commitments if c.id is not None and c.status == CommitmentStatus.OPEN}
    forms.update(closing or {})
    return render_template(
        "meetings/detail.html", project=project, meeting=meeting, minutes=minutes, viewing=viewing,
        revisions=revision_lines(meeting), close_forms=forms, close_errors=close_errors or {},
        attachment_form=AttachmentForm(formdata=None), upload_errors=upload_errors or [], today=_today(),
        attachment_labels=dict(service.ATTACHMENT_TYPES), clear_draft=session.pop("meeting_draft_saved", None),
        attachment_max_mb=_attachment_max_mb(), filesize=filesize,
    ), status


def filesize(size: int) -> str:
    """Bytes the Vietnamese way: '850 KB', '2,4 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


@bp.route(f"/<{ID}:meeting_id>")
def detail(code: str, meeting_id: int):  # type: ignore[no-untyped-def]
    """Biên bản: the minutes as a legal record, with their amendments."""
    project = project_or_404(current_user, code)
    return _render_minutes(project, _meeting_or_404(project, meeting_id))


@bp.route(f"/<{ID}:meeting_id>/revisions/<{ID}:number>")
def revision(code: str, meeting_id: int, number: int):  # type: ignore[no-untyped-def]
    """One version of the minutes as it read then (1: the original)."""
    project = project_or_404(current_user, code)
    meeting = _meeting_or_404(project, meeting_id)
    kept = next((r for r in meeting.revisions if r.number == number), None)
    if kept is None:
        abort(404)
    return _render_minutes(project, meeting, viewing=kept)


@bp.route(f"/<{ID}:meeting_id>/commitments/<{ID}:commitment_id>/close", methods=["POST"])
def close_commitment(code: str, meeting_id: int, commitment_id: int):  # type: ignore[no-untyped-def]
    """Khép cam kết: kept or cancelled, with what was done or why."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    meeting = _meeting_or_404(project, meeting_id)
    commitment = next((c for c in meeting.commitments if c.id == commitment_id), None)
    if commitment is None:
        abort(404)
    line = CommitmentLine(commitment.id, None, None, "", "", commitment.due_on, commitment.status)
    form = _close_form(line, request.form)
    status = 422
    if form.validate_on_submit():
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            service.close_commitment(
                commitment, CommitmentStatus(form.status.data), form.closed_on.data, form.outcome.data or "", _today(),
                expected_version=expected,
            )
        except FieldError as error:
            db.session.rollback()
            if error.field == "version":
                status = 409
            field_ = getattr(form, error.field, None)
            if field_ is not None:
                field_.errors = [*field_.errors, error.message]
            else:
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Đã ghi kết quả cam kết “%(what)s”.", what=commitment.what[:80]), "success")
            return redirect(url_for(".detail", code=code, meeting_id=meeting.id) + "#commitments")
    meeting = _meeting_or_404(project, meeting_id)
    messages = [*form.form_errors, *(str(m) for name, ms in form.errors.items() if name != "csrf_token" for m in ms)]
    if "csrf_token" in form.errors:
        messages.append(_("Phiên làm việc của biểu mẫu đã hết hạn; tải lại trang rồi ghi lại."))
    return _render_minutes(
        project, meeting, status=status, closing={commitment_id: form}, close_errors={commitment_id: messages},
    )


@bp.route(f"/<{ID}:meeting_id>/attachments", methods=["POST"])
def add_attachment(code: str, meeting_id: int):  # type: ignore[no-untyped-def]
    """Thêm ảnh biên bản: scans or photos of the signed minutes, all or none."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    meeting = _meeting_or_404(project, meeting_id)
    form = AttachmentForm()
    uploads = [u for u in request.files.getlist("files") if u and u.filename]
    errors: list[str] = []
    if not form.validate_on_submit():
        errors.append(_("Phiên làm việc của biểu mẫu đã hết hạn; tải lại trang rồi chọn lại tệp."))
    elif not uploads:
        errors.append(_("Chọn ảnh chụp hoặc bản quét biên bản để tải lên."))
    else:
        try:
            for upload in uploads:
                service.attach(meeting, upload.filename or "", upload.stream, current_user)
        except FieldError as error:
            db.session.rollback()
            errors += [error.message, _("Không tệp nào được lưu; chọn lại các tệp hợp lệ.")]
        else:
            db.session.commit()
            flash(_("Đã đính kèm %(n)s tệp vào biên bản.", n=len(uploads)), "success")
            return redirect(url_for(".detail", code=code, meeting_id=meeting.id) + "#attachments")
    return _render_minutes(project, _meeting_or_404(project, meeting_id), status=422, upload_errors=errors)


@bp.route(f"/<{ID}:meeting_id>/attachments/<{ID}:attachment_id>")
def attachment(code: str, meeting_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    """The stored scan or photo, shown in the browser with its own name."""
    project = project_or_404(current_user, code)
    stored = db.session.scalar(
        sa.select(MeetingAttachment)
        .join(Meeting, Meeting.id == MeetingAttachment.meeting_id)
        .where(MeetingAttachment.id == attachment_id, Meeting.id == meeting_id, Meeting.project_id == project.id)
    )
    if stored is None:
        abort(404)
    path = service.attachment_path(stored)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=stored.content_type, as_attachment=False, download_name=stored.filename,
        conditional=True, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response
