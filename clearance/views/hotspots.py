"""Hotspot early warning: the ranked list of cases at risk, with each case's reasons, and the
risk-factor weights (read by everyone, edited by an administrator)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.forms.base import Form
from clearance.models import AuditEntry, RiskFactor
from clearance.services import hotspots
from clearance.services.errors import FieldError
from clearance.services.paging import Page
from clearance.services.scope import project_or_404
from clearance.views.common import show_field_error
from clearance.workflow.risk import factor_label, unit_label
from clearance.workflow.statuses import RiskLevel

bp = Blueprint("hotspots", __name__)

#: The level filter of the list: "" shows the cases that need attention (high and medium).
LEVEL_FILTERS = ("", RiskLevel.HIGH.value, RiskLevel.MEDIUM.value, RiskLevel.LOW.value, "all")


def _today() -> Any:
    return datetime.now(LOCAL_TZ).date()


#: Cases per page of the ranked list: the top of the list is what a team acts on this week.
RANKED_PAGE_SIZE = 50


@bp.route("/projects/<code>/hotspots")
def index(code: str):  # type: ignore[no-untyped-def]
    """Điểm nóng: every case of the project ranked by risk score, with the reasons; ?level=
    high|medium|low|all (default: high and medium)."""
    project = project_or_404(current_user, code)
    level = request.args.get("level", "")
    if level not in LEVEL_FILTERS:
        level = ""
    ranked = hotspots.project_hotspots(project, _today())
    if level == "all":
        shown = ranked
    elif level:
        shown = [h for h in ranked if h.level == level]
    else:
        shown = [h for h in ranked if h.at_risk]
    page = Page.of(shown, request.args.get("page", type=int) or 1, RANKED_PAGE_SIZE)
    return render_template(
        "hotspots/index.html", project=project, hotspots=page.items, pagination=page, level=level,
        counts=hotspots.level_counts(ranked),
        total=len(ranked), today=_today(), medium_score=current_app.config["RISK_MEDIUM_SCORE"],
        high_score=current_app.config["RISK_HIGH_SCORE"],
    )


def _factors_form(rows: list[RiskFactor]) -> Form:
    """A form with a weight per factor and a threshold per factor that has one."""

    class FactorsForm(Form):
        pass

    for row in rows:
        setattr(FactorsForm, f"weight_{row.code}", IntegerField(
            _l("Điểm"), validators=[InputRequired(_l("Trường này bắt buộc.")), NumberRange(min=0, max=100)],
            default=row.weight, render_kw={"inputmode": "numeric", "min": 0, "max": 100},
        ))
        if row.threshold is not None:
            setattr(FactorsForm, f"threshold_{row.code}", IntegerField(
                _l("Ngưỡng"),
                validators=[InputRequired(_l("Trường này bắt buộc.")),
                            NumberRange(min=1, max=hotspots.MAX_THRESHOLD)],
                default=row.threshold, render_kw={"inputmode": "numeric", "min": 1},
            ))
    return FactorsForm()


@bp.route("/reference/risk-factors", methods=["GET", "POST"])
def factors():  # type: ignore[no-untyped-def]
    """Yếu tố nguy cơ: the factors with their weights and thresholds and how the score and the
    levels work. Administrators change weights and thresholds (each change is in the audit trail)."""
    rows = hotspots.risk_factors()
    editable = current_user.is_admin
    form = _factors_form(rows) if editable else None
    if request.method == "POST":
        if not editable:
            abort(403)
        assert form is not None
        if form.validate_on_submit():
            try:
                changed = 0
                for row in rows:
                    threshold_field = getattr(form, f"threshold_{row.code}", None)
                    changed += hotspots.update_factor(
                        row, getattr(form, f"weight_{row.code}").data,
                        threshold_field.data if threshold_field is not None else None,
                    )
            except FieldError as error:
                db.session.rollback()
                show_field_error(form, error)
            else:
                db.session.commit()
                flash(_("Đã lưu %(n)s thay đổi trọng số, ngưỡng.", n=changed) if changed else _("Không có thay đổi nào."), "success")
                return redirect(url_for(".factors"))
    history = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == RiskFactor.__tablename__).order_by(AuditEntry.id.desc()).limit(30)
    ).all()
    return render_template(
        "hotspots/factors.html", rows=rows, form=form, editable=editable, history=history,
        factor_label=factor_label, unit_label=unit_label,
        medium_score=current_app.config["RISK_MEDIUM_SCORE"], high_score=current_app.config["RISK_HIGH_SCORE"],
    ), 200 if not (form and form.errors) else 422
