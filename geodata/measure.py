"""Areas in square metres, computed geodesically on the WGS84 ellipsoid, never in degrees."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

_GEOD = Geod(ellps="WGS84")
#: Less than this outside the boundary is rounding, not a partial recovery.
SLIVER_M2 = Decimal("0.10")


def area_m2(geom: BaseGeometry) -> Decimal:
    """Geodesic area of a WGS84 (lon/lat) polygon, m², to the centimetre."""
    value, _perimeter = _GEOD.geometry_area_perimeter(geom)
    return Decimal(str(abs(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def recovered_area_m2(parcel: BaseGeometry, boundary: BaseGeometry | None) -> Decimal | None:
    """Diện tích thu hồi: the geodesic area of the part of ``parcel`` inside the recovery
    ``boundary`` (both WGS84); None when the project has no boundary yet."""
    if boundary is None:
        return None
    inside = parcel.intersection(boundary)
    if inside.is_empty:
        return Decimal("0.00")
    whole, part = area_m2(parcel), area_m2(inside)
    # A parcel drawn along the boundary loses slivers to floating point, not to the project.
    return whole if whole - part < SLIVER_M2 else part
