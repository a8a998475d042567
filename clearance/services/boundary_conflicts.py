"""Xung đột ranh giới: overlaps (chồng lấn) and gaps (khe hở) between a project's parcels.

One query loads the parcels' shapes and labels; geodata.analysis does the geometry. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from geoalchemy2.shape import to_shape

from clearance.extensions import db
from clearance.models import Parcel, Project
from geodata.analysis import MAX_GAP_M2, MAX_GAP_WIDTH_M, MIN_GAP_M2, OVERLAP_TOLERANCE_M2, boundary_conflicts


@dataclass(frozen=True)
class ParcelRef:
    """A parcel named the way officers name it: thửa ``parcel_no``, tờ ``map_sheet``."""

    id: int
    map_sheet: str
    parcel_no: str


@dataclass(frozen=True)
class OverlapRow:
    """Thửa A ↔ thửa B chồng lấn ``area_m2`` m²."""

    first: ParcelRef
    second: ParcelRef
    area_m2: Decimal


@dataclass(frozen=True)
class GapRow:
    """Khe hở of ``area_m2`` m² between ``neighbours``; ``enclosed`` when they close it all round."""

    neighbours: list[ParcelRef]
    area_m2: Decimal
    enclosed: bool


@dataclass(frozen=True)
class ConflictReport:
    overlaps: list[OverlapRow]
    gaps: list[GapRow]
    #: Parcels with a shape, i.e. those checked.
    parcels_checked: int
    parcels_without_shape: int
    #: The rules applied (m², m², m, m²), to explain them on the page.
    overlap_tolerance_m2: Decimal = Decimal(str(OVERLAP_TOLERANCE_M2))
    max_gap_m2: Decimal = Decimal(str(MAX_GAP_M2))
    max_gap_width_m: Decimal = Decimal(str(MAX_GAP_WIDTH_M))
    min_gap_m2: Decimal = Decimal(str(MIN_GAP_M2))


def find_conflicts(project: Project) -> ConflictReport:
    """Overlaps and gaps between the project's parcels, largest first, with the defaults of
    ``geodata.analysis.boundary_conflicts``."""
    rows = db.session.execute(
        sa.select(Parcel.id, Parcel.map_sheet, Parcel.parcel_no, Parcel.geom)
        .where(Parcel.project_id == project.id)
        .order_by(Parcel.id)
    ).all()
    refs = {row.id: ParcelRef(row.id, row.map_sheet, row.parcel_no) for row in rows}
    shapes = [(row.id, to_shape(row.geom)) for row in rows if row.geom is not None]
    result = boundary_conflicts(shapes)
    overlaps = [OverlapRow(refs[o.keys[0]], refs[o.keys[1]], o.area_m2) for o in result.overlaps]
    gaps = [GapRow(sorted((refs[key] for key in g.keys), key=_order), g.area_m2, g.enclosed) for g in result.gaps]
    return ConflictReport(overlaps, gaps, len(shapes), len(rows) - len(shapes))


def _order(ref: ParcelRef) -> tuple[int, str, int, str]:
    """The parcel list's order: map sheet, then number, numerically for digit strings."""
    return len(ref.map_sheet), ref.map_sheet, len(ref.parcel_no), ref.parcel_no
