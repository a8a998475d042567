"""Synthetic cadastres for the benchmarks: Hanoi tube-house lots (nhà ống) in street blocks.

Each block lies between streets and holds two rows of lots back to back, one row facing the
street above, one the street below. Lots are 4–8 m wide along the street and 12–25 m deep
(one depth per row). Neighbours share their edges exactly: side edges are the same two points,
and each lot's back edge carries the corners of the lots behind it, so the parcels form a clean
coverage (no overlaps, no gaps inside a block, no T-junctions).

``generate_lots`` works in metres around any origin; ``write_gpkg`` writes the lots in
VN-2000 / TM-3 105° (EPSG:5897) around Hoàn Kiếm, with the usual cadastral fields.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from common import person_name

#: Around Hoàn Kiếm, Hà Nội, in EPSG:5897 (metres).
HOAN_KIEM_X, HOAN_KIEM_Y = 585_000.0, 2_326_000.0
#: Side of a map sheet (tờ bản đồ) in metres: lots are numbered per sheet.
SHEET_SIDE_M = 400.0

STREETS = ("Hàng Bạc", "Hàng Đào", "Hàng Gai", "Hàng Bông", "Hàng Trống", "Hàng Bài", "Lý Thái Tổ", "Đinh Tiên Hoàng",
           "Tràng Tiền", "Hai Bà Trưng", "Lý Thường Kiệt", "Bà Triệu", "Hàng Buồm", "Mã Mây", "Hàng Chiếu", "Cầu Gỗ")
LAND_USES = ("ODT",) * 14 + ("TMD", "TMD", "DGD", "TON", "SKC", "DVH")


@dataclass
class Lot:
    polygon: shapely.Polygon
    #: Lower-left corner (metres), to find the sheet.
    x: float
    y: float
    street: str
    house_no: int
    area: float


def split_width(total: float, rng: random.Random) -> list[float]:
    """Widths of 4–8 m that add up to ``total`` (≥ 4 m)."""
    widths = []
    remaining = total
    while remaining > 8:
        width = rng.uniform(4, min(8, remaining - 4))
        widths.append(width)
        remaining -= width
    widths.append(remaining)
    return widths


def _breaks(start: float, widths: list[float]) -> list[float]:
    edges = [start]
    for width in widths:
        edges.append(round(edges[-1] + width, 2))
    return edges


def _row_lots(x_edges: list[float], other_edges: list[float], front_y: float, back_y: float) -> Iterator[shapely.Polygon]:
    """The lots of one row between ``front_y`` (street side) and ``back_y`` (shared back line),
    each back edge carrying the corners (``other_edges``) of the row behind."""
    for x0, x1 in zip(x_edges, x_edges[1:], strict=False):
        inner = [x for x in other_edges if x0 < x < x1]
        back = [(x1, back_y), *((x, back_y) for x in reversed(inner)), (x0, back_y)]
        ring = [(x0, front_y), (x1, front_y), *back]
        polygon = shapely.Polygon(ring)
        yield polygon if polygon.exterior.is_ccw else shapely.Polygon(ring[::-1])


def generate_lots(count: int, origin: tuple[float, float], seed: int = 2026) -> list[Lot]:
    """``count`` lots in blocks filling a square around ``origin`` (metres)."""
    rng = random.Random(seed)
    side = (count * 150.0) ** 0.5  # about 110 m² per lot plus streets
    x_origin, y_origin = origin[0] - side / 2, origin[1] - side / 2
    lots: list[Lot] = []
    y = y_origin
    street_no = 0
    while len(lots) < count:
        depth_top, depth_bottom = round(rng.uniform(12, 25), 2), round(rng.uniform(12, 25), 2)
        bottom_street, top_street = STREETS[street_no % len(STREETS)], STREETS[(street_no + 1) % len(STREETS)]
        x = x_origin
        house_top, house_bottom = 1, 2
        while x < x_origin + side and len(lots) < count:
            block_width = rng.uniform(60, 200)
            bottom_edges = _breaks(round(x, 2), split_width(block_width, rng))
            top_edges = _breaks(round(x, 2), split_width(bottom_edges[-1] - bottom_edges[0], rng))
            top_edges[-1] = bottom_edges[-1]  # the same corner, not a rounding apart
            back_y = round(y + depth_bottom, 2)
            top_y = round(back_y + depth_top, 2)
            for polygon in _row_lots(bottom_edges, top_edges, round(y, 2), back_y):
                lots.append(Lot(polygon, polygon.bounds[0], polygon.bounds[1], bottom_street, house_bottom, polygon.area))
                house_bottom += 2
            for polygon in _row_lots(top_edges, bottom_edges, top_y, back_y):
                lots.append(Lot(polygon, polygon.bounds[0], polygon.bounds[1], top_street, house_top, polygon.area))
                house_top += 2
            x = bottom_edges[-1] + rng.uniform(6, 20)  # a street or an alley (ngõ) between blocks
        y += depth_bottom + depth_top + rng.uniform(8, 20)
        street_no += 1
    return lots[:count]


def write_gpkg(path: Path, count: int, seed: int = 2026) -> Path:
    """Write ``count`` lots around Hoàn Kiếm as a GeoPackage in EPSG:5897 (GeoPackage 1.3, so
    that GDAL 3.6's ogr2ogr reads it too). Fields: so_to, so_thua, dien_tich, mdsd,
    chu_su_dung, dia_chi."""
    import pyogrio.raw

    rng = random.Random(seed + 1)
    lots = generate_lots(count, (HOAN_KIEM_X, HOAN_KIEM_Y), seed)
    x_min = min(lot.x for lot in lots)
    y_min = min(lot.y for lot in lots)
    sheets, numbers = [], []
    next_number: dict[str, int] = {}
    for lot in lots:
        column, row = int((lot.x - x_min) // SHEET_SIDE_M), int((lot.y - y_min) // SHEET_SIDE_M)
        sheet = str(row * 100 + column + 1)
        next_number[sheet] = next_number.get(sheet, 0) + 1
        sheets.append(sheet)
        numbers.append(str(next_number[sheet]))
    holders = [
        f"Công ty TNHH {rng.choice(('Thương mại', 'Dịch vụ', 'Du lịch'))} {rng.choice(('Hoàn Kiếm', 'Tràng An', 'Thăng Long'))}"
        if rng.random() < 0.02 else person_name(rng)
        for _ in lots
    ]
    fields = ["so_to", "so_thua", "dien_tich", "mdsd", "chu_su_dung", "dia_chi"]
    data = [
        np.array(sheets, dtype=object),
        np.array(numbers, dtype=object),
        np.array([round(lot.area, 1) for lot in lots], dtype=np.float64),
        np.array([rng.choice(LAND_USES) for _ in lots], dtype=object),
        np.array(holders, dtype=object),
        np.array([f"Số {lot.house_no} phố {lot.street}, phường Hoàn Kiếm" for lot in lots], dtype=object),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.gpkg")
    partial.unlink(missing_ok=True)
    pyogrio.raw.write(
        str(partial), shapely.to_wkb(np.array([lot.polygon for lot in lots], dtype=object)), data, fields,
        layer="thua_dat", driver="GPKG", geometry_type="Polygon", crs="EPSG:5897",
        dataset_options={"VERSION": "1.3"},
    )
    partial.rename(path)
    return path


def cached_gpkg(directory: Path, count: int) -> Path:
    """The synthetic GeoPackage of ``count`` lots, written once into ``directory``."""
    path = directory / f"hoankiem-synthetic-{count}.gpkg"
    if not path.exists():
        write_gpkg(path, count)
    return path
