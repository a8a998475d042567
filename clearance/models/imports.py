"""Parcel imports (lần nhập thửa đất từ file): what was read, in which CRS, by whom, with what result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clearance.db import Base
from clearance.models.audit import Audited
from clearance.models.types import Timestamp, utcnow


class ParcelImport(Audited, Base):
    """One confirmed import of cadastral files into a project. Kept for the record: the parcels
    it created or changed point back to it, and their audit entries name it as the reason."""

    __tablename__ = "parcel_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    #: File names as the user gave them, "; "-separated.
    files: Mapped[str] = mapped_column(sa.String(1000))
    #: SHA-256 of the files' bytes in order, to recognise a file imported before.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: The CRS the coordinates were read in, and what the files declared.
    crs_epsg: Mapped[int]
    declared_crs: Mapped[str] = mapped_column(sa.String(200), default="")
    crs_overridden: Mapped[bool] = mapped_column(default=False)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    cases_created: Mapped[int] = mapped_column(default=0)
    #: Field mapping and options used, and the warnings counted by kind.
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "created_count >= 0 AND updated_count >= 0 AND unchanged_count >= 0", name="import_counts_not_negative"
        ),
    )

    def __str__(self) -> str:
        return f"Lần nhập #{self.id} ({self.files[:200]})"
