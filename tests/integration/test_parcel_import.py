"""Importing parcels into a project, on both databases: created, matched on re-import, audited,
and all-or-nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box, mapping

from clearance.audit import acting_as
from clearance.models import AuditEntry, Case, CaseParcel, Parcel, ParcelImport, Party
from clearance.services import parcel_import
from clearance.services.parcel_import import ImportOptions, ImportRejected, apply_import, preview_import, read_sources
from geodata.crs import to_wgs84
from tests import factories as f

DATA = Path(__file__).resolve().parent.parent / "data"
X0, Y0 = 585_000.0, 2_326_000.0  # Hoàn Kiếm, EPSG:5897


def sheet_file(tmp_path: Path, parcels: list[dict], name: str = "to_5.geojson") -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in p.items() if k != "box"},
            "geometry": mapping(box(*p["box"])),
        }
        for p in parcels
    ]
    path = tmp_path / name
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5897"}},
        "features": features,
    }, ensure_ascii=False), encoding="utf-8")
    return path


def three_parcels(**changes: dict) -> list[dict]:
    rows = [
        {"so_thua": "1", "dien_tich": "160", "mdsd": "ODT", "chu_su_dung": "Nguyễn Văn An", "dia_chi": "Số 1 phố Yết Kiêu", "box": (X0, Y0, X0 + 8, Y0 + 20)},
        {"so_thua": "2", "dien_tich": "120", "mdsd": "ODT", "chu_su_dung": "Trần Thị Bình", "dia_chi": "Số 3 phố Yết Kiêu", "box": (X0 + 8, Y0, X0 + 14, Y0 + 20)},
        {"so_thua": "3", "dien_tich": "100", "mdsd": "TMD", "chu_su_dung": "UBND phường", "dia_chi": "Số 5 phố Yết Kiêu", "box": (X0 + 14, Y0, X0 + 19, Y0 + 20)},
    ]
    for row in rows:
        row.update(changes.get(row["so_thua"], {}))
    return rows


@pytest.fixture()
def project(db):
    ward = f.unit("Phường Hai Bà Trưng")
    return f.project("NHAP-01", [ward])


def run_import(project, path: Path, **options):
    preview = preview_import(project, read_sources([path]), ImportOptions(**options))
    record = apply_import(project, preview)
    return preview, record


def parcels_of(db, project):
    return {p.parcel_no: p for p in db.session.scalars(sa.select(Parcel).where(Parcel.project_id == project.id))}


def test_an_import_creates_parcels_with_areas_and_records_who_and_why(db, project, tmp_path):
    path = sheet_file(tmp_path, three_parcels())
    with acting_as(None, "Cán bộ Lan"):
        preview, record = run_import(project, path)
    db.session.commit()
    assert (preview.count("create"), preview.errors) == (3, [])
    parcels = parcels_of(db, project)
    assert set(parcels) == {"1", "2", "3"}
    first = parcels["1"]
    assert first.map_sheet == "5" and first.land_use_code == "ODT" and first.address == "Số 1 phố Yết Kiêu"
    assert first.legal_area == Decimal("160.00")
    assert abs(first.measured_area - Decimal("160")) < Decimal("0.2")  # 8 m × 20 m, geodesic
    assert first.import_id == record.id and record.created_count == 3
    assert record.crs_epsg == 5897 and record.actor == "Cán bộ Lan"
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "parcel", AuditEntry.entity_id == first.id)).all()
    assert [(e.action, e.actor) for e in entries] == [("create", "Cán bộ Lan")]
    assert f"lần nhập #{record.id}" in entries[0].reason and "to_5.geojson" in entries[0].reason
    assert entries[0].changes["parcel_no"] == [None, "1"]


def test_re_importing_updates_the_matched_parcels_instead_of_duplicating_them(db, project, tmp_path):
    run_import(project, sheet_file(tmp_path, three_parcels()))
    db.session.commit()
    before = parcels_of(db, project)
    changed = three_parcels(**{"2": {"mdsd": "TMD", "box": (X0 + 8, Y0, X0 + 14, Y0 + 25)}, "3": {"dia_chi": ""}})
    preview, record = run_import(project, sheet_file(tmp_path, changed, "to_5b.geojson"), sheet="5")
    db.session.commit()
    assert (preview.count("create"), preview.count("update"), preview.count("unchanged")) == (0, 1, 2)
    after = parcels_of(db, project)
    assert {k: p.id for k, p in after.items()} == {k: p.id for k, p in before.items()}
    assert after["2"].land_use_code == "TMD" and after["2"].measured_area > Decimal("149")
    assert after["3"].address == "Số 5 phố Yết Kiêu"  # an empty value in the file keeps the address
    update = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_id == after["2"].id, AuditEntry.action == "update")
    ).one()
    assert update.changes["land_use_code"] == ["ODT", "TMD"]
    assert update.changes["geom"] == ["(hình học)", "(hình học)"]
    assert record.updated_count == 1 and record.unchanged_count == 2


def test_a_file_with_an_error_writes_nothing(db, project, tmp_path):
    rows = three_parcels()
    rows[2]["so_thua"] = "1"  # duplicate parcel number
    preview = preview_import(project, read_sources([sheet_file(tmp_path, rows)]), ImportOptions())
    assert [p.code for p in preview.errors] == ["duplicate"]
    with pytest.raises(ImportRejected, match="1 lỗi"):
        apply_import(project, preview)
    assert parcels_of(db, project) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParcelImport)) == 0


def test_a_failure_while_writing_leaves_the_database_as_it_was(db, project, tmp_path, monkeypatch):
    f.parcel(project, "99", sheet="5")
    db.session.commit()
    preview = preview_import(project, read_sources([sheet_file(tmp_path, three_parcels())]), ImportOptions())
    monkeypatch.setattr(parcel_import, "_audit_row", lambda *a, **k: 1 / 0)  # fails after the parcels are inserted
    with pytest.raises(ZeroDivisionError):
        apply_import(project, preview)
    db.session.rollback()
    assert set(parcels_of(db, project)) == {"99"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParcelImport)) == 0


def test_parcels_get_their_ward_and_recovered_area_from_the_project_boundary(db, tmp_path):
    outline = to_wgs84([box(X0 - 50, Y0 - 50, X0 + 50, Y0 + 50)], 5897)[0]
    ward = f.unit("Phường Hoàn Kiếm")
    ward.boundary = from_shape(MultiPolygon([outline]), srid=4326)
    recovery = to_wgs84([box(X0 - 10, Y0 - 10, X0 + 11, Y0 + 30)], 5897)[0]  # cuts parcel 2 at x + 11
    project = f.project("NHAP-02", [ward], boundary=recovery)
    db.session.flush()
    run_import(project, sheet_file(tmp_path, three_parcels()))
    parcels = parcels_of(db, project)
    assert {p.ward_id for p in parcels.values()} == {ward.id}
    assert parcels["1"].recovered_area == parcels["1"].measured_area
    assert Decimal("55") < parcels["2"].recovered_area < Decimal("65") and parcels["2"].is_partial_recovery
    assert parcels["3"].recovered_area == Decimal("0.00")


def test_households_and_cases_are_created_from_the_land_user_field(db, project, tmp_path):
    rows = three_parcels(**{"2": {"chu_su_dung": "Nguyễn Văn An"}})
    preview, record = run_import(project, sheet_file(tmp_path, rows), create_cases=True)
    assert preview.new_holders == ["Nguyễn Văn An", "UBND phường"]
    assert record.cases_created == 2
    cases = {c.party.name: c for c in db.session.scalars(sa.select(Case).where(Case.project_id == project.id))}
    assert sorted(h.parcel.parcel_no for h in cases["Nguyễn Văn An"].holdings) == ["1", "2"]
    assert cases["UBND phường"].party.kind.value == "organisation"
    assert cases["Nguyễn Văn An"].code == "HS-0001"
    # Importing again creates no second case and no second holding.
    _preview, again = run_import(project, sheet_file(tmp_path, rows, "lai.geojson"), create_cases=True, sheet="5")
    assert again.cases_created == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseParcel).join(Case).where(Case.project_id == project.id)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party).where(Party.name == "Nguyễn Văn An")) == 1


def test_real_dan_phuong_sheets_import_with_the_crs_the_user_names(db, project):
    files = read_sources([DATA / "dc24.geojson", DATA / "dc17.geojson"])
    refused = preview_import(project, files, ImportOptions())
    assert [p.code for p in refused.errors] == ["crs_suspect"] and refused.crs_suggestion == 5897
    preview = preview_import(project, files, ImportOptions(crs=5897))
    record = apply_import(project, preview)
    assert record.created_count == 14
    sheet_24 = {p.parcel_no: p for p in db.session.scalars(sa.select(Parcel).where(Parcel.project_id == project.id, Parcel.map_sheet == "24"))}
    assert abs(sheet_24["6"].measured_area - Decimal("294.5")) / Decimal("294.5") < Decimal("0.001")


def test_a_large_import_is_found_by_the_maps_bounding_box_search(db, project, tmp_path):
    """Above 2,000 parcels SpatiaLite's spatial index is filled in one statement after the
    insert; every parcel must still be found through it, and later edits keep it up to date."""
    from clearance.services.parcel_map import BBox, MapFilters, feature_collection_sql

    rows = [
        {"so_thua": str(n), "dien_tich": "25", "box": (X0 + 5 * (n % 50), Y0 + 5 * (n // 50), X0 + 5 * (n % 50) + 5, Y0 + 5 * (n // 50) + 5)}
        for n in range(2100)
    ]
    _preview, record = run_import(project, sheet_file(tmp_path, rows))
    assert record.created_count == 2100
    west, south, east, north = to_wgs84([box(X0 - 1, Y0 - 1, X0 + 251, Y0 + 211)], 5897)[0].bounds
    dialect = db.session.get_bind().dialect.name
    statement, params = feature_collection_sql(dialect, project.id, MapFilters(bbox=BBox(west, south, east, north)))
    found = json.loads(db.session.execute(statement, params).scalar_one())
    assert len(found["features"]) == 2100
    # A parcel added by hand afterwards is indexed by the trigger, which is back in place.
    f.parcel(project, "thêm", sheet="9", lon=(west + east) / 2, lat=(south + north) / 2)
    found = json.loads(db.session.execute(statement, params).scalar_one())
    assert len(found["features"]) == 2101
