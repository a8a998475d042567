"""The register of issued documents (sổ đăng ký văn bản đi): numbering, issuing, reprinting,
cancelling, and the unnumbered preview.

A document is rendered once, with its number, and kept as the HTML it was printed from with its
SHA-256; a reprint is that HTML, never a new rendering, so a copy printed years later is the same
document even if the case, the plan or the templates changed since. Numbers run per issuing body,
year and code (94/TB-UBND); two people issuing at once cannot take the same number: the database's
unique constraint decides, and the loser takes the next one (retried inside a savepoint). A
cancelled document is kept, with who cancelled it, when and why; the database refuses to change
its text or number, or to delete it.

Services flush, never commit.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from clearance.audit import current_actor
from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import AuditEntry, CompensationPlan, IssuedDocument, Project, User
from clearance.models.types import utcnow
from clearance.notices.documents import DocumentRefused, IssueFields, Prepared, check_fields, prepare, render
from clearance.workflow.statuses import DocumentType, PlanStatus, label

#: How many times a number is taken again when someone else took it first.
ATTEMPTS = 5


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def next_number(issuing_unit_id: int, year: int, code: str) -> int:
    """The next free number of the issuing body's register for that year and code."""
    highest = db.session.scalar(
        sa.select(sa.func.max(IssuedDocument.number)).where(
            IssuedDocument.issuing_unit_id == issuing_unit_id, IssuedDocument.year == year, IssuedDocument.code == code
        )
    )
    return (highest or 0) + 1


def _fields(issued_on: date | None, signer_name: str | None, extra: dict[str, Any]) -> IssueFields:
    unknown = set(extra) - set(IssueFields.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown document fields: {', '.join(sorted(unknown))}")
    return IssueFields(issued_on=issued_on, signer_name=(signer_name or "").strip(), **extra)


# -- preview -----------------------------------------------------------------------------------


def preview(doc_type: DocumentType | str, subject: Any, *, user: User | None = None, **extra: Any) -> str:
    """The document as it would be issued, unnumbered ("      /TB-UBND") and marked DỰ THẢO;
    writes nothing. Missing fields print as dotted lines. Raises DocumentRefused when the document
    cannot be made from ``subject`` (e.g. a plan still a draft)."""
    fields_ = _fields(extra.pop("issued_on", None), extra.pop("signer_name", ""), extra)
    return render(prepare(doc_type, subject, fields_, user), None, draft=True)


# -- current documents of a subject ------------------------------------------------------------


def current_document(prepared: Prepared) -> IssuedDocument | None:
    """The uncancelled document already issued for the same subject, if any: the notice of this
    plan version (one issued before the version was approved no longer counts once it is), the
    recovery notice of this case, the minutes of this meeting. Plan summaries are reports of a
    day and may be issued again."""
    query = sa.select(IssuedDocument).where(
        IssuedDocument.doc_type == prepared.doc_type, IssuedDocument.cancelled_at.is_(None)
    )
    if prepared.doc_type == DocumentType.COMPENSATION_NOTICE:
        assert prepared.plan is not None
        query = query.where(IssuedDocument.plan_id == prepared.plan.id)
        if prepared.plan.status == PlanStatus.APPROVED and prepared.plan.approved_at is not None:
            query = query.where(IssuedDocument.issued_at >= prepared.plan.approved_at)
    elif prepared.doc_type == DocumentType.RECOVERY_NOTICE:
        assert prepared.case is not None
        query = query.where(IssuedDocument.case_id == prepared.case.id)
    elif prepared.doc_type == DocumentType.MEETING_MINUTES:
        assert prepared.meeting is not None
        query = query.where(IssuedDocument.meeting_id == prepared.meeting.id)
    else:
        return None
    return db.session.scalar(query.order_by(IssuedDocument.issued_at.desc()).limit(1))


def current_notices(doc_type: DocumentType, plans: dict[int, CompensationPlan] | None = None,
                    case_ids: list[int] | None = None) -> dict[int, IssuedDocument]:
    """For a batch, in one query: plan id → its current compensation notice (``plans``: id →
    version), or case id → its current recovery notice (``case_ids``)."""
    query = sa.select(IssuedDocument).where(IssuedDocument.doc_type == doc_type, IssuedDocument.cancelled_at.is_(None))
    found: dict[int, IssuedDocument] = {}
    if doc_type == DocumentType.COMPENSATION_NOTICE:
        if not plans:
            return {}
        for document in db.session.scalars(query.where(IssuedDocument.plan_id.in_(list(plans))).order_by(IssuedDocument.issued_at)):
            plan = plans[document.plan_id]  # type: ignore[index]
            if plan.status == PlanStatus.APPROVED and plan.approved_at is not None and document.issued_at < _aware(plan.approved_at):
                continue
            found[plan.id] = document
        return found
    if not case_ids:
        return {}
    for document in db.session.scalars(query.where(IssuedDocument.case_id.in_(case_ids)).order_by(IssuedDocument.issued_at)):
        found[document.case_id] = document  # type: ignore[index]
    return found


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# -- issuing -----------------------------------------------------------------------------------


def issue(
    doc_type: DocumentType | str, subject: Any, *, issued_on: date | None, signer_name: str | None, user: User | None,
    number: int | None = None, today: date | None = None, **extra: Any,
) -> IssuedDocument:
    """Issue a document: check it can be made and has what it must state, take the next number of
    its issuing body's register for the year and code (or ``number``, if that one is free), render
    it once with the number and keep that HTML and its SHA-256. ``extra``: the other fields of
    IssueFields (payment_on, payment_time, payment_place, handover_on, survey_from, survey_to,
    resettlement_plan, deputy).

    Raises DocumentRefused (nothing written) when the user may not issue, the subject cannot give
    this document (e.g. a draft plan), a field is missing, or the subject already has a current
    document of this type (reprint it, or cancel it first)."""
    fields_ = _fields(issued_on, signer_name, extra)
    prepared = prepare(doc_type, subject, fields_, user)
    return issue_prepared(prepared, user, number=number, today=today)


def issue_prepared(
    prepared: Prepared, user: User | None, *, number: int | None = None, today: date | None = None, check_current: bool = True,
) -> IssuedDocument:
    """Issue an already prepared document; see :func:`issue`. ``check_current=False``: the caller
    has already looked for a current document (a batch does it for all its cases in one query)."""
    if user is not None and not user.can_edit:
        raise DocumentRefused("user", _("Tài khoản chỉ xem không được ban hành văn bản."))
    check_fields(prepared.doc_type, prepared.fields, today or _today())
    existing = current_document(prepared) if check_current else None
    if existing is not None:
        raise DocumentRefused(
            "doc_type",
            _("%(subject)s đã có %(type)s số %(number)s còn hiệu lực: in lại văn bản đó, hoặc hủy nó trước khi ban hành văn bản mới.",
              subject=prepared.subject_label[:1].upper() + prepared.subject_label[1:], type=label(prepared.doc_type).lower(),
              number=existing.number_code),
        )
    if number is not None and number < 1:
        raise DocumentRefused("number", _("Số văn bản phải từ 1 trở lên."))
    issued_on = prepared.fields.issued_on
    assert issued_on is not None
    year = issued_on.year
    user_id, actor = (user.id, user.display_name) if user is not None else current_actor()
    for _attempt in range(ATTEMPTS):
        taken = number if number is not None else next_number(prepared.issuing_unit.id, year, prepared.code)
        html = render(prepared, f"{taken}/{prepared.code}")
        document = IssuedDocument(
            project_id=prepared.project.id, case_id=prepared.case.id if prepared.case else None,
            meeting_id=prepared.meeting.id if prepared.meeting else None, plan_id=prepared.plan.id if prepared.plan else None,
            doc_type=prepared.doc_type, issuing_unit_id=prepared.issuing_unit.id, year=year, number=taken,
            code=prepared.code, issued_on=issued_on, summary=prepared.summary[:500],
            signer_name=prepared.fields.signer_name[:200], html=html, content_hash=sha256(html), user_id=user_id,
            issued_by=actor[:200], issued_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(document)
        except IntegrityError:
            # Someone took this number between our look and our write: the savepoint is gone,
            # nothing else is; take the next one (or say so, when this number was asked for).
            if number is not None:
                raise DocumentRefused(
                    "number", _("Số %(number)s/%(code)s năm %(year)s đã được cấp cho văn bản khác.",
                                number=number, code=prepared.code, year=year),
                ) from None
            continue
        _audit(document, "create", {"number": [None, document.number_code], "issued_on": [None, issued_on.isoformat()],
                                    "summary": [None, document.summary]}, None, user_id, actor)
        return document
    raise DocumentRefused("number", _("Không cấp được số văn bản: nhiều người đang ban hành cùng lúc, hãy thử lại."))


def _audit(document: IssuedDocument, action: str, changes: dict[str, Any], reason: str | None, user_id: int | None, actor: str) -> None:
    """The case's history shows what was issued or cancelled (IssuedDocument is not Audited:
    its rows never change but for the cancellation)."""
    db.session.add(AuditEntry(
        at=utcnow(), user_id=user_id, actor=actor[:120], action=action, entity="issued_document", entity_id=document.id,
        label=f"{label(document.doc_type)} {document.number_code}"[:300], project_id=document.project_id,
        case_id=document.case_id, changes=changes, reason=reason,
    ))
    db.session.flush()


# -- reprinting, cancelling --------------------------------------------------------------------


class TamperedDocument(RuntimeError):
    """The stored HTML no longer matches its hash (the database trigger should make this impossible)."""


def reprint(document: IssuedDocument) -> str:
    """The document exactly as issued: its stored HTML, checked against its SHA-256."""
    if sha256(document.html) != document.content_hash:
        raise TamperedDocument(f"issued document {document.id} ({document.number_code}) does not match its hash")
    return document.html


def cancel(document: IssuedDocument, reason: str, user: User | None) -> IssuedDocument:
    """Hủy văn bản: only a team lead, with a reason. The document stays in the register, marked
    cancelled; its text and number never change, and a reprint is still the document as issued."""
    if user is not None and not user.can_approve:
        raise DocumentRefused("reason", _("Chỉ trưởng nhóm được hủy văn bản đã ban hành."))
    reason = (reason or "").strip()
    if not reason:
        raise DocumentRefused("reason", _("Ghi lý do hủy văn bản."))
    if document.cancelled_at is not None:
        raise DocumentRefused("reason", _("Văn bản %(number)s đã bị hủy trước đó.", number=document.number_code))
    user_id, actor = (user.id, user.display_name) if user is not None else current_actor()
    document.cancelled_at, document.cancelled_by, document.cancel_reason = utcnow(), actor[:200], reason
    db.session.flush()
    _audit(document, "update", {"cancelled_at": [None, document.cancelled_at.isoformat()]}, reason, user_id, actor)
    return document


# -- reading the register ----------------------------------------------------------------------


def register_query(project: Project, doc_type: DocumentType | str | None = None, year: int | None = None) -> sa.Select[tuple[IssuedDocument]]:
    """The project's documents, newest year first, then by code and number (latest first)."""
    query = sa.select(IssuedDocument).where(IssuedDocument.project_id == project.id)
    if doc_type:
        query = query.where(IssuedDocument.doc_type == DocumentType(doc_type))
    if year:
        query = query.where(IssuedDocument.year == year)
    return query.order_by(
        IssuedDocument.year.desc(), IssuedDocument.code, IssuedDocument.issuing_unit_id, IssuedDocument.number.desc()
    )


def register_years(project: Project) -> list[int]:
    return list(db.session.scalars(
        sa.select(IssuedDocument.year).where(IssuedDocument.project_id == project.id).distinct().order_by(IssuedDocument.year.desc())
    ))


def documents_of_case(case_id: int) -> list[IssuedDocument]:
    """What was issued for a case (its notices, its one-household minutes), newest first."""
    return list(db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.case_id == case_id).order_by(IssuedDocument.issued_at.desc())
    ))


def documents_of_meeting(meeting_id: int) -> list[IssuedDocument]:
    return list(db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.meeting_id == meeting_id).order_by(IssuedDocument.issued_at.desc())
    ))


def last_signer(project: Project) -> str:
    """Who signed the project's latest document: the default signer of the next one."""
    return db.session.scalar(
        sa.select(IssuedDocument.signer_name).where(IssuedDocument.project_id == project.id)
        .order_by(IssuedDocument.issued_at.desc()).limit(1)
    ) or ""


__all__ = [
    "ATTEMPTS", "DocumentRefused", "IssueFields", "TamperedDocument", "cancel", "current_document", "current_notices",
    "documents_of_case", "documents_of_meeting", "issue", "issue_prepared", "last_signer", "next_number", "preview",
    "register_query", "register_years", "reprint", "sha256",
]
