"""Parcels of a project: list with search and filters, detail, create and edit, export (GeoJSON,
GeoPackage, zipped Shapefile) and boundary conflicts between neighbours."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.forms.records import ParcelForm
from clearance.models import Parcel
from clearance.services.boundary_conflicts import find_conflicts
from clearance.services.errors import FieldError
from clearance.services.history import record_history
from clearance.services.parcel_export import export_parcels, remove_export
from clearance.services.records import save_parcel
from clearance.services.scope import parcel_or_404, project_or_404, require_editor
from clearance.views.common import form_values, like, page_args, search_term, show_field_error

bp = Blueprint("parcels", __name__, url_prefix="/projects/<code>/parcels")


@bp.route("/")
def index(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    term = search_term()
    land_use = search_term("land_use")
    query = sa.select(Parcel).where(Parcel.project_id == project.id).options(selectinload(Parcel.ward))
    if term:
        pattern = like(term)
        query = query.where(
            sa.or_(Parcel.parcel_no == term, Parcel.map_sheet == term, Parcel.address.ilike(pattern, escape="\\"))
        )
    if land_use:
        query = query.where(Parcel.land_use_code == land_use)
    land_uses = db.session.scalars(
        sa.select(Parcel.land_use_code).where(Parcel.project_id == project.id).distinct().order_by(Parcel.land_use_code)
    ).all()
    page, per_page = page_args()
    order = (sa.func.length(Parcel.map_sheet), Parcel.map_sheet, sa.func.length(Parcel.parcel_no), Parcel.parcel_no)
    pagination = db.paginate(query.order_by(*order), page=page, per_page=per_page, error_out=False)
    return render_template(
        "parcels/index.html", project=project, pagination=pagination, term=term, land_use=land_use, land_uses=land_uses
    )


@bp.route("/<int(max=2147483647):parcel_id>")
def detail(code: str, parcel_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    parcel = parcel_or_404(project, parcel_id)
    geojson = None
    if parcel.geom is not None:
        from geodata.geometry import to_geojson

        geojson = to_geojson(to_shape(parcel.geom))
    return render_template(
        "parcels/detail.html", project=project, parcel=parcel, geojson=geojson,
        history=record_history("parcel", parcel.id),
    )


def _form(parcel: Parcel | None) -> ParcelForm:
    form = ParcelForm(obj=parcel)
    if parcel is not None and request.method == "GET":
        form.geom.data = to_shape(parcel.geom) if parcel.geom is not None else None
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int(max=2147483647):parcel_id>/edit", methods=["GET", "POST"])
def edit(code: str, parcel_id: int | None = None):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    parcel = parcel_or_404(project, parcel_id) if parcel_id is not None else None
    form = _form(parcel)
    if form.validate_on_submit():
        try:
            saved = save_parcel(project, parcel, form_values(form))
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu %(parcel)s.", parcel=str(saved)), "success")
            return redirect(url_for(".detail", code=code, parcel_id=saved.id))
    return render_template("parcels/form.html", project=project, parcel=parcel, form=form), 200 if not form.errors else 422


@bp.route("/export.<any(geojson, gpkg, shp):fmt>")
def export(code: str, fmt: str):  # type: ignore[no-untyped-def]
    """Xuất thửa đất. The file is written to a temporary directory, opened, and the directory
    removed at once: the open handle keeps the data readable until the download ends (a
    ``call_on_close`` cleanup would never run: ``send_file`` responses skip it)."""
    project = project_or_404(current_user, code)
    path, download_name, mimetype = export_parcels(project, fmt)  # type: ignore[arg-type]
    try:
        stream = path.open("rb")
    finally:
        remove_export(path)
    return send_file(stream, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0)


@bp.route("/conflicts")
def conflicts(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    return render_template("parcels/conflicts.html", project=project, report=find_conflicts(project))
