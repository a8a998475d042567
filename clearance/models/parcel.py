"""Parcels (thửa đất)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.admin import AdminUnit
from clearance.models.audit import Audited
from clearance.models.types import multipolygon

if TYPE_CHECKING:
    from clearance.models.case import CaseParcel
    from clearance.models.project import Project

Area = sa.Numeric(14, 2)


class Parcel(Audited, Base):
    """Thửa đất: identified by map sheet (tờ bản đồ số) and parcel number (số thửa) in a project."""

    __tablename__ = "parcel"
    __audit_fields_hidden__ = ("geom",)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    #: Tờ bản đồ số.
    map_sheet: Mapped[str] = mapped_column(sa.String(20))
    #: Số thửa.
    parcel_no: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Mục đích sử dụng đất, e.g. ODT (đất ở đô thị), TMD (đất thương mại, dịch vụ).
    land_use_code: Mapped[str] = mapped_column(sa.String(20), default="")
    #: Diện tích pháp lý (theo giấy chứng nhận), m².
    legal_area: Mapped[Decimal | None] = mapped_column(Area)
    #: Diện tích đo đạc thực tế, m².
    measured_area: Mapped[Decimal | None] = mapped_column(Area)
    #: Diện tích thu hồi, m²: the part inside the recovery boundary.
    recovered_area: Mapped[Decimal | None] = mapped_column(Area)
    #: The 2025 ward the parcel lies in.
    ward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    #: Địa chỉ cũ (before the 2025 merger), kept as history.
    former_address: Mapped[str] = mapped_column(sa.String(300), default="")
    geom = mapped_column(multipolygon(), nullable=True)
    #: The file import that last wrote the parcel (None when entered by hand).
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parcel_import.id"))

    project: Mapped[Project] = relationship(back_populates="parcels")
    ward: Mapped[AdminUnit | None] = relationship()
    holdings: Mapped[list[CaseParcel]] = relationship(back_populates="parcel", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("project_id", "map_sheet", "parcel_no"),
        sa.CheckConstraint("legal_area IS NULL OR legal_area >= 0", name="legal_area_not_negative"),
        sa.CheckConstraint("measured_area IS NULL OR measured_area >= 0", name="measured_area_not_negative"),
        sa.CheckConstraint(
            "recovered_area IS NULL OR recovered_area >= 0", name="recovered_area_not_negative"
        ),
    )

    def __str__(self) -> str:
        return f"Thửa {self.parcel_no}, tờ {self.map_sheet}"

    @property
    def is_partial_recovery(self) -> bool:
        """Thu hồi một phần: only part of the parcel lies inside the boundary."""
        return (
            self.recovered_area is not None
            and self.measured_area is not None
            and self.recovered_area < self.measured_area
        )
