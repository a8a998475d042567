"""Complaints and petitions (khiếu nại, kiến nghị): filed, then resolved or withdrawn by a
deadline. Filing one never stops the procedure (Decree 102/2024, Art. 40)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from clearance.extensions import db
from clearance.models import Case, Grievance, PublicHoliday
from clearance.services.errors import FieldError
from clearance.workflow.calendar import PeriodKind, add_period
from clearance.workflow.statuses import GrievanceStatus


def resolution_deadline(filed_on: date) -> date:
    """Hạn giải quyết: the configured period (``GRIEVANCE_RESOLUTION_DAYS``, calendar days by
    default 30, Law on Complaints 2011 Art. 28) counted from the day after filing."""
    days = int(current_app.config["GRIEVANCE_RESOLUTION_DAYS"])
    holidays = set(db.session.scalars(sa.select(PublicHoliday.day)))
    return add_period(filed_on, days, PeriodKind.CALENDAR, holidays)


def file_grievance(case: Case, values: dict[str, Any], today: date) -> Grievance:
    filed_on = values["filed_on"]
    if filed_on > today:
        raise FieldError("filed_on", _("Ngày nhận đơn không được sau hôm nay."))
    grievance = Grievance(
        case_id=case.id,
        kind=values["kind"],
        level=values["level"],
        filed_on=filed_on,
        filed_by=values["filed_by"],
        against=values.get("against") or "",
        content=values["content"],
        deadline=values.get("deadline") or resolution_deadline(filed_on),
    )
    if grievance.deadline < filed_on:
        raise FieldError("deadline", _("Hạn giải quyết không được trước ngày nhận đơn."))
    db.session.add(grievance)
    db.session.flush()
    return grievance


def close_grievance(grievance: Grievance, status: GrievanceStatus, resolved_on: date, resolution: str, today: date) -> Grievance:
    """Record the outcome: resolved (with what was decided) or withdrawn."""
    if grievance.status != GrievanceStatus.OPEN:
        raise FieldError("status", _("Đơn này đã được khép lại."))
    if status == GrievanceStatus.OPEN:
        raise FieldError("status", _("Chọn kết quả: đã giải quyết hoặc đã rút."))
    if resolved_on < grievance.filed_on or resolved_on > today:
        raise FieldError("resolved_on", _("Ngày giải quyết phải từ ngày nhận đơn đến hôm nay."))
    if status == GrievanceStatus.RESOLVED and not resolution.strip():
        raise FieldError("resolution", _("Ghi nội dung giải quyết."))
    grievance.status = status
    grievance.resolved_on = resolved_on
    grievance.resolution = resolution
    db.session.flush()
    return grievance


def grievances_of(case: Case) -> list[Grievance]:
    return list(db.session.scalars(sa.select(Grievance).where(Grievance.case_id == case.id).order_by(Grievance.filed_on.desc(), Grievance.id.desc())))
