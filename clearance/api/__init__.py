"""JSON API under /api/v1, described by OpenAPI 3 (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register_api(app: Flask, api: Api) -> None:
    from clearance.api import errors, resources
    from clearance.extensions import csrf

    for blueprint in resources.BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
    errors.register(app, api)
