"""Areas in square metres, computed geodesically on the WGS84 ellipsoid, never in degrees."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

_GEOD = Geod(ellps="WGS84")
#: Less than this outside the boundary is rounding, not a partial recovery.
SLIVER_M2 = Decimal("0.10")


def area_m2(geom: BaseGeometry) -> Decimal:
    """Geodesic area of a WGS84 (lon/lat) polygon, m², to the centimetre."""
    total = 0.0
    # Oriented part by part: the signed sum of a multipolygon whose rings wind differently
    # (common in MicroStation exports) would cancel out.
    for polygon in shapely.get_parts(shapely.get_parts(geom)):
        if isinstance(polygon, Polygon):
            value, _perimeter = _GEOD.geometry_area_perimeter(orient(polygon))
            total += abs(value)
    return Decimal(str(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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


def areas_m2(geoms: Sequence[BaseGeometry] | np.ndarray) -> list[Decimal | None]:
    """Areas (m², to the centimetre) of many WGS84 geometries at once.

    Projects them into a Lambert azimuthal equal-area plane on the WGS84 ellipsoid centred near
    the data (to the degree, so one projection serves a whole province), where planar area is true ellipsoidal area, so thousands of parcels take
    milliseconds instead of a geodesic loop. Agrees with ``area_m2`` to well under 0.001 % for
    parcels within a few tens of kilometres of the centre. None for a missing geometry.
    """
    array = np.asarray(geoms, dtype=object)
    if array.size == 0:
        return []
    present = ~shapely.is_missing(array)
    if present.any():
        # Numbers that are not longitude/latitude (metres read as degrees) have no area here.
        bounds = shapely.bounds(array[present])
        lonlat = (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
        present[np.flatnonzero(present)[~lonlat]] = False
    result: list[Decimal | None] = [None] * len(array)
    if not present.any():
        return result
    minx, miny, maxx, maxy = shapely.total_bounds(array[present])
    projected = shapely.transform(array[present], _equal_area(round((minx + maxx) / 2), round((miny + maxy) / 2)))
    values = shapely.area(projected)
    cent = Decimal("0.01")
    for index, value in zip(np.flatnonzero(present), values, strict=True):
        result[index] = Decimal(repr(float(value))).quantize(cent, rounding=ROUND_HALF_UP)
    return result


def _equal_area(lon: float, lat: float):  # type: ignore[no-untyped-def]
    transformer = _laea(lon, lat)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return project


@lru_cache(maxsize=16)
def _laea(lon: float, lat: float) -> Transformer:
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True
    )
