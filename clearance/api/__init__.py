"""JSON API under /api/v1, described by OpenAPI 3 (flask-smorest) at /api/v1/openapi.json.

Bearer tokens authenticate (clearance.api.auth); the resources are in clearance.api.resources,
the parcel map's GeoJSON in clearance.api.maps, the dialogue log and the balance of interests in
clearance.api.dialogue.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register_api(app: Flask, api: Api) -> None:
    from clearance.api import dialogue, errors, maps, resources
    from clearance.extensions import csrf

    errors.register(app, api)  # first: the error responses the resources' docs refer to
    for blueprint in (*resources.BLUEPRINTS, *maps.BLUEPRINTS, *dialogue.BLUEPRINTS):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
