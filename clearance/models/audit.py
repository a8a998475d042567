"""Audit trail (nhật ký thay đổi): who changed which record, when, and what the values were."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clearance.db import Base
from clearance.models.types import Timestamp, utcnow


class Audited:
    """Mixin: every insert, update and delete of the model writes an AuditEntry (see clearance.audit)."""

    #: Columns whose values are too large to copy (geometries): the entry says they changed.
    __audit_fields_hidden__: ClassVar[tuple[str, ...]] = ()
    #: Relationships whose membership is recorded by the members' names.
    __audit_relations__: ClassVar[tuple[str, ...]] = ()

    @property
    def audit_project_id(self) -> int | None:
        return getattr(self, "project_id", None)

    @property
    def audit_case_id(self) -> int | None:
        return getattr(self, "case_id", None)


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    #: Who acted, as shown: the user's name, or "cli" / "demo" for command-line work.
    actor: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(10))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int] = mapped_column()
    #: The record as it read at the time (its label), so a deleted record still reads.
    label: Mapped[str] = mapped_column(sa.String(300), default="")
    project_id: Mapped[int | None] = mapped_column(index=True)
    #: The case the change belongs to, if any (shown in the case's history).
    case_id: Mapped[int | None] = mapped_column(index=True)
    #: {field: [before, after]}
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.Index("ix_audit_entry_entity", "entity", "entity_id"),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name="known_action"),
    )
