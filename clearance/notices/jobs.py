"""Printing a project's notices in one go (in hàng loạt): issue what has not been issued yet, reuse
what has, and render them all into one PDF in which each notice restarts its page numbers.

``print_project`` does it in the caller's transaction (the CLI, tests). A ``PrintJob`` does it in
the background: the web request creates the job and hands its id to a single worker thread per
process, which runs :func:`run_job` in its own app context and session, committing the documents
issued and the progress every chunk so the job page can poll it, and writes the PDF under the
instance folder (``PRINT_JOB_DIR``, default ``instance/print-jobs``). With ``PRINT_JOBS_INLINE``
the request runs the job itself (tests: their data is not committed, a thread would not see it).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from clearance.audit import acting_as
from clearance.extensions import db
from clearance.models import Case, CaseParcel, CompensationPlan, IssuedDocument, PrintJob, Project, User
from clearance.models.types import utcnow
from clearance.notices.documents import CASE_TYPES, LOCKED, DocumentRefused, IssueFields, prepare, vietnamese
from clearance.notices.pdf import render_batch
from clearance.notices.register import current_notices, issue_prepared
from clearance.workflow.statuses import DocumentType, PrintJobStatus, label

log = logging.getLogger(__name__)

#: Documents issued between two commits of a background job (its progress shows at each).
CHUNK = 20

#: progress(stage, done, total): stage "issue" (documents issued or found) or "render" (rendered).
Progress = Callable[[str, int, int], None]


def workers_setting() -> int:
    """PRINT_WORKERS (processes rendering a batch), default one per CPU."""
    configured = current_app.config.get("PRINT_WORKERS")
    return max(1, int(configured)) if configured else max(1, os.cpu_count() or 1)


# -- which cases ---------------------------------------------------------------------------------


def latest_locked_plans(project_id: int, case_ids: list[int] | None = None) -> dict[int, CompensationPlan]:
    """case id → its latest frozen or approved plan version (one query)."""
    from clearance.services.plans import newest_versions

    plan = CompensationPlan
    sub = newest_versions(project_id, LOCKED, case_ids)
    rows = db.session.scalars(
        sa.select(plan).join(sub, sa.and_(sub.c.case_id == plan.case_id, sub.c.number == plan.number))
    )
    return {row.case_id: row for row in rows}


def select_cases(project: Project, doc_type: DocumentType, case_ids: list[int] | None = None) -> list[Case]:
    """The cases to print, in case code order: those given (each must be the project's; for
    compensation notices each must have a frozen or approved plan), or by default every case with
    such a plan (compensation notices) or every case (recovery notices)."""
    if doc_type not in CASE_TYPES:
        raise DocumentRefused("doc_type", _("Chỉ in hàng loạt thông báo thu hồi đất và thông báo bồi thường, hỗ trợ, tái định cư."))
    query = (
        sa.select(Case).where(Case.project_id == project.id)
        .options(selectinload(Case.party), selectinload(Case.holdings).joinedload(CaseParcel.parcel))
        .order_by(Case.code)
    )
    if case_ids is not None:
        cases = list(db.session.scalars(query.where(Case.id.in_(case_ids))))
        missing = set(case_ids) - {case.id for case in cases}
        if missing:
            raise DocumentRefused("cases", _("Không có hồ sơ số %(ids)s trong dự án %(code)s.",
                                             ids=", ".join(map(str, sorted(missing))), code=project.code))
        return cases
    if doc_type == DocumentType.COMPENSATION_NOTICE:
        query = query.where(Case.id.in_(
            sa.select(CompensationPlan.case_id).where(CompensationPlan.project_id == project.id, CompensationPlan.status.in_(LOCKED))
        ))
    return list(db.session.scalars(query))


# -- issuing ------------------------------------------------------------------------------------


@dataclass
class Batch:
    """What a batch printed: its documents in order, how many were issued now and how many had
    been issued before (reprinted), and the PDF."""

    documents: list[IssuedDocument]
    issued: int
    reused: int
    pdf: bytes = b""


def issue_batch(
    project: Project, doc_type: DocumentType, cases: list[Case], fields_: IssueFields, user: User | None, *,
    progress: Progress | None = None, after_chunk: Callable[[int], None] | None = None, today: date | None = None,
) -> Batch:
    """For each case, its current document of this type if it has one (a reprint), else a new one
    issued with ``fields_``. DocumentRefused, naming the case, stops the batch (a case without a
    frozen plan, a missing field): nothing of the chunk being issued is kept by the caller's
    rollback."""
    plans: dict[int, CompensationPlan] = {}
    if doc_type == DocumentType.COMPENSATION_NOTICE:
        plans = latest_locked_plans(project.id, [case.id for case in cases])
        current = current_notices(doc_type, plans={plan.id: plan for plan in plans.values()})
    else:
        current = current_notices(doc_type, case_ids=[case.id for case in cases])
    batch = Batch([], 0, 0)
    for index, case in enumerate(cases, start=1):
        if doc_type == DocumentType.COMPENSATION_NOTICE:
            plan = plans.get(case.id)
            existing = current.get(plan.id) if plan is not None else None
            subject: Any = plan if plan is not None else case  # a case without one: prepare says so
        else:
            existing = current.get(case.id)
            subject = case
        if existing is not None:
            batch.documents.append(existing)
            batch.reused += 1
        else:
            prepared = prepare(doc_type, subject, fields_, user)
            batch.documents.append(issue_prepared(prepared, user, today=today, check_current=False))
            batch.issued += 1
        if progress:
            progress("issue", index, len(cases))
        if after_chunk and (index % CHUNK == 0 or index == len(cases)):
            after_chunk(index)
    return batch


def render(batch: Batch, project: Project, doc_type: DocumentType, workers: int, progress: Progress | None = None) -> bytes:
    """All the batch's documents in one PDF, in order, each restarting its page numbers."""
    with vietnamese():
        title = f"{label(doc_type)} — {project.name} ({len(batch.documents)} văn bản)"
    return render_batch(
        [document.html for document in batch.documents], workers,
        (lambda done, total: progress("render", done, total)) if progress else None, title=title,
    )


def print_project(
    project: Project, doc_type: DocumentType | str = DocumentType.COMPENSATION_NOTICE, case_ids: list[int] | None = None,
    fields_: IssueFields | None = None, *, user: User | None = None, workers: int | None = None,
    progress: Progress | None = None, today: date | None = None,
) -> bytes:
    """Issue (in the caller's transaction) and print the project's notices of one type into one
    PDF; see :func:`print_batch`."""
    return print_batch(project, doc_type, case_ids, fields_, user=user, workers=workers, progress=progress, today=today).pdf


def print_batch(
    project: Project, doc_type: DocumentType | str = DocumentType.COMPENSATION_NOTICE, case_ids: list[int] | None = None,
    fields_: IssueFields | None = None, *, user: User | None = None, workers: int | None = None,
    progress: Progress | None = None, today: date | None = None,
) -> Batch:
    """The selected cases (default: every case with a frozen or approved plan, or every case for
    recovery notices), their notices issued where none is current, all in one PDF rendered by
    ``workers`` processes (default PRINT_WORKERS)."""
    doc_type = DocumentType(doc_type)
    cases = select_cases(project, doc_type, case_ids)
    if not cases:
        raise DocumentRefused("cases", _("Không có hồ sơ nào để in: chưa hồ sơ nào có phương án đã chốt hoặc đã phê duyệt."))
    batch = issue_batch(project, doc_type, cases, fields_ or IssueFields(), user, progress=progress, today=today)
    batch.pdf = render(batch, project, doc_type, workers or workers_setting(), progress)
    return batch


# -- background jobs ----------------------------------------------------------------------------


def job_dir() -> Path:
    return Path(current_app.config.get("PRINT_JOB_DIR") or Path(current_app.instance_path) / "print-jobs")


def start_job(project: Project, doc_type: DocumentType | str, case_ids: list[int] | None, fields_: IssueFields,
              user: User | None) -> PrintJob:
    """A queued print job (flushed): what to print and with which fields. The cases are checked
    now, so a request that cannot succeed is refused at once; the caller commits, then submits."""
    doc_type = DocumentType(doc_type)
    if user is not None and not user.can_edit:
        raise DocumentRefused("user", _("Tài khoản chỉ xem không được ban hành văn bản."))
    cases = select_cases(project, doc_type, case_ids)
    if not cases:
        raise DocumentRefused("cases", _("Không có hồ sơ nào để in: chưa hồ sơ nào có phương án đã chốt hoặc đã phê duyệt."))
    job = PrintJob(
        project_id=project.id, doc_type=doc_type, status=PrintJobStatus.QUEUED,
        params={"case_ids": [case.id for case in cases], "fields": fields_.to_json()},
        total=2 * len(cases), done=0, user_id=user.id if user else None,
        actor=(user.display_name if user else "system")[:200],
    )
    db.session.add(job)
    db.session.flush()
    return job


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # One job at a time per process: each already uses PRINT_WORKERS processes to render.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gpmb-print")
        return _executor


def submit(job_id: int) -> Future[None] | None:
    """Run the (committed) job: in the background thread, or here when PRINT_JOBS_INLINE."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("PRINT_JOBS_INLINE"):
        run_job(job_id)
        return None
    return _pool().submit(_run_in_app, app, job_id)


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> None:
    """Run a queued print job to its end: DONE with its PDF, or FAILED with the reason. Documents
    are issued and the progress committed every CHUNK cases (those issued stay issued if a later
    step fails, and a new job reprints them); the PDF goes to ``job_dir()/<id>.pdf``."""
    job = db.session.get(PrintJob, job_id)
    if job is None or job.status != PrintJobStatus.QUEUED:
        return
    job.status = PrintJobStatus.RUNNING
    db.session.commit()
    started = time.monotonic()
    try:
        project = db.session.get(Project, job.project_id)
        assert project is not None
        user = db.session.get(User, job.user_id) if job.user_id else None
        fields_ = IssueFields.from_json(job.params.get("fields") or {})
        cases = select_cases(project, job.doc_type, job.params.get("case_ids"))
        count = len(cases)
        job.total = 2 * count
        db.session.commit()

        def issued(done: int) -> None:
            job.done = done
            db.session.commit()

        def rendered(stage: str, done: int, total: int) -> None:
            if stage == "render":
                job.done = count + done
                db.session.commit()

        with acting_as(job.user_id, job.actor):
            batch = issue_batch(project, job.doc_type, cases, fields_, user, after_chunk=issued)
        db.session.commit()
        pdf = render(batch, project, job.doc_type, workers_setting(), rendered)
        folder = job_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{job.id}.pdf"
        partial = path.with_suffix(".part")
        partial.write_bytes(pdf)
        partial.replace(path)  # the download link appears only for a whole file
        job.file_path = str(path)
        job.done = job.total
        job.status = PrintJobStatus.DONE
        job.finished_at = utcnow()
        db.session.commit()
        log.info("print job %s: %s documents in %.1f s", job.id, count, time.monotonic() - started)
    except Exception as error:  # noqa: BLE001 — whatever stopped it, the page must say so
        db.session.rollback()
        log.exception("print job %s failed", job_id)
        failed = db.session.get(PrintJob, job_id)
        if failed is not None:
            failed.status = PrintJobStatus.FAILED
            failed.error = error.message if isinstance(error, DocumentRefused) else _("Lỗi khi in: %(error)s", error=str(error) or type(error).__name__)
            failed.done = min(failed.done, failed.total)
            failed.finished_at = utcnow()
            db.session.commit()


def job_or_none(project: Project, job_id: int) -> PrintJob | None:
    job = db.session.get(PrintJob, job_id)
    return job if job is not None and job.project_id == project.id else None


def recent_jobs(project: Project, limit: int = 5) -> list[PrintJob]:
    return list(db.session.scalars(
        sa.select(PrintJob).where(PrintJob.project_id == project.id).order_by(PrintJob.created_at.desc(), PrintJob.id.desc()).limit(limit)
    ))


def job_state(job: PrintJob) -> dict[str, Any]:
    """The job's progress for the page and its JSON endpoint."""
    cases = job.total // 2
    if job.status == PrintJobStatus.QUEUED:
        stage = _("Đang chờ đến lượt")
    elif job.status == PrintJobStatus.RUNNING:
        stage = (_("Đang lập và cấp số văn bản: %(done)s/%(total)s", done=job.done, total=cases) if job.done < cases
                 else _("Đang dựng PDF: %(done)s/%(total)s văn bản", done=job.done - cases, total=cases))
    elif job.status == PrintJobStatus.DONE:
        stage = _("Đã xong: %(n)s văn bản", n=cases)
    else:
        stage = _("Lỗi")
    return {
        "id": job.id, "status": job.status.value, "status_label": label(job.status), "stage": stage,
        "done": job.done, "total": job.total, "percent": int(job.done * 100 / job.total) if job.total else 0,
        "error": job.error, "finished": job.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED),
        "ready": job.status == PrintJobStatus.DONE and bool(job.file_path) and Path(job.file_path).is_file(),
    }


__all__ = [
    "Batch", "CHUNK", "issue_batch", "job_dir", "job_or_none", "job_state", "latest_locked_plans", "print_batch",
    "print_project", "recent_jobs", "render", "run_job", "select_cases", "start_job", "submit", "workers_setting",
]
