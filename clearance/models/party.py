"""Affected parties: households, individuals, organisations (hộ gia đình, cá nhân, tổ chức)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.admin import AdminUnit
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import PartyKind

if TYPE_CHECKING:
    from clearance.models.case import Case


class Party(Audited, Base):
    """Một bên bị ảnh hưởng: a household (by its head), an individual or an organisation."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind, "party_kind"), default=PartyKind.HOUSEHOLD)
    #: Họ tên chủ hộ, or the organisation's name.
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    #: Số CCCD của chủ hộ (12 digits); organisations have none.
    id_number: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    #: Mã số thuế of an organisation.
    tax_code: Mapped[str | None] = mapped_column(sa.String(14))
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Địa chỉ trước sắp xếp 2025 (history).
    former_address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Số nhân khẩu.
    members: Mapped[int] = mapped_column(default=1)
    #: Hộ nghèo.
    is_poor: Mapped[bool] = mapped_column(default=False)
    #: Gia đình chính sách (người có công).
    is_policy_family: Mapped[bool] = mapped_column(default=False)
    #: Người cao tuổi sống một mình.
    is_elderly_alone: Mapped[bool] = mapped_column(default=False)
    #: Có thành viên khuyết tật.
    has_disabled_member: Mapped[bool] = mapped_column(default=False)
    #: The unit the party is registered with: it decides who may see the record.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    unit: Mapped[AdminUnit] = relationship()
    cases: Mapped[list[Case]] = relationship(back_populates="party")

    __table_args__ = (
        sa.CheckConstraint("members >= 0", name="members_not_negative"),
        sa.CheckConstraint(
            "kind = 'organisation' OR members >= 1", name="household_has_members"
        ),
        sa.CheckConstraint(
            "id_number IS NULL OR length(id_number) = 12", name="id_number_12_digits"
        ),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def is_vulnerable(self) -> bool:
        return self.is_poor or self.is_policy_family or self.is_elderly_alone or self.has_disabled_member

    @property
    def audit_project_id(self) -> int | None:
        return None
