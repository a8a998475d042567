"""The dialogue log: recording a meeting's minutes, amending them with a reason, attaching the
signed scans, and keeping the promises made (cam kết) until they are done.

Minutes are legal records. ``record_meeting`` writes revision 1 (the original); every later
change goes through ``amend_meeting``, which needs a reason and writes the next revision, so each
version stays readable as it was.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import (
    Case,
    CaseDialogue,
    CaseDialogueMonth,
    Commitment,
    Concern,
    Meeting,
    MeetingAttachment,
    MeetingAttendee,
    MeetingCase,
    MeetingRevision,
    Party,
    Project,
    User,
)
from clearance.services.errors import FieldError
from clearance.workflow.statuses import AttendeeSide, CommitmentStatus, ConcernCategory, MeetingKind, Position

#: A meeting may be logged a little ahead of the server's clock (a phone's clock runs fast).
CLOCK_SLACK = timedelta(minutes=10)

#: Accepted attachment types, recognised by their first bytes (not by the name the phone gives).
ATTACHMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("application/pdf", "PDF"),
    ("image/jpeg", "JPEG"),
    ("image/png", "PNG"),
    ("image/webp", "WebP"),
    ("image/heic", "HEIC"),
)


def sniff_type(head: bytes) -> str | None:
    """The content type of a scan or photo from its first bytes, or None if it is none of ours."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic"
    return None


def _actor(user: User | None) -> str:
    if user is None:
        return "cli"
    return user.full_name or user.username


# --- recording and amending ---------------------------------------------------------------


def _project_cases(project: Project, case_ids: list[int]) -> dict[int, Case]:
    if not case_ids:
        return {}
    cases = db.session.scalars(
        sa.select(Case).where(Case.id.in_(case_ids), Case.project_id == project.id).options(selectinload(Case.party))
    ).all()
    return {case.id: case for case in cases}


def _checked(project: Project, values: dict[str, Any], now: datetime) -> dict[int, Case]:
    """Check the minutes as a whole; return the cases they cover. Errors name the line."""
    held_at = values.get("held_at")
    if held_at is None:
        raise FieldError("held_at", _("Ghi ngày giờ gặp."))
    if held_at > now + CLOCK_SLACK:
        raise FieldError("held_at", _("Ngày giờ gặp không được sau thời điểm hiện tại."))
    try:
        MeetingKind(values.get("kind"))
    except ValueError:
        raise FieldError("kind", _("Chọn loại cuộc gặp.")) from None
    households = values.get("households") or []
    if not households:
        raise FieldError("households", _("Chọn ít nhất một hộ dự cuộc gặp."))
    case_ids = [h["case_id"] for h in households]
    if len(set(case_ids)) != len(case_ids):
        raise FieldError("households", _("Một hộ được chọn hai lần."))
    cases = _project_cases(project, case_ids)
    for number, household in enumerate(households, start=1):
        if household["case_id"] not in cases:
            raise FieldError("households", _("Hộ thứ %(n)s không thuộc dự án %(project)s.", n=number, project=project.code))
        demand = household.get("demand")
        if demand is not None and demand <= 0:
            raise FieldError("households", _("Mức đề nghị của hộ %(case)s phải lớn hơn 0 đồng.", case=cases[household["case_id"]].code))
        try:
            Position(household.get("position") or Position.NO_ANSWER)
        except ValueError:
            raise FieldError("households", _("Ý kiến của hộ %(case)s không hợp lệ.", case=cases[household["case_id"]].code)) from None
    for number, attendee in enumerate(values.get("attendees") or [], start=1):
        if not (attendee.get("name") or "").strip():
            raise FieldError("attendees", _("Người tham dự thứ %(n)s chưa có họ tên.", n=number))
        try:
            AttendeeSide(attendee.get("side"))
        except ValueError:
            raise FieldError("attendees", _("Người tham dự thứ %(n)s: chọn thành phần.", n=number)) from None
    for number, concern in enumerate(values.get("concerns") or [], start=1):
        try:
            ConcernCategory(concern.get("category"))
        except ValueError:
            raise FieldError("concerns", _("Ý kiến thứ %(n)s: chọn nhóm vấn đề.", n=number)) from None
        if concern.get("case_id") is not None and concern["case_id"] not in cases:
            raise FieldError("concerns", _("Ý kiến thứ %(n)s gắn với một hộ không dự cuộc gặp.", n=number))
    held_on = held_at.astimezone(LOCAL_TZ).date()
    for number, commitment in enumerate(values.get("commitments") or [], start=1):
        if not (commitment.get("what") or "").strip():
            raise FieldError("commitments", _("Cam kết thứ %(n)s chưa ghi nội dung.", n=number))
        if not (commitment.get("responsible") or "").strip():
            raise FieldError("commitments", _("Cam kết thứ %(n)s chưa ghi người chịu trách nhiệm.", n=number))
        due_on = commitment.get("due_on")
        if due_on is None:
            raise FieldError("commitments", _("Cam kết thứ %(n)s chưa có hạn thực hiện.", n=number))
        if due_on < held_on:
            raise FieldError("commitments", _("Hạn của cam kết thứ %(n)s trước ngày gặp.", n=number))
        if commitment.get("case_id") is not None and commitment["case_id"] not in cases:
            raise FieldError("commitments", _("Cam kết thứ %(n)s gắn với một hộ không dự cuộc gặp.", n=number))
    return cases


def _fill(meeting: Meeting, values: dict[str, Any]) -> None:
    """Set the minutes' own fields and replace households, attendees and concerns."""
    meeting.kind = MeetingKind(values["kind"])
    meeting.held_at = values["held_at"].astimezone(UTC)
    meeting.place = (values.get("place") or "").strip()
    meeting.answers = (values.get("answers") or "").strip()
    meeting.next_step = (values.get("next_step") or "").strip()
    meeting.notes = (values.get("notes") or "").strip()
    # Households are updated in place (one row per meeting and case), not replaced.
    present = {h.case_id: h for h in meeting.households}
    households = []
    for h in values["households"]:
        row = present.get(h["case_id"]) or MeetingCase(case_id=h["case_id"])
        row.position = Position(h.get("position") or Position.NO_ANSWER)
        row.demand = h.get("demand")
        row.refused_inventory = bool(h.get("refused_inventory"))
        households.append(row)
    meeting.households = households
    meeting.attendees = [
        MeetingAttendee(side=AttendeeSide(a["side"]), name=a["name"].strip(), role=(a.get("role") or "").strip())
        for a in values.get("attendees") or []
    ]
    meeting.concerns = [
        Concern(
            project_id=meeting.project_id, held_at=meeting.held_at, case_id=c.get("case_id"), category=ConcernCategory(c["category"]),
            words=(c.get("words") or "").strip(), answer=(c.get("answer") or "").strip(),
        )
        for c in values.get("concerns") or []
    ]


def record_meeting(project: Project, values: dict[str, Any], user: User | None, now: datetime) -> Meeting:
    """Ghi biên bản: the original minutes (revision 1) and the commitments made at the meeting.

    ``values["submission_key"]``, the one-time key of the form, makes a second sending of the
    same form (a double tap, a retry on a bad network) return the minutes it already recorded."""
    key = values.get("submission_key") or None
    recorded = recorded_with_key(project, key)
    if recorded is not None:
        return recorded
    _checked(project, values, now)
    meeting = Meeting(
        project_id=project.id, user_id=user.id if user else None, recorded_by=_actor(user), revision=1, submission_key=key,
    )
    _fill(meeting, values)
    db.session.add(meeting)
    db.session.flush()
    for commitment in values.get("commitments") or []:
        db.session.add(_new_commitment(meeting, commitment))
    db.session.flush()
    _write_revision(meeting, user, reason="")
    refresh_dialogue([h.case_id for h in meeting.households])
    return meeting


def recorded_with_key(project: Project, key: str | None) -> Meeting | None:
    """The minutes already recorded from the form with this one-time key, if any."""
    if not key:
        return None
    return db.session.scalar(sa.select(Meeting).where(Meeting.submission_key == key, Meeting.project_id == project.id))


def _new_commitment(meeting: Meeting, values: dict[str, Any]) -> Commitment:
    return Commitment(
        project_id=meeting.project_id, meeting=meeting, case_id=values.get("case_id"),
        what=values["what"].strip(), responsible=values["responsible"].strip(), due_on=values["due_on"],
    )


def amend_meeting(
    meeting: Meeting, values: dict[str, Any], reason: str, user: User | None, now: datetime,
    expected_version: int | None = None,
) -> Meeting:
    """Sửa biên bản: a correction with its reason. The earlier versions stay in the revisions.

    Commitments keep their identity (a promise being kept is not re-made): those still listed are
    updated, new ones added, and open ones no longer listed are cancelled with the reason.
    """
    if not reason.strip():
        raise FieldError("reason", _("Ghi lý do sửa biên bản."))
    if expected_version is not None and expected_version != meeting.version:
        raise FieldError(
            "version",
            _("Biên bản này vừa được %(who)s sửa; xem bản mới nhất rồi sửa lại.", who=meeting.revisions[-1].actor),
        )
    project = db.session.get(Project, meeting.project_id)
    assert project is not None
    _checked(project, values, now)
    attended_before = [h.case_id for h in meeting.households]
    _fill(meeting, values)
    kept: set[int] = set()
    existing = {c.id: c for c in meeting.commitments}
    for item in values.get("commitments") or []:
        current = existing.get(item.get("id") or 0)
        if current is None:
            db.session.add(_new_commitment(meeting, item))
            continue
        kept.add(current.id)
        if current.status != CommitmentStatus.OPEN:
            continue  # a promise already kept or cancelled is a record of what happened: left as it is
        current.what, current.responsible = item["what"].strip(), item["responsible"].strip()
        current.due_on, current.case_id = item["due_on"], item.get("case_id")
    today = now.astimezone(LOCAL_TZ).date()
    for commitment in existing.values():
        if commitment.id not in kept and commitment.status == CommitmentStatus.OPEN:
            commitment.status = CommitmentStatus.CANCELLED
            commitment.closed_on = today
            commitment.outcome = _("Bỏ khi sửa biên bản: %(reason)s", reason=reason.strip())
    meeting.revision += 1
    db.session.flush()
    db.session.expire(meeting, ["commitments"])
    _write_revision(meeting, user, reason=reason.strip())
    refresh_dialogue(attended_before + [h.case_id for h in meeting.households])
    return meeting


def _write_revision(meeting: Meeting, user: User | None, reason: str) -> MeetingRevision:
    revision = MeetingRevision(
        meeting_id=meeting.id, number=meeting.revision, snapshot=snapshot(meeting), reason=reason,
        user_id=user.id if user else None, actor=_actor(user),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """The minutes as they read now, in plain JSON: what a revision keeps."""
    cases = _project_cases(
        db.session.get(Project, meeting.project_id),  # type: ignore[arg-type]
        [h.case_id for h in meeting.households],
    )

    def case_label(case_id: int | None) -> str | None:
        if case_id is None:
            return None
        case = cases.get(case_id)
        return f"{case.code} — {case.party.name}" if case else str(case_id)

    return {
        "kind": meeting.kind.value,
        "held_at": meeting.held_at.astimezone(UTC).isoformat(),
        "place": meeting.place,
        "answers": meeting.answers,
        "next_step": meeting.next_step,
        "notes": meeting.notes,
        "households": [
            {
                "case_id": h.case_id, "case": case_label(h.case_id), "position": h.position.value,
                "demand": h.demand, "refused_inventory": h.refused_inventory,
            }
            for h in meeting.households
        ],
        "attendees": [{"side": a.side.value, "name": a.name, "role": a.role} for a in meeting.attendees],
        "concerns": [
            {"case_id": c.case_id, "case": case_label(c.case_id), "category": c.category.value, "words": c.words, "answer": c.answer}
            for c in meeting.concerns
        ],
        "commitments": [
            {
                "id": c.id, "case_id": c.case_id, "case": case_label(c.case_id), "what": c.what,
                "responsible": c.responsible, "due_on": c.due_on.isoformat(), "status": c.status.value,
            }
            for c in meeting.commitments
        ],
    }


# --- the per-case summary ---------------------------------------------------------------------


def refresh_dialogue(case_ids: list[int]) -> None:
    """Recompute ``case_dialogue`` and ``case_dialogue_month`` for these cases from all their
    meetings (one read, two deletes, two inserts). Called whenever minutes are recorded or
    amended; ``refresh_project_dialogue`` rebuilds every case of a project after a bulk load."""
    from clearance.services.hotspots import meetings_without_progress

    ids = sorted(set(case_ids))
    if not ids:
        return
    rows = db.session.execute(
        sa.select(
            MeetingCase.case_id, Meeting.id, Meeting.kind, Meeting.held_at, MeetingCase.position, MeetingCase.demand,
            MeetingCase.refused_inventory,
        )
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(MeetingCase.case_id.in_(ids))
        .order_by(MeetingCase.case_id, Meeting.held_at, Meeting.id)
    ).all()
    summaries: list[dict[str, Any]] = []
    months: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    positions: list[Position] = []
    month_rows: dict[date, dict[str, Any]] = {}

    def close() -> None:
        if current is not None:
            current["stalled"] = meetings_without_progress(positions)
            summaries.append(current)
            ordered = sorted(month_rows)
            for month, following in zip(ordered, [*ordered[1:], None], strict=True):
                months.append({**month_rows[month], "until": following})

    for case_id, meeting_id, kind, held_at, position, demand, refused in rows:
        if current is None or current["case_id"] != case_id:
            close()
            current = {
                "case_id": case_id, "meetings": 0, "demand": None, "refused_inventory_at": None,
                "first_consultation_at": None, "last_dialogue_at": None,
            }
            positions, month_rows = [], {}
        position = Position(position)
        positions.append(position)
        current.update(meetings=current["meetings"] + 1, last_meeting_id=meeting_id, last_met_at=held_at, position=position)
        if demand is not None:
            current["demand"] = demand
        elif position == Position.AGREES:
            current["demand"] = None  # agreeing to the offer withdraws what the household asked before
        if refused:
            current["refused_inventory_at"] = held_at
        if kind == MeetingKind.CONSULTATION and current["first_consultation_at"] is None:
            current["first_consultation_at"] = held_at
        if kind == MeetingKind.DIALOGUE:
            current["last_dialogue_at"] = held_at
        month = held_at.astimezone(LOCAL_TZ).date().replace(day=1)
        month_rows[month] = {"case_id": case_id, "month": month, "position": position, "demand": current["demand"]}
    close()
    for model in (CaseDialogue, CaseDialogueMonth):
        db.session.execute(sa.delete(model).where(model.case_id.in_(ids)))
    if summaries:
        db.session.execute(sa.insert(CaseDialogue), summaries)
    if months:
        db.session.execute(sa.insert(CaseDialogueMonth), months)


def refresh_project_dialogue(project: Project) -> int:
    """Rebuild the summaries of every case of the project; returns the number of cases."""
    ids = list(db.session.scalars(sa.select(Case.id).where(Case.project_id == project.id)))
    for start in range(0, len(ids), 500):
        refresh_dialogue(ids[start : start + 500])
    return len(ids)


# --- commitments --------------------------------------------------------------------------


def close_commitment(
    commitment: Commitment, status: CommitmentStatus, closed_on: date, outcome: str, today: date,
    expected_version: int | None = None,
) -> Commitment:
    """Mark a promise kept (done) or cancelled, with what was done or why."""
    if expected_version is not None and expected_version != commitment.version:
        raise FieldError("version", _("Cam kết này vừa được người khác cập nhật; tải lại trang."))
    if commitment.status != CommitmentStatus.OPEN:
        raise FieldError("status", _("Cam kết này đã được khép lại."))
    if status == CommitmentStatus.OPEN:
        raise FieldError("status", _("Chọn kết quả: đã thực hiện hoặc hủy."))
    held_on = commitment.meeting.held_at.astimezone(LOCAL_TZ).date()
    if closed_on < held_on or closed_on > today:
        raise FieldError("closed_on", _("Ngày thực hiện phải từ ngày gặp đến hôm nay."))
    if not outcome.strip():
        raise FieldError("outcome", _("Ghi kết quả thực hiện hoặc lý do hủy."))
    commitment.status = status
    commitment.closed_on = closed_on
    commitment.outcome = outcome.strip()
    db.session.flush()
    return commitment


# --- attachments --------------------------------------------------------------------------


def attachment_dir() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def attachment_path(attachment: MeetingAttachment) -> Path:
    return attachment_dir() / attachment.sha256[:2] / attachment.sha256


def attach(meeting: Meeting, filename: str, stream: BinaryIO, user: User | None) -> MeetingAttachment:
    """Store a scan or photo of the signed minutes. Refused when it is not a PDF or an image of a
    known kind (checked by content), when it is empty, or when it is over ``ATTACHMENT_MAX_MB``."""
    limit = int(current_app.config["ATTACHMENT_MAX_MB"]) * 1024 * 1024
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:255] or "bien-ban"
    data = stream.read(limit + 1)
    if not data:
        raise FieldError("file", _("Tệp “%(name)s” rỗng.", name=name))
    if len(data) > limit:
        raise FieldError(
            "file", _("Tệp “%(name)s” lớn hơn %(mb)s MB: chụp lại với độ phân giải thấp hơn hoặc nén PDF.", name=name, mb=limit // (1024 * 1024))
        )
    content_type = sniff_type(data[:16])
    if content_type is None:
        allowed = ", ".join(label for _type, label in ATTACHMENT_TYPES)
        raise FieldError("file", _("Tệp “%(name)s” không phải ảnh hay PDF (chỉ nhận %(allowed)s).", name=name, allowed=allowed))
    digest = hashlib.sha256(data).hexdigest()
    target = attachment_dir() / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and moved into place, so a crash never leaves half a file under the name.
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, target)
    attachment = MeetingAttachment(
        meeting_id=meeting.id, filename=name, content_type=content_type, size=len(data), sha256=digest,
        uploaded_by=_actor(user),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    """A meeting as listed on a case: when, what kind, the household's position and demand."""

    meeting_id: int
    kind: MeetingKind
    held_at: datetime
    place: str
    position: Position
    demand: int | None
    households: int
    revision: int


def meetings_of_case(case: Case) -> list[MeetingLine]:
    """The case's meetings, newest first, in two queries."""
    rows = db.session.execute(
        sa.select(Meeting, MeetingCase.position, MeetingCase.demand)
        .join(MeetingCase, MeetingCase.meeting_id == Meeting.id)
        .where(MeetingCase.case_id == case.id)
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    ).all()
    sizes = dict(
        db.session.execute(
            sa.select(MeetingCase.meeting_id, sa.func.count())
            .where(MeetingCase.meeting_id.in_([row.Meeting.id for row in rows]))
            .group_by(MeetingCase.meeting_id)
        ).all()
    ) if rows else {}
    return [
        MeetingLine(
            row.Meeting.id, row.Meeting.kind, row.Meeting.held_at, row.Meeting.place, row.position, row.demand,
            sizes.get(row.Meeting.id, 1), row.Meeting.revision,
        )
        for row in rows
    ]


def meeting_or_none(project: Project, meeting_id: int) -> Meeting | None:
    meeting = db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.project_id == project.id)
        .options(
            selectinload(Meeting.households).selectinload(MeetingCase.case).selectinload(Case.party),
            selectinload(Meeting.attendees), selectinload(Meeting.concerns), selectinload(Meeting.commitments),
            selectinload(Meeting.attachments), selectinload(Meeting.revisions),
        )
    )
    return meeting


def open_commitments_of(case: Case) -> list[Commitment]:
    return list(
        db.session.scalars(
            sa.select(Commitment)
            .where(Commitment.case_id == case.id)
            .order_by(Commitment.status != CommitmentStatus.OPEN, Commitment.due_on, Commitment.id)
        )
    )


def party_names(case_ids: list[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    return dict(
        db.session.execute(sa.select(Case.id, Party.name).join(Party, Case.party_id == Party.id).where(Case.id.in_(case_ids))).all()
    )
