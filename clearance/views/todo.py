"""Việc cần làm: what is due and overdue in the cases the user's team sees, and the điểm nóng
(hotspots) of its projects with the reason for each."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import Project
from clearance.services.deadlines import HORIZON_DAYS, DueItem, due_items
from clearance.services.hotspots import Hotspot, project_hotspots, risk_factors
from clearance.services.scope import projects_query
from clearance.workflow.statuses import ProjectStatus

bp = Blueprint("todo", __name__, url_prefix="/todo")

#: Hotspot lines shown on the to-do page (the rest are one click away, per project).
TOP_HOTSPOTS = 10
#: Lines shown per section (overdue, due soon), most urgent first; ``?all=1`` shows every line.
#: A list longer than this is read no further in a morning: the rest are one click away.
SECTION_LIMIT = 50


def _hotspots(today: date) -> tuple[list[Hotspot], list[tuple[Project, int]]]:
    """The top cases at risk (high and medium) of the user's projects, and per project how many
    there are. One project_hotspots call (nine queries, the factors read once) per visible project that is not
    completed: a team sees a handful of projects, so this stays small; an administrator who sees
    every unit pays per project."""
    projects = db.session.scalars(
        projects_query(current_user).where(Project.status != ProjectStatus.COMPLETED).order_by(Project.code)
    ).all()
    if not projects:
        return [], []
    factors = risk_factors()
    at_risk: list[Hotspot] = []
    per_project = []
    for project in projects:
        found = [h for h in project_hotspots(project, today, factors=factors) if h.at_risk]
        at_risk.extend(found)
        if found:
            per_project.append((project, len(found)))
    at_risk.sort(key=lambda h: (-h.score, h.project_code, len(h.case_code), h.case_code))
    return at_risk[:TOP_HOTSPOTS], per_project


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
    hotspots, hotspot_projects = _hotspots(today)
    return render_template(
        "todo/index.html", today=today, overdue=[i for i in items if i.overdue],
        upcoming=[i for i in items if not i.overdue], horizon=HORIZON_DAYS, rate_percent=rate * 100,
        hotspots=hotspots, hotspot_projects=hotspot_projects,
        limit=None if request.args.get("all") == "1" else SECTION_LIMIT, **_links(),
    )

