"""Compensation plans (phương án bồi thường, hỗ trợ, tái định cư): the policy sets that price them,
the inventory (kiểm đếm) they are calculated from, the plan versions themselves, and the register
of documents issued from them.

A frozen or approved plan version is a legal record: its snapshot of inputs, parameters and
results never changes (the database refuses it), and a recalculation writes a new version.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.db import Base
from clearance.models.admin import AdminUnit
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import AssetKind, DocumentType, PlanStatus, PrintJobStatus, RateCategory

Money = sa.BigInteger
Quantity = sa.Numeric(14, 2)
UnitPrice = sa.Numeric(18, 2)

#: How an amount is rounded to the policy set's step (làm tròn).
ROUNDING_MODES = ("half_up", "down", "up")


def _project_of_case(record: Any) -> int | None:
    """The project of the record's case, for its audit entries (so the project history shows
    inventory changes). Read from the session without flushing: the audit hook runs in a flush."""
    from sqlalchemy.orm import object_session

    from clearance.models.case import Case

    session = object_session(record)
    if session is None or not record.case_id:
        return None
    with session.no_autoflush:
        case = session.get(Case, record.case_id)
    return case.project_id if case is not None else None


class PolicySet(Audited, Base):
    """Bộ chính sách: the unit prices, support rates and rules one province (or ward) applies
    from a date, with the documents they come from."""

    __tablename__ = "policy_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_unit.id"), index=True)
    #: The ward it is limited to, if any; empty for the whole province.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("admin_unit.id"))
    #: Short code, unique in the province, e.g. "HN-2026".
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(300))
    #: Căn cứ pháp lý: one document per line ("Quyết định số 10/2026/QĐ-UBND ngày …").
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    #: Hệ số điều chỉnh giá đất (K) applied to every land line.
    land_coefficient: Mapped[Decimal] = mapped_column(sa.Numeric(8, 4), default=Decimal(1))
    #: Làm tròn: each line is rounded to a multiple of this many đồng (1 = to the đồng).
    rounding_step: Mapped[int] = mapped_column(default=1000)
    rounding_mode: Mapped[str] = mapped_column(sa.String(10), default="half_up")
    #: Days from approval within which payment is due (Art. 94(1): 30).
    payment_days: Mapped[int] = mapped_column(default=30)
    #: Late-payment rate, per cent of the late sum per day (0.03 — unconfirmed, hence data).
    late_payment_rate: Mapped[Decimal] = mapped_column(sa.Numeric(7, 4), default=Decimal("0.03"))
    #: Demo figures are marked so nobody mistakes them for an approved table.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    province: Mapped[AdminUnit] = relationship(foreign_keys=[province_id])
    unit: Mapped[AdminUnit | None] = relationship(foreign_keys=[unit_id])
    rates: Mapped[list[PolicyRate]] = relationship(
        back_populates="policy_set",
        cascade="all, delete-orphan",
        order_by="(PolicyRate.category, PolicyRate.item, PolicyRate.segment, PolicyRate.land_type, "
        "PolicyRate.position, PolicyRate.size)",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("province_id", "code"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        sa.CheckConstraint("land_coefficient > 0", name="coefficient_positive"),
        sa.CheckConstraint("rounding_step >= 1", name="rounding_step_positive"),
        sa.CheckConstraint("rounding_mode IN ('half_up', 'down', 'up')", name="known_rounding_mode"),
        sa.CheckConstraint("payment_days > 0", name="payment_days_positive"),
        sa.CheckConstraint("late_payment_rate >= 0", name="late_rate_not_negative"),
    )

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def audit_project_id(self) -> int | None:
        return None


class PolicyRate(Audited, Base):
    """Một đơn giá, mức hỗ trợ: what one unit of something is worth, and where that is written.

    The key depends on the category: land by street (item), segment, land-use code and position;
    structures by grade (item); crops by species (item) and size; support and resettlement by
    item code.
    """

    __tablename__ = "policy_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_set_id: Mapped[int] = mapped_column(sa.ForeignKey("policy_set.id", ondelete="CASCADE"), index=True)
    category: Mapped[RateCategory] = mapped_column(enum_column(RateCategory, "rate_category"))
    #: Street (land), grade (structure), species (crop), item code (support, resettlement).
    item: Mapped[str] = mapped_column(sa.String(160))
    #: Đoạn đường (land); "" for the whole length.
    segment: Mapped[str] = mapped_column(sa.String(160), default="")
    #: Mã loại đất, e.g. ODT, TMD (land).
    land_type: Mapped[str] = mapped_column(sa.String(20), default="")
    #: Vị trí 1–4 (land); 0 for other categories.
    position: Mapped[int] = mapped_column(default=0)
    #: Size class of a tree (crop), e.g. "Đường kính 20–30 cm".
    size: Mapped[str] = mapped_column(sa.String(80), default="")
    #: Đơn vị tính: m², cây, ngôi mộ, người/tháng, hộ, lần…
    unit: Mapped[str] = mapped_column(sa.String(30))
    #: Đơn giá in đồng (or a multiple, for job-conversion support).
    unit_price: Mapped[Decimal] = mapped_column(UnitPrice)
    #: Mức tối đa, e.g. rent support per plot per month.
    cap: Mapped[Decimal | None] = mapped_column(UnitPrice)
    #: Căn cứ: document, article, clause.
    basis_document: Mapped[str] = mapped_column(sa.String(160), default="")
    basis_article: Mapped[str] = mapped_column(sa.String(40), default="")
    basis_clause: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    policy_set: Mapped[PolicySet] = relationship(back_populates="rates")

    __table_args__ = (
        sa.UniqueConstraint("policy_set_id", "category", "item", "segment", "land_type", "position", "size"),
        sa.CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        sa.CheckConstraint("cap IS NULL OR cap >= 0", name="cap_not_negative"),
        sa.CheckConstraint("position BETWEEN 0 AND 4", name="position_0_to_4"),
        sa.CheckConstraint("category <> 'land' OR position >= 1", name="land_rate_has_position"),
    )

    def __str__(self) -> str:
        parts = [self.item, self.segment, self.land_type, f"VT{self.position}" if self.position else "", self.size]
        return " · ".join(p for p in parts if p)

    @property
    def basis(self) -> str:
        """The legal basis in one phrase: "Điều 3 khoản 2 Quyết định 10/2026/QĐ-UBND"."""
        parts = []
        if self.basis_article:
            parts.append(f"Điều {self.basis_article}")
        if self.basis_clause:
            parts.append(f"khoản {self.basis_clause}")
        if self.basis_document:
            parts.append(self.basis_document)
        return " ".join(parts)

    @property
    def audit_project_id(self) -> int | None:
        return None


class Inventory(Audited, Base):
    """Biên bản kiểm đếm of a case: when it was made, who signed it, the people in the household
    and the facts the support items depend on. Its lines are ``InventoryItem``."""

    __tablename__ = "inventory"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), unique=True)
    recorded_on: Mapped[date] = mapped_column(sa.Date)
    #: Những người ký biên bản.
    signed_by: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Nhân khẩu được hỗ trợ (per-person support).
    persons: Mapped[int] = mapped_column(default=1)
    #: Phải di chuyển chỗ ở (relocation support, rent support).
    relocates: Mapped[bool] = mapped_column(default=False)
    #: Months of life-stabilisation support (Decree 88 Art. 19: 6–36).
    life_support_months: Mapped[int] = mapped_column(default=0)
    #: Months of rent support while waiting for resettlement.
    rent_months: Mapped[int] = mapped_column(default=0)
    #: Eligible for the early-handover bonus (thưởng bàn giao mặt bằng sớm).
    early_handover: Mapped[bool] = mapped_column(default=False)
    #: Khu tái định cư (a resettlement rate's item code) and the plot's area, m².
    resettlement_site: Mapped[str] = mapped_column(sa.String(160), default="")
    resettlement_area: Mapped[Decimal | None] = mapped_column(Quantity)
    #: Nghĩa vụ tài chính về đất chưa nộp, đồng, deducted from the payment (Art. 94).
    land_debt: Mapped[int] = mapped_column(Money, default=0)
    land_debt_basis: Mapped[str] = mapped_column(sa.String(300), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    items: Mapped[list[InventoryItem]] = relationship(
        back_populates="inventory", cascade="all, delete-orphan", order_by="InventoryItem.line_no"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("persons >= 0", name="persons_not_negative"),
        sa.CheckConstraint("life_support_months BETWEEN 0 AND 36", name="life_support_0_to_36"),
        sa.CheckConstraint("rent_months >= 0", name="rent_months_not_negative"),
        sa.CheckConstraint("resettlement_area IS NULL OR resettlement_area > 0", name="resettlement_area_positive"),
        sa.CheckConstraint("land_debt >= 0", name="land_debt_not_negative"),
    )

    def __str__(self) -> str:
        return f"Biên bản kiểm đếm {self.recorded_on:%d/%m/%Y}"

    @property
    def audit_project_id(self) -> int | None:
        return _project_of_case(self)


class InventoryItem(Audited, Base):
    """Một dòng kiểm đếm: a piece of land, a structure, crops or trees, graves or another asset."""

    __tablename__ = "inventory_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    inventory_id: Mapped[int] = mapped_column(sa.ForeignKey("inventory.id", ondelete="CASCADE"), index=True)
    #: The case, copied from the inventory so the history and the calculation read it directly.
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    kind: Mapped[AssetKind] = mapped_column(enum_column(AssetKind, "asset_kind"))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Land: the parcel, and the price key (street, segment, land-use code, position).
    parcel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parcel.id", ondelete="SET NULL"))
    street: Mapped[str] = mapped_column(sa.String(160), default="")
    segment: Mapped[str] = mapped_column(sa.String(160), default="")
    land_type: Mapped[str] = mapped_column(sa.String(20), default="")
    land_position: Mapped[int | None]
    #: Structure: grade (cấp nhà, loại công trình) and floors.
    grade: Mapped[str] = mapped_column(sa.String(160), default="")
    floors: Mapped[int | None]
    #: Crop: species and size class.
    species: Mapped[str] = mapped_column(sa.String(160), default="")
    size: Mapped[str] = mapped_column(sa.String(80), default="")
    #: m² (land: recovered area; structure: floor area), or a count (trees, graves, other).
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(sa.String(30), default="")
    #: Chất lượng còn lại, per cent (structures).
    quality_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    #: Other assets: a unit price from a valuation, with its basis (no policy rate applies).
    unit_price: Mapped[Decimal | None] = mapped_column(UnitPrice)
    price_basis: Mapped[str] = mapped_column(sa.String(300), default="")

    inventory: Mapped[Inventory] = relationship(back_populates="items")

    __table_args__ = (
        sa.UniqueConstraint("inventory_id", "line_no"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("quality_pct IS NULL OR (quality_pct >= 0 AND quality_pct <= 100)", name="quality_0_to_100"),
        sa.CheckConstraint("floors IS NULL OR floors >= 1", name="floors_positive"),
        sa.CheckConstraint("land_position IS NULL OR land_position BETWEEN 1 AND 4", name="land_position_1_to_4"),
        sa.CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="item_price_not_negative"),
    )

    def __str__(self) -> str:
        return f"Dòng {self.line_no}: {self.description}"

    @property
    def audit_project_id(self) -> int | None:
        return _project_of_case(self)


class PlanAdjustment(Audited, Base):
    """Điều chỉnh thủ công: an amount a team lead adds to or takes from a case's plan, with the
    reason and the role it was made in. It shows as its own line, never hidden in another."""

    __tablename__ = "plan_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    #: The plan category it belongs to: land, assets, support, resettlement, deduction.
    category: Mapped[str] = mapped_column(sa.String(20))
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    #: The role the actor held when making it.
    role: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: Withdrawn adjustments stay on record; they no longer count.
    withdrawn_at: Mapped[datetime | None] = mapped_column(Timestamp)
    withdrawn_reason: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.CheckConstraint("length(reason) > 0", name="adjustment_has_reason"),
        sa.CheckConstraint("amount <> 0", name="adjustment_not_zero"),
        sa.CheckConstraint(
            "category IN ('land', 'assets', 'support', 'resettlement', 'deduction')", name="known_category"
        ),
        sa.CheckConstraint("withdrawn_at IS NULL OR length(withdrawn_reason) > 0", name="withdrawal_has_reason"),
    )

    def __str__(self) -> str:
        return f"Điều chỉnh {self.amount:+,} đ".replace(",", ".")

    @property
    def audit_project_id(self) -> int | None:
        return _project_of_case(self)


class CompensationPlan(Audited, Base):
    """Một phiên bản phương án của một hồ sơ: Dự thảo → Đã kiểm tra → Đã chốt → Đã phê duyệt.

    ``snapshot`` holds everything the figures came from (inventory, rates, parameters) and every
    explained line; ``content_hash`` is the SHA-256 of it. Frozen and approved versions are
    immutable: a database trigger refuses any change to their figures and their deletion.
    """

    __tablename__ = "compensation_plan"
    __audit_fields_hidden__ = ("snapshot",)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, "plan_status"), default=PlanStatus.DRAFT)
    policy_set_id: Mapped[int] = mapped_column(sa.ForeignKey("policy_set.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    land_total: Mapped[int] = mapped_column(Money)
    assets_total: Mapped[int] = mapped_column(Money)
    support_total: Mapped[int] = mapped_column(Money)
    resettlement_total: Mapped[int] = mapped_column(Money)
    deductions_total: Mapped[int] = mapped_column(Money)
    #: Tổng số tiền được nhận (net payable).
    net_amount: Mapped[int] = mapped_column(Money)
    #: Lines marked "thiếu căn cứ": while any, the version cannot be frozen.
    missing_basis: Mapped[int] = mapped_column(default=0)
    #: Why this version was calculated (e.g. "Cập nhật kiểm đếm bổ sung").
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    calculated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    calculated_by: Mapped[str] = mapped_column(sa.String(200))
    checked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    checked_by: Mapped[str | None] = mapped_column(sa.String(200))
    frozen_at: Mapped[datetime | None] = mapped_column(Timestamp)
    frozen_by: Mapped[str | None] = mapped_column(sa.String(200))
    approved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))
    #: The approval decision: its number and the day it takes effect (payment clock starts).
    approval_decision: Mapped[str | None] = mapped_column(sa.String(120))
    approved_on: Mapped[date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)

    case = relationship("Case")
    policy_set: Mapped[PolicySet] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("case_id", "number"),
        sa.Index("ix_compensation_plan_project_status", "project_id", "status"),
        sa.CheckConstraint("number >= 1", name="plan_number_positive"),
        sa.CheckConstraint("status IN ('draft', 'checked') OR missing_basis = 0", name="frozen_has_full_basis"),
        sa.CheckConstraint("status <> 'approved' OR approved_on IS NOT NULL", name="approved_has_date"),
    )

    def __str__(self) -> str:
        return f"Phương án số {self.number}"

    @property
    def is_locked(self) -> bool:
        """Frozen or approved: a legal record that never changes."""
        return self.status in (PlanStatus.FROZEN, PlanStatus.APPROVED)


class IssuedDocument(Base):
    """Sổ đăng ký văn bản: a document issued with its number (e.g. 94/TB-UBND) and the exact HTML it
    was printed from, so a reprint reproduces it. A cancelled document stays, marked with why."""

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clearance_case.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compensation_plan.id", ondelete="SET NULL"))
    doc_type: Mapped[DocumentType] = mapped_column(enum_column(DocumentType, "document_type"))
    #: Đơn vị ban hành: its numbers run per year and code.
    issuing_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("admin_unit.id"))
    year: Mapped[int]
    number: Mapped[int]
    #: Ký hiệu, e.g. "TB-UBND".
    code: Mapped[str] = mapped_column(sa.String(30))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    #: Trích yếu.
    summary: Mapped[str] = mapped_column(sa.String(500))
    signer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The document as printed (HTML of the sheet): a reprint renders exactly this.
    html: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    issued_by: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    cancelled_by: Mapped[str | None] = mapped_column(sa.String(200))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    issuing_unit: Mapped[AdminUnit] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("issuing_unit_id", "year", "code", "number"),
        sa.Index("ix_issued_document_project_type", "project_id", "doc_type"),
        sa.CheckConstraint("number >= 1", name="document_number_positive"),
        sa.CheckConstraint(
            "cancelled_at IS NULL OR length(cancel_reason) > 0", name="cancellation_has_reason"
        ),
    )

    @property
    def number_code(self) -> str:
        """Số, ký hiệu: "94/TB-UBND"."""
        return f"{self.number}/{self.code}"

    def __str__(self) -> str:
        return self.number_code


class PrintJob(Base):
    """A batch of documents printed into one PDF in the background, with its progress."""

    __tablename__ = "print_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[DocumentType] = mapped_column(enum_column(DocumentType, "document_type"))
    status: Mapped[PrintJobStatus] = mapped_column(
        enum_column(PrintJobStatus, "print_job_status"), default=PrintJobStatus.QUEUED
    )
    #: What was asked for: case ids, filters.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    #: The finished PDF, under the instance folder.
    file_path: Mapped[str | None] = mapped_column(sa.String(500))
    error: Mapped[str | None] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (sa.CheckConstraint("done >= 0 AND done <= total", name="progress_in_range"),)
