"""Cases (hồ sơ): one affected party in one project, with the parcels it holds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.audit import Audited
from clearance.models.parcel import Parcel
from clearance.models.party import Party
from clearance.models.project import Project
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import CaseStatus, Tenure


class Case(Audited, Base):
    """Hồ sơ bồi thường của một bên bị ảnh hưởng trong một dự án."""

    __tablename__ = "clearance_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("party.id"), index=True)
    #: Số hồ sơ, unique within the project (e.g. "YK-007").
    code: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "case_status"), default=CaseStatus.NEW, index=True
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    #: Optimistic lock: two officers saving the same case cannot overwrite each other silently.
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(back_populates="cases")
    party: Mapped[Party] = relationship(back_populates="cases")
    holdings: Mapped[list[CaseParcel]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParcel.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("project_id", "party_id"),
        sa.UniqueConstraint("project_id", "code"),
    )

    def __str__(self) -> str:
        return f"Hồ sơ {self.code}"

    @property
    def audit_case_id(self) -> int | None:
        return self.id


class CaseParcel(Audited, Base):
    """A parcel held in a case, with the tenure and the share (phần quyền, %) of the party."""

    __tablename__ = "case_parcel"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    parcel_id: Mapped[int] = mapped_column(sa.ForeignKey("parcel.id", ondelete="CASCADE"), index=True)
    tenure: Mapped[Tenure] = mapped_column(enum_column(Tenure, "tenure"), default=Tenure.LAND_USER)
    #: Phần quyền sử dụng, per cent.
    share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(100))

    case: Mapped[Case] = relationship(back_populates="holdings")
    parcel: Mapped[Parcel] = relationship(back_populates="holdings", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("case_id", "parcel_id"),
        sa.CheckConstraint("share > 0 AND share <= 100", name="share_in_range"),
    )

    def __str__(self) -> str:
        from clearance.formatting import percent

        return f"{self.parcel} ({percent(self.share)}%)"

    @property
    def audit_project_id(self) -> int | None:
        return self.case.project_id if self.case is not None else None
