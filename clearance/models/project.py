"""Projects (dự án) and their legal basis documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.admin import AdminUnit
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, multipolygon, utcnow
from clearance.workflow.statuses import ProjectStatus

if TYPE_CHECKING:
    from clearance.models.case import Case
    from clearance.models.parcel import Parcel

project_units = sa.Table(
    "project_unit",
    Base.metadata,
    sa.Column("project_id", sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("admin_unit.id"), primary_key=True, index=True),
)


class Project(Audited, Base):
    """Dự án thu hồi đất."""

    __tablename__ = "project"
    __audit_fields_hidden__ = ("boundary",)
    __audit_relations__ = ("units",)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Mã dự án, short and stable (used in URLs and the API).
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    #: Chủ đầu tư.
    investor: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "project_status"), default=ProjectStatus.PREPARING
    )
    #: Ranh giới thu hồi (WGS84).
    boundary = mapped_column(multipolygon(), nullable=True)
    #: Kinh phí bồi thường được duyệt, whole đồng.
    approved_budget: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: Key dates of the procedure.
    notice_date: Mapped[date | None] = mapped_column(sa.Date)
    plan_approved_date: Mapped[date | None] = mapped_column(sa.Date)
    recovery_decision_date: Mapped[date | None] = mapped_column(sa.Date)
    handover_deadline: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    units: Mapped[list[AdminUnit]] = relationship(secondary=project_units, order_by=AdminUnit.name)
    legal_documents: Mapped[list[LegalDocument]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="LegalDocument.issued_on"
    )
    parcels: Mapped[list[Parcel]] = relationship(back_populates="project", cascade="all, delete-orphan")
    cases: Mapped[list[Case]] = relationship(back_populates="project", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("approved_budget IS NULL OR approved_budget >= 0", name="budget_not_negative"),
    )

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def audit_project_id(self) -> int | None:
        return self.id


class LegalDocument(Audited, Base):
    """Căn cứ pháp lý: a decision or notice the project rests on."""

    __tablename__ = "legal_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    #: Số, ký hiệu, e.g. "35/QĐ-TTg".
    number: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    #: Cơ quan ban hành.
    issuer: Mapped[str] = mapped_column(sa.String(200))
    #: Trích yếu.
    summary: Mapped[str] = mapped_column(sa.Text)

    project: Mapped[Project] = relationship(back_populates="legal_documents")

    __table_args__ = (sa.UniqueConstraint("project_id", "number"),)

    def __str__(self) -> str:
        return self.number
