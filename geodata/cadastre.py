"""Turning a cadastral layer into parcels: field mapping, per-feature checks, areas.

Everything here is vectorised with shapely 2 so that a 100,000-parcel file is checked in
seconds. Problems are reported per feature, naming the file, the feature's position in it
(1-based, as GIS programs count) and its sheet/parcel number when known. Errors stop an import;
warnings are shown and the parcels are imported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.crs import WGS84, to_wgs84
from geodata.crs_check import CrsAdvice, advise
from geodata.geometry import VIETNAM_BBOX
from geodata.measure import SLIVER_M2, areas_m2
from geodata.sources import SourceLayer

#: Parcel attributes an import can fill, with the file field names that usually hold them
#: (compared without accents, case or punctuation).
FIELD_GUESSES: dict[str, tuple[str, ...]] = {
    "map_sheet": ("to_bd", "tobd", "so_to", "soto", "to_ban_do", "so_to_bd", "shbando", "sh_bando", "sheet", "map_sheet"),
    "parcel_no": ("so_thua", "sothua", "thua", "shthua", "sh_thua", "so_hieu_thua", "parcel_no", "parcel", "text"),
    "land_use_code": ("mdsd", "ma_mdsd", "kh_mdsd", "mdsd2003", "loai_dat", "loaidat", "land_use", "land_use_code"),
    "area": ("dien_tich", "dientich", "dt", "dtich", "area", "shape_area"),
    "holder": ("chu_su_dung", "chusudung", "chu_sd", "chusd", "ten_chu", "ten_chu_sd", "holder", "owner"),
    "address": ("dia_chi", "diachi", "dc_thua", "address"),
}
#: Longest values the parcel table holds.
MAX_LENGTH = {"map_sheet": 20, "parcel_no": 20, "land_use_code": 20, "address": 300, "holder": 200}
TARGET_LABELS = {
    "map_sheet": "số tờ bản đồ",
    "parcel_no": "số thửa",
    "land_use_code": "mục đích sử dụng",
    "area": "diện tích",
    "holder": "chủ sử dụng",
    "address": "địa chỉ",
}

Level = Literal["error", "warning"]


class MappingError(ValueError):
    """A field mapping that names a field the file does not have."""


@dataclass(frozen=True)
class Problem:
    """One line of the validation report."""

    level: Level
    code: str
    message: str
    #: File name (several files may be imported at once).
    source: str = ""
    #: Feature's position in its file, from 1; None for a problem of the whole file.
    index: int | None = None
    #: "thửa 12, tờ 5" when known.
    ref: str = ""

    def describe(self) -> str:
        where = [self.source] if self.source else []
        if self.index is not None:
            where.append(f"đối tượng #{self.index}")
        if self.ref:
            where.append(self.ref)
        return f"{' · '.join(where)}: {self.message}" if where else self.message


@dataclass
class PreparedParcel:
    source: str
    index: int
    map_sheet: str
    parcel_no: str
    land_use_code: str
    address: str
    holder: str
    stated_area: Decimal | None
    #: WGS84, valid.
    geometry: MultiPolygon
    measured_area: Decimal
    repaired: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.map_sheet, self.parcel_no)

    @property
    def ref(self) -> str:
        return f"thửa {self.parcel_no}, tờ {self.map_sheet}"


@dataclass
class PreparedLayer:
    layer: SourceLayer
    epsg: int | None
    mapping: dict[str, str | None]
    sheet: str | None
    crs: CrsAdvice | None
    parcels: list[PreparedParcel] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def normalise_name(name: str) -> str:
    """``Số_Thửa`` → ``so_thua``: lower case, no accents, underscores between words."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def guess_mapping(fields: Sequence[str]) -> dict[str, str | None]:
    """The file field most likely holding each parcel attribute (None when nothing fits)."""
    by_name = {normalise_name(f): f for f in fields}
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for target, names in FIELD_GUESSES.items():
        hit = next((by_name[n] for n in names if n in by_name and by_name[n] not in taken), None)
        mapping[target] = hit
        if hit:
            taken.add(hit)
    return mapping


def resolve_mapping(fields: Sequence[str], overrides: dict[str, str]) -> dict[str, str | None]:
    """Guesses, replaced by explicit ``target=field`` overrides (an empty field means "none")."""
    mapping = guess_mapping(fields)
    by_name = {f.lower(): f for f in fields}
    for target, source in overrides.items():
        if target not in FIELD_GUESSES:
            raise MappingError(
                f"không có thuộc tính “{target}” để ánh xạ (chọn một trong: {', '.join(FIELD_GUESSES)})"
            )
        if not source:
            mapping[target] = None
            continue
        if source.lower() not in by_name:
            raise MappingError(f"file không có trường “{source}” (các trường: {', '.join(fields) or 'không có'})")
        mapping[target] = by_name[source.lower()]
    return mapping


def prepare_layer(
    layer: SourceLayer,
    epsg: int | None,
    mapping: dict[str, str | None],
    *,
    sheet: str | None = None,
    area_tolerance: float = 0.01,
    crs_advice: CrsAdvice | None = None,
    crs_chosen_by_user: bool = False,
) -> PreparedLayer:
    """Check every feature of ``layer`` read in ``epsg`` and compute its WGS84 shape and area.

    ``sheet`` overrides the sheet field (a file per map sheet often has none; the number in the
    file's name is used then). ``crs_advice`` is the verdict of ``geodata.crs_check.advise`` on
    ``epsg``: a suspicion is an error unless the user chose the CRS.
    """
    source = layer.path.name
    result = PreparedLayer(layer, epsg, mapping, sheet, None)
    problems = result.problems
    for note in layer.notes:
        problems.append(Problem("warning", "file", note, source))
    if epsg is None:
        problems.append(
            Problem("error", "no_crs", "file không khai báo hệ toạ độ: hãy chọn hệ toạ độ (ví dụ EPSG:5897)", source)
        )
        return result
    if not len(layer):
        problems.append(Problem("error", "empty_file", "file không có đối tượng nào", source))
        return result

    sheets = _text_column(layer, mapping.get("map_sheet"))
    if mapping.get("map_sheet") is None:
        fallback = sheet or layer.sheet_from_name
        if fallback is None:
            problems.append(
                Problem("error", "no_sheet", "không có trường số tờ bản đồ: hãy chỉ định số tờ hoặc trường chứa nó", source)
            )
            return result
        if sheet is None:
            problems.append(Problem("warning", "sheet_from_name", f"số tờ bản đồ lấy từ tên file: {fallback}", source))
        sheets = np.full(len(layer), fallback, dtype=object)
    elif sheet is not None:
        sheets = np.full(len(layer), sheet, dtype=object)
    numbers = _text_column(layer, mapping.get("parcel_no"))
    if mapping.get("parcel_no") is None:
        problems.append(Problem("error", "no_parcel_field", "không có trường số thửa: hãy chỉ định trường chứa số thửa", source))
        return result
    land_use = _text_column(layer, mapping.get("land_use_code"))
    addresses = _text_column(layer, mapping.get("address"))
    holders = _text_column(layer, mapping.get("holder"))
    stated_raw = layer.columns.get(mapping["area"]) if mapping.get("area") else None

    geometries = np.asarray(layer.geometries, dtype=object)
    stated, stated_bad = _decimal_column(stated_raw, len(layer))
    result.crs = crs_advice

    refs = [f"thửa {n}, tờ {s}" if n else "" for n, s in zip(numbers, sheets, strict=True)]
    usable = np.ones(len(layer), dtype=bool)

    def report(level: Level, code: str, message: str, i: int) -> None:
        problems.append(Problem(level, code, message, source, i + 1, refs[i]))
        if level == "error":
            usable[i] = False

    missing = shapely.is_missing(geometries)
    empty = missing.copy()
    empty[~missing] = shapely.is_empty(geometries[~missing])
    for i in np.flatnonzero(empty):
        report("error", "empty", "không có hình (hình rỗng)", int(i))
    type_ids = np.full(len(layer), -1)
    type_ids[~empty] = shapely.get_type_id(geometries[~empty])
    for i in np.flatnonzero(~empty & (type_ids != 3) & (type_ids != 6)):
        kind = geometries[i].geom_type
        message = (
            "đường polyline chưa khép kín, không tạo được thửa"
            if kind in ("LineString", "MultiLineString") and layer.format == "DXF"
            else f"không phải vùng (Polygon) mà là {kind}"
        )
        report("error", "not_polygon", message, int(i))
    for i, (number, sheet_no) in enumerate(zip(numbers, sheets, strict=True)):
        if not number:
            report("error", "no_parcel_no", "thiếu số thửa", i)
        elif not sheet_no:
            report("error", "no_sheet", "thiếu số tờ bản đồ", i)
    for name, column in (("map_sheet", sheets), ("parcel_no", numbers), ("land_use_code", land_use), ("address", addresses), ("holder", holders)):
        limit = MAX_LENGTH[name]
        for i in np.flatnonzero([len(v) > limit for v in column]):
            report("error", "too_long", f"{TARGET_LABELS[name]} dài quá {limit} ký tự", int(i))
    for i in stated_bad:
        report("warning", "bad_area", f"trường {mapping['area']} không phải số: “{stated_raw[i]}”", i)

    polygonal = np.flatnonzero(usable)
    shapes = geometries[polygonal]
    valid = shapely.is_valid(shapes)
    repaired_index = polygonal[~valid]
    original_invalid = shapes[~valid]
    shapes = shapes.copy()
    if len(repaired_index):
        shapes[~valid] = _polygonal(shapely.make_valid(original_invalid))
    wgs = to_wgs84(shapes, epsg)
    outside = _outside_vietnam(wgs)
    for j in np.flatnonzero(outside):
        report("error", "outside_vietnam", f"toạ độ nằm ngoài lãnh thổ Việt Nam khi đọc theo EPSG:{epsg}", int(polygonal[j]))
    measured = areas_m2(wgs)
    if len(repaired_index):
        before = areas_m2(to_wgs84(_outer_shells(original_invalid), epsg))
        after = [measured[j] for j in np.flatnonzero(~valid)]
        for i, geom, area_before, area_after in zip(repaired_index, original_invalid, before, after, strict=True):
            if not area_after:
                continue  # nothing polygonal left: reported as zero area below
            reason = shapely.is_valid_reason(geom).split("[")[0].strip()
            report(
                "warning",
                "repaired",
                f"hình không hợp lệ ({_reason_vi(reason)}), đã tự sửa (make_valid): diện tích"
                f" {_area(area_before)} → {_area(area_after)}",
                int(i),
            )
    repaired = set(repaired_index.tolist())
    wgs = _as_multipolygons(wgs)
    for j, i in enumerate(polygonal.tolist()):
        geom, area = wgs[j], measured[j]
        if outside[j]:
            continue
        if geom is None or geom.is_empty or area is None or area < Decimal("0.01"):
            report("error", "zero_area", "diện tích bằng 0", i)
            continue
        claimed = stated[i]
        if claimed is not None and claimed > 0 and abs(area - claimed) / claimed > Decimal(str(area_tolerance)):
            report(
                "warning",
                "area_mismatch",
                f"diện tích đo từ bản vẽ {_area(area)} lệch {_pct(abs(area - claimed) / claimed)} so với"
                f" trường {mapping['area']} ({_area(claimed)})",
                i,
            )
        if not usable[i]:
            continue
        result.parcels.append(
            PreparedParcel(
                source=source,
                index=i + 1,
                map_sheet=sheets[i],
                parcel_no=numbers[i],
                land_use_code=land_use[i],
                address=addresses[i],
                holder=holders[i],
                stated_area=claimed,
                geometry=geom,
                measured_area=area,
                repaired=i in repaired,
            )
        )
    return result


@dataclass
class PreparedImport:
    """The checked contents of one import (one or more files) before anything is written."""

    layers: list[PreparedLayer]
    problems: list[Problem]

    @property
    def parcels(self) -> list[PreparedParcel]:
        return [p for layer in self.layers for p in layer.parcels]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def prepare_import(
    layers: Sequence[SourceLayer],
    *,
    crs: int | None = None,
    overrides: dict[str, str] | None = None,
    sheet: str | None = None,
    area_tolerance: float = 0.01,
    overlap_tolerance_m2: float = 1.0,
    reference: BaseGeometry | None = None,
) -> PreparedImport:
    """Check files for import: map their fields, check the CRS (``crs`` overrides what the
    files declare), every feature, and duplicates and overlaps across all of them.

    Raises MappingError when an override names a field a file lacks.
    """
    mappings = [resolve_mapping(layer.fields, overrides or {}) for layer in layers]
    used = [crs if crs is not None else layer.declared_epsg for layer in layers]
    advice: dict[int, CrsAdvice] = {}
    # Files of one import usually share a system: judge it once on all of them together.
    for epsg in {e for e in used if e is not None}:
        members = [i for i, e in enumerate(used) if e == epsg]
        geometries = np.concatenate([np.asarray(layers[i].geometries, dtype=object) for i in members])
        stated = None
        if all(mappings[i].get("area") for i in members):
            stated = np.concatenate([_float_column(layers[i].columns[mappings[i]["area"]]) for i in members])
        advice[epsg] = advise(geometries, stated, epsg, reference)
    prepared = [
        prepare_layer(
            layer,
            epsg,
            mapping,
            sheet=sheet,
            area_tolerance=area_tolerance,
            crs_advice=advice.get(epsg) if epsg is not None else None,
            crs_chosen_by_user=crs is not None,
        )
        for layer, epsg, mapping in zip(layers, used, mappings, strict=True)
    ]
    problems = [p for layer in prepared for p in layer.problems]
    for epsg, verdict in advice.items():
        if verdict.suspicious:
            names = [layer.path.name for layer, e in zip(layers, used, strict=True) if e == epsg]
            hint = f" Có thể toạ độ thuộc {verdict.suggested.label}." if verdict.suggested else ""
            problems.insert(
                0,
                Problem(
                    "warning" if crs is not None else "error",
                    "crs_suspect",
                    "hệ toạ độ có vẻ không đúng: " + "; ".join(verdict.reasons) + "." + hint,
                    ", ".join(names) if len(names) <= 3 else f"{len(names)} file",
                ),
            )
    problems += check_across(prepared, overlap_tolerance_m2)
    return PreparedImport(prepared, problems)


def check_across(layers: Sequence[PreparedLayer], overlap_tolerance_m2: float = 1.0) -> list[Problem]:
    """Problems between features, across all files: duplicate sheet/parcel numbers (errors) and
    overlaps above the tolerance (warnings: they go on the boundary-conflict list)."""
    problems: list[Problem] = []
    parcels = [p for layer in layers for p in layer.parcels]
    seen: dict[tuple[str, str], PreparedParcel] = {}
    duplicates: set[int] = set()
    for n, parcel in enumerate(parcels):
        first = seen.setdefault(parcel.key, parcel)
        if first is not parcel:
            duplicates.add(n)
            problems.append(
                Problem(
                    "error",
                    "duplicate",
                    f"trùng số thửa với đối tượng #{first.index}" + (f" của {first.source}" if first.source != parcel.source else ""),
                    parcel.source,
                    parcel.index,
                    parcel.ref,
                )
            )
    for a, b, area, identical in _overlap_pairs([p.geometry for p in parcels], overlap_tolerance_m2):
        pa, pb = parcels[a], parcels[b]
        what = f"trùng khít hình ({_area(area)})" if identical else f"chồng lấn {_area(area)}"
        problems.append(
            Problem(
                "warning",
                "overlap",
                f"{what} với {pb.ref} (đối tượng #{pb.index}"
                + (f" của {pb.source}" if pb.source != pa.source else "")
                + ")",
                pa.source,
                pa.index,
                pa.ref,
            )
        )
    return problems


def overlaps(geometries: Sequence[BaseGeometry], tolerance_m2: float = 1.0) -> list[tuple[int, int, Decimal]]:
    """Pairs (i < j) of WGS84 polygons sharing more than ``tolerance_m2`` of area."""
    return [(i, j, area) for i, j, area, _same in _overlap_pairs(geometries, tolerance_m2)]


def _overlap_pairs(geometries: Sequence[BaseGeometry], tolerance_m2: float) -> list[tuple[int, int, Decimal, bool]]:
    """(i, j, shared area, drawn identically) for overlapping pairs above the tolerance."""
    array = np.asarray(geometries, dtype=object)
    if len(array) < 2:
        return []
    # In a clean cadastre every edge is shared exactly by two neighbours. The GEOS coverage
    # check finds the parcels with unmatched edges in one linear pass; only those can overlap,
    # so the costly work is done for a handful of pairs, not for every neighbour.
    flagged = ~shapely.is_empty(shapely.coverage_invalid_edges(array))
    # A parcel drawn wholly inside another has no edge crossing it: catch it by an inner point.
    tree = shapely.STRtree(array)
    point_index, holder_index = tree.query(shapely.point_on_surface(array), predicate="within")
    inside = point_index != holder_index
    flagged[point_index[inside]] = True
    flagged[holder_index[inside]] = True
    suspects = np.flatnonzero(flagged)
    if not len(suspects):
        return []
    # Only one of two overlapping parcels may be flagged (the one whose edges lie inside the
    # other): pair every suspect with every parcel it touches.
    left, right = tree.query(array[suspects], predicate="intersects")
    both = np.sort(np.column_stack([suspects[left], right]), axis=1)
    both = np.unique(both[both[:, 0] < both[:, 1]], axis=0)
    if not len(both):
        return []
    suspects = np.unique(both)
    # The same shape drawn twice (MicroStation exports repeat block outlines) overlaps by its
    # whole area: recognised by its normalised bytes, without any geometric predicate.
    normal = np.empty(len(array), dtype=object)
    normal[suspects] = shapely.normalize(array[suspects])
    keys = np.full(len(array), -1, dtype=np.int64)
    keys[suspects] = [hash(data) for data in shapely.to_wkb(normal[suspects])]
    same = keys[both[:, 0]] == keys[both[:, 1]]
    same[same] = shapely.equals_exact(normal[both[same, 0]], normal[both[same, 1]], tolerance=0)
    # Of the other pairs, most only touch along an edge: drop them before intersecting.
    rest = both[~same]
    rest = rest[~shapely.touches(array[rest[:, 0]], array[rest[:, 1]])]
    # A parcel lying inside another shares all of its own area: no intersection needed.
    inner = np.full(len(rest), -1)
    inner[shapely.covers(array[rest[:, 0]], array[rest[:, 1]])] = 1
    inner[(inner < 0) & shapely.covers(array[rest[:, 1]], array[rest[:, 0]])] = 0
    shared = np.empty(len(rest), dtype=object)
    nested = inner >= 0
    shared[nested] = array[rest[nested, inner[nested]]] if nested.any() else []
    crossing = ~nested
    if crossing.any():
        shared[crossing] = shapely.intersection(array[rest[crossing, 0]], array[rest[crossing, 1]])
    limit = Decimal(str(tolerance_m2))
    found: list[tuple[int, int, Decimal, bool]] = []
    for (i, j), area in zip(rest.tolist(), areas_m2(shared), strict=True):
        if area is not None and area > limit:
            found.append((int(i), int(j), area, False))
    identical = both[same]
    for (i, j), area in zip(identical.tolist(), areas_m2(array[identical[:, 0]]), strict=True):
        if area is not None and area > limit:
            found.append((int(i), int(j), area, True))
    found.sort()
    return found


def locate(geometries: Sequence[BaseGeometry], units: Iterable[tuple[Any, BaseGeometry]]) -> list[Any]:
    """For each WGS84 parcel, the key of the unit (ward, commune) holding its representative
    point, or None. The smallest such unit wins when units nest."""
    units = [(key, geom) for key, geom in units if geom is not None]
    result: list[Any] = [None] * len(geometries)
    if not units or not len(geometries):
        return result
    boundaries = np.asarray([g for _k, g in units], dtype=object)
    sizes = shapely.area(boundaries)
    tree = shapely.STRtree(boundaries)
    points = shapely.point_on_surface(np.asarray(geometries, dtype=object))
    point_index, unit_index = tree.query(points, predicate="within")
    best: dict[int, int] = {}
    for p, u in zip(point_index.tolist(), unit_index.tolist(), strict=True):
        if p not in best or sizes[u] < sizes[best[p]]:
            best[p] = u
    for p, u in best.items():
        result[p] = units[u][0]
    return result


def recovered_areas(
    geometries: Sequence[BaseGeometry], measured: Sequence[Decimal | None], boundary: BaseGeometry | None
) -> list[Decimal | None]:
    """Diện tích thu hồi of many parcels: the part inside the recovery boundary (None without a
    boundary). A parcel wholly inside keeps its measured area; a sliver below ``SLIVER_M2``
    outside is rounding, as in ``geodata.measure.recovered_area_m2``."""
    if boundary is None:
        return [None] * len(geometries)
    array = np.asarray(geometries, dtype=object)
    shapely.prepare(boundary)
    result: list[Decimal | None] = [Decimal("0.00")] * len(array)
    touching = np.flatnonzero(shapely.intersects(boundary, array))
    within = shapely.within(array[touching], boundary)
    partial = touching[~within]
    for i in touching[within]:
        result[i] = measured[i]
    if len(partial):
        whole = areas_m2(array[partial])
        inside = areas_m2(shapely.intersection(array[partial], boundary))
        for i, w, part in zip(partial, whole, inside, strict=True):
            part = part or Decimal("0.00")
            result[i] = measured[i] if w is not None and w - part < SLIVER_M2 else part
    return result


# --- helpers ---------------------------------------------------------------------------------


def _outside_vietnam(geometries: np.ndarray) -> np.ndarray:
    result = np.zeros(len(geometries), dtype=bool)
    present = ~shapely.is_missing(geometries)
    present[present] = ~shapely.is_empty(geometries[present])
    if present.any():
        west, south, east, north = VIETNAM_BBOX
        bounds = shapely.bounds(geometries[present])
        result[present] = ~((bounds[:, 0] >= west) & (bounds[:, 2] <= east) & (bounds[:, 1] >= south) & (bounds[:, 3] <= north))
    return result


def _text_column(layer: SourceLayer, name: str | None) -> np.ndarray:
    out = np.full(len(layer), "", dtype=object)
    if name is None:
        return out
    # Plain strings take the short path: this runs once per field per feature (700,000 times
    # for a 100,000-parcel file).
    out[:] = [
        " ".join(value.split()) if type(value) is str and "\x00" not in value else _text(value)
        for value in layer.columns[name]
    ]
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).replace("\x00", "").split())


def _float_column(values: Any) -> np.ndarray:
    if np.asarray(values).dtype.kind in "fiu":
        return np.asarray(values, dtype=float)
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        text = _text(value).replace(",", ".")
        try:
            out[i] = float(text) if text else np.nan
        except ValueError:
            pass
    return out


def _decimal_column(values: Any, size: int) -> tuple[list[Decimal | None], list[int]]:
    if values is None:
        return [None] * size, []
    out: list[Decimal | None] = []
    bad: list[int] = []
    cent = Decimal("0.01")
    for i, value in enumerate(values):
        if isinstance(value, float):  # numeric fields (numpy floats are floats) skip the text path
            if value != value:  # NaN: no value
                out.append(None)
            elif 0 <= value < 1e12:
                out.append(Decimal(repr(float(value))).quantize(cent))
            else:
                bad.append(i)
                out.append(None)
            continue
        text = _text(value)
        if not text:
            out.append(None)
            continue
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            bad.append(i)
            out.append(None)
        else:
            out.append(number.quantize(Decimal("0.01")) if number < Decimal("1e12") else None)
    return out, bad


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygon parts of repaired geometries (make_valid may add stray lines or points)."""
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        parts = [p for p in _flat_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
        out[i] = MultiPolygon(parts) if parts else shapely.Polygon()
    return out


def _flat_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """Simple parts of a geometry, however deeply collections nest (make_valid nests them)."""
    parts = list(shapely.get_parts(geom))
    while any(shapely.get_type_id(p) >= 4 for p in parts):
        parts = [q for p in parts for q in shapely.get_parts(p)]
    return parts


def _outer_shells(geoms: np.ndarray) -> np.ndarray:
    """What the drawing seemed to cover before repair: its rings' areas, added up."""
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        parts = [Polygon(p.exterior) for p in _flat_parts(geom) if isinstance(p, Polygon)]
        out[i] = MultiPolygon(parts) if parts else None
    return out


def _as_multipolygons(geometries: np.ndarray) -> np.ndarray:
    """Every polygon wrapped as a one-part MultiPolygon (the column type), in one call."""
    out = np.asarray(geometries, dtype=object).copy()
    if not len(out):
        return out
    present = ~shapely.is_missing(out)
    present[present] = ~shapely.is_empty(out[present])
    single = np.zeros(len(out), dtype=bool)
    single[present] = shapely.get_type_id(out[present]) == 3
    index = np.flatnonzero(single)
    if len(index):
        out[index] = shapely.multipolygons(out[index], indices=np.arange(len(index)))
    other = present & ~single
    for i in np.flatnonzero(other):
        out[i] = _multi(out[i])
    return out


def _multi(geom: BaseGeometry) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    return MultiPolygon([p for p in _flat_parts(geom) if isinstance(p, Polygon)])


_REASONS = {
    "Self-intersection": "tự cắt",
    "Ring Self-intersection": "vòng tự cắt",
    "Nested shells": "các phần lồng nhau",
    "Interior is disconnected": "phần trong bị tách rời",
    "Hole lies outside shell": "lỗ nằm ngoài vùng",
    "Nested holes": "lỗ lồng nhau",
    "Duplicate Rings": "vòng trùng nhau",
    "Too few points in geometry component": "quá ít điểm",
    "Ring is not closed": "vòng không khép kín",
}


def _reason_vi(reason: str) -> str:
    return _REASONS.get(reason, reason)


def _area(value: Decimal | None) -> str:
    if value is None:
        return "?"
    whole, _dot, cents = f"{value:.2f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + f",{cents} m²"


def _pct(value: Decimal) -> str:
    return f"{float(value) * 100:.1f} %".replace(".", ",")


__all__ = [
    "FIELD_GUESSES",
    "WGS84",
    "MappingError",
    "PreparedLayer",
    "PreparedParcel",
    "Problem",
    "PreparedImport",
    "check_across",
    "prepare_import",
    "guess_mapping",
    "locate",
    "overlaps",
    "prepare_layer",
    "recovered_areas",
    "resolve_mapping",
]
