"""Is a file really in the CRS it declares? Files in the field are often mislabelled.

The same numbers read in another system land elsewhere (another TM-3 zone: tens of kilometres
away) or at a slightly different scale (UTM, k = 0.9996, instead of VN-2000 TM-3, k = 0.9999:
about 700 m north in Hanoi and areas 0.06 % larger). Two independent witnesses tell them apart:

* **where**: the share of parcels that fall inside the project's area (its wards or communes and
  its recovery boundary), when the project has one;
* **how big**: the median difference between the area measured from the drawing and the
  file's own area field (diện tích), which the cadastral surveyor computed on the right plane.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod
from shapely.geometry.base import BaseGeometry

from geodata.crs import VIETNAM_CRS, WGS84, crs_label, to_wgs84
from geodata.measure import areas_m2

#: Features looked at per candidate: enough for a stable median, fast for 100,000 parcels.
SAMPLE_SIZE = 400
#: Parcels closer than this to the project's area count as inside it (a drawing's slack).
NEAR_M = 150.0
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class CrsFit:
    """How well the file's numbers fit one CRS."""

    epsg: int
    #: Share (0–1) of sampled parcels inside or near the project's area; None with no area known.
    inside_share: float | None
    #: Distance (m) from the centre of the data to the project's area; None with no area known.
    distance_m: float | None
    #: Median relative difference between measured and stated areas; None with no area field.
    area_deviation: float | None

    @property
    def label(self) -> str:
        return crs_label(self.epsg)


@dataclass(frozen=True)
class CrsAdvice:
    """The verdict on the CRS used: fits, or a likely better one with the reasons."""

    used: CrsFit
    suggested: CrsFit | None
    reasons: tuple[str, ...]

    @property
    def suspicious(self) -> bool:
        return bool(self.reasons)


def candidate_crs(bounds: tuple[float, float, float, float]) -> list[int]:
    """Systems in which numbers with these bounds fall in Vietnam (inside the CRS's area of use)."""
    minx, miny, maxx, maxy = bounds
    if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
        return [WGS84, 4756]
    centre = shapely.Point((minx + maxx) / 2, (miny + maxy) / 2)
    found = []
    for epsg in VIETNAM_CRS:
        if _is_geographic(epsg):
            continue
        lon, lat = to_wgs84(np.asarray([centre], dtype=object), epsg)[0].coords[0]
        west, south, east, north = _area_of_use(epsg)
        if west <= lon <= east and south <= lat <= north:
            found.append(epsg)
    return found


def assess(
    sample: np.ndarray,
    stated_areas: np.ndarray | None,
    epsg: int,
    reference: BaseGeometry | None,
) -> CrsFit:
    """Fit of sample geometries (valid polygons, file coordinates) read in ``epsg``;
    ``stated_areas`` are their areas according to the file, ``reference`` is WGS84."""
    wgs = to_wgs84(sample, epsg)
    inside_share = distance_m = None
    if reference is not None and len(wgs):
        near = _near_area(reference)
        points = shapely.point_on_surface(wgs)
        inside_share = float(np.mean(shapely.intersects(near, points)))
        centre = shapely.centroid(shapely.GeometryCollection(list(points)))
        distance_m = _distance_m(centre, reference)
    deviation = None
    if stated_areas is not None:
        usable = np.isfinite(stated_areas) & (stated_areas > 0)
        if usable.any():
            measured = np.asarray([float(a) if a is not None else np.nan for a in areas_m2(wgs[usable])])
            ratios = np.abs(measured - stated_areas[usable]) / stated_areas[usable]
            ratios = ratios[np.isfinite(ratios)]
            deviation = float(np.median(ratios)) if len(ratios) else None
    return CrsFit(epsg, inside_share, distance_m, deviation)


def advise(
    geometries: np.ndarray,
    stated_areas: np.ndarray | None,
    used: int,
    reference: BaseGeometry | None,
) -> CrsAdvice:
    """Check ``used`` against the other plausible systems; name a better one and say why.

    ``geometries`` are in the file's coordinates; ``stated_areas`` (floats, NaN when unknown)
    are the file's area field, or None when it has none.
    """
    index = _sample_index(np.asarray(geometries, dtype=object))
    sample = np.asarray(geometries, dtype=object)[index]
    stated = np.asarray(stated_areas, dtype=float)[index] if stated_areas is not None else None
    used_fit = assess(sample, stated, used, reference)
    if not len(sample):
        return CrsAdvice(used_fit, None, ())
    fits = [assess(sample, stated, epsg, reference) for epsg in candidate_crs(shapely.total_bounds(sample)) if epsg != used]
    best = min(fits, key=lambda f: _rank(f, used), default=None)
    reasons: list[str] = []
    if best is not None and _rank(best, used) < _rank(used_fit, used):
        if _clearly_outside(used_fit) and best.inside_share is not None and best.inside_share >= 0.9:
            reasons.append(
                f"theo {crs_label(used)} các thửa nằm cách khu vực dự án khoảng {_metres(used_fit.distance_m)}"
                f" ({_percent(used_fit.inside_share)} thửa trong khu vực); theo {best.label}"
                f" {_percent(best.inside_share)} thửa nằm trong khu vực"
            )
        if _area_clearly_worse(used_fit, best):
            reasons.append(
                f"theo {crs_label(used)} diện tích đo từ bản vẽ lệch trung vị {_percent(used_fit.area_deviation, 3)} so với trường diện tích"
                f" của file; theo {best.label} chỉ lệch {_percent(best.area_deviation, 3)}"
            )
    if not reasons and _clearly_outside(used_fit):
        reasons.append(
            f"theo {crs_label(used)} các thửa nằm ngoài khu vực dự án (cách khoảng {_metres(used_fit.distance_m)})"
        )
        return CrsAdvice(used_fit, None, tuple(reasons))
    return CrsAdvice(used_fit, best if reasons else None, tuple(reasons))


def _rank(fit: CrsFit, used: int) -> tuple[float, float, int]:
    """Lower is better: inside the project's area first, then the closer areas, then the one used."""
    outside = 1.0 - fit.inside_share if fit.inside_share is not None else 0.0
    # Deviations below 0.02 % are all "matches" (the surveyor's rounding); do not split hairs.
    deviation = max(fit.area_deviation, 0.0002) if fit.area_deviation is not None else 0.0
    return (round(outside, 1), round(deviation, 4), 0 if fit.epsg == used else (1 if fit.epsg == 5897 else 2))


def _clearly_outside(fit: CrsFit) -> bool:
    return fit.inside_share is not None and fit.inside_share < 0.5


def _area_clearly_worse(used: CrsFit, best: CrsFit) -> bool:
    if used.area_deviation is None or best.area_deviation is None:
        return False
    return used.area_deviation > 0.0003 and best.area_deviation * 3 < used.area_deviation


def _sample_index(geometries: np.ndarray) -> np.ndarray:
    """Up to SAMPLE_SIZE valid polygons spread over the file (invalid ones say nothing of scale)."""
    ok = ~shapely.is_missing(geometries)
    ok[ok] = np.isin(shapely.get_type_id(geometries[ok]), (3, 6))
    ok[ok] = shapely.is_valid(geometries[ok])
    present = np.flatnonzero(ok)
    if len(present) <= SAMPLE_SIZE:
        return present
    return present[np.linspace(0, len(present) - 1, SAMPLE_SIZE).astype(int)]


@lru_cache(maxsize=64)
def _area_of_use(epsg: int) -> tuple[float, float, float, float]:
    area = CRS.from_epsg(epsg).area_of_use
    return (area.west, area.south, area.east, area.north) if area else (-180.0, -90.0, 180.0, 90.0)


@lru_cache(maxsize=64)
def _is_geographic(epsg: int) -> bool:
    return bool(CRS.from_epsg(epsg).is_geographic)


def _near_area(reference: BaseGeometry) -> BaseGeometry:
    # ~150 m in degrees at Vietnam's latitudes; an approximation is enough for "near".
    return shapely.buffer(reference, NEAR_M / 105_000)


def _distance_m(point: BaseGeometry, reference: BaseGeometry) -> float:
    if reference.intersects(point):
        return 0.0
    from shapely.ops import nearest_points

    _p, nearest = nearest_points(point, reference)
    _az1, _az2, distance = _GEOD.inv(point.x, point.y, nearest.x, nearest.y)
    return float(distance)


def _metres(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value / 1000:.1f} km".replace(".", ",") if value >= 1000 else f"{value:.0f} m"


def _percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "?"
    return f"{value * 100:.{digits}f} %".replace(".", ",")
