"""The dialogue log (nhật ký đối thoại): meetings with households, who attended, what the
households raised, what was answered and promised, and where each household stands afterwards.

Minutes are legal records: once saved, a meeting changes only by an amendment with a reason, and
every version, the original first, is kept in ``meeting_revision`` as it read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import AttendeeSide, CommitmentStatus, ConcernCategory, MeetingKind, Position


class Meeting(Base):
    """Một cuộc gặp: a visit to one household, or a group meeting covering many."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    held_at: Mapped[datetime] = mapped_column(Timestamp)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Nội dung đã giải đáp: what the officials answered.
    answers: Mapped[str] = mapped_column(sa.Text, default="")
    #: Bước tiếp theo.
    next_step: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    #: Who recorded the minutes, as shown.
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: Number of the current revision: 1 for the original, +1 per amendment.
    revision: Mapped[int] = mapped_column(default=1)
    #: Optimistic lock: two officers amending the same minutes cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)
    #: The one-time key of the form that recorded it: the same form sent twice records once.
    submission_key: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    households: Mapped[list[MeetingCase]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingCase.id"
    )
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendee.id"
    )
    concerns: Mapped[list[Concern]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Concern.id"
    )
    commitments: Mapped[list[Commitment]] = relationship(back_populates="meeting", order_by="Commitment.id")
    attachments: Mapped[list[MeetingAttachment]] = relationship(
        back_populates="meeting", order_by="MeetingAttachment.id"
    )
    revisions: Mapped[list[MeetingRevision]] = relationship(
        back_populates="meeting", order_by="MeetingRevision.number"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("ix_meeting_project_held", "project_id", "held_at"),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
    )

    def __str__(self) -> str:
        from clearance.formatting import vndate
        from clearance.workflow.statuses import label

        return f"{label(self.kind)} {vndate(self.held_at)}"

    @property
    def is_group(self) -> bool:
        return len(self.households) > 1


class MeetingCase(Base):
    """A household (by its case) at a meeting, with its position afterwards (ý kiến của hộ) and
    the amount it asked for, if it named one."""

    __tablename__ = "meeting_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"))
    position: Mapped[Position] = mapped_column(enum_column(Position, "position"), default=Position.NO_ANSWER)
    #: Mức hộ đề nghị: the household's stated demand, whole đồng.
    demand: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Hộ không hợp tác điều tra, kiểm đếm (Art. 88).
    refused_inventory: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="households")
    case = relationship("Case")

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "case_id"),
        sa.Index("ix_meeting_case_case", "case_id", "meeting_id"),
        sa.CheckConstraint("demand IS NULL OR demand > 0", name="demand_positive"),
    )


class MeetingAttendee(Base):
    """Thành phần tham dự: a person at the meeting, the side they speak for and their role."""

    __tablename__ = "meeting_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    side: Mapped[AttendeeSide] = mapped_column(enum_column(AttendeeSide, "attendee_side"))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Chức vụ, or relation to the household head ("con trai", "Phó Chủ tịch UBND phường").
    role: Mapped[str] = mapped_column(sa.String(200), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")


class Concern(Base):
    """Tâm tư, nguyện vọng: what a household raised, in a category and in its own words, with the
    answer given. ``case_id`` is empty for a concern raised by the group as a whole."""

    __tablename__ = "concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: The meeting's project and time, copied so the per-project counts by category and month
    #: read this table's indexes alone (concerns are rewritten with their minutes, so they agree).
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"))
    held_at: Mapped[datetime] = mapped_column(Timestamp)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    category: Mapped[ConcernCategory] = mapped_column(enum_column(ConcernCategory, "concern_category"))
    words: Mapped[str] = mapped_column(sa.Text, default="")
    answer: Mapped[str] = mapped_column(sa.Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="concerns")

    __table_args__ = (
        sa.Index("ix_concern_project_held", "project_id", "held_at", "category"),
        sa.Index("ix_concern_project_category", "project_id", "category"),
    )


class Commitment(Audited, Base):
    """Cam kết: a promise made at a meeting — what, who answers for it, by when. It is a to-do item
    until it is done or cancelled."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(sa.Text)
    #: Người chịu trách nhiệm.
    responsible: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus, "commitment_status"), default=CommitmentStatus.OPEN
    )
    closed_on: Mapped[date | None]
    #: What was done, or why it was cancelled.
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="commitments")
    case = relationship("Case")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("ix_commitment_project_status_due", "project_id", "status", "due_on"),
        sa.CheckConstraint("status = 'open' OR closed_on IS NOT NULL", name="closed_has_date"),
    )

    def __str__(self) -> str:
        return f"Cam kết: {self.what[:80]}"


class MeetingAttachment(Base):
    """Scan or photo of the signed minutes. Stored by content hash under the instance folder;
    never replaced or deleted."""

    __tablename__ = "meeting_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(sa.String(200))

    meeting: Mapped[Meeting] = relationship(back_populates="attachments")

    __table_args__ = (sa.CheckConstraint("size > 0", name="size_positive"),)


class MeetingRevision(Base):
    """One version of the minutes as it read: number 1 is the original, each later one an
    amendment with its reason. Never changed or deleted."""

    __tablename__ = "meeting_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: The whole minutes (meeting, households, attendees, concerns, commitments) as JSON.
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: Lý do sửa: empty only for the original.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="revisions")

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "number"),
        sa.CheckConstraint("number = 1 OR length(reason) > 0", name="amendment_has_reason"),
    )


class CaseDialogue(Base):
    """Where each case stands in the dialogue (tóm tắt đối thoại), kept up to date by
    ``clearance.services.meetings.refresh_dialogue`` whenever its minutes are recorded or amended,
    so the dashboard, the to-do page and the hotspot list read one row per case instead of every
    meeting ever held."""

    __tablename__ = "case_dialogue"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), primary_key=True)
    meetings: Mapped[int]
    last_meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    last_met_at: Mapped[datetime] = mapped_column(Timestamp)
    #: Ý kiến của hộ at its latest meeting.
    position: Mapped[Position] = mapped_column(enum_column(Position, "dialogue_position"))
    #: The latest demand the household stated (at that meeting or an earlier one).
    demand: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Consecutive latest meetings without progress (see services.hotspots).
    stalled: Mapped[int] = mapped_column(default=0)
    refused_inventory_at: Mapped[datetime | None] = mapped_column(Timestamp)
    first_consultation_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_dialogue_at: Mapped[datetime | None] = mapped_column(Timestamp)


class CaseDialogueMonth(Base):
    """A case's position at the end of each month in which it was met, and its demand by then:
    what the project's chart over time adds up. Kept with ``CaseDialogue``."""

    __tablename__ = "case_dialogue_month"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), primary_key=True)
    #: The first day of the month (Hanoi time).
    month: Mapped[date] = mapped_column(primary_key=True)
    position: Mapped[Position] = mapped_column(enum_column(Position, "month_position"))
    demand: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: The month of the case's next row, until which this one stands (empty for the latest).
    until: Mapped[date | None]
