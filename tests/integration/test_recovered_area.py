"""Recovered area (diện tích thu hồi) = the part of a parcel inside the project's boundary,
measured geodesically, and recomputed when the boundary moves."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from shapely.geometry import box

from clearance.models import AuditEntry
from clearance.services.records import save_project
from tests import factories as f

LON, LAT = 105.8560, 21.0185


def test_a_parcel_half_inside_the_boundary_is_a_partial_recovery(db):
    ward = f.unit("Phường Hai Bà Trưng")
    # The boundary covers the western half of the parcel drawn by the factory (0.0002° wide).
    project = f.project("YK44", [ward], boundary=box(LON - 0.001, LAT - 0.001, LON + 0.0001, LAT + 0.001))
    parcel = f.parcel(project, "45", lon=LON, lat=LAT, measured_area=None)
    assert parcel.is_partial_recovery
    assert abs(parcel.recovered_area * 2 - parcel.measured_area) < Decimal("0.05")


def test_a_parcel_wholly_inside_keeps_its_surveyed_area(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK44", [ward], boundary=box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01))
    parcel = f.parcel(project, "45", lon=LON, lat=LAT, measured_area=Decimal("231.40"))
    assert parcel.recovered_area == Decimal("231.40")
    assert not parcel.is_partial_recovery


def test_moving_the_boundary_recomputes_the_parcels_and_records_why(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK44", [ward])
    inside = f.parcel(project, "45", lon=LON, lat=LAT)
    outside = f.parcel(project, "46", lon=LON + 0.01, lat=LAT)
    assert inside.recovered_area is None  # no boundary yet

    save_project(project, {"boundary": box(LON - 0.001, LAT - 0.001, LON + 0.001, LAT + 0.001)}, None)
    assert inside.recovered_area == inside.measured_area
    assert outside.recovered_area == Decimal("0.00")

    changes = db.session.scalars(
        sa.select(AuditEntry.changes).where(AuditEntry.entity == "parcel", AuditEntry.entity_id == inside.id,
                                            AuditEntry.action == "update")
    ).all()
    assert any("recovered_area" in c for c in changes)
