"""Reading and checking cadastral files in geodata: formats, CRS, repairs, areas, problems."""

from __future__ import annotations

import json
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import box

from geodata.cadastre import guess_mapping, locate, overlaps, prepare_import, recovered_areas
from geodata.crs import CrsError, parse_epsg, to_wgs84
from geodata.sources import SourceError, read_layer

DATA = Path(__file__).resolve().parent.parent / "data"
#: A corner of Hoàn Kiếm in VN-2000 / TM-3 105° (EPSG:5897), metres.
X0, Y0 = 585_000.0, 2_326_000.0


def write_geojson(path: Path, features: list[dict], crs: int | None = 5897) -> Path:
    collection = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs}"}}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def square(x: float, y: float, size: float = 10.0) -> dict:
    return shapely.geometry.mapping(box(x, y, x + size, y + size))


def feature(geometry: dict | None, **properties: object) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def prepared(path: Path, **options: object):
    return prepare_import([read_layer(path)], **options)


# --- coordinates ---------------------------------------------------------------------------


def test_dan_phuong_numbers_read_as_vn2000_tm3_land_where_the_data_readme_says():
    # ../shared/data/README.md: X 567,038–571,180; Y 2,332,539–2,335,102 → 105.647–105.687 E, 21.085–21.108 N.
    corners = np.asarray([shapely.Point(567_038, 2_332_539), shapely.Point(571_180, 2_335_102)], dtype=object)
    (sw, ne) = to_wgs84(corners, parse_epsg("EPSG:5897"))
    assert sw.x == pytest.approx(105.647, abs=0.001) and sw.y == pytest.approx(21.085, abs=0.001)
    assert ne.x == pytest.approx(105.687, abs=0.001) and ne.y == pytest.approx(21.108, abs=0.001)


def test_read_as_the_declared_utm_zone_the_same_numbers_land_about_700_m_north():
    point = np.asarray([shapely.Point(569_000, 2_334_000)], dtype=object)
    right, wrong = to_wgs84(point, 5897)[0], to_wgs84(point, 3405)[0]
    north_shift_m = (wrong.y - right.y) * 110_700
    assert 600 < north_shift_m < 800
    assert abs(wrong.x - right.x) * 103_900 < 60


def test_a_point_on_the_central_meridian_stays_on_it_up_to_the_datum_shift():
    lon = to_wgs84(np.asarray([shapely.Point(500_000, 2_330_000)], dtype=object), 5897)[0].x
    assert lon == pytest.approx(105.0, abs=0.005)


def test_crs_codes_are_parsed_or_refused_with_a_reason():
    assert parse_epsg("epsg:5897") == 5897 and parse_epsg(" 3405 ") == 3405
    with pytest.raises(CrsError, match="không phải mã EPSG"):
        parse_epsg("VN2000")
    with pytest.raises(CrsError, match="không có hệ toạ độ EPSG:999999"):
        parse_epsg("EPSG:999999")


def test_the_mislabelled_dan_phuong_sheets_are_caught_and_epsg_5897_suggested():
    result = prepare_import([read_layer(DATA / "dc24.geojson"), read_layer(DATA / "dc17.geojson")])
    suspicion = [p for p in result.errors if p.code == "crs_suspect"]
    assert len(suspicion) == 1, [p.describe() for p in result.problems]
    assert "EPSG:5897" in suspicion[0].message and "EPSG:3405" in suspicion[0].message
    assert result.layers[0].crs.suggested.epsg == 5897


def test_the_right_crs_reads_dan_phuong_areas_within_a_tenth_of_a_percent_of_dien_tich():
    result = prepare_import([read_layer(DATA / "dc24.geojson"), read_layer(DATA / "dc17.geojson")], crs=5897)
    assert not result.errors
    assert len(result.parcels) == 14
    for parcel in result.parcels:
        assert abs(parcel.measured_area - parcel.stated_area) / parcel.stated_area < Decimal("0.001"), parcel.ref
    assert {p.map_sheet for p in result.parcels} == {"24", "17"}  # from the file names


def test_parcels_far_from_the_project_area_make_the_crs_suspect():
    path = DATA / "dc24.geojson"
    right = to_wgs84(read_layer(path).geometries, 5897)
    project_area = shapely.box(*shapely.total_bounds(right)).buffer(0.0005)
    result = prepare_import([read_layer(path)], crs=9209, reference=project_area)
    suspicion = [p for p in result.problems if p.code == "crs_suspect"]
    assert suspicion and suspicion[0].level == "warning"  # the user chose the CRS: warned, not blocked
    assert "km" in suspicion[0].message and "EPSG:5897" in suspicion[0].message


# --- fields and features -------------------------------------------------------------------


def test_common_vietnamese_field_names_are_recognised():
    mapping = guess_mapping(["SO_THUA", "To_BD", "Diện_tích", "MDSD", "CHU_SU_DUNG", "DIA_CHI", "ghi_chu"])
    assert mapping == {
        "map_sheet": "To_BD", "parcel_no": "SO_THUA", "land_use_code": "MDSD",
        "area": "Diện_tích", "holder": "CHU_SU_DUNG", "address": "DIA_CHI",
    }


def test_each_bad_feature_is_named_with_its_problem(tmp_path):
    bow_tie = {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 20, Y0 + 20], [X0 + 20, Y0], [X0, Y0 + 20], [X0, Y0]]]}
    path = write_geojson(tmp_path / "to_7.geojson", [
        feature(square(X0 + 100, Y0), so_thua="1", dien_tich="100"),
        feature(None, so_thua="2"),
        feature({"type": "Point", "coordinates": [X0, Y0]}, so_thua="3"),
        feature(bow_tie, so_thua="4", dien_tich="200"),
        feature(square(X0 + 200, Y0), so_thua="1", dien_tich="100"),
        feature(square(X0 + 300, Y0), so_thua="", dien_tich="100"),
        feature(square(X0 + 400, Y0), so_thua="6", dien_tich="150"),
        feature({"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 5, Y0], [X0 + 10, Y0], [X0, Y0]]]}, so_thua="7"),
    ])
    result = prepared(path, crs=5897)
    found = {(p.index, p.code) for p in result.problems}
    assert (2, "empty") in found
    assert (3, "not_polygon") in found
    assert (4, "repaired") in found
    assert (5, "duplicate") in found
    assert (6, "no_parcel_no") in found
    assert (7, "area_mismatch") in found  # 100 m² drawn, 150 m² stated
    assert (8, "zero_area") in found
    duplicate = next(p for p in result.problems if p.code == "duplicate")
    assert duplicate.describe() == "to_7.geojson · đối tượng #5 · thửa 1, tờ 7: trùng số thửa với đối tượng #1"
    repair = next(p for p in result.problems if p.code == "repaired")
    assert "tự cắt" in repair.message and "→" in repair.message and repair.level == "warning"
    assert [p.parcel_no for p in result.parcels] == ["1", "4", "1", "6"]
    assert result.errors  # so nothing of this file would be imported


def test_overlapping_parcels_are_reported_above_the_tolerance_and_neighbours_are_not(tmp_path):
    path = write_geojson(tmp_path / "to_3.geojson", [
        feature(square(X0, Y0), so_thua="1"),
        feature(square(X0 + 10, Y0), so_thua="2"),       # shares an edge with 1
        feature(square(X0 + 15, Y0 + 5), so_thua="3"),   # 25 m² over 2
        feature(square(X0 + 100, Y0, 2.0), so_thua="4"),
        feature(square(X0 + 100.5, Y0 + 0.5, 1.0), so_thua="5"),  # 1 m² inside 4: at the tolerance
    ])
    result = prepared(path, crs=5897, overlap_tolerance_m2=1.0)
    found = [p for p in result.problems if p.code == "overlap"]
    assert len(found) == 1
    assert found[0].ref == "thửa 2, tờ 3" and "thửa 3, tờ 3" in found[0].message
    assert "25," in found[0].message  # ≈ 25 m²


def test_a_parcel_drawn_across_two_neighbours_overlaps_both():
    left, right = box(105.85, 21.02, 105.8501, 21.0202), box(105.8501, 21.02, 105.8502, 21.0202)
    across = box(105.85005, 21.0201, 105.85015, 21.02015)
    found = [(i, j) for i, j, _area in overlaps([left, right, across])]
    assert found == [(0, 2), (1, 2)]


def test_overlaps_include_a_parcel_drawn_inside_another():
    outer, inner = box(105.85, 21.02, 105.851, 21.021), box(105.8502, 21.0202, 105.8504, 21.0204)
    assert [(i, j) for i, j, _area in overlaps([outer, inner])] == [(0, 1)]


def test_wards_and_recovered_areas_are_computed_for_many_parcels_at_once():
    north, south = box(105.84, 21.02, 105.86, 21.03), box(105.84, 21.01, 105.86, 21.02)
    parcels = [box(105.85, 21.025, 105.8501, 21.0251), box(105.85, 21.015, 105.8501, 21.0151), box(106, 21, 106.001, 21.001)]
    assert locate(parcels, [("N", north), ("S", south)]) == ["N", "S", None]
    boundary = box(105.85, 21.0, 105.85005, 21.03)  # cuts the first two parcels in half
    measured = [Decimal("100.00")] * 3
    areas = recovered_areas(parcels, measured, boundary)
    assert areas[2] == Decimal("0.00")
    assert Decimal("40") < areas[0] < Decimal("70") and areas[0] < measured[0]
    assert recovered_areas(parcels, measured, None) == [None, None, None]


# --- formats -------------------------------------------------------------------------------


def write_shapefile_zip(tmp_path: Path, with_prj: bool = True) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    geometry = np.asarray([shapely.to_wkb(box(X0, Y0, X0 + 8, Y0 + 20))], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio warns when asked for no .prj
        _write_shapefile(folder, geometry, with_prj)
    archive = tmp_path / "to_12.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in folder.iterdir():
            if with_prj or part.suffix != ".prj":
                out.write(part, part.name)
    return archive


def _write_shapefile(folder: Path, geometry: np.ndarray, with_prj: bool) -> None:
    pyogrio.raw.write(
        folder / "thua_dat.shp", geometry, [np.asarray(["12"], dtype=object), np.asarray(["Nguyễn Thị Hằng"], dtype=object)],
        fields=["so_thua", "chu_sd"], geometry_type="Polygon", crs="EPSG:5897" if with_prj else None,
        driver="ESRI Shapefile", encoding="UTF-8",
    )


def test_a_zipped_shapefile_is_read_with_its_crs_and_vietnamese_text(tmp_path):
    layer = read_layer(write_shapefile_zip(tmp_path))
    assert layer.declared_epsg == 5897 and layer.format == "Shapefile (zip)"
    result = prepare_import([layer])
    assert not result.errors
    assert result.parcels[0].holder == "Nguyễn Thị Hằng" and result.parcels[0].map_sheet == "12"
    assert Decimal("159") < result.parcels[0].measured_area < Decimal("161")


def test_a_shapefile_without_prj_asks_for_the_crs(tmp_path):
    result = prepare_import([read_layer(write_shapefile_zip(tmp_path, with_prj=False))])
    assert [p.code for p in result.errors] == ["no_crs"]
    assert any("không có file .prj" in p.message for p in result.warnings)
    assert not prepare_import([read_layer(tmp_path / "to_12.zip")], crs=5897).errors


def test_a_corrupt_zip_is_refused_with_a_clear_message(tmp_path):
    broken = tmp_path / "to_1.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(SourceError, match="to_1.zip: file zip hỏng"):
        read_layer(broken)


def test_an_unknown_format_is_refused(tmp_path):
    other = tmp_path / "ban_do.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(SourceError, match="không nhận dạng được định dạng"):
        read_layer(other)


def test_a_geojson_with_mixed_geometry_types_names_the_features_that_are_not_parcels(tmp_path):
    path = write_geojson(tmp_path / "to_2.geojson", [
        feature(square(X0, Y0), so_thua="1"),
        feature({"type": "LineString", "coordinates": [[X0, Y0], [X0 + 5, Y0 + 5]]}, so_thua="2"),
    ])
    result = prepared(path, crs=5897)
    assert [(p.index, p.code) for p in result.errors] == [(2, "not_polygon")]
    assert "LineString" in result.errors[0].message


def test_a_geopackage_with_two_layers_needs_one_chosen(tmp_path):
    path = tmp_path / "ban_do.gpkg"
    geometry = np.asarray([shapely.to_wkb(box(X0, Y0, X0 + 8, Y0 + 20))], dtype=object)
    for name in ("thua_dat", "nha"):
        pyogrio.raw.write(path, geometry, [np.asarray(["1"], dtype=object)], fields=["so_thua"], layer=name,
                          geometry_type="Polygon", crs="EPSG:5897", driver="GPKG", append=name == "nha")
    with pytest.raises(SourceError, match="hãy chọn một lớp"):
        read_layer(path)
    assert read_layer(path, "thua_dat").declared_epsg == 5897


def test_dxf_closed_polylines_become_parcels_numbered_by_their_text_and_open_ones_are_named(tmp_path):
    import ezdxf

    drawing = ezdxf.new()
    space = drawing.modelspace()
    space.add_lwpolyline([(X0, Y0), (X0 + 10, Y0), (X0 + 10, Y0 + 20), (X0, Y0 + 20)], close=True, dxfattribs={"layer": "THUA"})
    space.add_text("15", dxfattribs={"layer": "SO_THUA", "insert": (X0 + 4, Y0 + 10)})
    space.add_lwpolyline([(X0 + 20, Y0), (X0 + 30, Y0), (X0 + 30, Y0 + 20)], dxfattribs={"layer": "THUA"})
    path = tmp_path / "to_9.dxf"
    drawing.saveas(path)
    layer = read_layer(path)
    assert layer.declared_epsg is None
    result = prepare_import([layer], crs=5897)
    assert result.parcels[0].parcel_no == "15" and result.parcels[0].map_sheet == "9"
    open_line = next(p for p in result.errors if p.code == "not_polygon")
    assert open_line.index == 2 and "chưa khép kín" in open_line.message


def test_a_file_declaring_no_crs_cannot_be_imported_without_one(tmp_path):
    path = write_geojson(tmp_path / "to_4.geojson", [feature(square(X0, Y0), so_thua="1")], crs=None)
    # GeoJSON without "crs" is WGS84 by the standard: the metre numbers are then far outside Vietnam.
    result = prepared(path)
    assert [p.code for p in result.errors] == ["outside_vietnam"]
    assert not prepared(path, crs=5897).errors
