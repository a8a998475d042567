"""Reference tables officers consult in the field: the land-price table (bảng giá đất)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import Blueprint, render_template

from clearance.extensions import db
from clearance.models import LandPrice

bp = Blueprint("reference", __name__, url_prefix="/reference")


@bp.route("/land-prices")
def land_prices():  # type: ignore[no-untyped-def]
    rows = db.session.scalars(
        sa.select(LandPrice).order_by(LandPrice.land_type.desc(), LandPrice.street, LandPrice.segment, LandPrice.position)
    ).all()
    # One line per (land type, street, segment) with the four positions side by side.
    table: dict[tuple[str, str, str], dict[int, LandPrice]] = defaultdict(dict)
    for row in rows:
        table[(row.land_type, row.street, row.segment)][row.position] = row
    sources = sorted({(r.source, r.valid_from, r.is_demo) for r in rows})
    return render_template("reference/land_prices.html", table=table, sources=sources)
