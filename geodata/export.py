"""Writing a project's parcels (thửa đất) to GeoJSON, GeoPackage or a zipped Shapefile.

The three formats share one attribute table with short Vietnamese-ASCII field names (a
Shapefile allows ten characters): the parcel's id, map sheet (tờ bản đồ), number (số thửa),
address, land use (mục đích sử dụng), the legal, measured, recovered and remaining areas (m², two
decimals), the partial-recovery flag (thu hồi một phần), the 2025 ward, the case status and its
label, the case numbers (hồ sơ) and the land users' names (chủ sử dụng).

Every file opens in GDAL (Debian's 3.6 as well as the 3.12 bundled with pyogrio) and QGIS
without a warning:

- GeoJSON follows RFC 7946 (WGS84, counter-clockwise outer rings, 8 decimals ≈ 1 mm) when the
  target CRS is WGS84; numbers are written with 15 significant figures (``12.3``, not
  ``12.300000000000001``).
- GeoPackage is written as version 1.3, which GDAL before 3.7 reads without complaint.
- The Shapefile is zipped with its ``.shp``, ``.shx``, ``.dbf``, ``.prj`` and ``.cpg`` (UTF-8).
  Its DBF columns are sized to the data before the records are written: text as wide as the
  longest value in UTF-8 bytes, areas ``N(16,2)`` (``123.45``, not ``123.450000000000003``).
  pyogrio cannot set a field's width or precision, so the DBF header of the empty layer is
  adjusted and the records appended. A DBF text value holds at most 254 bytes (about 90
  Vietnamese characters): longer values (long addresses, many land users) are cut at a
  character boundary and end in "…" in the Shapefile only; GeoJSON and GeoPackage keep them whole.
- Empty text is written as null in every format (a DBF cannot tell the two apart).

Pure: numpy, shapely and pyogrio only.
"""

from __future__ import annotations

import math
import struct
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import numpy as np
import pyogrio.raw
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.crs import WGS84, transform

Format = Literal["geojson", "gpkg", "shp"]
FORMATS: tuple[Format, ...] = ("geojson", "gpkg", "shp")
#: File name ending of each format (the Shapefile comes zipped; GDAL opens ``.shp.zip`` directly).
EXTENSIONS: dict[Format, str] = {"geojson": "geojson", "gpkg": "gpkg", "shp": "shp.zip"}
MIMETYPES: dict[Format, str] = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
}
#: The layer's name in every format (and the Shapefile's base name inside the zip).
LAYER = "thua_dat"
#: The most a DBF text field holds, in bytes.
DBF_MAX_TEXT = 254
#: Areas in the DBF: up to 999 999 999 999,99 m² (the database's NUMERIC(14,2)) and a sign.
AREA_WIDTH, AREA_DECIMALS = 16, 2
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class ParcelRecord:
    """One parcel (thửa đất) as exported: attributes and its WGS84 shape (None if not drawn)."""

    id: int
    #: Tờ bản đồ số.
    map_sheet: str
    #: Số thửa.
    parcel_no: str
    address: str
    #: Mục đích sử dụng đất (ODT, TMD, …).
    land_use: str
    #: Diện tích pháp lý, đo đạc, thu hồi, còn lại (m²).
    legal_area: Decimal | None
    measured_area: Decimal | None
    recovered_area: Decimal | None
    remaining_area: Decimal | None
    #: Thu hồi một phần.
    partial: bool
    #: Phường/xã (2025).
    ward: str | None
    #: Trạng thái (code) and its label (tên trạng thái).
    status: str
    status_label: str
    #: Số hồ sơ, joined by "; ".
    case_codes: str
    #: Tên người sử dụng đất, joined by "; ".
    holders: str
    geom: BaseGeometry | None


@dataclass(frozen=True)
class Field:
    """One exported column: its name in every format (≤ 10 characters) and its type."""

    name: str
    attribute: str
    kind: Literal["int", "text", "area", "bool"]


FIELDS: tuple[Field, ...] = (
    Field("ma_thua", "id", "int"),
    Field("to_bd", "map_sheet", "text"),
    Field("so_thua", "parcel_no", "text"),
    Field("dia_chi", "address", "text"),
    Field("mdsd", "land_use", "text"),
    Field("dt_phaply", "legal_area", "area"),
    Field("dt_do", "measured_area", "area"),
    Field("dt_thuhoi", "recovered_area", "area"),
    Field("dt_conlai", "remaining_area", "area"),
    Field("mot_phan", "partial", "bool"),
    Field("phuong", "ward", "text"),
    Field("trang_thai", "status", "text"),
    Field("tt_ten", "status_label", "text"),
    Field("ho_so", "case_codes", "text"),
    Field("chu_sd", "holders", "text"),
)
_DTYPES = {"int": np.int64, "text": object, "area": np.float64, "bool": np.bool_}


def write_parcels(path_or_dir: str | Path, fmt: Format, records: Iterable[ParcelRecord], crs: int = WGS84) -> Path:
    """Write ``records`` as ``fmt`` (geojson, gpkg or shp) and return the file written.

    ``path_or_dir`` is the file to write (for "shp", the zip), or an existing directory to write
    ``thua_dat.<geojson|gpkg|shp.zip>`` into. Geometries are WGS84 and are written as
    MultiPolygons in EPSG ``crs`` (e.g. 5897 for VN-2000 / TM-3 105° Hà Nội).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt!r}")
    path = Path(path_or_dir)
    if path.is_dir():
        path = path / f"{LAYER}.{EXTENSIONS[fmt]}"
    rows = list(records)
    geometry = _wkb(rows, crs)
    srs = f"EPSG:{crs}"
    if fmt == "shp":
        _write_zipped_shapefile(path, rows, geometry, srs)
        return path
    names = [f.name for f in FIELDS]
    columns = [_column(rows, f) for f in FIELDS]
    if fmt == "geojson":
        options = {"SIGNIFICANT_FIGURES": "15"}
        if crs == WGS84:
            options |= {"RFC7946": "YES", "COORDINATE_PRECISION": "8"}
        else:
            options |= {"COORDINATE_PRECISION": "3"}  # metres: to the millimetre
        pyogrio.raw.write(
            path, geometry, columns, names, layer=LAYER, driver="GeoJSON", geometry_type="MultiPolygon",
            crs=srs, layer_options=options,
        )
    else:
        pyogrio.raw.write(
            path, geometry, columns, names, layer=LAYER, driver="GPKG", geometry_type="MultiPolygon", crs=srs,
            dataset_options={"VERSION": "1.3"},
        )
    return path


def _wkb(rows: Sequence[ParcelRecord], crs: int) -> np.ndarray:
    """The records' shapes as MultiPolygon WKB (None for a parcel not drawn), in ``crs``."""
    shapes = np.array([_multipolygon(r.geom) for r in rows], dtype=object)
    present = ~shapely.is_missing(shapes) if len(shapes) else np.zeros(0, dtype=bool)
    if crs != WGS84 and present.any():
        shapes[present] = transform(shapes[present], WGS84, crs)
    out = np.empty(len(rows), dtype=object)
    if present.any():
        out[present] = shapely.to_wkb(shapes[present], output_dimension=2)
    return out


def _multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polygons = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon)]
    return MultiPolygon(polygons) if polygons else None


def _column(rows: Sequence[ParcelRecord], field: Field, text_bytes: int | None = None) -> np.ndarray:
    values = [getattr(r, field.attribute) for r in rows]
    if field.kind == "area":
        return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    if field.kind == "text":
        # Empty text is written as null in every format: a DBF cannot tell the two apart.
        values = [str(v) if v not in (None, "") else None for v in values]
        if text_bytes is not None:
            values = [None if v is None else fit_utf8(v, text_bytes) for v in values]
        return np.array(values, dtype=object)
    return np.array(values, dtype=_DTYPES[field.kind])


def fit_utf8(text: str, limit: int = DBF_MAX_TEXT) -> str:
    """``text`` if it takes at most ``limit`` UTF-8 bytes, else cut at a character boundary
    and ended with "…" so that it does."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    return cut.rstrip() + "…"


def _write_zipped_shapefile(path: Path, rows: Sequence[ParcelRecord], geometry: np.ndarray, srs: str) -> None:
    names = [f.name for f in FIELDS]
    columns = [_column(rows, f, text_bytes=DBF_MAX_TEXT) for f in FIELDS]
    with tempfile.TemporaryDirectory(prefix="shp-", dir=path.parent) as work:
        shp = Path(work) / f"{LAYER}.shp"
        common = {"driver": "ESRI Shapefile", "geometry_type": "MultiPolygon", "crs": srs, "encoding": "UTF-8"}
        # The empty layer first (.shp/.shx/.dbf/.prj/.cpg), its DBF columns sized, then the records.
        empty = [np.array([], dtype=c.dtype) for c in columns]
        pyogrio.raw.write(shp, np.array([], dtype=object), empty, names, **common)
        _size_dbf_fields(shp.with_suffix(".dbf"), _dbf_sizes(columns))
        if rows:
            pyogrio.raw.write(shp, geometry, columns, names, append=True, **common)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for suffix in SHAPEFILE_PARTS:
                archive.write(shp.with_suffix(suffix), f"{LAYER}{suffix}")


def _dbf_sizes(columns: Sequence[np.ndarray]) -> dict[str, tuple[int, int]]:
    """(width, decimals) of each DBF column, fitted to the values."""
    sizes: dict[str, tuple[int, int]] = {}
    for field, values in zip(FIELDS, columns, strict=True):
        if field.kind == "text":
            longest = max((len(v.encode("utf-8")) for v in values if v is not None), default=1)
            sizes[field.name] = (min(max(longest, 1), DBF_MAX_TEXT), 0)
        elif field.kind == "area":
            sizes[field.name] = (AREA_WIDTH, AREA_DECIMALS)
        elif field.kind == "int":
            sizes[field.name] = (max((len(str(v)) for v in values.tolist()), default=1), 0)
        else:
            sizes[field.name] = (1, 0)
    return sizes


def _size_dbf_fields(dbf: Path, sizes: dict[str, tuple[int, int]]) -> None:
    """Set the width and decimals of the columns of an empty DBF file (dBASE III header: 32
    bytes, then one 32-byte descriptor per column: name 0–10, type 11, width 16, decimals 17;
    the record length at bytes 10–11 is one deletion flag byte plus every width)."""
    header = bytearray(dbf.read_bytes())
    if struct.unpack_from("<I", header, 4)[0] != 0:
        raise ValueError("only an empty DBF file can have its columns resized")
    header_length = struct.unpack_from("<H", header, 8)[0]
    record_length = 1
    for offset in range(32, header_length, 32):
        if header[offset] == 0x0D:  # end of the column descriptors
            break
        name = bytes(header[offset : offset + 11]).split(b"\0", 1)[0].decode("ascii")
        width, decimals = sizes[name]
        header[offset + 16], header[offset + 17] = width, decimals
        record_length += width
    struct.pack_into("<H", header, 10, record_length)
    dbf.write_bytes(bytes(header))
