"""Việc cần làm: what is due and overdue in the cases the user's team sees."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from clearance.formatting import LOCAL_TZ
from clearance.services.deadlines import HORIZON_DAYS, due_items

bp = Blueprint("todo", __name__, url_prefix="/todo")


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    today = datetime.now(LOCAL_TZ).date()
    items = due_items(current_user, today)
    rate = Decimal(current_app.config["LATE_PAYMENT_RATE_PER_DAY"])
    return render_template(
        "todo/index.html", today=today, overdue=[i for i in items if i.overdue],
        upcoming=[i for i in items if not i.overdue], horizon=HORIZON_DAYS, rate_percent=rate * 100,
    )
