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


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A point in time stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone; SQLite stores text without it, so values read from SQLite would
    otherwise come back naive and be shown as if they were Hanoi time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


Timestamp = UTCDateTime()
