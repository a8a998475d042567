"""Cases (hồ sơ) of a project: list, case page with holdings, procedure and history, create and
edit, moving a case to its next step; on the case page, the balance of interests (offers by
version, payments, the gap over the meetings) and the dispute status a team lead may set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, money, vndate
from clearance.forms.balance import DisputeForm, OfferForm, PaymentForm
from clearance.forms.records import CaseForm, HoldingForm
from clearance.forms.workflow import GrievanceCloseForm, GrievanceForm, TransitionForm
from clearance.models import Case, CaseParcel, Grievance, Parcel, Party, Project
from clearance.services import case_balance, disputes, grievances, meetings, plans, transitions
from clearance.services.balance import CaseBalance, case_balances
from clearance.services.errors import FieldError
from clearance.services.history import case_history
from clearance.services.inventory import inventory_summary
from clearance.services.records import add_holding, remove_holding, save_case
from clearance.services.scope import case_or_404, parties_query, project_or_404, require_editor
from clearance.views.common import form_values, like, page_args, search_term, show_field_error
from clearance.workflow.statuses import (
    CaseStatus,
    DisputeStatus,
    GrievanceKind,
    GrievanceLevel,
    GrievanceStatus,
    Tenure,
    choices,
    label,
)

bp = Blueprint("cases", __name__, url_prefix="/projects/<code>/cases")


@bp.route("/")
def index(code: str):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    term = search_term()
    status = request.args.get("status", "")
    query = (
        sa.select(Case)
        .join(Case.party)
        .where(Case.project_id == project.id)
        .options(selectinload(Case.party), selectinload(Case.holdings).selectinload(CaseParcel.parcel))
    )
    if term:
        pattern = like(term)
        query = query.where(sa.or_(Case.code.ilike(pattern, escape="\\"), Party.name.ilike(pattern, escape="\\")))
    if status in CaseStatus.__members__.values():
        query = query.where(Case.status == status)
    page, per_page = page_args()
    pagination = db.paginate(query.order_by(Case.code), page=page, per_page=per_page, error_out=False)
    return render_template(
        "cases/index.html", project=project, pagination=pagination, term=term, status=status,
        statuses=choices(CaseStatus),
    )


def _holding_form(project_id: int) -> HoldingForm:
    form = HoldingForm()
    parcels = db.session.scalars(
        sa.select(Parcel).where(Parcel.project_id == project_id).order_by(Parcel.map_sheet, Parcel.parcel_no)
    )
    form.parcel_id.choices = [(p.id, f"{p} — {p.address}") for p in parcels]
    form.tenure.choices = choices(Tenure)
    return form


@bp.route("/<int(max=2147483647):case_id>")
def detail(code: str, case_id: int):  # type: ignore[no-untyped-def]
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    return _page(project, case)


def _procedure_context(
    case: Case, form: TransitionForm | None = None, refused: str | None = None, grievance_form: GrievanceForm | None = None,
    offer_form: OfferForm | None = None, payment_form: PaymentForm | None = None, dispute_form: DisputeForm | None = None,
) -> dict:
    """Everything the case page shows besides the case itself: the procedure, complaints,
    meetings, the balance of interests and the dispute status. Passed to every render of it."""
    from clearance.workflow.procedure import GUARD_LABELS

    moment = transitions.Moment(day=datetime.now(LOCAL_TZ).date(), at=datetime.now(UTC))
    today = _today()
    timeline = transitions.timeline(case)
    case_meetings = meetings.meetings_of_case(case)
    balance = case_balances(case.project, [case.id])[case.id]
    versions = case_balance.offer_versions(case)
    moves = case_balance.movement(case, versions, case_meetings)
    return {
        "options": transitions.options(case, current_user, moment) if current_user.can_edit else [],
        "timeline": timeline,
        "steps_and_meetings": _steps_and_meetings(timeline, case_meetings),
        "steps": {s.code: s for s in transitions.all_steps()},
        "transition_form": form or TransitionForm(formdata=None, data={"version": case.version, "occurred_on": moment.day}),
        "guard_labels": GUARD_LABELS,
        "refused": refused,
        "grievances": grievances.grievances_of(case),
        "grievance_form": grievance_form or _grievance_form(),
        "close_form": _close_form(),
        "today": today,
        "case_meetings": case_meetings,
        "case_commitments": meetings.open_commitments_of(case),
        "balance": balance,
        "dispute": disputes.dispute_of(case, {case.id: balance}, today),
        "rulings": disputes.rulings_of(case),
        "precedence": disputes.PRECEDENCE,
        "offers": versions,
        "payments": case_balance.payments_of(case),
        "movement": moves,
        "chart": _movement_chart(moves, balance),
        "offer_form": offer_form or OfferForm(formdata=None, data={"offered_on": today}),
        "payment_form": payment_form or PaymentForm(formdata=None, data={"paid_on": today}),
        "dispute_form": dispute_form or _dispute_form(),
        "plan": plans.latest_version(case.id),
        "inventory": inventory_summary(case.id),
    }


def _steps_and_meetings(timeline: list, case_meetings: list[meetings.MeetingLine]) -> list[tuple[str, object]]:
    """The case's steps and meetings in one timeline, oldest first; a step before a meeting on
    the same day (the notice is read out before the households are heard)."""
    entries: list[tuple[tuple[date, int, datetime], str, object]] = []
    for event in timeline:
        moment = event.occurred_at or datetime.combine(event.occurred_on, time(0, 0), tzinfo=LOCAL_TZ)
        entries.append(((event.occurred_on, 0, moment), "step", event))
    for line in case_meetings:
        entries.append(((line.held_at.astimezone(LOCAL_TZ).date(), 1, line.held_at), "meeting", line))
    entries.sort(key=lambda entry: entry[0])
    return [(kind, item) for _key, kind, item in entries]


def _dispute_form(formdata: object = None) -> DisputeForm:
    form = DisputeForm(formdata=formdata) if formdata is not None else DisputeForm(formdata=None)
    form.status.choices = [("", _("— Bỏ xác định, theo dữ liệu của hồ sơ —")), *choices(DisputeStatus)]
    return form


# --- the movement chart ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """An inline SVG drawn on the server: horizontal positions in per cent of the width, vertical
    ones in pixels, so it fills a phone or a laptop while its text keeps its size."""

    height: int
    grid: list[tuple[float, str]]
    offer: list[tuple[float, float, float, float]]
    demand: list[tuple[float, float, float, float]]
    dots: list[tuple[str, float, float, str]]
    gaps: list[tuple[float, float, float, str]]
    days: list[tuple[float, str, str]]
    budget: float | None
    #: First and last gap, for the sentence under the chart.
    first: object | None
    last: object | None


def _billions(amount: int | float) -> str:
    """'16,84 tỷ': an axis label (the table gives exact đồng)."""
    text = f"{Decimal(str(amount)) / Decimal(10**9):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " " + _("tỷ")


def _movement_chart(points: list[case_balance.MovementPoint], balance: CaseBalance) -> Chart | None:
    """Offer and demand as step lines over the meetings (evenly spaced, in order), the gap at each
    meeting as a bar with its per cent, and the budget share as a dashed reference. Meetings
    before there was an offer or a demand (a briefing) are left to the table; without any demand
    to set against an offer there is no chart."""
    points = [p for p in points if p.offer is not None or p.demand is not None]
    values = [v for p in points for v in (p.offer, p.demand) if v is not None]
    if not any(p.gap is not None for p in points):
        return None  # nothing to compare yet: the table says what there is
    height, top, bottom = 230, 30, 190
    low, high = min(values), max(values)
    if balance.budget_share is not None:
        low, high = min(low, balance.budget_share), max(high, balance.budget_share)
    span = (high - low) or max(high, 1) * 0.2
    low, high = max(0, low - span * 0.15), high + span * 0.12
    raw_step = (high - low) / 4
    magnitude = 10 ** (len(str(int(raw_step))) - 1)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first_tick = int(low // step) * step
    low = first_tick

    def y(amount: float) -> float:
        return round(bottom - (amount - low) / (high - low) * (bottom - top), 1)

    grid = []
    tick = first_tick
    while tick <= high:
        grid.append((y(tick), _billions(tick)))
        tick += step
    count = len(points)

    def x(index: int) -> float:
        return 50.0 if count == 1 else round(12 + index * 80 / (count - 1), 2)

    def steps(series: list[int | None]) -> list[tuple[float, float, float, float]]:
        lines = []
        for i in range(count - 1):
            here, there = series[i], series[i + 1]
            if here is None:
                continue
            lines.append((x(i), y(here), x(i + 1), y(here)))
            if there is not None and there != here:
                lines.append((x(i + 1), y(here), x(i + 1), y(there)))
        if count == 1 and series[0] is not None:
            lines.append((x(0) - 6, y(series[0]), x(0) + 6, y(series[0])))
        return lines

    offers = [p.offer for p in points]
    demands = [p.demand for p in points]
    dots, gaps, days = [], [], []
    for i, p in enumerate(points):
        day = vndate(p.day)
        if p.offer is not None:
            dots.append(("offer", x(i), y(p.offer), _("%(day)s: giá trị đề nghị %(amount)s", day=day, amount=money(p.offer))))
        if p.demand is not None:
            dots.append(("demand", x(i), y(p.demand), _("%(day)s: hộ đề nghị %(amount)s", day=day, amount=money(p.demand))))
        if p.gap is not None and p.offer is not None and p.demand is not None:
            gaps.append((x(i), y(p.offer), y(p.demand), str(p.gap_percent).replace(".", ",") + " %"))
        days.append((x(i), p.day.strftime("%d/%m"), p.day.strftime("%Y")))
    with_gap = [p for p in points if p.gap_percent is not None]
    return Chart(
        height=height, grid=grid, offer=steps(offers), demand=steps(demands), dots=dots, gaps=gaps, days=days,
        budget=y(balance.budget_share) if balance.budget_share is not None else None,
        first=with_gap[0] if len(with_gap) > 1 else None, last=with_gap[-1] if with_gap else None,
    )


def _grievance_form(formdata: object = None) -> GrievanceForm:
    form = GrievanceForm(formdata=formdata) if formdata is not None else GrievanceForm(formdata=None)
    form.kind.choices = choices(GrievanceKind)
    form.level.choices = choices(GrievanceLevel)
    return form


def _close_form(formdata: object = None) -> GrievanceCloseForm:
    form = GrievanceCloseForm(formdata=formdata) if formdata is not None else GrievanceCloseForm(formdata=None)
    form.status.choices = [(s.value, label(s)) for s in (GrievanceStatus.RESOLVED, GrievanceStatus.WITHDRAWN)]
    return form


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


@bp.route("/<int(max=2147483647):case_id>/grievances", methods=["POST"])
def file_grievance(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Ghi nhận khiếu nại, kiến nghị."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = _grievance_form(request.form)
    if form.validate_on_submit():
        try:
            grievances.file_grievance(case, form_values(form), _today())
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã ghi nhận đơn. Việc giải quyết đơn không làm dừng các bước thu hồi đất."), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#grievances")
    return _page(project, case, 422, grievance_form=form)


@bp.route("/<int(max=2147483647):case_id>/grievances/<int(max=2147483647):grievance_id>/close", methods=["POST"])
def close_grievance(code: str, case_id: int, grievance_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    grievance = db.session.get(Grievance, grievance_id)
    if grievance is None or grievance.case_id != case.id:
        abort(404)
    form = _close_form(request.form)
    if form.validate_on_submit():
        try:
            grievances.close_grievance(
                grievance, GrievanceStatus(form.status.data), form.resolved_on.data, form.resolution.data or "", _today()
            )
        except FieldError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã ghi kết quả giải quyết đơn."), "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for(".detail", code=code, case_id=case.id) + "#grievances")


def _page(project: Project, case: Case, status: int = 200, holding_form: HoldingForm | None = None, **forms: object):  # type: ignore[no-untyped-def]
    """The case page, re-shown with a refused form and its messages."""
    return render_template(
        "cases/detail.html", project=project, case=case, history=case_history(case),
        holding_form=holding_form or _holding_form(project.id), **_procedure_context(case, **forms),  # type: ignore[arg-type]
    ), status


@bp.route("/<int(max=2147483647):case_id>/offers", methods=["POST"])
def add_offer(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Ghi phiên bản giá trị đề nghị mới (the earlier ones stay as they were)."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = OfferForm()
    if form.validate_on_submit():
        try:
            offer = case_balance.record_offer(
                case, form.amount.data, form.offered_on.data, form.basis.data or "", current_user, _today(),
                submission_key=form.submission_key.data or None,
            )
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã ghi phiên bản %(n)s của giá trị đề nghị: %(amount)s.", n=offer.number, amount=money(offer.amount)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#balance")
    return _page(project, case_or_404(project, case_id), 422, offer_form=form)


@bp.route("/<int(max=2147483647):case_id>/payments", methods=["POST"])
def add_payment(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Ghi chi trả, or the reversal of a payment made in error (a negative amount with its reason)."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            payment = case_balance.record_payment(
                case, form.amount.data, form.paid_on.data, form.document.data or "", form.note.data or "", current_user, _today(),
                submission_key=form.submission_key.data or None,
            )
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            if payment.amount < 0:
                flash(_("Đã ghi khoản hoàn lại %(amount)s.", amount=money(-payment.amount)), "success")
            else:
                flash(_("Đã ghi khoản chi trả %(amount)s.", amount=money(payment.amount)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#payments")
    return _page(project, case_or_404(project, case_id), 422, payment_form=form)


@bp.route("/<int(max=2147483647):case_id>/dispute", methods=["POST"])
def set_dispute(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Trưởng nhóm xác định tình trạng vướng mắc, or hands the case back to the derived status."""
    if not current_user.can_approve:
        abort(403)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = _dispute_form(request.form)
    if form.validate_on_submit():
        try:
            ruling = disputes.set_dispute_status(case, form.status.data or None, form.reason.data or "", current_user)
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        except disputes.DisputeNotAllowed:
            db.session.rollback()
            abort(403)
        else:
            db.session.commit()
            if ruling.status is None:
                flash(_("Đã bỏ xác định của trưởng nhóm: hồ sơ theo tình trạng tự xác định từ dữ liệu."), "success")
            else:
                flash(_("Đã xác định tình trạng vướng mắc: “%(status)s”.", status=label(ruling.status)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#dispute")
    return _page(project, case_or_404(project, case_id), 422, dispute_form=form)


@bp.route("/<int(max=2147483647):case_id>/transition", methods=["POST"])
def transition(code: str, case_id: int):  # type: ignore[no-untyped-def]
    """Chuyển bước: validate the form, ask the service, commit once; a refusal changes nothing."""
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = TransitionForm()
    status = 422
    refused = None
    if form.validate_on_submit():
        try:
            target = CaseStatus(form.target.data)
        except ValueError:
            abort(400)
        at = None
        if form.occurred_time.data:
            hour, minute = (int(part) for part in form.occurred_time.data.split(":"))
            at = datetime.combine(form.occurred_on.data, time(hour, minute), tzinfo=LOCAL_TZ)
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            transitions.transition_case(
                case, target, current_user, transitions.Moment(form.occurred_on.data, at),
                document=form.document.data or "", note=form.note.data or "", expected_version=expected,
            )
        except transitions.TransitionRefused as error:
            db.session.rollback()
            refused = str(error)
        except FieldError as error:
            db.session.rollback()
            refused, status = error.message, 409
        else:
            db.session.commit()
            flash(_("Đã chuyển %(case)s sang “%(status)s”.", case=str(case), status=label(target)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#procedure")
    case = case_or_404(project, case_id)
    return _page(project, case, status, form=form, refused=refused)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int(max=2147483647):case_id>/edit", methods=["GET", "POST"])
def edit(code: str, case_id: int | None = None):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id) if case_id is not None else None
    form = CaseForm(obj=case)
    if case is None:
        form.status.choices = choices(CaseStatus)
    else:
        del form.status  # an existing case's status moves only through the procedure's steps
    parties = db.session.scalars(parties_query(current_user).order_by(Party.name)).all()
    form.party_id.choices = [(p.id, f"{p.name} ({p.id_number or p.tax_code or '—'})") for p in parties]
    if request.method == "GET" and case is None and request.args.get("party_id", "").isdigit():
        form.party_id.data = int(request.args["party_id"])
    if form.validate_on_submit():
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            saved = save_case(project, case, form_values(form, "version"), expected_version=expected)
        except FieldError as error:
            db.session.rollback()
            if error.field == "version":
                form.form_errors.append(error.message)
                current = case_or_404(project, case_id) if case_id else None
                return render_template("cases/form.html", project=project, case=current, form=form, conflict=True), 409
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã lưu %(case)s.", case=str(saved)), "success")
            return redirect(url_for(".detail", code=code, case_id=saved.id))
    return render_template("cases/form.html", project=project, case=case, form=form), 200 if not form.errors else 422


@bp.route("/<int(max=2147483647):case_id>/parcels", methods=["POST"])
def add_parcel(code: str, case_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    form = _holding_form(project.id)
    if form.validate_on_submit():
        parcel = db.session.get(Parcel, form.parcel_id.data)
        try:
            if parcel is None:
                raise FieldError("parcel_id", _("Không có thửa đất này."))
            add_holding(case, parcel, form.tenure.data, form.share.data)
        except FieldError as error:
            db.session.rollback()
            show_field_error(form, error)
        else:
            db.session.commit()
            flash(_("Đã thêm %(parcel)s vào hồ sơ.", parcel=str(parcel)), "success")
            return redirect(url_for(".detail", code=code, case_id=case.id) + "#parcels")
    case = case_or_404(project, case_id)
    return _page(project, case, 422, holding_form=form)


@bp.route("/<int(max=2147483647):case_id>/parcels/<int(max=2147483647):holding_id>/delete", methods=["POST"])
def remove_parcel(code: str, case_id: int, holding_id: int):  # type: ignore[no-untyped-def]
    require_editor(current_user)
    project = project_or_404(current_user, code)
    case = case_or_404(project, case_id)
    holding = next((h for h in case.holdings if h.id == holding_id), None)
    if holding is None:
        return render_template("error.html", code=404, error=None), 404
    label = str(holding.parcel)
    remove_holding(holding)
    db.session.commit()
    flash(_("Đã bỏ %(parcel)s khỏi hồ sơ.", parcel=label), "info")
    return redirect(url_for(".detail", code=code, case_id=case.id) + "#parcels")
