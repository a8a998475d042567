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
