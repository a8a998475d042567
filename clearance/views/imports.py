"""Importing parcels from files in the browser: upload → preview (counts, problems, map) → confirm.

The uploaded files wait in ``instance/uploads/<token>/`` between the preview and the
confirmation (bound to the project and the user who uploaded them), so the user can change the
CRS or the field mapping and preview again without uploading again. Nothing reaches the
database before the confirmation, and the import itself is one transaction.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from clearance.extensions import db
from clearance.forms.imports import MAPPING_LABELS, ImportConfirmForm, ImportOptionsForm, ImportUploadForm
from clearance.models import Project
from clearance.services.parcel_import import (
    REPORT_LIMIT,
    ImportOptions,
    ImportPreview,
    ImportRejected,
    apply_import,
    preview_import,
    read_sources,
)
from clearance.services.scope import project_or_404, require_editor
from geodata.cadastre import MappingError
from geodata.crs import crs_label
from geodata.sources import FORMATS, SourceError

bp = Blueprint("imports", __name__, url_prefix="/projects/<code>/parcels/import")

#: Uploads left unconfirmed are removed after a day.
UPLOAD_TTL_S = 24 * 3600
#: Above this many parcels the preview map shows only their extent (the page stays light).
PREVIEW_MAP_LIMIT = 20_000


#: What each kind of problem is called in the report.
PROBLEM_LABELS = {
    "crs_suspect": _l("hệ toạ độ có vẻ không đúng"),
    "no_crs": _l("file không khai báo hệ toạ độ"),
    "empty_file": _l("file rỗng"),
    "file": _l("lưu ý về file"),
    "no_sheet": _l("thiếu số tờ bản đồ"),
    "sheet_from_name": _l("số tờ lấy từ tên file"),
    "no_parcel_field": _l("không có trường số thửa"),
    "no_parcel_no": _l("thiếu số thửa"),
    "empty": _l("hình rỗng"),
    "not_polygon": _l("không phải vùng (polygon)"),
    "too_long": _l("giá trị quá dài"),
    "bad_area": _l("diện tích không phải số"),
    "repaired": _l("hình tự cắt, đã sửa"),
    "zero_area": _l("diện tích bằng 0"),
    "area_mismatch": _l("diện tích lệch so với file"),
    "duplicate": _l("trùng số thửa"),
    "overlap": _l("chồng lấn thửa khác"),
    "outside_units": _l("nằm ngoài địa bàn dự án"),
}


def problem_label(code: str) -> str:
    return str(PROBLEM_LABELS.get(code, code))


@bp.route("/", methods=["GET", "POST"])
def upload(code: str):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = ImportUploadForm()
    if form.validate_on_submit():
        try:
            token = _store_uploads(project, request.files.getlist(form.files.name))
        except SourceError as error:
            form.files.errors.append(str(error))
        else:
            return _preview_page(project, token, form)
    return render_template("imports/upload.html", project=project, form=form), 200 if not form.errors else 422


@bp.route("/preview", methods=["POST"])
def preview(code: str):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    return _preview_page(project, form.token.data, form)


@bp.route("/confirm", methods=["POST"])
def confirm(code: str):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data
    result = _run_preview(project, token, form)
    if isinstance(result, str):
        flash(result, "error")
        return redirect(url_for(".upload", code=code))
    try:
        record = apply_import(project, result)
    except ImportRejected as error:
        db.session.rollback()
        return _render_preview(project, token, form, result, str(error)), 422
    db.session.commit()
    _remove_upload(token)
    flash(
        _(
            "Đã nhập %(files)s: %(created)s thửa mới, %(updated)s thửa cập nhật, %(unchanged)s thửa không đổi.",
            files=record.files,
            created=record.created_count,
            updated=record.updated_count,
            unchanged=record.unchanged_count,
        ),
        "success",
    )
    return redirect(url_for("maps.index", code=code))


# --- helpers ---------------------------------------------------------------------------------


def _preview_page(project: Project, token: str, form: ImportOptionsForm):  # type: ignore[no-untyped-def]
    result = _run_preview(project, token, form)
    if isinstance(result, str):
        upload_form = ImportUploadForm(formdata=None)
        upload_form.files.errors = [result]
        return render_template("imports/upload.html", project=project, form=upload_form), 422
    options = {name: value for name, value in form.data.items() if name not in ("files", "csrf_token", "token")}
    confirm_form = ImportConfirmForm(formdata=None, data=options)
    confirm_form.token.data = token
    return _render_preview(project, token, confirm_form, result), 200 if result.can_import else 422


def _render_preview(project: Project, token: str, form: ImportOptionsForm, result: ImportPreview, error: str | None = None) -> str:
    fields = sorted({f for layer in result.checked.layers for f in layer.layer.fields})
    map_data = result.feature_collection() if len(result.planned) <= PREVIEW_MAP_LIMIT else None
    return render_template(
        "imports/preview.html",
        project=project,
        form=form,
        token=token,
        preview=result,
        error=error,
        fields=fields,
        mapping_labels=MAPPING_LABELS,
        crs_label=crs_label,
        map_data=map_data,
        bounds=result.bounds(),
        problems=(result.errors or result.problems)[:REPORT_LIMIT],
        problem_label=problem_label,
    )


def _run_preview(project: Project, token: str, form: ImportOptionsForm) -> ImportPreview | str:
    """The preview, or a message saying why the files cannot be read."""
    paths = _uploaded_paths(project, token)
    options = ImportOptions(
        crs=int(form.crs.data) if form.crs.data else None,
        layer=form.layer.data or None,
        overrides=form.overrides(),
        sheet=form.sheet.data or None,
        create_cases=bool(form.create_cases.data),
    )
    try:
        layers = read_sources(paths, options.layer)
        return preview_import(project, layers, options)
    except (SourceError, MappingError) as error:
        return str(error)


def _upload_root() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _store_uploads(project: Project, files: list[Any]) -> str:
    """Save the uploaded files under a fresh token; raises SourceError for a file we cannot read."""
    _sweep_old_uploads()
    token = secrets.token_urlsafe(24)
    folder = _upload_root() / token
    folder.mkdir(parents=True)
    names = []
    try:
        for storage in files:
            name = _safe_name(storage.filename or "")
            if Path(name).suffix.lower() not in FORMATS:
                raise SourceError(
                    _("%(name)s: không nhận dạng được định dạng (cần .geojson, .zip chứa Shapefile, .gpkg hoặc .dxf)", name=name)
                )
            if name in names:
                raise SourceError(_("%(name)s: chọn trùng file.", name=name))
            storage.save(folder / name)
            names.append(name)
        if not names:
            raise SourceError(_("Chọn ít nhất một file."))
        (folder / "upload.json").write_text(
            json.dumps({"project_id": project.id, "user_id": current_user.id, "files": names})
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return token


def _uploaded_paths(project: Project, token: str) -> list[Path]:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        abort(400)
    folder = _upload_root() / token
    try:
        meta = json.loads((folder / "upload.json").read_text())
    except (OSError, ValueError):
        abort(410, _("Các file đã tải lên không còn nữa (quá một ngày hoặc đã nhập). Hãy tải lên lại."))
    if meta.get("project_id") != project.id or meta.get("user_id") != current_user.id:
        abort(404)
    return [folder / name for name in meta["files"]]


def _remove_upload(token: str) -> None:
    shutil.rmtree(_upload_root() / token, ignore_errors=True)


def _sweep_old_uploads() -> None:
    root = _upload_root()
    if not root.is_dir():
        return
    cutoff = time.time() - UPLOAD_TTL_S
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _safe_name(name: str) -> str:
    """The file's own name (Vietnamese letters kept) without any path, for messages and storage."""
    base = re.split(r"[\\/]", name)[-1].strip().lstrip(".")
    base = re.sub(r"[^\w.\- ]", "_", base)[:120]
    return base or "file"
