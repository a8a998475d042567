"""The procedure as stored data: steps with their periods, public holidays, and each case's
timeline of steps taken (sự kiện hồ sơ)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.calendar import PeriodKind
from clearance.workflow.statuses import CaseStatus


class ProcedureStep(Audited, Base):
    """Bước của quy trình: label, legal basis and period, editable by an administrator."""

    __tablename__ = "procedure_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.String(300))
    period_days: Mapped[int | None]
    period_kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, "period_kind"), default=PeriodKind.CALENDAR)
    #: The step whose date starts the period ("" = this step's own date).
    period_from: Mapped[str] = mapped_column(sa.String(40), default="")
    period_meaning: Mapped[str] = mapped_column(sa.String(20), default="deadline")

    __table_args__ = (sa.CheckConstraint("period_days IS NULL OR period_days > 0", name="period_positive"),)

    def __str__(self) -> str:
        return self.label


class PublicHoliday(Base):
    """Ngày nghỉ lễ, Tết (Bộ luật Lao động 2019, Điều 112), as the Government announces them."""

    __tablename__ = "public_holiday"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    is_tet: Mapped[bool] = mapped_column(default=False)


class CaseEvent(Base):
    """A step taken on a case: the timeline entry of a transition. A legal record: never changed
    or deleted; a mistake is corrected by a later event with its reason."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id"), index=True)
    step_code: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "from_status"))
    to_status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "to_status"))
    #: The day the step happened (may be before the day it was recorded).
    occurred_on: Mapped[date]
    #: When it happened, for steps where the hour matters (enforcement).
    occurred_at: Mapped[datetime | None] = mapped_column(Timestamp)
    recorded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    #: Số văn bản (e.g. the notice or decision number) and free notes; a correction's reason.
    document: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    is_correction: Mapped[bool] = mapped_column(default=False)

    case = relationship("Case")

    __table_args__ = (sa.Index("ix_case_event_case_day", "case_id", "occurred_on"),)
