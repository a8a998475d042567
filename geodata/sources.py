"""Reading cadastral files: GeoJSON, zipped Shapefile, GeoPackage (through pyogrio/GDAL) and DXF
drawings (through ezdxf).

A file becomes a ``SourceLayer``: its geometries in the file's own coordinates, its attribute
columns, and the CRS the file declares (which may be wrong; see ``geodata.crs_check``). Reading
never changes anything; a file that cannot be read raises ``SourceError`` with a message for the
user.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

#: Formats by file suffix.
FORMATS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".zip": "Shapefile (zip)",
    ".gpkg": "GeoPackage",
    ".dxf": "DXF",
}
#: A zip that expands beyond this is refused (a zip bomb, or not a cadastral sheet).
MAX_UNZIPPED_BYTES = 2 * 1024**3
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")


class SourceError(ValueError):
    """A file that cannot be read as parcels; the message says why, in Vietnamese."""


@dataclass
class SourceLayer:
    """The features of one layer of one file, untouched."""

    path: Path
    layer: str
    format: str
    #: EPSG code the file declares, or None when it declares none (a shapefile without .prj, DXF).
    declared_epsg: int | None
    #: The declared CRS as text when it has no EPSG code (shown to the user).
    declared_crs_text: str | None
    fields: list[str]
    #: Shapely geometries in the file's coordinates; None for a feature without geometry.
    geometries: np.ndarray
    #: One array per field, same length as ``geometries``.
    columns: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.geometries)

    @property
    def sheet_from_name(self) -> str | None:
        """Số tờ bản đồ from a file name such as ``dc12.geojson`` or ``to_5.zip`` (last digits)."""
        found = re.findall(r"\d+", self.path.stem)
        return found[-1].lstrip("0") or "0" if found else None


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise SourceError(
            f"{path.name}: không nhận dạng được định dạng (cần .geojson, .zip chứa Shapefile, .gpkg hoặc .dxf)"
        ) from None


def read_layer(path: Path, layer: str | None = None) -> SourceLayer:
    """Read one layer of ``path`` (the only one, or the one named)."""
    kind = file_format(path)
    if kind == "DXF":
        return _read_dxf(path, layer)
    dataset = _dataset(path, kind)
    try:
        layers = [str(name) for name, _type in pyogrio.list_layers(dataset)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise SourceError(f"{path.name}: không mở được file ({_gdal_message(exc)})") from exc
    if not layers:
        raise SourceError(f"{path.name}: file không có lớp dữ liệu nào")
    if layer is None:
        if len(layers) > 1:
            raise SourceError(f"{path.name}: file có {len(layers)} lớp ({', '.join(layers)}); hãy chọn một lớp")
        layer = layers[0]
    elif layer not in layers:
        raise SourceError(f"{path.name}: không có lớp “{layer}” (các lớp: {', '.join(layers)})")
    try:
        meta, _fids, wkb, values = pyogrio.raw.read(dataset, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldTypeError) as exc:
        raise SourceError(f"{path.name}: không đọc được lớp “{layer}” ({_gdal_message(exc)})") from exc
    geometries = shapely.from_wkb(wkb, on_invalid="warn") if wkb is not None else np.full(len(values[0]) if values else 0, None)
    fields = [str(name) for name in meta["fields"]]
    declared, text = _declared_crs(meta.get("crs"))
    notes = []
    if kind == "Shapefile (zip)" and declared is None and text is None:
        notes.append("Shapefile không có file .prj: không biết hệ toạ độ")
    return SourceLayer(
        path=path,
        layer=layer,
        format=kind,
        declared_epsg=declared,
        declared_crs_text=text,
        fields=fields,
        geometries=np.asarray(geometries, dtype=object),
        columns=dict(zip(fields, values, strict=True)),
        notes=notes,
    )


def _dataset(path: Path, kind: str) -> str:
    if not path.is_file():
        raise SourceError(f"{path.name}: không tìm thấy file")
    if kind != "Shapefile (zip)":
        return str(path)
    return f"/vsizip/{path}/{_shapefile_in_zip(path)}"


def _shapefile_in_zip(path: Path) -> str:
    """The one .shp inside the zip, after checking the zip is whole and has the parts GDAL needs."""
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"{path.name}: file zip hỏng hoặc không phải file zip ({exc})") from exc
    if broken is not None:
        raise SourceError(f"{path.name}: file zip hỏng (tệp {broken} bị lỗi)")
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise SourceError(f"{path.name}: nội dung giải nén quá lớn")
    names = [m.filename for m in members if not m.is_dir()]
    shapes = [n for n in names if n.lower().endswith(".shp") and not PurePosixPath(n).name.startswith(".")]
    if not shapes:
        raise SourceError(f"{path.name}: trong file zip không có Shapefile (.shp)")
    if len(shapes) > 1:
        raise SourceError(f"{path.name}: file zip có {len(shapes)} Shapefile ({', '.join(shapes)}); mỗi lần nhập một file")
    stem = shapes[0][:-4]
    lower = {n.lower() for n in names}
    missing = [ext for ext in SHAPEFILE_PARTS if f"{stem}{ext}".lower() not in lower]
    if missing:
        raise SourceError(f"{path.name}: Shapefile thiếu {', '.join(missing)}")
    return shapes[0]


def _declared_crs(value: Any) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    try:
        crs = CRS.from_user_input(value)
    except CRSError:
        return None, str(value)[:200]
    epsg = crs.to_epsg(min_confidence=70)
    return (epsg, None) if epsg is not None else (None, crs.name)


def _gdal_message(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__


# --- DXF -----------------------------------------------------------------------------------

#: Attribute columns a DXF layer yields: its CAD layer, the entity handle, and the text labels
#: (số thửa, diện tích, loại đất…) found inside each closed polyline.
DXF_FIELDS = ("layer", "handle", "text", "labels")


def _open_dxf(path: Path):  # type: ignore[no-untyped-def]
    import ezdxf
    from ezdxf.lldxf.const import DXFError

    if not path.is_file():
        raise SourceError(f"{path.name}: không tìm thấy file")
    try:
        return ezdxf.readfile(str(path))
    except (DXFError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{path.name}: không đọc được bản vẽ DXF ({exc})") from exc


def _read_dxf(path: Path, layer: str | None) -> SourceLayer:
    """Closed polylines become polygons; open ones are kept as lines so the check can name them.

    MicroStation exports write each parcel as a closed LWPOLYLINE (or POLYLINE) and its number as
    a TEXT inside it. The text nearest to the polygon's centre is taken as ``text``; all texts
    inside are in ``labels``.
    """
    doc = _open_dxf(path)
    modelspace = doc.modelspace()
    geometries: list[Any] = []
    layers: list[str] = []
    handles: list[str] = []
    for entity in modelspace.query("LWPOLYLINE POLYLINE"):
        if layer is not None and entity.dxf.layer != layer:
            continue
        if entity.dxftype() == "POLYLINE" and not entity.is_2d_polyline:
            continue
        points = [(float(p[0]), float(p[1])) for p in (entity.get_points("xy") if entity.dxftype() == "LWPOLYLINE" else (v.dxf.location for v in entity.vertices))]
        closed = bool(entity.closed) or (len(points) > 3 and points[0] == points[-1])
        if closed and len(points) >= 3:
            geometries.append(shapely.Polygon(points))
        elif len(points) >= 2:
            geometries.append(shapely.LineString(points))
        else:
            geometries.append(shapely.Point(points[0]) if points else None)
        layers.append(entity.dxf.layer)
        handles.append(entity.dxf.handle)
    if layer is not None and not geometries:
        raise SourceError(f"{path.name}: lớp “{layer}” không có đường polyline nào")
    texts: list[tuple[shapely.Point, str]] = []
    for entity in modelspace.query("TEXT MTEXT"):
        content = entity.plain_text() if entity.dxftype() == "MTEXT" else entity.dxf.text
        content = (content or "").strip()
        if content:
            insert = entity.dxf.insert
            texts.append((shapely.Point(float(insert[0]), float(insert[1])), content))
    geometry_array = np.asarray(geometries + [None], dtype=object)[:-1]
    text_col, labels_col = _labels_inside(geometry_array, texts)
    return SourceLayer(
        path=path,
        layer=layer or "(tất cả lớp)",
        format="DXF",
        declared_epsg=None,
        declared_crs_text=None,
        fields=list(DXF_FIELDS),
        geometries=geometry_array,
        columns={
            "layer": np.asarray(layers, dtype=object),
            "handle": np.asarray(handles, dtype=object),
            "text": text_col,
            "labels": labels_col,
        },
        notes=[] if texts else ["Bản vẽ không có chữ (TEXT) ghi số thửa"],
    )


def _labels_inside(geometries: np.ndarray, texts: list[tuple[shapely.Point, str]]) -> tuple[np.ndarray, np.ndarray]:
    text_col = np.full(len(geometries), None, dtype=object)
    labels_col = np.full(len(geometries), None, dtype=object)
    if not texts or not len(geometries):
        return text_col, labels_col
    points = np.asarray([p for p, _t in texts], dtype=object)
    polygons = np.asarray([g if isinstance(g, shapely.Polygon) else None for g in geometries], dtype=object)
    tree = shapely.STRtree(points)
    poly_index, point_index = tree.query(polygons, predicate="contains_properly")
    # A text inside nested parcels belongs to the smallest one around it.
    areas = shapely.area(polygons[poly_index]) if len(poly_index) else np.array([])
    owner: dict[int, tuple[float, int]] = {}
    for pi, ti, area in zip(poly_index.tolist(), point_index.tolist(), areas.tolist(), strict=True):
        if ti not in owner or area < owner[ti][0]:
            owner[ti] = (area, pi)
    found: dict[int, list[int]] = {}
    for ti, (_area, pi) in owner.items():
        found.setdefault(pi, []).append(ti)
    for pi, hits in found.items():
        centre = polygons[pi].representative_point()
        hits.sort(key=lambda ti: points[ti].distance(centre))
        text_col[pi] = texts[hits[0]][1]
        labels_col[pi] = "; ".join(texts[ti][1] for ti in hits)
    return text_col, labels_col
