"""JSON API: the parcel map of a project as GeoJSON (bản đồ thửa đất theo trạng thái).

The body is the FeatureCollection the database builds (``clearance.services.parcel_map``), served
as it comes; the same service answers the map page's own endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from marshmallow import fields, validate

from clearance.api.auth import api_user, authenticate, forget_user
from clearance.api.resources import ApiBlueprint
from clearance.api.schemas import QuerySchema, Text, row_id
from clearance.formatting import LOCAL_TZ
from clearance.services import hotspots, parcel_map
from clearance.services.errors import FieldError
from clearance.services.scope import project_or_404

maps = ApiBlueprint("api_maps", __name__, url_prefix="/projects/<code>",
                    description="The parcels of a project as GeoJSON, with the status they are coloured by.")

BLUEPRINTS = [maps]

for _blueprint in BLUEPRINTS:
    _blueprint.before_request(authenticate)
    _blueprint.teardown_request(forget_user)


class BBoxField(fields.String):
    """``minlon,minlat,maxlon,maxlat`` in WGS84, loaded to a ``parcel_map.BBox``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> parcel_map.BBox:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parcel_map.parse_bbox(text)
        except FieldError as error:
            raise ma.ValidationError(error.message) from None


class StatusesField(fields.List):
    """Map statuses: the parameter repeated, or comma-separated values."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[str, ...]:
        items = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parcel_map.parse_statuses(items)
        except FieldError as error:
            raise ma.ValidationError(error.message) from None


class MapQuerySchema(QuerySchema):
    bbox = BBoxField(metadata={
        "description": "Only parcels whose bounding box meets this one: minlon,minlat,maxlon,maxlat (WGS84).",
        "example": "105.84,21.01,105.86,21.03",
    })
    zoom = fields.Integer(
        validate=validate.Range(min=parcel_map.MIN_ZOOM, max=parcel_map.MAX_ZOOM),
        metadata={"description": "Web-map zoom the geometry is simplified and rounded for (a quarter of a "
                                 "pixel; 6 decimals at zooms 16–18). Without it: 7 decimals, not simplified."},
    )
    status = StatusesField(
        fields.String(), metadata={"description": "Parcel status(es): repeat the parameter or separate by "
                                                  "commas. One of: " + ", ".join(parcel_map.MAP_STATUSES) + "."},
    )
    ward = row_id(strict=False, metadata={"description": "Id of the ward/commune (2025) the parcels lie in."})
    land_use = Text(validate=validate.Length(max=20), metadata={"description": "Land-use code, e.g. ODT."})
    colour = fields.String(
        validate=validate.OneOf(parcel_map.COLOUR_MODES),
        metadata={"description": "status (default) or risk: with risk, each feature also has its hotspot "
                                 "risk level (the highest among the cases holding the parcel)."},
    )


class ParcelMapPropertiesSchema(ma.Schema):
    """What the map shows of a parcel."""

    id = fields.Integer()
    map_sheet = fields.String(metadata={"description": "Tờ bản đồ số."})
    parcel_no = fields.String(metadata={"description": "Số thửa."})
    status = fields.String(
        validate=validate.OneOf(parcel_map.MAP_STATUSES),
        metadata={"description": "The least advanced status of the cases holding the parcel; "
                                 "no_case when none holds it."},
    )
    land_use_code = fields.String()
    ward_id = fields.Integer(allow_none=True)
    measured_area = fields.String(allow_none=True, metadata={"format": "decimal", "example": "125.50",
                                                             "description": "m²"})
    recovered_area = fields.String(allow_none=True, metadata={"format": "decimal", "example": "100.00",
                                                              "description": "m² inside the recovery boundary"})
    is_partial_recovery = fields.Boolean(metadata={"description": "Thu hồi một phần."})
    risk = fields.String(
        validate=validate.OneOf(parcel_map.MAP_RISKS),
        metadata={"description": "Only with colour=risk: the highest hotspot risk level (high, medium, low) "
                                 "among the cases holding the parcel; no_case when none holds it."},
    )


class ParcelFeatureSchema(ma.Schema):
    type = fields.String(metadata={"enum": ["Feature"]})
    id = fields.Integer()
    geometry = fields.Dict(metadata={"description": "GeoJSON Polygon or MultiPolygon, WGS84 lon/lat."})
    properties = fields.Nested(ParcelMapPropertiesSchema)


class FeatureCollectionSchema(ma.Schema):
    """A GeoJSON FeatureCollection (RFC 7946)."""

    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(ParcelFeatureSchema))


@maps.route("/parcels.geojson")
class ParcelMap(MethodView):
    @maps.arguments(MapQuerySchema, location="query")
    @maps.response(200, FeatureCollectionSchema, content_type="application/geo+json")
    def get(self, args: dict[str, Any], code: str) -> Response:
        """The parcels of a project as GeoJSON, with their map status

        Each feature's ``status`` is the least advanced status of the cases holding the parcel
        (``no_case`` when none does). ``bbox`` keeps the parcels in a box (spatial index);
        ``zoom`` simplifies and rounds the geometry for that zoom; ``status``, ``ward`` and
        ``land_use`` filter; ``colour=risk`` adds each parcel's hotspot ``risk``."""
        project = project_or_404(api_user(), code)
        filters = parcel_map.MapFilters(
            bbox=args.get("bbox"), zoom=args.get("zoom"), statuses=tuple(args.get("status", ())),
            ward_id=args.get("ward"), land_use=args.get("land_use") or None, colour=args.get("colour") or "status",
        )
        levels = None
        if filters.colour == "risk":
            levels = hotspots.risk_levels(project, datetime.now(LOCAL_TZ).date())
        return Response(parcel_map.feature_collection(project.id, filters, levels), mimetype="application/geo+json")
