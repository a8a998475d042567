"""The project map (bản đồ tiến độ giải phóng mặt bằng): parcel status for colouring, the parcels'
GeoJSON built inside the database, legend figures, search, the popup's facts and the print map.

A parcel's status (trạng thái thửa) is the least advanced status, in ``PROGRESS_ORDER``,
among the cases (hồ sơ) that hold it; a parcel no case holds is ``no_case`` (chưa có hồ sơ).

The map can also be coloured by hotspot risk (``colour=risk``): a parcel takes the highest risk
level (``clearance.services.hotspots``) among the cases holding it, ``no_case`` without a case.
The levels are computed in Python by the caller and handed to the query as one JSON parameter
({case id: rank}), which the database joins to the holdings, so the FeatureCollection is still
built whole by the database; without ``colour=risk`` the query is exactly the status map's.

This module is dialect-aware on purpose: the FeatureCollection is assembled as text by PostGIS
(``json_build_object``/``json_agg``, ``ST_AsGeoJSON``) or SpatiaLite (``json_object``/
``json_group_array``, ``AsGeoJSON``) and served as it comes, so that a 10 000-parcel project costs
about what the bare query costs; and a bounding box goes through the spatial index explicitly on
SpatiaLite (its R*Tree ``idx_parcel_geom``; ``MbrIntersects`` alone would scan every row).
Reads only: nothing here writes, flushes or commits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry

from clearance.extensions import db
from clearance.models import AdminUnit, Case, CaseParcel, Parcel, Party, Project
from clearance.services.errors import FieldError
from clearance.workflow.statuses import PROGRESS_ORDER, CaseStatus, RiskLevel, label
from geodata.crs import VN2000_HANOI, WGS84, transform

# --- statuses and colours -----------------------------------------------------------------------

#: Pseudo-status of a parcel that no case holds yet.
NO_CASE = "no_case"
#: The statuses a parcel can have on the map, in legend order (no case first, then the procedure).
MAP_STATUSES: tuple[str, ...] = (NO_CASE, *(status.value for status in CaseStatus))
#: Procedural rank of each case status: a parcel takes the lowest rank among its cases.
STATUS_RANK: dict[str, int] = {status.value: rank for rank, status in enumerate(PROGRESS_ORDER)}
#: The one status → colour mapping of the map, its legend and the print map (the dashboard's
#: status bars use the same colours).
STATUS_COLOURS: dict[str, str] = {
    NO_CASE: "#ffffff",
    CaseStatus.NEW.value: "#9ca3af",
    CaseStatus.NOTIFIED.value: "#60a5fa",
    CaseStatus.SURVEYED.value: "#818cf8",
    CaseStatus.PLAN_DRAFTED.value: "#c084fc",
    CaseStatus.POSTED.value: "#f59e0b",
    CaseStatus.PLAN_APPROVED.value: "#38bdf8",
    CaseStatus.DECIDED.value: "#fb923c",
    CaseStatus.PAID.value: "#22c55e",
    CaseStatus.HANDED_OVER.value: "#15803d",
    CaseStatus.ENFORCEMENT.value: "#dc2626",
}
#: Outline of parcels and colour of the recovery boundary (ranh giới thu hồi).
OUTLINE_COLOUR = "#1f2937"
BOUNDARY_COLOUR = "#dc2626"
#: The status that counts as done (đã bàn giao mặt bằng) in the progress line.
DONE_STATUS = CaseStatus.HANDED_OVER.value

NO_CASE_LABEL = _l("Chưa có hồ sơ")


def status_label(status: str) -> str:
    """The user-facing label of a map status, ``no_case`` included."""
    return str(NO_CASE_LABEL) if status == NO_CASE else label(CaseStatus(status))


# --- risk colouring -----------------------------------------------------------------------------

#: What a parcel can be coloured by.
COLOUR_MODES: tuple[str, ...] = ("status", "risk")
#: A parcel's risk on the map, in legend order: the most severe first, then no case.
MAP_RISKS: tuple[str, ...] = (RiskLevel.HIGH.value, RiskLevel.MEDIUM.value, RiskLevel.LOW.value, NO_CASE)
#: Severity of a risk level: a parcel takes the highest among its cases.
RISK_RANK: dict[str, int] = {RiskLevel.LOW.value: 0, RiskLevel.MEDIUM.value: 1, RiskLevel.HIGH.value: 2}
RISK_COLOURS: dict[str, str] = {
    RiskLevel.HIGH.value: "#dc2626",
    RiskLevel.MEDIUM.value: "#f59e0b",
    RiskLevel.LOW.value: "#bbf7d0",
    NO_CASE: "#ffffff",
}


def risk_label(risk: str) -> str:
    """The user-facing label of a map risk, ``no_case`` included."""
    return str(NO_CASE_LABEL) if risk == NO_CASE else label(RiskLevel(risk))


def parcel_risk(case_levels: Iterable[str]) -> str:
    """Nguy cơ của thửa: the highest risk level among its cases; ``no_case`` without cases."""
    ranked = [RISK_RANK[str(level)] for level in case_levels]
    return MAP_RISKS[2 - max(ranked)] if ranked else NO_CASE


def parcel_status(case_statuses: Iterable[str]) -> str:
    """Trạng thái thửa: the least advanced of its cases' statuses; ``no_case`` without cases."""
    ranked = [STATUS_RANK[str(status)] for status in case_statuses]
    return PROGRESS_ORDER[min(ranked)].value if ranked else NO_CASE


# --- query parameters ---------------------------------------------------------------------------

MIN_ZOOM, MAX_ZOOM = 0, 24
#: Coordinates: 7 decimals ≈ 1 cm at most; fewer when the map is zoomed out.
MAX_PRECISION = 7
MIN_PRECISION = 4


@dataclass(frozen=True)
class BBox:
    """A longitude/latitude box (WGS84)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class MapFilters:
    """What the map asks for: a box and zoom of the view, and the user's filters."""

    bbox: BBox | None = None
    zoom: int | None = None
    statuses: tuple[str, ...] = ()
    ward_id: int | None = None
    land_use: str | None = None
    #: What the parcels are coloured by: "status", or "risk" (each feature then has a ``risk``).
    colour: str = "status"


def parse_bbox(text: str) -> BBox:
    """``minlon,minlat,maxlon,maxlat`` → BBox. Raises FieldError("bbox") naming what is wrong."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4:
        raise FieldError("bbox", _("bbox phải gồm 4 số: kinh độ nhỏ nhất, vĩ độ nhỏ nhất, kinh độ lớn nhất, "
                                   "vĩ độ lớn nhất (ví dụ 105.84,21.01,105.86,21.03)."))
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise FieldError("bbox", _("bbox chỉ gồm số, phân cách bằng dấu phẩy (ví dụ 105.84,21.01,105.86,21.03).")) from None
    if not all(math.isfinite(value) for value in values):
        raise FieldError("bbox", _("bbox chỉ gồm số hữu hạn."))
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise FieldError("bbox", _("bbox: kinh độ từ -180 đến 180, vĩ độ từ -90 đến 90."))
    if min_lon > max_lon or min_lat > max_lat:
        raise FieldError("bbox", _("bbox: giá trị nhỏ nhất phải đứng trước giá trị lớn nhất."))
    return BBox(min_lon, min_lat, max_lon, max_lat)


def parse_zoom(text: str) -> int:
    """A map zoom level, 0 to 24. Raises FieldError("zoom")."""
    message = _("zoom phải là số nguyên từ %(min)s đến %(max)s.", min=MIN_ZOOM, max=MAX_ZOOM)
    try:
        zoom = int(text.strip())
    except ValueError:
        raise FieldError("zoom", message) from None
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise FieldError("zoom", message)
    return zoom


def parse_statuses(values: Iterable[str]) -> tuple[str, ...]:
    """Map statuses, from repeated or comma-separated parameters. Raises FieldError("status")."""
    statuses = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [status for status in statuses if status not in MAP_STATUSES]
    if unknown:
        raise FieldError("status", _("status không hợp lệ: %(value)s. Chọn trong: %(choices)s.",
                                     value=unknown[0], choices=", ".join(MAP_STATUSES)))
    return tuple(dict.fromkeys(statuses))


def parse_ward(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 2**31 - 1:
        raise FieldError("ward", _("ward phải là mã số phường/xã (số nguyên dương)."))
    return int(text)


def parse_colour(text: str) -> str:
    """``status`` (the default) or ``risk``. Raises FieldError("colour")."""
    colour = text.strip() or "status"
    if colour not in COLOUR_MODES:
        raise FieldError("colour", _("colour phải là một trong: %(choices)s.", choices=", ".join(COLOUR_MODES)))
    return colour


def parse_land_use(text: str) -> str:
    code = text.replace("\x00", "").strip()
    if len(code) > 20:
        raise FieldError("land_use", _("land_use: mã mục đích sử dụng đất tối đa 20 ký tự."))
    return code


def filters_from_args(args: Mapping[str, str], statuses: Sequence[str] = ()) -> MapFilters:
    """MapFilters from a query string (``bbox``, ``zoom``, ``ward``, ``land_use``, ``colour``;
    ``statuses``: every ``status`` value given). Empty parameters count as absent. Raises FieldError."""
    text = {key: (args.get(key) or "").strip() for key in ("bbox", "zoom", "ward", "land_use", "colour")}
    return MapFilters(
        bbox=parse_bbox(text["bbox"]) if text["bbox"] else None,
        zoom=parse_zoom(text["zoom"]) if text["zoom"] else None,
        statuses=parse_statuses(statuses),
        ward_id=parse_ward(text["ward"]) if text["ward"] else None,
        land_use=parse_land_use(text["land_use"]) or None,
        colour=parse_colour(text["colour"]),
    )


def _degrees_per_pixel(zoom: int) -> float:
    """Width of a 256-px web-map tile pixel at this zoom, in degrees of longitude."""
    return 360.0 / (256 * 2**zoom)


def precision_for(zoom: int | None) -> int:
    """Decimals of the coordinates: a quarter of a pixel at the zoom (6 at street zooms 16–18),
    at most 7 (≈ 1 cm), all 7 when no zoom is given."""
    if zoom is None:
        return MAX_PRECISION
    digits = math.ceil(math.log10(4 / _degrees_per_pixel(zoom)))
    return max(MIN_PRECISION, min(MAX_PRECISION, digits))


#: From this zoom on a quarter pixel is under 0.3 m: simplifying would cost time and change nothing.
SIMPLIFY_BELOW_ZOOM = 17


def tolerance_for(zoom: int | None) -> float | None:
    """Simplification tolerance in degrees: a quarter of a pixel at the zoom; None (the geometry
    as surveyed) when no zoom is given or the map is zoomed in to street level or closer."""
    if zoom is None or zoom >= SIMPLIFY_BELOW_ZOOM:
        return None
    return _degrees_per_pixel(zoom) / 4


# --- the GeoJSON, built in SQL ------------------------------------------------------------------


def _rank_sql(parcel: str) -> str:
    """Rank of the least advanced case holding the parcel (NULL if no case holds it).

    The holdings come from the case_parcel.parcel_id index and each one's case by its primary key:
    written so, the plan is the same with or without table statistics (as a join, PostgreSQL
    without statistics — right after a bulk load — scanned every case once per parcel)."""
    whens = " ".join(f"WHEN '{status}' THEN {rank}" for status, rank in STATUS_RANK.items())
    return (
        f"SELECT min(CASE (SELECT c.status FROM clearance_case c WHERE c.id = cp.case_id) {whens} END) "
        f"FROM case_parcel cp WHERE cp.parcel_id = {parcel}.id"
    )


def status_sql(parcel: str = "p") -> str:
    """SQL for the status of the parcel row named ``parcel``: the least advanced of its cases'
    statuses, or 'no_case' (a correlated subquery on the case_parcel.parcel_id index)."""
    whens = " ".join(f"WHEN {rank} THEN '{status}'" for status, rank in STATUS_RANK.items())
    return f"CASE ({_rank_sql(parcel)}) {whens} ELSE '{NO_CASE}' END"


def _feature_collection_postgis(geometry: str, risk_property: str = "") -> str:
    properties = (
        "'id', f.id, 'map_sheet', f.map_sheet, 'parcel_no', f.parcel_no, 'status', f.status, "
        "'land_use_code', f.land_use_code, 'ward_id', f.ward_id, "
        "'measured_area', f.measured_area::text, 'recovered_area', f.recovered_area::text, "
        "'is_partial_recovery', COALESCE(f.recovered_area < f.measured_area, false)"
        f"{risk_property}"
    )
    feature = (
        f"json_build_object('type', 'Feature', 'id', f.id, "
        f"'geometry', ST_AsGeoJSON({geometry}, CAST(:precision AS integer))::json, "
        f"'properties', json_build_object({properties}))"
    )
    return (
        "json_build_object('type', 'FeatureCollection', "
        f"'features', COALESCE(json_agg({feature} ORDER BY f.id), '[]'::json))::text"
    )


def _feature_collection_spatialite(geometry: str, risk_property: str = "") -> str:
    def area(column: str) -> str:
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%.2f', {column}) END"

    properties = (
        "'id', f.id, 'map_sheet', f.map_sheet, 'parcel_no', f.parcel_no, 'status', f.status, "
        "'land_use_code', f.land_use_code, 'ward_id', f.ward_id, "
        f"'measured_area', {area('f.measured_area')}, 'recovered_area', {area('f.recovered_area')}, "
        "'is_partial_recovery', CASE WHEN f.recovered_area < f.measured_area THEN json('true') ELSE json('false') END"
        f"{risk_property}"
    )
    feature = (
        f"json_object('type', 'Feature', 'id', f.id, 'geometry', json(AsGeoJSON({geometry}, :precision)), "
        f"'properties', json_object({properties}))"
    )
    return f"json_object('type', 'FeatureCollection', 'features', json_group_array({feature}))"


#: The ``risk`` property of a feature, from the parcel's status and the highest rank of its cases.
_RISK_PROPERTY = (
    f", 'risk', CASE WHEN f.status = '{NO_CASE}' THEN '{NO_CASE}' WHEN f.risk_rank = 2 THEN 'high' "
    "WHEN f.risk_rank = 1 THEN 'medium' ELSE 'low' END"
)


def _risk_join(postgis: bool) -> str:
    """The highest rank of the cases holding each parcel, from the ``:risk`` JSON parameter
    ({case id: rank}, only the cases above low): grouped once, joined by parcel id."""
    ranks = (
        "SELECT CAST(r.key AS integer) AS case_id, CAST(r.value AS integer) AS rank FROM json_each_text(CAST(:risk AS json)) r"
        if postgis else
        "SELECT CAST(r.key AS INTEGER) AS case_id, CAST(r.value AS INTEGER) AS rank FROM json_each(:risk) r"
    )
    return (
        " LEFT JOIN (SELECT cp.parcel_id, max(k.rank) AS risk_rank FROM case_parcel cp "
        f"JOIN ({ranks}) k ON k.case_id = cp.case_id GROUP BY cp.parcel_id) pr ON pr.parcel_id = p.id"
    )


def risk_parameter(levels: Mapping[int, str]) -> str:
    """The ``:risk`` parameter: {case id: rank} of the cases above low, as JSON text."""
    return json.dumps({str(case_id): RISK_RANK[str(level)] for case_id, level in sorted(levels.items())
                       if RISK_RANK[str(level)] > 0}, separators=(",", ":"))


def feature_collection_sql(
    dialect: str, project_id: int, filters: MapFilters, risk: Mapping[int, str] | None = None,
) -> tuple[sa.TextClause, dict[str, Any]]:
    """The query that builds the whole FeatureCollection of a project's parcels as one text value.

    ``dialect``: ``"postgresql"`` or ``"sqlite"`` (SpatiaLite). Returns the statement and its
    parameters; ``connection.execute(statement, params).scalar_one()`` is the response body. This
    is the "bare SQL" the map endpoints are benchmarked against. Each feature's properties: id,
    map_sheet, parcel_no, status (see ``parcel_status``), land_use_code, ward_id, measured_area
    and recovered_area (m², decimal strings with two places, as in the rest of the API, or null),
    is_partial_recovery (thu hồi một phần); with ``filters.colour == "risk"`` also risk (see
    ``parcel_risk``), from ``risk``: {case id: risk level} (cases not in it count as low).
    """
    if dialect not in ("postgresql", "sqlite"):
        raise ValueError(f"no map query for the {dialect} dialect")
    postgis = dialect == "postgresql"
    params: dict[str, Any] = {"project_id": project_id, "precision": precision_for(filters.zoom)}
    conditions = ["p.project_id = :project_id", "p.geom IS NOT NULL"]
    if filters.bbox is not None:
        box = filters.bbox
        params.update(min_lon=box.min_lon, min_lat=box.min_lat, max_lon=box.max_lon, max_lat=box.max_lat)
        # Both indexes keep single-precision boxes rounded outwards, so each is followed by the
        # exact test on the shape: the two databases then return the same parcels.
        if postgis:  # ST_Intersects goes through the GiST index by itself (its implicit &&)
            conditions.append("ST_Intersects(p.geom, ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326))")
        else:  # SpatiaLite's R*Tree must be asked explicitly
            conditions.append(
                "p.id IN (SELECT pkid FROM idx_parcel_geom WHERE xmax >= :min_lon AND xmin <= :max_lon "
                "AND ymax >= :min_lat AND ymin <= :max_lat)"
            )
            conditions.append("ST_Intersects(p.geom, BuildMbr(:min_lon, :min_lat, :max_lon, :max_lat, 4326))")
    if filters.ward_id is not None:
        conditions.append("p.ward_id = :ward_id")
        params["ward_id"] = filters.ward_id
    if filters.land_use:
        conditions.append("p.land_use_code = :land_use")
        params["land_use"] = filters.land_use
    tolerance = tolerance_for(filters.zoom)
    if tolerance is None:
        geometry = "f.geom"
    else:
        params["tolerance"] = tolerance
        cast = "CAST(:tolerance AS double precision)" if postgis else ":tolerance"
        geometry = f"ST_SimplifyPreserveTopology(f.geom, {cast})"
    risk_property, risk_join, risk_column = "", "", ""
    if filters.colour == "risk":
        params["risk"] = risk_parameter(risk or {})
        risk_property, risk_join, risk_column = _RISK_PROPERTY, _risk_join(postgis), ", pr.risk_rank"
    if postgis:
        collection = _feature_collection_postgis(geometry, risk_property)
    else:
        collection = _feature_collection_spatialite(geometry, risk_property)
    outer = ""
    if filters.statuses:
        outer = " WHERE f.status IN :statuses"
        params["statuses"] = list(filters.statuses)
    sql = (
        f"SELECT {collection} FROM ("
        "SELECT p.id, p.map_sheet, p.parcel_no, p.land_use_code, p.ward_id, p.measured_area, p.recovered_area, "
        f"p.geom, {status_sql()} AS status{risk_column} FROM parcel p{risk_join} WHERE {' AND '.join(conditions)}"
        # SpatiaLite's json_group_array has no ORDER BY of its own: it follows the rows' order.
        f"{'' if postgis else ' ORDER BY p.id'}) f{outer}"
    )
    statement = sa.text(sql)
    if filters.statuses:
        statement = statement.bindparams(sa.bindparam("statuses", expanding=True))
    return statement, params


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def feature_collection(project_id: int, filters: MapFilters, risk: Mapping[int, str] | None = None) -> str:
    """The GeoJSON FeatureCollection (text) of a project's parcels that pass the filters, with
    the status each is coloured by (and its risk, in risk mode: ``risk`` is {case id: level}).
    One query; the text is never parsed here."""
    statement, params = feature_collection_sql(dialect_name(), project_id, filters, risk)
    return str(db.session.execute(statement, params).scalar_one())


# --- legend and progress ------------------------------------------------------------------------


@dataclass
class StatusFigures:
    """One legend line: parcels of one status and their area."""

    status: str
    label: str
    colour: str
    parcels: int = 0
    area: Decimal = Decimal(0)


@dataclass
class MapSummary:
    """Legend and progress of a whole project (not only the visible part of the map).

    Areas are the recovered areas (diện tích thu hồi); a parcel whose recovered area is not known
    (the project has no recovery boundary yet) counts with its measured area.
    """

    lines: list[StatusFigures]
    parcels: int = 0
    area: Decimal = Decimal(0)
    done_parcels: int = 0
    done_area: Decimal = Decimal(0)
    #: Parcels without a geometry: counted, but not on the map.
    without_geometry: int = 0

    @property
    def done_percent(self) -> int | None:
        """Share of the area handed over, in whole per cent rounded down (99.6 % is not done);
        None when the project has no area."""
        if self.area <= 0:
            return None
        return int((self.done_area * 100 / self.area).to_integral_value(rounding=ROUND_DOWN))


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def map_summary(project_id: int) -> MapSummary:
    """Parcels and area per status for the legend, and the progress line (one query)."""
    rows = db.session.execute(
        sa.text(
            "SELECT f.status, count(*), sum(COALESCE(f.recovered_area, f.measured_area)), "
            "sum(CASE WHEN f.has_geom = 0 THEN 1 ELSE 0 END) FROM ("
            f"SELECT {status_sql()} AS status, p.recovered_area, p.measured_area, "
            "CASE WHEN p.geom IS NULL THEN 0 ELSE 1 END AS has_geom "
            "FROM parcel p WHERE p.project_id = :project_id) f GROUP BY f.status"
        ),
        {"project_id": project_id},
    ).all()
    found = {status: (int(count), _decimal(area), int(missing or 0)) for status, count, area, missing in rows}
    summary = MapSummary(lines=[])
    for status in MAP_STATUSES:
        count, area, missing = found.get(status, (0, Decimal(0), 0))
        summary.lines.append(StatusFigures(status, status_label(status), STATUS_COLOURS[status], count, area))
        summary.parcels += count
        summary.area += area
        summary.without_geometry += missing
    done = next(line for line in summary.lines if line.status == DONE_STATUS)
    summary.done_parcels, summary.done_area = done.parcels, done.area
    return summary


def progress_text(summary: MapSummary) -> str:
    """E.g. "34/52 thửa, 71% diện tích đã bàn giao"."""
    if summary.done_percent is None:
        return _("%(done)s/%(total)s thửa đã bàn giao", done=summary.done_parcels, total=summary.parcels)
    return _("%(done)s/%(total)s thửa, %(percent)s%% diện tích đã bàn giao",
             done=summary.done_parcels, total=summary.parcels, percent=summary.done_percent)


def _holders(project_id: int) -> list[Any]:
    """(parcel id, case id or None, area, has geometry) of every holding of the project's parcels,
    and of each parcel no case holds (one query)."""
    return db.session.execute(
        sa.select(
            Parcel.id, CaseParcel.case_id, sa.func.coalesce(Parcel.recovered_area, Parcel.measured_area),
            Parcel.geom.is_not(None),
        )
        .outerjoin(CaseParcel, CaseParcel.parcel_id == Parcel.id)
        .where(Parcel.project_id == project_id)
    ).all()


def _fold_risks(rows: Iterable[Any], levels: Mapping[int, str]) -> dict[int, str]:
    held: dict[int, list[str]] = {}
    for parcel_id, case_id, *_rest in rows:
        found = held.setdefault(parcel_id, [])  # a parcel no case holds has its entry too
        if case_id is not None:
            found.append(str(levels.get(case_id, RiskLevel.LOW.value)))
    return {parcel_id: parcel_risk(found) for parcel_id, found in held.items()}


def parcel_risks(project_id: int, levels: Mapping[int, str]) -> dict[int, str]:
    """{parcel id: map risk} of every parcel of the project, from ``levels`` ({case id: risk
    level}; a case missing from it counts as low). One query."""
    return _fold_risks(_holders(project_id), levels)


def risk_summary(project_id: int, levels: Mapping[int, str]) -> MapSummary:
    """The legend of the risk map: parcels and area per risk level, most severe first (one query).
    The progress fields stay empty: progress is the status map's."""
    rows = _holders(project_id)
    risks = _fold_risks(rows, levels)
    areas: dict[int, tuple[Decimal, bool]] = {parcel_id: (_decimal(area), bool(has_geom)) for parcel_id, _c, area, has_geom in rows}
    summary = MapSummary(lines=[StatusFigures(risk, risk_label(risk), RISK_COLOURS[risk]) for risk in MAP_RISKS])
    lines = {line.status: line for line in summary.lines}
    for parcel_id, risk in risks.items():
        area, has_geom = areas[parcel_id]
        lines[risk].parcels += 1
        lines[risk].area += area
        summary.parcels += 1
        summary.area += area
        summary.without_geometry += 0 if has_geom else 1
    return summary


# --- extent and filter choices ------------------------------------------------------------------


def project_extent(project: Project) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the parcels and the recovery boundary; None when
    the project has neither. One query."""
    if dialect_name() == "postgresql":
        sql = ("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
               "(SELECT ST_Extent(geom) AS e FROM parcel WHERE project_id = :project_id) x")
    else:
        sql = ("SELECT MbrMinX(e), MbrMinY(e), MbrMaxX(e), MbrMaxY(e) FROM "
               "(SELECT Extent(geom) AS e FROM parcel WHERE project_id = :project_id) x")
    row = db.session.execute(sa.text(sql), {"project_id": project.id}).one()
    boxes = [tuple(float(v) for v in row)] if row[0] is not None else []
    if project.boundary is not None:
        boxes.append(to_shape(project.boundary).bounds)
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def boundary_geojson(project: Project) -> dict[str, Any] | None:
    """The recovery boundary as a GeoJSON geometry (7 decimals), or None."""
    if project.boundary is None:
        return None
    return shapely.geometry.mapping(shapely.set_precision(to_shape(project.boundary), 1e-7))  # type: ignore[no-any-return]


def filter_choices(project_id: int) -> tuple[list[tuple[int, str]], list[str]]:
    """The wards (id, name) and land-use codes the project's parcels have (two queries)."""
    wards = db.session.execute(
        sa.select(AdminUnit.id, AdminUnit.name)
        .where(AdminUnit.id.in_(sa.select(Parcel.ward_id).where(Parcel.project_id == project_id)))
        .order_by(AdminUnit.name)
    ).all()
    codes = db.session.scalars(
        sa.select(Parcel.land_use_code).where(Parcel.project_id == project_id, Parcel.land_use_code != "")
        .distinct().order_by(Parcel.land_use_code)
    ).all()
    return [(ward_id, name) for ward_id, name in wards], list(codes)


# --- popup and search ---------------------------------------------------------------------------


@dataclass
class Holding:
    """A case holding the parcel, as the popup shows it."""

    case_id: int
    case_code: str
    party_name: str
    status: str
    tenure: str
    share: Decimal


@dataclass
class ParcelFacts:
    """The popup of a parcel: its identity, areas and the cases that hold it."""

    parcel: Parcel
    status: str
    ward_name: str | None
    holdings: list[Holding] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]


def parcel_facts(parcel: Parcel) -> ParcelFacts:
    """What the popup of a parcel says (two queries: its cases with their parties, its ward)."""
    rows = db.session.execute(
        sa.select(Case.id, Case.code, Party.name, Case.status, CaseParcel.tenure, CaseParcel.share)
        .select_from(CaseParcel)
        .join(Case, Case.id == CaseParcel.case_id)
        .join(Party, Party.id == Case.party_id)
        .where(CaseParcel.parcel_id == parcel.id)
        .order_by(Case.code)
    ).all()
    holdings = [Holding(cid, code, name, str(status), str(tenure), share) for cid, code, name, status, tenure, share in rows]
    ward_name = db.session.scalar(sa.select(AdminUnit.name).where(AdminUnit.id == parcel.ward_id)) if parcel.ward_id else None
    return ParcelFacts(parcel, parcel_status(h.status for h in holdings), ward_name, holdings)


MAX_HITS = 20


@dataclass
class SearchHit:
    id: int
    map_sheet: str
    parcel_no: str
    names: list[str]
    status: str
    bbox: tuple[float, float, float, float] | None

    def as_json(self) -> dict[str, Any]:
        centre = None
        if self.bbox is not None:
            centre = [(self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2]
        return {
            "id": self.id, "map_sheet": self.map_sheet, "parcel_no": self.parcel_no, "names": self.names,
            "status": self.status, "status_label": status_label(self.status),
            "label": _("Thửa %(no)s, tờ %(sheet)s", no=self.parcel_no, sheet=self.map_sheet),
            "bbox": list(self.bbox) if self.bbox else None, "centre": centre,
        }


def search_parcels(project_id: int, term: str, pattern: str) -> list[SearchHit]:
    """Parcels of the project whose number is ``term`` or whose holder's name or case code
    contains it (``pattern``: a LIKE pattern with ``\\`` escapes). At most 20; exact parcel numbers
    first. Two queries."""
    if not term:
        return []
    by_holder = (
        sa.select(CaseParcel.parcel_id)
        .join(Case, Case.id == CaseParcel.case_id)
        .join(Party, Party.id == Case.party_id)
        .where(Case.project_id == project_id,
               sa.or_(Party.name.ilike(pattern, escape="\\"), Case.code.ilike(pattern, escape="\\")))
    )
    parcels = db.session.scalars(
        sa.select(Parcel)
        .where(Parcel.project_id == project_id, sa.or_(sa.func.lower(Parcel.parcel_no) == term.lower(), Parcel.id.in_(by_holder)))
        .order_by(sa.case((sa.func.lower(Parcel.parcel_no) == term.lower(), 0), else_=1),
                  sa.func.length(Parcel.map_sheet), Parcel.map_sheet, sa.func.length(Parcel.parcel_no), Parcel.parcel_no)
        .limit(MAX_HITS)
    ).all()
    if not parcels:
        return []
    holders: dict[int, list[tuple[str, str]]] = {p.id: [] for p in parcels}
    for parcel_id, name, status in db.session.execute(
        sa.select(CaseParcel.parcel_id, Party.name, Case.status)
        .join(Case, Case.id == CaseParcel.case_id)
        .join(Party, Party.id == Case.party_id)
        .where(CaseParcel.parcel_id.in_(holders))
        .order_by(Case.code)
    ):
        holders[parcel_id].append((name, str(status)))
    return [
        SearchHit(
            p.id, p.map_sheet, p.parcel_no, [name for name, _status in holders[p.id]],
            parcel_status(status for _name, status in holders[p.id]),
            to_shape(p.geom).bounds if p.geom is not None else None,
        )
        for p in parcels
    ]


# --- the print map ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """A landscape sheet and the frame the map is drawn in (mm)."""

    name: str
    width: float
    height: float
    margin: float
    legend_width: float
    head_height: float

    @property
    def frame(self) -> tuple[float, float]:
        width = self.width - 2 * self.margin - self.legend_width - 6
        height = self.height - 2 * self.margin - self.head_height - 8
        return width, height


PAPERS: dict[str, Paper] = {
    "A4": Paper("A4", 297, 210, 10, 74, 18),
    "A3": Paper("A3", 420, 297, 12, 96, 22),
}
#: Map scales (1:n) the print map may use: 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6 or 7.5 × 10ᵏ (1:500,
#: 1:600, 1:750, 1:1 000 …), so the drawing fills most of the frame at a scale that reads well.
NICE_SCALES: tuple[int, ...] = tuple(
    round(step * 10**power) for power in range(2, 7) for step in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5)
)


@dataclass
class PrintParcel:
    path: str
    colour: str
    label: str
    #: Label position and size (mm); no label when the parcel is too small on paper.
    label_x: float | None = None
    label_y: float | None = None
    font_size: float = 0


@dataclass
class PrintMap:
    """The parcels and the boundary drawn in a frame of ``width`` × ``height`` mm, at 1:``scale``."""

    width: float
    height: float
    scale: int
    parcels: list[PrintParcel]
    boundary: str
    scale_bar_m: float
    scale_bar_mm: float

    @property
    def scale_bar_label(self) -> str:
        metres = self.scale_bar_m
        return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _nice_length(target: float) -> float:
    """1, 2 or 5 × 10ⁿ, the largest not above ``target`` (> 0)."""
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def _svg_path(geom: BaseGeometry, to_paper: Any) -> str:
    """SVG path data (mm) of a polygon or multipolygon in metres; ``to_paper`` maps an (n, 2)
    array of metres to paper millimetres."""
    parts = []
    for polygon in shapely.get_parts(geom):
        for ring in (polygon.exterior, *polygon.interiors):
            points = to_paper(np.asarray(ring.coords)[:, :2])
            parts.append("M" + "L".join(f"{x:.2f} {y:.2f}" for x, y in points) + "Z")
    return "".join(parts)


def print_map(project: Project, paper: Paper, risk: Mapping[int, str] | None = None) -> PrintMap:
    """The project's parcels and recovery boundary projected to VN-2000 / TM-3 105° (EPSG:5897,
    the Hanoi cadastral plane), fitted to the paper's frame at the largest standard scale that
    fits, each parcel filled with its status colour — or, given ``risk`` ({case id: risk level}),
    with its risk colour. One query (two with ``risk``)."""
    risks = parcel_risks(project.id, risk) if risk is not None else None
    width, height = paper.frame
    parcels = db.session.execute(
        sa.select(Parcel.id, Parcel.parcel_no, Parcel.geom, sa.literal_column(status_sql("parcel")).label("status"))
        .where(Parcel.project_id == project.id, Parcel.geom.is_not(None))
        .order_by(Parcel.id)
    ).all()
    shapes = np.array([to_shape(row.geom) for row in parcels], dtype=object)
    if project.boundary is not None:
        shapes = np.append(shapes, np.array([to_shape(project.boundary)], dtype=object))
    if len(shapes) == 0:
        return PrintMap(width, height, NICE_SCALES[0], [], "", 0, 0)
    projected = transform(shapes, WGS84, VN2000_HANOI)  # type: ignore[arg-type]
    minx, miny, maxx, maxy = shapely.total_bounds(projected)
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    # Metres per paper millimetre at the fitted scale, with a 4 mm margin inside the frame.
    needed = max(span_x * 1000 / (width - 8), span_y * 1000 / (height - 8))
    scale = next((n for n in NICE_SCALES if n >= needed), math.ceil(needed))
    mm_per_m = 1000 / scale
    offset_x = (width - span_x * mm_per_m) / 2
    offset_y = (height - span_y * mm_per_m) / 2

    def to_paper(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([offset_x + (xy[:, 0] - minx) * mm_per_m, offset_y + (maxy - xy[:, 1]) * mm_per_m])

    drawn: list[PrintParcel] = []
    label_parcels = len(parcels) <= 3000
    for row, geom in zip(parcels, projected[: len(parcels)], strict=True):
        parcel_no = row.parcel_no
        colour = STATUS_COLOURS[row.status] if risks is None else RISK_COLOURS[risks.get(row.id, NO_CASE)]
        item = PrintParcel(_svg_path(geom, to_paper), colour, parcel_no)
        if label_parcels:
            x0, y0, x1, y1 = geom.bounds
            small_side = min(x1 - x0, y1 - y0) * mm_per_m
            font = min(3.0, small_side * 0.45)
            if font >= 1.2 and len(parcel_no) * font * 0.6 <= (x1 - x0) * mm_per_m:
                point = to_paper(np.asarray(geom.representative_point().coords))[0]
                item.label_x, item.label_y, item.font_size = round(float(point[0]), 2), round(float(point[1]), 2), round(font, 2)
        drawn.append(item)
    boundary = _svg_path(projected[-1], to_paper) if project.boundary is not None else ""
    bar_m = _nice_length(width * 0.22 * scale / 1000)
    return PrintMap(width, height, scale, drawn, boundary, bar_m, bar_m * mm_per_m)
