"""Xuất thửa đất: GeoJSON, GeoPackage and zipped Shapefile of a project's parcels, with their case
status, land users and areas, that GDAL opens without a warning; scoped like every other page."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pyogrio.raw
import pytest
import sqlalchemy as sa
from shapely.geometry import box

from clearance.models import Project
from clearance.services.records import add_holding
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in
from tests.queries import counting_queries

LON, LAT = 105.8560, 21.0185
OGRINFO = shutil.which("ogrinfo")
EXTENSIONS = {"geojson": "geojson", "gpkg": "gpkg", "shp": "shp.zip"}


def a_project_with_cases(db, parcels: int = 3):  # type: ignore[no-untyped-def]
    """BCA-YK44 of Phường Hai Bà Trưng: parcel 45 held by two cases (posted and paid), half inside
    the boundary; 46 by one decided case; the rest held by none."""
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", Role.OFFICER, ward)
    f.user("canbo_cuanam", Role.OFFICER, f.unit("Phường Cửa Nam"))
    project = f.project("BCA-YK44", [ward], boundary=box(LON - 0.001, LAT - 0.001, LON + 0.0001, LAT + 0.001))
    p45 = f.parcel(project, "45", lon=LON, lat=LAT, measured_area=None)
    p46 = f.parcel(project, "46", lon=LON - 0.0003, lat=LAT, address="Số 46 phố Yết Kiêu, Hà Nội")
    for n in range(parcels - 2):
        f.parcel(project, str(47 + n), lon=LON - 0.0006 - n * 0.0003, lat=LAT)
    anh = f.case(project, f.party("Nguyễn Văn Ánh", ward), "YK-001", CaseStatus.POSTED)
    binh = f.case(project, f.party("Trần Thị Bình", ward), "YK-002", CaseStatus.PAID)
    cuong = f.case(project, f.party("Lê Đức Cường", ward), "YK-003", CaseStatus.DECIDED)
    add_holding(anh, p45, "land_user", Decimal(50))
    add_holding(binh, p45, "co_user", Decimal(50))
    add_holding(cuong, p46, "land_user", Decimal(100))
    db.session.commit()
    return project


def download(client, fmt: str, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    response = client.get(f"/projects/BCA-YK44/parcels/export.{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    name = disposition.split("filename=")[-1].strip('"')
    assert name.startswith("BCA-YK44-thua-dat-20") and name.endswith("." + EXTENSIONS[fmt])
    path = tmp_path / name
    path.write_bytes(response.get_data())
    response.close()
    return path


def read(path: Path) -> dict[str, dict[str, object]]:
    """Each feature's attributes by parcel number (so_thua)."""
    source = f"/vsizip/{path}" if path.suffix == ".zip" else str(path)
    meta, _fids, geometry, columns = pyogrio.raw.read(source)
    names = list(meta["fields"])
    rows = {}
    for i in range(len(geometry)):
        row = {name: columns[k][i] for k, name in enumerate(names)}
        row["geometry"] = geometry[i]
        rows[row["so_thua"]] = row
    return rows


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
def test_an_officer_exports_the_parcels_with_status_land_users_and_areas(client, db, tmp_path, fmt):
    a_project_with_cases(db)
    sign_in(client, "canbo")
    path = download(client, fmt, tmp_path)
    rows = read(path)
    assert sorted(rows) == ["45", "46", "47"]
    p45, p46, p47 = rows["45"], rows["46"], rows["47"]
    # The least advanced of its cases' statuses, with the Vietnamese label.
    assert (p45["trang_thai"], p45["tt_ten"]) == ("posted", "Đang niêm yết")
    assert (p46["trang_thai"], p46["tt_ten"]) == ("decided", "Đã có quyết định thu hồi")
    assert (p47["trang_thai"], p47["tt_ten"]) == ("no_case", "Chưa có hồ sơ")
    assert p45["ho_so"] == "YK-001; YK-002"
    assert p45["chu_sd"] == "Nguyễn Văn Ánh; Trần Thị Bình"
    assert p46["dia_chi"] == "Số 46 phố Yết Kiêu, Hà Nội"
    assert p47["ho_so"] is None and p47["chu_sd"] is None
    assert p45["to_bd"] == "12" and p45["mdsd"] == "ODT" and p45["dt_phaply"] == 200.0
    # Half inside the boundary: a partial recovery, the rest remaining.
    assert bool(p45["mot_phan"]) and not bool(p47["mot_phan"])
    assert p45["dt_thuhoi"] + p45["dt_conlai"] == pytest.approx(p45["dt_do"], abs=0.011)
    assert p45["dt_do"] == pytest.approx(2 * p45["dt_thuhoi"], abs=0.1)
    assert all(row["geometry"] is not None for row in rows.values())


@pytest.mark.skipif(OGRINFO is None, reason="Debian's gdal-bin is installed by `make test`")
@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
def test_debian_gdal_opens_the_download_without_a_warning(client, db, tmp_path, fmt):
    a_project_with_cases(db)
    sign_in(client, "canbo")
    path = download(client, fmt, tmp_path)
    source = f"/vsizip/{path}" if fmt == "shp" else str(path)
    run = subprocess.run([OGRINFO, "-al", "-so", source], capture_output=True, text=True, check=True)
    output = run.stdout + run.stderr
    assert "Warning" not in output and "ERROR" not in output, output
    assert "Feature Count: 3" in output
    assert "Multi Polygon" in output or fmt == "shp"  # a Shapefile has no multi type: "Polygon"
    full = subprocess.run([OGRINFO, "-al", source], capture_output=True, text=True, check=True)
    assert "Nguyễn Văn Ánh; Trần Thị Bình" in full.stdout
    assert "Warning" not in full.stderr and "ERROR" not in full.stderr, full.stderr


def test_the_temporary_files_are_removed_once_sent(client, db, tmp_path):
    a_project_with_cases(db)
    sign_in(client, "canbo")
    before = set(Path(tempfile.gettempdir()).glob("gpmb-export-*"))
    download(client, "gpkg", tmp_path)
    assert set(Path(tempfile.gettempdir()).glob("gpmb-export-*")) == before


def test_the_export_costs_a_fixed_number_of_queries(client, db, tmp_path):
    a_project_with_cases(db, parcels=3)
    sign_in(client, "canbo")
    with counting_queries() as few:
        download(client, "geojson", tmp_path)
    project = db.session.scalar(sa.select(Project).where(Project.code == "BCA-YK44"))
    ward = project.units[0]
    for n in range(10):
        parcel = f.parcel(project, str(60 + n), lon=LON + 0.001 + n * 0.0003, lat=LAT)
        add_holding(f.case(project, f.party(f"Hộ số {n}", ward), f"YK-1{n:02d}"), parcel, "land_user", Decimal(100))
    db.session.commit()
    with counting_queries() as many:
        download(client, "geojson", tmp_path)
    assert len(many) == len(few)


def test_another_wards_officer_gets_404(client, db):
    a_project_with_cases(db)
    sign_in(client, "canbo_cuanam")
    for fmt in ("geojson", "gpkg", "shp"):
        assert client.get(f"/projects/BCA-YK44/parcels/export.{fmt}").status_code == 404


def test_an_unknown_format_is_404(client, db):
    a_project_with_cases(db)
    sign_in(client, "canbo")
    assert client.get("/projects/BCA-YK44/parcels/export.kml").status_code == 404
    assert client.get("/projects/BCA-YK44/parcels/export.csv").status_code == 404


def test_the_parcel_list_links_to_the_exports_and_the_conflicts(client, db):
    a_project_with_cases(db)
    sign_in(client, "canbo")
    page = client.get("/projects/BCA-YK44/parcels/").get_data(as_text=True)
    for fmt, text in (("geojson", "Xuất GeoJSON"), ("gpkg", "Xuất GeoPackage"), ("shp", "Xuất Shapefile")):
        assert f'href="/projects/BCA-YK44/parcels/export.{fmt}"' in page
        assert text in page
    assert 'href="/projects/BCA-YK44/parcels/conflicts"' in page
