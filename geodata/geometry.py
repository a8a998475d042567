"""Parsing and checking polygons for parcels and recovery boundaries."""

from __future__ import annotations

import json
import math
from typing import Any

import shapely
import shapely.errors
from shapely.geometry import MultiPolygon, Polygon, shape

from geodata.errors import GeometryError

#: Vietnam's extent in WGS84 (with a margin), to catch projected numbers given as degrees.
VIETNAM_BBOX = (101.0, 7.0, 118.0, 24.5)


def parse_polygon(value: str | dict[str, Any]) -> MultiPolygon:
    """A GeoJSON geometry, Feature or text of one → a valid WGS84 MultiPolygon.

    Raises GeometryError naming the problem: not JSON, not a polygon, empty, self-intersecting,
    zero area, or coordinates outside Vietnam (e.g. VN-2000 metres given as degrees).
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise GeometryError(f"không phải GeoJSON hợp lệ ({exc.msg}, dòng {exc.lineno})") from exc
    if not isinstance(value, dict):
        raise GeometryError("không phải đối tượng GeoJSON")
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    kind = value.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"cần Polygon hoặc MultiPolygon, nhận được {kind or 'không rõ'}")
    try:
        geom = shape(value)
        if not geom.is_empty and not all(map(math.isfinite, geom.bounds)):
            raise ValueError("toạ độ không phải số hữu hạn")
    except (ValueError, TypeError, IndexError, AttributeError, KeyError, shapely.errors.ShapelyError, RecursionError) as exc:
        raise GeometryError(f"toạ độ không đọc được ({exc})") from exc
    if geom.is_empty:
        raise GeometryError("hình rỗng")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise GeometryError(f"hình không hợp lệ: {reason}")
    if geom.area == 0:
        raise GeometryError("diện tích bằng 0")
    minx, miny, maxx, maxy = geom.bounds
    west, south, east, north = VIETNAM_BBOX
    if minx < west or maxx > east or miny < south or maxy > north:
        raise GeometryError(
            "toạ độ nằm ngoài lãnh thổ Việt Nam: cần kinh độ/vĩ độ WGS84 (EPSG:4326)"
        )
    return as_multipolygon(geom)


def as_multipolygon(geom: Polygon | MultiPolygon) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    return geom


def to_geojson(geom: Any, precision: int = 7) -> str:
    """GeoJSON text with coordinates rounded (7 decimals ≈ 1 cm)."""
    return shapely.to_geojson(shapely.set_precision(geom, 10**-precision))
