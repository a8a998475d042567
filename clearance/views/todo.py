"""Việc cần làm: what is due and overdue in the cases the user's team sees, and the điểm nóng
(hotspots) of its projects with the reason for each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from clearance.formatting import LOCAL_TZ
from clearance.services.deadlines import HORIZON_DAYS, DueItem, due_items
from clearance.services.hotspots import teams_hotspots

bp = Blueprint("todo", __name__, url_prefix="/todo")

#: Hotspot lines shown on the to-do page (the rest are one click away, per project).
TOP_HOTSPOTS = 10
#: Lines shown per section (overdue, due soon), most urgent first; ``?all=1`` shows every line.
#: A list longer than this is read no further in a morning: the rest are one click away.
SECTION_LIMIT = 50


def _links() -> dict[str, object]:
    """Where a line leads: the case, and the minutes a promise was made in (the meeting page if
    this build has it, else the case's meetings)."""
    has_meeting_page = "meetings.detail" in current_app.view_functions

    def case_url(item: DueItem, anchor: str = "") -> str:
        if item.case_id is None:
            return url_for("projects.detail", code=item.project_code)
        return url_for("cases.detail", code=item.project_code, case_id=item.case_id) + anchor

    def meeting_url(item: DueItem) -> str:
        if has_meeting_page and item.meeting_id is not None:
            return url_for("meetings.detail", code=item.project_code, meeting_id=item.meeting_id)
        return case_url(item, "#meetings")

    return {"case_url": case_url, "meeting_url": meeting_url}


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    today = datetime.now(LOCAL_TZ).date()
    items = due_items(current_user, today)
    rate = Decimal(current_app.config["LATE_PAYMENT_RATE_PER_DAY"])
    hotspots, hotspot_projects = teams_hotspots(current_user, today, TOP_HOTSPOTS)
    return render_template(
        "todo/index.html", today=today, overdue=[i for i in items if i.overdue],
        upcoming=[i for i in items if not i.overdue], horizon=HORIZON_DAYS, rate_percent=rate * 100,
        hotspots=hotspots, hotspot_projects=hotspot_projects,
        limit=None if request.args.get("all") == "1" else SECTION_LIMIT, **_links(),
    )

