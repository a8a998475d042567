"""The project map (bản đồ): parcels coloured by status or by hotspot risk, their GeoJSON, popup,
search, print map."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from clearance.api.errors import json_error
from clearance.formatting import LOCAL_TZ
from clearance.services import hotspots, parcel_map
from clearance.services.errors import FieldError
from clearance.services.scope import parcel_or_404, project_or_404
from clearance.views.common import like, search_term

bp = Blueprint("maps", __name__, url_prefix="/projects/<code>/map")

GEOJSON = "application/geo+json"


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _colour() -> str:
    """The colouring a link asks for (?colour=risk), status otherwise."""
    return "risk" if request.args.get("colour") == "risk" else "status"


def _selected_filters() -> dict[str, str]:
    """The filters a map link carries (?status=&ward=&land_use=), to preselect the controls;
    unknown values are ignored here (the GeoJSON endpoint is the one that refuses them)."""
    status = request.args.get("status", "")
    ward = request.args.get("ward", "")
    return {
        "status": status if status in parcel_map.MAP_STATUSES else "",
        "ward": ward if ward.isdigit() else "",
        "land_use": search_term("land_use")[:20],
        "colour": _colour(),
    }


@bp.route("")
def index(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    summary = parcel_map.map_summary(project.id)
    wards, land_uses = parcel_map.filter_choices(project.id)
    popup_url = url_for(".parcel_popup", code=project.code, parcel_id=0).rsplit("/", 1)[0] + "/{id}"
    levels = hotspots.risk_levels(project, _today())
    return render_template(
        "maps/index.html", project=project, summary=summary, progress=parcel_map.progress_text(summary),
        risk_summary=parcel_map.risk_summary(project.id, levels), risk_colours=parcel_map.RISK_COLOURS,
        wards=wards, land_uses=land_uses, selected=_selected_filters(), papers=parcel_map.PAPERS,
        extent=parcel_map.project_extent(project), boundary=parcel_map.boundary_geojson(project),
        popup_url=popup_url, colours=parcel_map.STATUS_COLOURS, outline=parcel_map.OUTLINE_COLOUR,
        boundary_colour=parcel_map.BOUNDARY_COLOUR,
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
    )


@bp.route("/parcels.geojson")
def geojson(code: str):  # type: ignore[no-untyped-def]
    """The parcels as a GeoJSON FeatureCollection built by the database (see parcel_map).
    ?bbox=minlon,minlat,maxlon,maxlat &zoom= &status= (repeatable) &ward= &land_use=
    &colour=risk (each feature also gets its risk level); a bad parameter is a JSON 400 naming it."""
    project = project_or_404(current_user, code)
    try:
        filters = parcel_map.filters_from_args(request.args, request.args.getlist("status"))
    except FieldError as error:
        return json_error(400, error.message, error.field)
    levels = hotspots.risk_levels(project, _today()) if filters.colour == "risk" else None
    body = parcel_map.feature_collection(project.id, filters, levels)
    return Response(body, mimetype=GEOJSON)


@bp.route("/parcels/<int(max=2147483647):parcel_id>")
def parcel_popup(code: str, parcel_id: int):  # type: ignore[no-untyped-def]
    """The popup of a parcel: an HTML fragment with its case summary and links to the cases."""
    project = project_or_404(current_user, code)
    facts = parcel_map.parcel_facts(parcel_or_404(project, parcel_id))
    case_ids = [holding.case_id for holding in facts.holdings]
    risks = {h.case_id: h for h in hotspots.project_hotspots(project, _today(), case_ids=case_ids)} if case_ids else {}
    risk = parcel_map.parcel_risk(h.level for h in risks.values()) if case_ids else parcel_map.NO_CASE
    return render_template(
        "maps/_popup.html", project=project, facts=facts, risks=risks, risk=risk,
        risk_label=parcel_map.risk_label(risk), risk_colour=parcel_map.RISK_COLOURS[risk],
    )


@bp.route("/search")
def search(code: str):  # type: ignore[no-untyped-def]
    """?q=: parcels by number, or by a holder's name or case code (at most 20), as JSON."""
    project = project_or_404(current_user, code)
    term = search_term()[:200]
    hits = parcel_map.search_parcels(project.id, term, like(term))
    return jsonify(term=term, hits=[hit.as_json() for hit in hits])


@bp.route("/print")
def print_map(code: str):  # type: ignore[no-untyped-def]
    """A landscape sheet (?paper=A4, the default, or A3) to print: title, date, legend, the
    parcels in their status colours (?colour=risk: in their risk colours), the recovery boundary,
    scale bar and north arrow."""
    project = project_or_404(current_user, code)
    paper = parcel_map.PAPERS.get(request.args.get("paper", "A4").upper(), parcel_map.PAPERS["A4"])
    summary = parcel_map.map_summary(project.id)
    colour = _colour()
    levels = hotspots.risk_levels(project, _today()) if colour == "risk" else None
    return render_template(
        "maps/print.html", project=project, paper=paper, drawing=parcel_map.print_map(project, paper, levels),
        summary=summary, progress=parcel_map.progress_text(summary), printed_on=_today(), colour=colour,
        legend=parcel_map.risk_summary(project.id, levels) if levels is not None else summary,
        outline=parcel_map.OUTLINE_COLOUR, boundary_colour=parcel_map.BOUNDARY_COLOUR,
    )
