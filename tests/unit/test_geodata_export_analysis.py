"""Pure spatial code: boundary conflicts between neighbouring parcels, and the export files.

Shapes are drawn in VN-2000 / TM-3 105° metres (EPSG:5897) near Hanoi and handed over in WGS84,
as the app stores them. Grid metres there are ground metres to within 10 ppm (k = 0.9999 on the
central meridian, 85 km west of here), so a 10 m × 1 m overlap is 10 m² to the centimetre.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
from shapely.geometry import Polygon, box

from geodata.analysis import boundary_conflicts
from geodata.crs import VN2000_HANOI, WGS84, transform
from geodata.export import FIELDS, LAYER, ParcelRecord, fit_utf8, write_parcels

X0, Y0 = 585_000.0, 2_326_000.0  # VN-2000 TM-3 105°: near Hoàn Kiếm


def square(x: float, y: float, width: float = 10.0, height: float = 10.0) -> Polygon:
    """A rectangle ``x..x+width`` × ``y..y+height`` metres from the origin, in WGS84."""
    return transform(box(X0 + x, Y0 + y, X0 + x + width, Y0 + y + height), VN2000_HANOI, WGS84)


# --- boundary conflicts -------------------------------------------------------------------------


def test_two_overlapping_squares_make_one_overlap_of_the_shared_area():
    result = boundary_conflicts([("A", square(0, 0)), ("B", square(9, 0))])
    assert [o.keys for o in result.overlaps] == [("A", "B")]
    assert result.overlaps[0].area_m2 == pytest.approx(Decimal("10.00"), abs=Decimal("0.01"))
    shared = transform(result.overlaps[0].geom, WGS84, VN2000_HANOI)
    # (The VN-2000 ↔ WGS84 round trip alone moves points by about a millimetre.)
    assert shared.bounds == pytest.approx((X0 + 9, Y0, X0 + 10, Y0 + 10), abs=0.01)
    assert result.gaps == []


def test_squares_that_only_touch_have_no_conflict():
    result = boundary_conflicts([("A", square(0, 0)), ("B", square(10, 0)), ("C", square(0, 10, 20))])
    assert result.overlaps == []
    assert result.gaps == []


def test_an_overlap_under_the_tolerance_is_drawing_noise():
    parcels = [("A", square(0, 0)), ("B", square(9.96, 0))]  # 0.04 m × 10 m = 0.4 m²
    assert boundary_conflicts(parcels).overlaps == []
    assert len(boundary_conflicts(parcels, overlap_tolerance_m2=0.1).overlaps) == 1


def test_a_sliver_between_three_squares_is_one_gap_with_its_three_neighbours():
    # A and B side by side with a 0.2 m strip between them, C along the top of both: the strip
    # is closed at the top and open at the bottom.
    parcels = [("A", square(0, 0)), ("B", square(10.2, 0)), ("C", square(0, 10, 20.2))]
    result = boundary_conflicts(parcels)
    assert result.overlaps == []
    assert len(result.gaps) == 1
    gap = result.gaps[0]
    assert gap.keys == ("A", "B", "C")
    assert gap.area_m2 == pytest.approx(Decimal("2.00"), abs=Decimal("0.01"))
    assert not gap.enclosed


def test_a_small_hole_enclosed_by_parcels_is_a_gap_however_wide():
    # Four parcels round a 1.5 m × 1.5 m hole: wider than a sliver, smaller than any parcel.
    parcels = [
        ("A", square(0, 0, 11.5, 10)), ("B", square(11.5, 0, 10, 11.5)),
        ("C", square(10, 11.5, 11.5, 10)), ("D", square(0, 10, 10, 11.5)),
    ]
    (gap,) = boundary_conflicts(parcels).gaps
    assert gap.enclosed
    assert gap.keys == ("A", "B", "C", "D")
    assert gap.area_m2 == pytest.approx(Decimal("2.25"), abs=Decimal("0.01"))
    assert boundary_conflicts(parcels, max_gap_m2=2.0).gaps == []


def test_a_wide_opening_or_a_notch_in_one_parcel_is_not_a_gap():
    street = [("A", square(0, 0)), ("B", square(16, 0))]  # 6 m apart: a lane, not a sliver
    assert boundary_conflicts(street).gaps == []
    # A U-shaped parcel with a 0.2 m slot cut into it: its own outline, no neighbour's.
    u_shape = square(0, 0, 20.2, 10).difference(square(10, 2, 0.2, 8.5))
    assert boundary_conflicts([("U", u_shape)]).gaps == []


def test_parcels_without_a_shape_are_skipped():
    result = boundary_conflicts([("A", square(0, 0)), ("B", None), ("C", square(9, 0))])
    assert [o.keys for o in result.overlaps] == [("A", "C")]
    assert boundary_conflicts([]).overlaps == []


# --- export -------------------------------------------------------------------------------------

LONG_ADDRESS = "Nhà số 44, ngõ Yết Kiêu, tổ dân phố số 7, phường Hai Bà Trưng, thành phố Hà Nội; " * 5


def records() -> list[ParcelRecord]:
    return [
        ParcelRecord(
            id=1, map_sheet="12", parcel_no="45", address="Số 44 phố Yết Kiêu", land_use="ODT",
            legal_area=Decimal("200.00"), measured_area=Decimal("230.50"), recovered_area=Decimal("115.30"),
            remaining_area=Decimal("115.20"), partial=True, ward="Phường Hai Bà Trưng", status="posted",
            status_label="Đang niêm yết", case_codes="YK-001; YK-002", holders="Nguyễn Văn Ánh; Trần Thị Bình",
            geom=square(0, 0),
        ),
        ParcelRecord(
            id=2, map_sheet="12", parcel_no="46", address=LONG_ADDRESS, land_use="TMD",
            legal_area=None, measured_area=Decimal("0.30"), recovered_area=Decimal("0.30"),
            remaining_area=Decimal("0.00"), partial=False, ward=None, status="no_case",
            status_label="Chưa có hồ sơ", case_codes="", holders="", geom=None,
        ),
    ]


def test_the_fields_fit_a_shapefile_and_cover_every_attribute():
    assert all(len(field.name) <= 10 and field.name.isascii() for field in FIELDS)
    attributes = {f.name for f in dataclasses.fields(ParcelRecord)} - {"geom"}
    assert {field.attribute for field in FIELDS} == attributes


def test_text_is_cut_at_a_character_boundary_to_fit_a_dbf():
    assert fit_utf8("Yết Kiêu") == "Yết Kiêu"
    cut = fit_utf8("ế" * 200)  # 600 bytes
    assert cut.endswith("…") and len(cut.encode()) <= 254 and set(cut[:-1]) == {"ế"}


def read_back(path: Path) -> dict[str, list]:
    source = f"/vsizip/{path}" if path.suffix == ".zip" else str(path)
    meta, _fids, geometry, columns = pyogrio.raw.read(source)
    table = {name: list(values) for name, values in zip(meta["fields"], columns, strict=True)}
    table["geometry"] = list(geometry)
    table["crs"] = meta["crs"]
    return table


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
def test_each_format_reads_back_with_vietnamese_text_and_two_decimal_areas(tmp_path, fmt):
    path = write_parcels(tmp_path, fmt, records())
    assert path.name == {"geojson": "thua_dat.geojson", "gpkg": "thua_dat.gpkg", "shp": "thua_dat.shp.zip"}[fmt]
    table = read_back(path)
    assert table["crs"] == "EPSG:4326"
    assert table["so_thua"] == ["45", "46"]
    assert table["chu_sd"][0] == "Nguyễn Văn Ánh; Trần Thị Bình"
    assert table["tt_ten"] == ["Đang niêm yết", "Chưa có hồ sơ"]
    assert table["trang_thai"] == ["posted", "no_case"]
    assert table["phuong"][0] == "Phường Hai Bà Trưng"
    assert table["dt_thuhoi"] == [115.3, 0.3]
    assert np.isnan(table["dt_phaply"][1])
    assert list(map(bool, table["mot_phan"])) == [True, False]
    assert table["ho_so"][1] is None  # empty text is null in every format
    assert table["geometry"][0] is not None and table["geometry"][1] is None
    if fmt == "shp":
        assert table["dia_chi"][1] == fit_utf8(LONG_ADDRESS)
    else:
        assert table["dia_chi"][1] == LONG_ADDRESS


def test_the_shapefile_zip_holds_its_five_parts_with_utf8_declared(tmp_path):
    path = write_parcels(tmp_path / "export.shp.zip", "shp", records())
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{LAYER}{s}" for s in (".shp", ".shx", ".dbf", ".prj", ".cpg"))
        assert archive.read(f"{LAYER}.cpg").decode() == "UTF-8"
        assert b"WGS_1984" in archive.read(f"{LAYER}.prj")


def test_vn2000_coordinates_on_request(tmp_path):
    path = write_parcels(tmp_path / "vn2000.gpkg", "gpkg", records(), crs=VN2000_HANOI)
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:5897"
    assert info["total_bounds"] == pytest.approx((X0, Y0, X0 + 10, Y0 + 10), abs=0.01)


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_parcels(tmp_path, "kml", records())  # type: ignore[arg-type]


OGRINFO = shutil.which("ogrinfo")


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin is installed by `make test`")
@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
def test_debian_gdal_opens_each_file_without_a_warning(tmp_path, fmt):
    path = write_parcels(tmp_path, fmt, records())
    source = f"/vsizip/{path}" if fmt == "shp" else str(path)
    run = subprocess.run([OGRINFO, "-al", "-so", source], capture_output=True, text=True, check=True)
    output = run.stdout + run.stderr
    assert "Warning" not in output and "ERROR" not in output, output
    assert "Feature Count: 2" in output
    if fmt == "shp":  # sized columns: areas to the centimetre, not 15 decimals
        assert "dt_thuhoi: Real (16.2)" in output
        assert "dia_chi: String (254.0)" in output or "dia_chi: String (253.0)" in output
