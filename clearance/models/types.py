"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from geoalchemy2 import Geometry


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum: type[StrEnum], name: str) -> sa.Enum:
    """The same CHECK-constrained VARCHAR on both databases (no native PostgreSQL enum)."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def multipolygon() -> Geometry:
    return Geometry(geometry_type="MULTIPOLYGON", srid=4326, spatial_index=True)


Timestamp = sa.DateTime(timezone=True)
