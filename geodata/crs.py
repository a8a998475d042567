"""Coordinate reference systems used for Vietnamese cadastral data."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = 4326
#: VN-2000 / TM-3 zone 105°, k = 0.9999: Hanoi cadastral maps.
VN2000_HANOI = 5897


@lru_cache(maxsize=32)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transform(geom: BaseGeometry, source: int, target: int) -> BaseGeometry:
    """Reproject between EPSG codes (x = easting/longitude first)."""
    fn: Callable = _transformer(source, target).transform
    return shapely.transform(geom, lambda xy: _stack(fn, xy))


def _stack(fn: Callable, xy):  # type: ignore[no-untyped-def]
    import numpy as np

    x, y = fn(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


class CrsError(ValueError):
    """A coordinate reference system that cannot be used; the message is for the user."""


#: The systems Vietnamese parcel files come in (EPSG code → name shown to users).
VIETNAM_CRS: dict[int, str] = {
    4326: "WGS 84 (kinh độ, vĩ độ)",
    4756: "VN-2000 (kinh độ, vĩ độ)",
    3405: "VN-2000 / UTM múi 48N",
    3406: "VN-2000 / UTM múi 49N",
    32648: "WGS 84 / UTM múi 48N",
    32649: "WGS 84 / UTM múi 49N",
    5896: "VN-2000 / TM-3 kinh tuyến trục 102°",
    5897: "VN-2000 / TM-3 kinh tuyến trục 105° (Hà Nội)",
    5898: "VN-2000 / TM-3 kinh tuyến trục 108°",
    5899: "VN-2000 / TM-3 kinh tuyến trục 107°45'",
    9205: "VN-2000 / TM-3 kinh tuyến trục 103°",
    9206: "VN-2000 / TM-3 kinh tuyến trục 104°",
    9207: "VN-2000 / TM-3 kinh tuyến trục 104°30'",
    9208: "VN-2000 / TM-3 kinh tuyến trục 104°45'",
    9209: "VN-2000 / TM-3 kinh tuyến trục 105°30'",
    9210: "VN-2000 / TM-3 kinh tuyến trục 105°45'",
    9211: "VN-2000 / TM-3 kinh tuyến trục 106°",
    9212: "VN-2000 / TM-3 kinh tuyến trục 106°15'",
    9213: "VN-2000 / TM-3 kinh tuyến trục 106°30'",
    9214: "VN-2000 / TM-3 kinh tuyến trục 107°",
    9215: "VN-2000 / TM-3 kinh tuyến trục 107°15'",
    9216: "VN-2000 / TM-3 kinh tuyến trục 107°30'",
    9217: "VN-2000 / TM-3 kinh tuyến trục 108°15'",
    9218: "VN-2000 / TM-3 kinh tuyến trục 108°30'",
}


def crs_label(epsg: int) -> str:
    return f"EPSG:{epsg} – {VIETNAM_CRS[epsg]}" if epsg in VIETNAM_CRS else f"EPSG:{epsg}"


def parse_epsg(text: str) -> int:
    """``EPSG:5897``, ``epsg:5897`` or ``5897`` → 5897, for a CRS pyproj knows."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    value = text.strip().upper().removeprefix("EPSG:").strip()
    if not value.isdigit():
        raise CrsError(f"“{text}” không phải mã EPSG (ví dụ EPSG:5897)")
    code = int(value)
    try:
        CRS.from_epsg(code)
    except CRSError:
        raise CrsError(f"không có hệ toạ độ EPSG:{code}") from None
    return code


def to_wgs84(geoms, source: int):  # type: ignore[no-untyped-def]
    """Many geometries (a numpy array of shapely objects) from ``source`` to WGS84 at once."""
    import numpy as np

    if source == WGS84:
        return geoms
    fn: Callable = _transformer(source, WGS84).transform
    array = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(array)
    out = array.copy()
    if present.any():
        out[present] = shapely.transform(array[present], lambda xy: _stack(fn, xy))
    return out
