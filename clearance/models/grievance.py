"""Complaints and petitions (khiếu nại, kiến nghị) of a case's household."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import GrievanceKind, GrievanceLevel, GrievanceStatus


class Grievance(Audited, Base):
    """Khiếu nại hoặc kiến nghị: filed on a day, against a decision, to be resolved by a
    deadline. It does not suspend the procedure (Decree 102/2024, Art. 40)."""

    __tablename__ = "grievance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id"), index=True)
    kind: Mapped[GrievanceKind] = mapped_column(enum_column(GrievanceKind, "grievance_kind"))
    level: Mapped[GrievanceLevel] = mapped_column(enum_column(GrievanceLevel, "grievance_level"), default=GrievanceLevel.FIRST)
    filed_on: Mapped[date]
    #: Who filed it (the household member, or their representative).
    filed_by: Mapped[str] = mapped_column(sa.String(200))
    #: The decision or act complained of, e.g. "Quyết định 91/QĐ-UBND".
    against: Mapped[str] = mapped_column(sa.String(300), default="")
    content: Mapped[str] = mapped_column(sa.Text)
    #: Hạn giải quyết.
    deadline: Mapped[date]
    status: Mapped[GrievanceStatus] = mapped_column(enum_column(GrievanceStatus, "grievance_status"), default=GrievanceStatus.OPEN)
    resolved_on: Mapped[date | None]
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    case = relationship("Case")

    __table_args__ = (
        sa.CheckConstraint("deadline >= filed_on", name="deadline_after_filing"),
        sa.CheckConstraint("resolved_on IS NULL OR resolved_on >= filed_on", name="resolved_after_filing"),
    )

    def __str__(self) -> str:
        return f"Khiếu nại ngày {self.filed_on:%d/%m/%Y}" if self.kind == GrievanceKind.COMPLAINT else f"Kiến nghị ngày {self.filed_on:%d/%m/%Y}"

    @property
    def audit_project_id(self) -> int | None:
        return self.case.project_id if self.case is not None else None
