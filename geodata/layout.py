"""Laying out parcels (thửa đất) along a street, for demos and tests.

Hanoi's old streets are lined with tube houses (nhà ống): lots 4–8 m wide on the street
(mặt tiền) and 12–25 m deep, wall to wall. These helpers place such lots on either side of a
street centre line and draw a recovery boundary (ranh giới thu hồi) around a stretch of it.

The work is done in a metric CRS (VN-2000 / TM-3 105°, EPSG:5897, by default) and the results
come back as WGS84 shapely polygons. Distances along the street (stations, lý trình) are metres
from the line's first vertex. Pure: shapely and pyproj only.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import linemerge

from geodata.crs import VN2000_HANOI, WGS84, transform
from geodata.errors import GeometryError

#: Left or right of the street, looking along the line's direction (first vertex → last).
Side = Literal["left", "right"]

#: Tube-house sizes (m): frontage (mặt tiền) and depth (chiều sâu).
TUBE_HOUSE_FRONTAGE = (4.0, 8.0)
TUBE_HOUSE_DEPTH = (12.0, 25.0)

Vector = tuple[float, float]


@dataclass(frozen=True)
class LotSize:
    frontage_m: float
    depth_m: float


@dataclass(frozen=True)
class Lot:
    """One laid-out lot: its WGS84 polygon and where it sits along the street."""

    polygon: Polygon
    side: Side
    #: Station (m along the street) where the lot's frontage begins and ends.
    start_m: float
    end_m: float
    frontage_m: float
    depth_m: float


def merge_street(parts: Sequence[LineString]) -> LineString:
    """The ways of one street (OSM splits streets into many) joined into one line.

    Raises GeometryError when they do not join end to end (a gap or a fork).
    """
    merged = linemerge(MultiLineString(list(parts)))
    if not isinstance(merged, LineString):
        raise GeometryError(f"các đoạn đường không nối thành một đường liền ({len(merged.geoms)} đoạn rời)")
    return merged


def street_length_m(street: LineString, crs: int = VN2000_HANOI) -> float:
    return float(transform(street, WGS84, crs).length)


def station_m(street: LineString, point: Point, crs: int = VN2000_HANOI) -> float:
    """Metres along the street to the point of it nearest to ``point`` (both WGS84)."""
    return float(transform(street, WGS84, crs).project(transform(point, WGS84, crs)))


def lot_sizes(
    rng: random.Random,
    run_m: float,
    frontage: tuple[float, float] = TUBE_HOUSE_FRONTAGE,
    depth: tuple[float, float] = TUBE_HOUSE_DEPTH,
) -> list[LotSize]:
    """Random lot sizes (to 0.1 m) filling at most ``run_m`` of street frontage.

    What is left at the end (less than one lot) stays open, like the mouth of an alley (ngõ).
    The same ``rng`` state gives the same lots, so demos are reproducible.
    """
    sizes: list[LotSize] = []
    used = 0.0
    while True:
        width = round(rng.uniform(*frontage), 1)
        if used + width > run_m + 1e-9:
            return sizes
        sizes.append(LotSize(width, round(rng.uniform(*depth), 1)))
        used += width


def frontage_lots(
    street: LineString,
    start_m: float,
    sizes: Sequence[LotSize],
    side: Side,
    setback_m: float,
    crs: int = VN2000_HANOI,
) -> list[Lot]:
    """Lots side by side along ``street`` (WGS84), from station ``start_m`` on.

    Each lot's front lies ``setback_m`` from the centre line (half the carriageway plus the
    pavement). Neighbours share their side wall: the wall at a station runs along the bisector
    of the two lots' normals, so lots on a gently curving street neither overlap nor leave gaps.
    """
    metric = transform(street, WGS84, crs)
    stations = [start_m]
    for size in sizes:
        stations.append(stations[-1] + size.frontage_m)
    if start_m < 0 or stations[-1] > metric.length + 1e-6:
        raise ValueError(
            f"lots from {start_m:.1f} m to {stations[-1]:.1f} m do not fit on a street {metric.length:.1f} m long"
        )
    points = [_xy(metric.interpolate(s)) for s in stations]
    normals = _station_normals(points)
    sign = 1.0 if side == "left" else -1.0
    lots = []
    for i, size in enumerate(sizes):
        (ax, ay), (bx, by) = points[i], points[i + 1]
        (anx, any_), (bnx, bny) = normals[i], normals[i + 1]
        near, far = sign * setback_m, sign * (setback_m + size.depth_m)
        ring = [
            (ax + anx * near, ay + any_ * near),
            (bx + bnx * near, by + bny * near),
            (bx + bnx * far, by + bny * far),
            (ax + anx * far, ay + any_ * far),
        ]
        polygon = orient(Polygon(ring))
        lots.append(
            Lot(
                polygon=transform(polygon, crs, WGS84),
                side=side,
                start_m=stations[i],
                end_m=stations[i + 1],
                frontage_m=size.frontage_m,
                depth_m=size.depth_m,
            )
        )
    return lots


def corridor(
    street: LineString,
    start_m: float,
    end_m: float,
    left_m: float,
    right_m: float,
    crs: int = VN2000_HANOI,
) -> Polygon:
    """A recovery boundary: the strip from station ``start_m`` to ``end_m`` reaching ``left_m``
    to the left of the centre line and ``right_m`` to the right (WGS84).

    Lots deeper than the strip, or cut by its ends, are only partly inside (thu hồi một phần).
    """
    if not 0 <= start_m < end_m:
        raise ValueError("the corridor needs 0 ≤ start < end")
    metric = transform(street, WGS84, crs)
    end_m = min(end_m, metric.length)
    # The ends, and every vertex in between, so the strip follows the street's bends.
    stations = [start_m]
    for vertex in metric.coords:
        s = metric.project(Point(vertex))
        if start_m < s < end_m and s - stations[-1] > 0.01:
            stations.append(s)
    stations.append(end_m)
    points = [_xy(metric.interpolate(s)) for s in stations]
    normals = _station_normals(points)
    left = [(x + nx * left_m, y + ny * left_m) for (x, y), (nx, ny) in zip(points, normals, strict=True)]
    right = [(x - nx * right_m, y - ny * right_m) for (x, y), (nx, ny) in zip(points, normals, strict=True)]
    polygon = Polygon(left + right[::-1])
    if not polygon.is_valid:
        raise GeometryError(f"dải thu hồi không hợp lệ: {shapely.is_valid_reason(polygon)}")
    return transform(orient(polygon), crs, WGS84)


def _xy(point: Point) -> Vector:
    return float(point.x), float(point.y)


def _unit(dx: float, dy: float) -> Vector:
    length = math.hypot(dx, dy)
    if length == 0:
        raise ValueError("two stations at the same place")
    return dx / length, dy / length


def _station_normals(points: Sequence[Vector]) -> list[Vector]:
    """Left-hand unit normals at each point: of the chord at the ends, of the bisector inside."""
    chords = [_unit(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(points)]
    lefts = [(-dy, dx) for dx, dy in chords]
    normals = [lefts[0]]
    for before, after in itertools.pairwise(lefts):
        normals.append(_unit(before[0] + after[0], before[1] + after[1]))
    normals.append(lefts[-1])
    return normals
