"""Areas in square metres, computed geodesically on the WGS84 ellipsoid, never in degrees."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

_GEOD = Geod(ellps="WGS84")


def area_m2(geom: BaseGeometry) -> Decimal:
    """Geodesic area of a WGS84 (lon/lat) polygon, m², to the centimetre."""
    value, _perimeter = _GEOD.geometry_area_perimeter(geom)
    return Decimal(str(abs(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
