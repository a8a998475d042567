"""The migrations build the whole schema on both databases, spatial indexes included, and the
database itself refuses impossible records."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clearance.models import Parcel
from tests import factories as f


def test_migrations_create_spatial_indexes_on_both_databases(app, db):
    conn = db.session.connection()
    if app.config["BACKEND"] == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT f_table_name, f_geometry_column FROM geometry_columns WHERE spatial_index_enabled = 1"
        ).all()
        indexed = {(t, c) for t, c in rows}
    else:
        rows = conn.execute(
            sa.text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE :gist"), {"gist": "%USING gist%"}
        ).all()
        indexed = {(t, "geom" if "(geom)" in d else "boundary") for t, d in rows}
    assert {("parcel", "geom"), ("project", "boundary"), ("admin_unit", "boundary")} <= indexed


def test_migrations_leave_nothing_for_autogenerate_to_add(app, db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from clearance.db import include_object

    context = MigrationContext.configure(db.session.connection(), opts={"include_object": include_object})
    diff = [d for d in compare_metadata(context, db.metadata) if "idx_" not in str(d)]
    assert diff == []


def test_the_database_refuses_a_second_parcel_with_the_same_number(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK44", [ward])
    f.parcel(project, "45")
    db.session.add(Parcel(project_id=project.id, map_sheet="12", parcel_no="45"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_the_database_refuses_a_share_above_100_percent(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK44", [ward])
    parcel = f.parcel(project, "45")
    case = f.case(project, f.party("Hộ A", ward), "YK-001")
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.text("INSERT INTO case_parcel (case_id, parcel_id, tenure, share) VALUES (:c, :p, 'land_user', 150)"),
            {"c": case.id, "p": parcel.id},
        )


def test_times_come_back_from_either_database_in_utc_and_show_in_hanoi_time(db):
    from datetime import UTC, datetime

    from clearance.formatting import vndate
    from clearance.models import AuditEntry

    entry = AuditEntry(at=datetime(2026, 3, 5, 17, 30, tzinfo=UTC), actor="cli", action="update",
                       entity="project", entity_id=1, changes={})
    db.session.add(entry)
    db.session.flush()
    db.session.expire_all()
    stored = db.session.get(AuditEntry, entry.id)
    assert stored.at == datetime(2026, 3, 5, 17, 30, tzinfo=UTC)
    assert vndate(stored.at) == "06/03/2026 00:30"
