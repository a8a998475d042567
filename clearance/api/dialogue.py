"""JSON API of the dialogue log and the balance of interests under /api/v1: meetings and their
minutes (amended only with a reason, every revision readable), the signed scans, the promises made
(cam kết); the money on the table for a case (offer versions, payments) and for a project; the
dispute status of cases (set by hand only by a team lead: others get 403); and the hotspot list.

As in ``clearance.api.resources``: a schema parses the input, the UI's scope rules pick what the
token's user may see (another unit's record is a 404), a service writes, and the view commits once.
A broken rule answers 422 naming the field; minutes or a promise saved by someone else since they
were read answer 409.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Response, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from clearance.api.auth import api_user, authenticate, forget_user
from clearance.api.dialogue_schemas import (
    AttachmentSchema,
    AttachmentUploadSchema,
    CaseBalanceSchema,
    CommitmentCloseSchema,
    CommitmentQuerySchema,
    CommitmentSchema,
    DisputeLineSchema,
    DisputeQuerySchema,
    DisputeSchema,
    DisputeSetSchema,
    HotspotQuerySchema,
    HotspotSchema,
    MeetingAmendSchema,
    MeetingCreateSchema,
    MeetingQuerySchema,
    MeetingSchema,
    MeetingSummarySchema,
    OfferCreateSchema,
    OfferVersionSchema,
    PaymentCreateSchema,
    PaymentSchema,
    ProjectBalanceSchema,
    RevisionSnapshotSchema,
    local_today,
)
from clearance.api.errors import fail
from clearance.api.resources import ID, PAGING, ApiBlueprint, SelectPage, saved
from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import (
    Case,
    Commitment,
    Meeting,
    MeetingAttachment,
    MeetingCase,
    MeetingRevision,
    Party,
    Project,
)
from clearance.services import case_balance as case_balance_service
from clearance.services import disputes as dispute_service
from clearance.services import hotspots as hotspot_service
from clearance.services import meetings as meeting_service
from clearance.services import project_balance as project_balance_service
from clearance.services.balance import case_balances
from clearance.services.scope import case_or_404, project_or_404
from clearance.workflow.statuses import CommitmentStatus

meetings = ApiBlueprint(
    "api_meetings", __name__, url_prefix="/projects/<code>/meetings",
    description="The dialogue log (nhật ký đối thoại): meetings with households, their minutes (biên bản), "
                "amendments and signed scans.",
)
commitments = ApiBlueprint(
    "api_commitments", __name__, url_prefix="/projects/<code>/commitments",
    description="Promises made at meetings (cam kết), open until done or cancelled.",
)
balance = ApiBlueprint(
    "api_balance", __name__, url_prefix="/projects/<code>",
    description="The balance of interests (cân đối lợi ích): budget, offers, demands and payments, "
                "of a case and of a project.",
)
hotspots = ApiBlueprint(
    "api_hotspots", __name__, url_prefix="/projects/<code>/hotspots",
    description="Hotspot early warning (cảnh báo sớm điểm nóng): cases ranked by risk, with the reasons.",
)

disputes = ApiBlueprint(
    "api_disputes", __name__, url_prefix="/projects/<code>",
    description="Dispute status of cases (tình trạng vướng mắc): derived from the record, or set by a team lead.",
)

BLUEPRINTS: list[Blueprint] = [meetings, commitments, balance, hotspots, disputes]

for _blueprint in BLUEPRINTS:
    _blueprint.before_request(authenticate)
    _blueprint.teardown_request(forget_user)


def _now() -> datetime:
    return datetime.now(UTC)


def _local_midnight(day: date) -> datetime:
    """The start of a Hanoi day, as a moment (held_at is stored in UTC)."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


# --- meetings -----------------------------------------------------------------------------------


def _meeting_or_404(project: Project, meeting_id: int) -> Meeting:
    meeting = meeting_service.meeting_or_none(project, meeting_id)
    if meeting is None:
        fail(404, _("Không có cuộc gặp này."))
    return meeting


def _minutes(values: dict[str, Any]) -> dict[str, Any]:
    """The minutes as the service takes them (the amendment's own fields left out)."""
    return {key: value for key, value in values.items() if key not in ("reason", "version")}


@meetings.route("")
class Meetings(MethodView):
    @meetings.arguments(MeetingQuerySchema, location="query")
    @meetings.response(200, MeetingSummarySchema(many=True))
    @meetings.paginate(SelectPage, **PAGING)
    def get(self, filters: dict[str, Any], code: str) -> sa.Select[tuple[Meeting]]:
        """List the meetings of a project, newest first

        ``kind`` and ``case_id`` (a household that attended) filter; ``since`` and ``until`` keep
        the meetings held between those days, Hanoi time."""
        project = project_or_404(api_user(), code)
        query = (
            sa.select(Meeting)
            .where(Meeting.project_id == project.id)
            .options(selectinload(Meeting.households).selectinload(MeetingCase.case).selectinload(Case.party))
        )
        if "kind" in filters:
            query = query.where(Meeting.kind == filters["kind"])
        if "case_id" in filters:
            attended = sa.select(MeetingCase.meeting_id).where(MeetingCase.case_id == filters["case_id"])
            query = query.where(Meeting.id.in_(attended))
        if "since" in filters:
            query = query.where(Meeting.held_at >= _local_midnight(filters["since"]))
        if "until" in filters:
            query = query.where(Meeting.held_at < _local_midnight(filters["until"] + timedelta(days=1)))
        return query.order_by(Meeting.held_at.desc(), Meeting.id.desc())

    @meetings.arguments(MeetingCreateSchema)
    @meetings.response(201, MeetingSchema)
    def post(self, values: dict[str, Any], code: str) -> Meeting:
        """Record the minutes of a meeting (ghi biên bản)

        One household or many (by their cases in this project), who attended, what was raised and
        answered, where each household stands afterwards, and the promises made: each becomes an
        open commitment. This is revision 1; later changes are amendments."""
        user = api_user()
        project = project_or_404(user, code)
        meeting = saved(lambda: meeting_service.record_meeting(project, values, user, _now()))
        return _meeting_or_404(project, meeting.id)


@meetings.route(f"/<{ID}:meeting_id>")
class MeetingResource(MethodView):
    @meetings.response(200, MeetingSchema)
    def get(self, code: str, meeting_id: int) -> Meeting:
        """Get the minutes of a meeting as they read now

        With the households, attendees, concerns, commitments, the attachments' metadata and the
        list of revisions (number, who, when, why)."""
        return _meeting_or_404(project_or_404(api_user(), code), meeting_id)


@meetings.route(f"/<{ID}:meeting_id>/revisions/<{ID}:number>")
class MeetingRevisionResource(MethodView):
    @meetings.response(200, RevisionSnapshotSchema)
    def get(self, code: str, meeting_id: int, number: int) -> MeetingRevision:
        """Get one revision of the minutes as it read

        Revision 1 is the original; each later one is an amendment, with its reason."""
        meeting = _meeting_or_404(project_or_404(api_user(), code), meeting_id)
        revision = next((r for r in meeting.revisions if r.number == number), None)
        if revision is None:
            fail(404, _("Biên bản không có lần sửa số %(number)s.", number=number))
        return revision


@meetings.route(f"/<{ID}:meeting_id>/amendments")
class MeetingAmendments(MethodView):
    @meetings.arguments(MeetingAmendSchema)
    @meetings.response(201, MeetingSchema)
    @meetings.alt_response(409, response="CONFLICT")
    def post(self, values: dict[str, Any], code: str, meeting_id: int) -> Meeting:
        """Amend the minutes (sửa biên bản), with the reason

        Send the whole minutes as they should read, the ``reason`` and the ``version`` that was read
        (409 if the minutes were amended since). The earlier revisions stay readable as they were.
        Commitments sent with their ``id`` keep their identity; open ones left out are cancelled
        with the reason. Answers the amended minutes."""
        user = api_user()
        project = project_or_404(user, code)
        meeting = _meeting_or_404(project, meeting_id)
        saved(lambda: meeting_service.amend_meeting(
            meeting, _minutes(values), values["reason"], user, _now(), expected_version=values["version"],
        ))
        return _meeting_or_404(project, meeting_id)


@meetings.route(f"/<{ID}:meeting_id>/attachments")
class MeetingAttachments(MethodView):
    @meetings.arguments(AttachmentUploadSchema, location="files")
    @meetings.response(201, AttachmentSchema)
    def post(self, files: dict[str, Any], code: str, meeting_id: int) -> MeetingAttachment:
        """Attach a scan or photo of the signed minutes

        Send ``multipart/form-data`` with the file in ``file``. PDF, JPEG, PNG, WebP or HEIC,
        recognised by content (not by name); empty or oversized files are refused (422, field
        ``file``). Attachments are never replaced or deleted."""
        user = api_user()
        meeting = _meeting_or_404(project_or_404(user, code), meeting_id)
        upload = files["file"]
        return saved(lambda: meeting_service.attach(meeting, upload.filename or "", upload.stream, user))


@meetings.route(f"/<{ID}:meeting_id>/attachments/<{ID}:attachment_id>")
class MeetingAttachmentFile(MethodView):
    @meetings.response(
        200, {"type": "string", "format": "binary"}, content_type="application/octet-stream",
        description="The file as uploaded, with its own Content-Type (PDF or image).",
    )
    def get(self, code: str, meeting_id: int, attachment_id: int) -> Response:
        """Download an attachment of the minutes

        Served with the content type recognised at upload and the original file name."""
        meeting = _meeting_or_404(project_or_404(api_user(), code), meeting_id)
        attachment = next((a for a in meeting.attachments if a.id == attachment_id), None)
        if attachment is None:
            fail(404, _("Biên bản không có tệp đính kèm này."))
        path = meeting_service.attachment_path(attachment)
        if not path.is_file():
            fail(404, _("Không tìm thấy tệp “%(name)s” trong kho lưu trữ.", name=attachment.filename))
        response = send_file(
            path, mimetype=attachment.content_type, download_name=attachment.filename, conditional=True,
            etag=attachment.sha256, max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


# --- commitments --------------------------------------------------------------------------------


@commitments.route("")
class Commitments(MethodView):
    @commitments.arguments(CommitmentQuerySchema, location="query")
    @commitments.response(200, CommitmentSchema(many=True))
    @commitments.paginate(SelectPage, **PAGING)
    def get(self, filters: dict[str, Any], code: str) -> sa.Select[tuple[Commitment]]:
        """List the promises made at a project's meetings

        Open ones first, by due date. ``status`` and ``case_id`` filter; ``overdue=true`` keeps the
        open ones past their due date (Hanoi time)."""
        project = project_or_404(api_user(), code)
        query = sa.select(Commitment).where(Commitment.project_id == project.id)
        if "status" in filters:
            query = query.where(Commitment.status == filters["status"])
        if "case_id" in filters:
            query = query.where(Commitment.case_id == filters["case_id"])
        if "overdue" in filters:
            overdue = sa.and_(Commitment.status == CommitmentStatus.OPEN, Commitment.due_on < local_today())
            query = query.where(overdue if filters["overdue"] else sa.not_(overdue))
        return query.order_by(Commitment.status != CommitmentStatus.OPEN, Commitment.due_on, Commitment.id)


@commitments.route(f"/<{ID}:commitment_id>/close")
class CommitmentClose(MethodView):
    @commitments.arguments(CommitmentCloseSchema)
    @commitments.response(200, CommitmentSchema)
    @commitments.alt_response(409, response="CONFLICT")
    def post(self, values: dict[str, Any], code: str, commitment_id: int) -> Commitment:
        """Close a promise: done (with what was done) or cancelled (with why)

        ``closed_on`` lies between the meeting's day and today."""
        project = project_or_404(api_user(), code)
        commitment = db.session.get(Commitment, commitment_id)
        if commitment is None or commitment.project_id != project.id:
            fail(404, _("Không có cam kết này."))
        return saved(lambda: meeting_service.close_commitment(
            commitment, values["status"], values["closed_on"], values["outcome"], local_today(),
            expected_version=values.get("version"),
        ))


# --- balance of interests -----------------------------------------------------------------------


@balance.route(f"/cases/<{ID}:case_id>/balance")
class CaseBalanceResource(MethodView):
    @balance.response(200, CaseBalanceSchema)
    def get(self, code: str, case_id: int) -> Any:
        """The balance of interests of a case

        Budget share, the latest offer, the household's latest stated demand, what was paid, the
        gap between demand and offer (đồng and per cent of the offer), and where the household
        stood at its latest meeting. Money is whole đồng."""
        project = project_or_404(api_user(), code)
        case = case_or_404(project, case_id)
        return case_balances(project, [case.id])[case.id]


@balance.route(f"/cases/<{ID}:case_id>/offers")
class CaseOffers(MethodView):
    @balance.response(200, OfferVersionSchema(many=True))
    def get(self, code: str, case_id: int) -> list[Any]:
        """The offer to a case, version by version

        First to latest, each with its basis and its change from the version before."""
        case = case_or_404(project_or_404(api_user(), code), case_id)
        return case_balance_service.offer_versions(case)

    @balance.arguments(OfferCreateSchema)
    @balance.response(201, OfferVersionSchema)
    def post(self, values: dict[str, Any], code: str, case_id: int) -> Any:
        """Record a new version of the offer

        It takes the next number; earlier versions stay as they were. Its day may not be after
        today nor before the latest version's."""
        user = api_user()
        case = case_or_404(project_or_404(user, code), case_id)
        offer = saved(lambda: case_balance_service.record_offer(
            case, values["amount"], values["offered_on"], values["basis"], user, local_today(),
        ))
        return next(v for v in case_balance_service.offer_versions(case) if v.id == offer.id)


@balance.route(f"/cases/<{ID}:case_id>/payments")
class CasePayments(MethodView):
    @balance.response(200, PaymentSchema(many=True))
    def get(self, code: str, case_id: int) -> list[Any]:
        """The payments to a case, with the running total

        In the order they were paid; reversals are negative lines."""
        case = case_or_404(project_or_404(api_user(), code), case_id)
        return case_balance_service.payments_of(case)

    @balance.arguments(PaymentCreateSchema)
    @balance.response(201, PaymentSchema)
    def post(self, values: dict[str, Any], code: str, case_id: int) -> Any:
        """Record a payment, or reverse one paid in error

        A reversal is a negative amount with its reason in ``note``; the total paid may not fall
        below zero. Payments are never edited or deleted."""
        user = api_user()
        case = case_or_404(project_or_404(user, code), case_id)
        payment = saved(lambda: case_balance_service.record_payment(
            case, values["amount"], values["paid_on"], values.get("document", ""), values.get("note", ""), user,
            local_today(),
        ))
        return next(line for line in case_balance_service.payments_of(case) if line.id == payment.id)


@balance.route("/balance")
class ProjectBalanceResource(MethodView):
    @balance.response(200, ProjectBalanceSchema)
    def get(self, code: str) -> Any:
        """The balance of interests of a project

        The approved budget against the sum of the current offers, the households' latest stated
        demands (and what those households are offered) and what has been paid; where the
        households stand; the area handed over; and the monthly series from the first offer,
        meeting or payment to today. Money is whole đồng; percentages are decimal strings."""
        project = project_or_404(api_user(), code)
        return project_balance_service.project_balance(project, local_today())


# --- hotspots -----------------------------------------------------------------------------------


@hotspots.route("")
class Hotspots(MethodView):
    @hotspots.arguments(HotspotQuerySchema, location="query")
    @hotspots.response(200, HotspotSchema(many=True))
    def get(self, filters: dict[str, Any], code: str) -> list[Any]:
        """The cases of a project ranked by hotspot risk

        Each case's score is the sum of the weights of the risk factors that apply to it (large
        gap, meetings without progress, no contact, overdue promises, pending complaint, vulnerable
        household, refused inventory; the weights are the risk-factor table's), its level follows
        from the score, and every factor that counts comes with the facts in words. Highest score
        first; ``level`` keeps one level."""
        project = project_or_404(api_user(), code)
        ranked = hotspot_service.project_hotspots(project, local_today())
        if "level" in filters:
            ranked = [hotspot for hotspot in ranked if hotspot.level == filters["level"]]
        return ranked


# --- disputes -----------------------------------------------------------------------------------


def _dispute_body(case: Case) -> dict[str, Any]:
    dispute = dispute_service.dispute_of(case, today=local_today())
    return {
        "case_id": case.id, "status": dispute.status, "reason": dispute.reason, "overridden": dispute.overridden,
        "derived_status": dispute.derived_status, "derived_reason": dispute.derived_reason, "ruling": dispute.ruling,
        "rulings": dispute_service.rulings_of(case),
    }


@disputes.route(f"/cases/<{ID}:case_id>/dispute")
class CaseDispute(MethodView):
    @disputes.response(200, DisputeSchema)
    def get(self, code: str, case_id: int) -> dict[str, Any]:
        """The dispute status of a case, and why

        The status that stands (a team lead's ruling, else the one the case's record gives), the
        derived status with its reason, and every ruling."""
        return _dispute_body(case_or_404(project_or_404(api_user(), code), case_id))

    @disputes.arguments(DisputeSetSchema)
    @disputes.response(200, DisputeSchema)
    @disputes.alt_response(403, response="FORBIDDEN")
    def put(self, values: dict[str, Any], code: str, case_id: int) -> dict[str, Any]:
        """Set the dispute status of a case by hand (team leads)

        With the reason. ``status`` null hands the case back to the status its record gives.
        Only a team lead or an administrator may: others are answered 403. Every ruling is kept."""
        user = api_user()
        case = case_or_404(project_or_404(user, code), case_id)
        try:
            saved(lambda: dispute_service.set_dispute_status(case, values["status"], values["reason"], user))
        except dispute_service.DisputeNotAllowed as refused:
            fail(403, refused.message)
        return _dispute_body(case)


@disputes.route("/disputes")
class ProjectDisputes(MethodView):
    @disputes.arguments(DisputeQuerySchema, location="query")
    @disputes.response(200, DisputeLineSchema(many=True))
    def get(self, filters: dict[str, Any], code: str) -> list[dict[str, Any]]:
        """The dispute status of every case of a project

        By case code; ``status`` keeps one status, ``overridden=true`` the cases a team lead ruled
        on."""
        project = project_or_404(api_user(), code)
        found = dispute_service.disputes(project, today=local_today())
        cases = db.session.execute(
            sa.select(Case.id, Case.code, Party.name).join(Party, Party.id == Case.party_id).where(Case.project_id == project.id)
        ).all()
        lines = []
        for case_id, case_code, party_name in sorted(cases, key=lambda row: (len(row.code), row.code)):
            dispute = found[case_id]
            if "status" in filters and dispute.status != filters["status"]:
                continue
            if "overridden" in filters and dispute.overridden != filters["overridden"]:
                continue
            lines.append({
                "case_id": case_id, "case_code": case_code, "party_name": party_name, "status": dispute.status,
                "reason": dispute.summary, "overridden": dispute.overridden, "derived_status": dispute.derived_status,
            })
        return lines
