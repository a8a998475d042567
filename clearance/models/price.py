"""Land-price facts (bảng giá đất): unit prices by street segment, land type and position.

A first version for the demo and the case pages; the compensation issue grows this into
versioned policy sets.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.admin import AdminUnit
from clearance.models.audit import Audited


class LandPrice(Audited, Base):
    """Giá đất theo tuyến phố, đoạn, loại đất và vị trí (VT1–VT4), đồng/m²."""

    __tablename__ = "land_price"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    street: Mapped[str] = mapped_column(sa.String(120))
    #: Đoạn đường, e.g. "Quang Trung – Trần Bình Trọng"; "" for the whole length.
    segment: Mapped[str] = mapped_column(sa.String(160), default="")
    #: "residential" (đất ở) or "commercial" (đất thương mại, dịch vụ).
    land_type: Mapped[str] = mapped_column(sa.String(20))
    #: Vị trí 1–4.
    position: Mapped[int] = mapped_column()
    #: Đơn giá, whole đồng per m².
    price_per_m2: Mapped[int] = mapped_column(sa.BigInteger)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    #: Nguồn: the document the figure comes from.
    source: Mapped[str] = mapped_column(sa.String(300))
    #: Demo figures are marked so nobody mistakes them for an approved table.
    is_demo: Mapped[bool] = mapped_column(default=False)

    province: Mapped[AdminUnit] = relationship()

    def __str__(self) -> str:
        return f"{self.street} {self.segment} VT{self.position}".replace("  ", " ")

    __table_args__ = (
        sa.UniqueConstraint("province_id", "street", "segment", "land_type", "position", "valid_from", name="uq_land_price_entry"),
        sa.CheckConstraint("position BETWEEN 1 AND 4", name="position_1_to_4"),
        sa.CheckConstraint("price_per_m2 > 0", name="price_positive"),
        sa.CheckConstraint("land_type IN ('residential', 'commercial')", name="known_land_type"),
    )
