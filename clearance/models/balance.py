"""The money on the table for each case — offers by version and payments — the dispute status a
team lead sets by hand, and the weights of the hotspot risk factors."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import DisputeStatus


class CompensationOffer(Base):
    """Giá trị bồi thường, hỗ trợ đề nghị: the total offered to a case, by version. A new version
    says what changed; earlier versions stay as they were. The compensation-plan issue writes
    versions from the calculated plan; until then an officer records them from the plan on paper."""

    __tablename__ = "compensation_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: Whole đồng.
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    offered_on: Mapped[date]
    #: Căn cứ / what changed from the previous version.
    basis: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: The one-time key of the form that recorded it: the same form sent twice records once.
    submission_key: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    case = relationship("Case")

    __table_args__ = (
        sa.UniqueConstraint("case_id", "number"),
        sa.CheckConstraint("amount >= 0", name="offer_not_negative"),
        sa.CheckConstraint("number >= 1", name="offer_number_positive"),
    )


class Payment(Base):
    """Chi trả: money paid to a case (voucher number, day, amount). A mistake is reversed by a
    negative entry with its reason, never by editing."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    #: Số chứng từ.
    document: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: The one-time key of the form that recorded it: the same form sent twice records once.
    submission_key: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="payment_not_zero"),
        sa.CheckConstraint("amount > 0 OR length(note) > 0", name="reversal_has_reason"),
    )


class DisputeRuling(Base):
    """A team lead's explicit dispute status for a case, with the reason. The latest ruling
    stands; a ruling with no status hands the case back to the derived status."""

    __tablename__ = "dispute_ruling"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    status: Mapped[DisputeStatus | None] = mapped_column(enum_column(DisputeStatus, "dispute_status"))
    reason: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    __table_args__ = (sa.CheckConstraint("length(reason) > 0", name="ruling_has_reason"),)


class RiskFactor(Audited, Base):
    """A hotspot risk factor (yếu tố nguy cơ): its weight in points and, where it has one, the
    threshold at which it counts. Edited by an administrator; the scoring reads them from here."""

    __tablename__ = "risk_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    weight: Mapped[int]
    #: E.g. 15 (% gap), 3 (meetings), 30 (days); empty for yes/no factors.
    threshold: Mapped[int | None]
    #: What the threshold counts ("%", "cuộc gặp", "ngày").
    unit: Mapped[str] = mapped_column(sa.String(20), default="")

    __table_args__ = (
        sa.CheckConstraint("weight >= 0 AND weight <= 100", name="weight_0_to_100"),
        sa.CheckConstraint("threshold IS NULL OR threshold > 0", name="threshold_positive"),
    )

    def __str__(self) -> str:
        return self.label

    @property
    def audit_project_id(self) -> int | None:
        return None
