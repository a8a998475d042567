"""Administrative units (đơn vị hành chính) and clearance teams."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.types import enum_column, multipolygon
from clearance.workflow.statuses import UnitLevel

if TYPE_CHECKING:
    from clearance.models.user import User


class AdminUnit(Base):
    """Province → commune/ward: the two-level local government in force since 1 July 2025."""

    __tablename__ = "admin_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Mã đơn vị hành chính (the national code, e.g. "01" for Hà Nội).
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    level: Mapped[UnitLevel] = mapped_column(enum_column(UnitLevel, "unit_level"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    boundary = mapped_column(multipolygon(), nullable=True)

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[AdminUnit]] = relationship(back_populates="parent")
    former_names: Mapped[list[AdminUnitFormerName]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="AdminUnitFormerName.id"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(level = 'province' AND parent_id IS NULL) OR (level <> 'province' AND parent_id IS NOT NULL)",
            name="province_is_top",
        ),
    )

    def __str__(self) -> str:
        return self.name


class AdminUnitFormerName(Base):
    """A unit that existed before the 2025 merger and now lies (partly) inside this unit.

    Kept so that pre-2025 files ("phường Nguyễn Du, quận Hai Bà Trưng") still read correctly.
    """

    __tablename__ = "admin_unit_former_name"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_unit.id", ondelete="CASCADE"), index=True)
    #: Tên đơn vị cũ, e.g. "Phường Nguyễn Du".
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Quận/huyện cũ, e.g. "Quận Hai Bà Trưng".
    district: Mapped[str | None] = mapped_column(sa.String(120))
    valid_until: Mapped[date | None] = mapped_column(sa.Date)

    unit: Mapped[AdminUnit] = relationship(back_populates="former_names")


class Team(Base):
    """A clearance team (Ban bồi thường GPMB / Trung tâm phát triển quỹ đất) of one unit."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)

    unit: Mapped[AdminUnit] = relationship()
    members: Mapped[list[User]] = relationship(back_populates="team")
