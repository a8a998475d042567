"""Importing parcels in the browser (upload → preview → confirm) and from the command line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import sqlalchemy as sa

from clearance.models import Parcel, ParcelImport
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import csrf_token, sign_in
from tests.integration.test_parcel_import import sheet_file, three_parcels

DATA = Path(__file__).resolve().parent.parent / "data"
TOKEN_RE = re.compile(r'name="token"[^>]*value="([^"]+)"')


def setup_project(db, role: Role = Role.OFFICER):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", role, ward)
    project = f.project("NHAP-WEB", [ward])
    db.session.commit()
    return project


def upload(client, project, *files: tuple[bytes, str], **fields):
    url = f"/projects/{project.code}/parcels/import/"
    data = {"csrf_token": csrf_token(client, url), "files": [(io.BytesIO(content), name) for content, name in files]}
    data.update(fields)
    return client.post(url, data=data, content_type="multipart/form-data")


def parcel_count(db, project) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Parcel).where(Parcel.project_id == project.id))


def test_an_officer_previews_a_file_then_confirms_and_the_parcels_are_on_the_map(client, db, tmp_path):
    project = setup_project(db)
    sign_in(client, "canbo")
    content = sheet_file(tmp_path, three_parcels()).read_bytes()
    page = upload(client, project, (content, "tờ 5.geojson"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "Xem trước nhập thửa đất" in html and "tờ 5.geojson" in html
    assert re.search(r'<span class="num">3</span><span>thửa mới', html)
    assert 'id="import-data"' in html  # the preview map's parcels
    assert parcel_count(db, project) == 0  # nothing written by a preview
    token = TOKEN_RE.search(html).group(1)
    done = client.post(f"/projects/{project.code}/parcels/import/confirm",
                       data={"csrf_token": csrf_token(client, f"/projects/{project.code}/parcels/import/"), "token": token, "crs": ""})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/projects/{project.code}/map")
    assert parcel_count(db, project) == 3
    record = db.session.scalars(sa.select(ParcelImport)).one()
    assert record.files == "tờ 5.geojson" and record.actor == "Canbo"
    # The upload is gone once imported: confirming twice cannot import twice.
    again = client.post(f"/projects/{project.code}/parcels/import/confirm",
                        data={"csrf_token": csrf_token(client, f"/projects/{project.code}/parcels/import/"), "token": token, "crs": ""})
    assert again.status_code == 410 and "Hãy tải lên lại" in again.get_data(as_text=True)
    assert parcel_count(db, project) == 3


def test_a_mislabelled_crs_blocks_the_import_until_the_user_picks_the_suggested_one(client, db):
    project = setup_project(db)
    sign_in(client, "canbo")
    page = upload(client, project, ((DATA / "dc24.geojson").read_bytes(), "dc24.geojson"))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Hệ toạ độ có vẻ không đúng" in html and "Xem trước lại với EPSG:5897" in html
    assert re.search(r'formaction="[^"]*/confirm" disabled', html)
    token = TOKEN_RE.search(html).group(1)
    url = f"/projects/{project.code}/parcels/import/preview"
    fixed = client.post(url, data={"csrf_token": csrf_token(client, f"/projects/{project.code}/parcels/import/"), "token": token, "crs": "5897"})
    assert fixed.status_code == 200
    assert "EPSG:5897" in fixed.get_data(as_text=True)
    assert parcel_count(db, project) == 0


def test_a_corrupt_zip_gets_a_clear_message_and_nothing_is_written(client, db):
    project = setup_project(db)
    sign_in(client, "canbo")
    page = upload(client, project, (b"PK\x03\x04 not a zip at all", "to_3.zip"))
    assert page.status_code == 422
    assert "to_3.zip: file zip hỏng" in page.get_data(as_text=True)
    assert parcel_count(db, project) == 0


def test_an_unknown_file_type_is_refused_before_reading(client, db):
    project = setup_project(db)
    sign_in(client, "canbo")
    page = upload(client, project, (b"xx", "so_muc_ke.xlsx"))
    assert page.status_code == 422
    assert "so_muc_ke.xlsx: không nhận dạng được định dạng" in page.get_data(as_text=True)


def test_an_upload_above_the_cap_is_refused_with_the_limit_named(app, client, db, monkeypatch, tmp_path):
    project = setup_project(db)
    sign_in(client, "canbo")
    token = csrf_token(client, f"/projects/{project.code}/parcels/import/")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    boundary = "gioi-han"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="lon.geojson"\r\n\r\n'
    ).encode() + b" " * (2 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    # A raw body, as a browser sends it (the test client would spool a dict upload to a temp file).
    page = client.post(f"/projects/{project.code}/parcels/import/", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert page.status_code == 413
    assert "tối đa 1 MB" in page.get_data(as_text=True)
    assert parcel_count(db, project) == 0


def test_a_viewer_cannot_import(client, db):
    project = setup_project(db, Role.VIEWER)
    sign_in(client, "canbo")
    assert client.get(f"/projects/{project.code}/parcels/import/").status_code == 403


def test_another_users_upload_cannot_be_confirmed(client, db, tmp_path):
    project = setup_project(db)
    ward = project.units[0]
    f.user("canbo2", Role.OFFICER, ward)
    db.session.commit()
    sign_in(client, "canbo")
    html = upload(client, project, (sheet_file(tmp_path, three_parcels()).read_bytes(), "to_5.geojson")).get_data(as_text=True)
    token = TOKEN_RE.search(html).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/projects/")})
    sign_in(client, "canbo2")
    stolen = client.post(f"/projects/{project.code}/parcels/import/confirm",
                         data={"csrf_token": csrf_token(client, f"/projects/{project.code}/parcels/import/"), "token": token, "crs": ""})
    assert stolen.status_code == 404
    assert parcel_count(db, project) == 0


def test_the_command_line_dry_run_reports_and_writes_nothing_then_the_import_writes(app, db, tmp_path):
    project = setup_project(db)
    path = sheet_file(tmp_path, three_parcels())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["parcels", "import", str(path), "--project", project.code, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Thửa mới: 3" in dry.output and "không ghi gì" in dry.output
    assert parcel_count(db, project) == 0
    done = runner.invoke(args=["parcels", "import", str(path), "--project", project.code, "--map", "parcel_no=so_thua"])
    assert done.exit_code == 0, done.output
    assert "3 thửa mới" in done.output
    assert parcel_count(db, project) == 3


def test_the_command_line_refuses_a_suspect_crs_and_suggests_the_likely_one(app, db):
    project = setup_project(db)
    result = app.test_cli_runner().invoke(args=["parcels", "import", str(DATA / "dc24.geojson"), "--project", project.code])
    assert result.exit_code == 1
    assert "--crs EPSG:5897" in result.output and "chưa nhập thửa nào" in result.output
    assert parcel_count(db, project) == 0
    bad_map = app.test_cli_runner().invoke(args=["parcels", "import", str(DATA / "dc24.geojson"), "--project", project.code, "--map", "parcel_no=SOTHUA"])
    assert bad_map.exit_code == 1 and "file không có trường “SOTHUA”" in bad_map.output
