"""Bodies and query strings of the dialogue API (marshmallow): meetings and their minutes,
commitments, and the balance of interests of a case.

The conventions of ``clearance.api.schemas`` hold: money is whole đồng (integer), dates are ISO
(yyyy-mm-dd), moments are ISO 8601 with their offset, unknown fields are refused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from clearance.api.schemas import MAX_ID, MAX_MONEY, Amount, ApiSchema, QuerySchema, enum, money, row_id, text
from clearance.formatting import LOCAL_TZ
from clearance.workflow.statuses import (
    AttendeeSide,
    CaseStatus,
    CommitmentStatus,
    ConcernCategory,
    DisputeStatus,
    MeetingKind,
    Position,
    RiskLevel,
)


def local_today() -> date:
    """Today in Hanoi: a promise is overdue from the day after its due date there."""
    return datetime.now(LOCAL_TZ).date()


def moment(**kwargs: Any) -> fields.AwareDateTime:
    """A moment with its offset (2026-11-20T09:30:00+07:00); a naive one is refused, since
    the server cannot know which clock the phone was on."""
    metadata = {"example": "2026-11-20T09:30:00+07:00", **kwargs.pop("metadata", {})}
    return fields.AwareDateTime(
        error_messages={
            "invalid": _l("Ngày giờ không hợp lệ: ghi theo ISO 8601, ví dụ 2026-11-20T09:30:00+07:00."),
            "invalid_awareness": _l("Ghi cả múi giờ, ví dụ 2026-11-20T09:30:00+07:00."),
        },
        metadata=metadata,
        **kwargs,
    )


def dong(description: str, **kwargs: Any) -> fields.Integer:
    """Whole đồng (``schemas.money``) with what the sum is."""
    field = money(**kwargs)
    field.metadata = {**field.metadata, "description": f"{description} Whole đồng (VND)."}
    return field


def percent_field(description: str, example: str = "18.8") -> fields.Decimal:
    """A percentage to one decimal, as a decimal string (never a float); null when undefined."""
    return fields.Decimal(
        as_string=True, allow_none=True,
        metadata={"type": "string", "format": "decimal", "example": example, "description": description},
    )


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def version_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(min=1, max=MAX_ID, error=_l("Phiên bản không hợp lệ.")), **kwargs
    )


def _is_overdue(commitment: Any) -> bool:
    return bool(commitment.status == CommitmentStatus.OPEN and commitment.due_on < local_today())


# --- the minutes, as sent -----------------------------------------------------------------------


class MeetingHouseholdInSchema(ApiSchema):
    """A household at the meeting (by its case), and where it stood afterwards."""

    case_id = row_id(required=True, metadata={"description": "A case of this project."})
    position = enum(Position, load_default=Position.NO_ANSWER, metadata={"description": "Ý kiến của hộ."})
    demand = dong("Mức hộ đề nghị; null when none was named.", allow_none=True, load_default=None)
    refused_inventory = fields.Boolean(
        load_default=False, metadata={"description": "Không hợp tác điều tra, kiểm đếm (Art. 88)."}
    )


class AttendeeInSchema(ApiSchema):
    side = enum(AttendeeSide, required=True, metadata={"description": "Thành phần: who they speak for."})
    name = text(200, required=True)
    role = text(200, metadata={"description": "Chức vụ, or relation to the household head."})


class ConcernInSchema(ApiSchema):
    """Tâm tư, nguyện vọng: what was raised, and the answer given."""

    case_id = row_id(allow_none=True, metadata={"description": "The household that raised it; null for the group."})
    category = enum(ConcernCategory, required=True)
    words = text(10000, metadata={"description": "In the household's own words."})
    answer = text(10000)


class CommitmentInSchema(ApiSchema):
    """Cam kết: a promise made at the meeting."""

    case_id = row_id(allow_none=True, metadata={"description": "The household it was made to; null for the group."})
    what = text(10000, required=True)
    responsible = text(200, required=True, metadata={"description": "Người chịu trách nhiệm."})
    due_on = fields.Date(required=True, metadata={"description": "Hạn thực hiện, not before the meeting."})


class CommitmentAmendSchema(CommitmentInSchema):
    id = row_id(metadata={"description": "A commitment already in the minutes: it keeps its identity. "
                                         "Without it the promise is new."})


class MeetingCreateSchema(ApiSchema):
    """Biên bản: the whole minutes of a meeting with one household or many."""

    kind = enum(MeetingKind, required=True)
    held_at = moment(required=True, metadata={"description": "When the meeting was held, with its offset."})
    place = text(300)
    answers = text(10000, metadata={"description": "Nội dung đã giải đáp."})
    next_step = text(10000, metadata={"description": "Bước tiếp theo."})
    notes = text(10000)
    households = fields.List(
        fields.Nested(MeetingHouseholdInSchema), required=True,
        validate=validate.Length(min=1, error=_l("Chọn ít nhất một hộ dự cuộc gặp.")),
    )
    attendees = fields.List(fields.Nested(AttendeeInSchema), load_default=list)
    concerns = fields.List(fields.Nested(ConcernInSchema), load_default=list)
    commitments = fields.List(fields.Nested(CommitmentInSchema), load_default=list)


class MeetingAmendSchema(MeetingCreateSchema):
    """Sửa biên bản: the whole minutes as they should read, with the reason and the ``version``
    that was read. Commitments sent with their ``id`` are updated; open ones left out are
    cancelled with the reason."""

    commitments = fields.List(fields.Nested(CommitmentAmendSchema), load_default=list)
    reason = text(4000, required=True, metadata={"description": "Lý do sửa, kept with the revision."})
    version = version_field(
        required=True, metadata={"description": "The meeting's version as read; a later one answers 409."}
    )


class MeetingQuerySchema(QuerySchema):
    kind = enum(MeetingKind)
    case_id = row_id(strict=False, metadata={"description": "Only meetings this case's household attended."})
    since = fields.Date(metadata={"description": "Held on or after this day (Hanoi time)."})
    until = fields.Date(metadata={"description": "Held on or before this day (Hanoi time)."})

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ma.ValidationError(_l("Ngày bắt đầu phải trước ngày kết thúc."), "until")


class AttachmentUploadSchema(ApiSchema):
    file = Upload(required=True, metadata={"description": "PDF, JPEG, PNG, WebP or HEIC (checked by content)."})


# --- the minutes, as answered ---------------------------------------------------------------------


class MeetingHouseholdSchema(ma.Schema):
    case_id = fields.Integer()
    case_code = fields.String(attribute="case.code")
    party_name = fields.String(attribute="case.party.name")
    position = enum(Position)
    demand = money(allow_none=True)
    refused_inventory = fields.Boolean()


class AttendeeSchema(ma.Schema):
    side = enum(AttendeeSide)
    name = fields.String()
    role = fields.String()


class ConcernSchema(ma.Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    category = enum(ConcernCategory)
    words = fields.String()
    answer = fields.String()


class CommitmentSchema(ma.Schema):
    """Cam kết: a to-do item until it is done or cancelled."""

    id = fields.Integer()
    meeting_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    what = fields.String()
    responsible = fields.String()
    due_on = fields.Date()
    status = enum(CommitmentStatus)
    overdue = fields.Function(
        _is_overdue, metadata={"type": "boolean", "description": "Still open after its due date (Hanoi time)."}
    )
    closed_on = fields.Date(allow_none=True)
    outcome = fields.String(metadata={"description": "What was done, or why it was cancelled."})
    version = fields.Integer(metadata={"description": "Send it back when closing, to detect concurrent edits."})


class AttachmentSchema(ma.Schema):
    """A scan or photo of the signed minutes (metadata; GET …/attachments/{attachment_id} for the file)."""

    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "Bytes."})
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    uploaded_by = fields.String()


class RevisionSchema(ma.Schema):
    """One version of the minutes: 1 is the original, each later one an amendment."""

    number = fields.Integer()
    actor = fields.String()
    at = fields.DateTime()
    reason = fields.String(metadata={"description": "Lý do sửa; empty for the original."})


class RevisionSnapshotSchema(RevisionSchema):
    snapshot = fields.Dict(metadata={
        "description": "The minutes exactly as they read in this version: kind, held_at, place, answers, "
                       "next_step, notes, households, attendees, concerns, commitments.",
    })


class MeetingSummarySchema(ma.Schema):
    """A meeting in a list."""

    id = fields.Integer()
    kind = enum(MeetingKind)
    held_at = fields.DateTime()
    place = fields.String()
    recorded_by = fields.String()
    revision = fields.Integer(metadata={"description": "Number of the current revision (1: never amended)."})
    households = fields.Nested(MeetingHouseholdSchema, many=True)


class MeetingSchema(MeetingSummarySchema):
    """Biên bản: the minutes as they read now, with their revisions."""

    project_id = fields.Integer()
    answers = fields.String()
    next_step = fields.String()
    notes = fields.String()
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back with an amendment to detect concurrent edits."})
    attendees = fields.Nested(AttendeeSchema, many=True)
    concerns = fields.Nested(ConcernSchema, many=True)
    commitments = fields.Nested(CommitmentSchema, many=True)
    attachments = fields.Nested(AttachmentSchema, many=True)
    revisions = fields.Nested(RevisionSchema, many=True)


# --- commitments ----------------------------------------------------------------------------------


class CommitmentQuerySchema(QuerySchema):
    status = enum(CommitmentStatus)
    overdue = fields.Boolean(metadata={"description": "true: open and past due (Hanoi time); false: the others."})
    case_id = row_id(strict=False)


class CommitmentCloseSchema(ApiSchema):
    """Khép cam kết: done (what was done) or cancelled (why)."""

    status = enum(CommitmentStatus, required=True, metadata={"description": "done or cancelled."})
    closed_on = fields.Date(required=True, metadata={"description": "From the meeting's day to today."})
    outcome = text(10000, required=True)
    version = version_field(metadata={"description": "The commitment's version as read; a later one answers 409."})


# --- balance of interests ---------------------------------------------------------------------------


class CaseBalanceSchema(ma.Schema):
    """Cân đối lợi ích of a case: the money on the table side by side."""

    case_id = fields.Integer()
    status = enum(CaseStatus)
    recovered_area = Amount(metadata={"description": "m² recovered, by the case's shares of its parcels."})
    budget_share = dong("Phần kinh phí: the approved budget apportioned by recovered area; null without a budget.",
                        allow_none=True)
    offer = dong("Giá trị bồi thường đề nghị, latest version.", allow_none=True)
    offer_number = fields.Integer(allow_none=True, metadata={"description": "Number of that offer version."})
    demand = dong("Mức hộ đề nghị at its latest meeting naming one.", allow_none=True)
    paid = dong("Đã chi trả, reversals deducted.")
    unpaid = fields.Integer(allow_none=True, metadata={"description": "Offer less paid, whole đồng."})
    gap = fields.Integer(allow_none=True, metadata={"description": "Demand minus offer, whole đồng (positive: "
                                                                  "the household asks for more)."})
    gap_percent = percent_field("The gap as a share of the offer, per cent to one decimal.")
    position = enum(Position, allow_none=True, metadata={"description": "Ý kiến của hộ at its latest meeting."})
    last_met_at = fields.DateTime(allow_none=True)
    meetings = fields.Integer(metadata={"description": "Meetings the household attended."})


class PositionCountsSchema(ma.Schema):
    """Cases by the household's position at its latest meeting."""

    agrees = fields.Integer()
    partly = fields.Integer()
    disagrees = fields.Integer()
    no_answer = fields.Integer()
    not_met = fields.Integer(metadata={"description": "Never met."})
    total = fields.Integer()


class MonthPointSchema(ma.Schema):
    """The project's balance as it stood at the end of a month (on ``as_of`` for this month)."""

    month = fields.Date(metadata={"description": "First day of the month."})
    as_of = fields.Date()
    offered = dong("Sum of the offers in force.")
    demanded = dong("Sum of each household's latest stated demand.")
    paid = dong("Paid to date, reversals deducted.")
    positions = fields.Nested(PositionCountsSchema)


class ProjectBalanceSchema(ma.Schema):
    """Cân đối lợi ích của dự án: budget, offers, demands and payments side by side, positions,
    area handed over, and the monthly series."""

    budget = dong("Kinh phí được duyệt; null until the project has one.", allow_none=True)
    cases = fields.Integer()
    offered = dong("Sum of the current offers.")
    offered_cases = fields.Integer(metadata={"description": "Cases with an offer."})
    offered_percent_of_budget = fields.Function(
        lambda b: _decimal_text(b.percent_of_budget(b.offered)),
        metadata={"type": "string", "format": "decimal", "nullable": True, "description": "Per cent, one decimal."},
    )
    demanded = dong("Sum of the households' latest stated demands.")
    demanded_cases = fields.Integer(metadata={"description": "Households that named a figure."})
    compared_cases = fields.Integer(metadata={"description": "Households that named a figure and have an offer."})
    demanded_with_offer = dong("What those households ask for.")
    offered_to_demanding = dong("What those same households are offered.")
    demand_gap = fields.Integer(allow_none=True, metadata={
        "description": "Demanded minus offered to the same households, whole đồng."})
    demand_gap_percent = percent_field("The demand gap as a share of what those households are offered.")
    paid = dong("Paid, reversals deducted.")
    paid_percent_of_budget = fields.Function(
        lambda b: _decimal_text(b.percent_of_budget(b.paid)),
        metadata={"type": "string", "format": "decimal", "nullable": True, "description": "Per cent, one decimal."},
    )
    positions = fields.Nested(PositionCountsSchema)
    recovered_area = Amount(metadata={"description": "Diện tích thu hồi, m²."})
    handed_over_area = Amount(metadata={"description": "m² whose cases are handed over."})
    remaining_area = Amount()
    handed_over_percent = percent_field("Share of the recovered area handed over.")
    series = fields.Nested(MonthPointSchema, many=True)


class HotspotReasonSchema(ma.Schema):
    """A risk factor that counts for the case, its points and the facts in words."""

    code = fields.String(metadata={"description": "Factor code: gap, stalled, no_contact, overdue_commitments, "
                                                  "complaint_pending, vulnerable, refused_inventory."})
    label = fields.String()
    points = fields.Integer()
    text = fields.String()


class HotspotSchema(ma.Schema):
    """Điểm nóng: a case with its risk score, level and reasons."""

    case_id = fields.Integer()
    case_code = fields.String()
    party_name = fields.String()
    status = enum(CaseStatus)
    score = fields.Integer(metadata={"description": "Sum of the weights of the factors that apply."})
    level = enum(RiskLevel)
    reasons = fields.Nested(HotspotReasonSchema, many=True)


class HotspotQuerySchema(QuerySchema):
    level = enum(RiskLevel, metadata={"description": "Only this level; without it every case, highest score first."})


# --- offers and payments ----------------------------------------------------------------------------


class OfferVersionSchema(ma.Schema):
    """Giá trị bồi thường, hỗ trợ đề nghị: one version of the offer to a case."""

    id = fields.Integer()
    number = fields.Integer(metadata={"description": "1 for the first version, +1 for each later one."})
    amount = dong("The total offered.")
    offered_on = fields.Date()
    basis = fields.String(metadata={"description": "Căn cứ, or what changed from the previous version."})
    actor = fields.String()
    recorded_at = fields.DateTime()
    change = fields.Integer(allow_none=True, metadata={
        "description": "Amount minus the previous version's, whole đồng; null for the first."})
    change_percent = percent_field("The change as a share of the previous version, per cent.", example="5.3")


class OfferCreateSchema(ApiSchema):
    """A new version of the offer; earlier versions are never edited."""

    amount = dong("The total offered.", required=True)
    offered_on = fields.Date(required=True, metadata={"description": "Not after today, nor before the latest version's day."})
    basis = text(10000, required=True, metadata={"description": "Căn cứ, or what changed from the previous version."})


class PaymentSchema(ma.Schema):
    """Chi trả: a payment, or (negative) the reversal of one paid in error."""

    id = fields.Integer()
    paid_on = fields.Date()
    amount = fields.Integer(metadata={"description": "Whole đồng; negative for a reversal."})
    document = fields.String(metadata={"description": "Số chứng từ."})
    note = fields.String()
    actor = fields.String()
    recorded_at = fields.DateTime()
    running_total = fields.Integer(metadata={"description": "Paid so far, this line included, whole đồng."})
    is_reversal = fields.Boolean()


class PaymentCreateSchema(ApiSchema):
    """A payment (positive), or the reversal of one paid in error (negative, with the reason in
    ``note``). The total paid never falls below zero."""

    amount = fields.Integer(
        required=True, strict=True,
        validate=validate.Range(min=-MAX_MONEY, max=MAX_MONEY, error=_l("Số tiền (đồng) phải từ {min} đến {max}.")),
        metadata={"description": "Whole đồng, not 0; negative for a reversal.", "example": 1000000000},
    )
    paid_on = fields.Date(required=True, metadata={"description": "Not after today."})
    document = text(100, metadata={"description": "Số chứng từ."})
    note = text(10000, metadata={"description": "Required for a reversal: why."})


# --- disputes -----------------------------------------------------------------------------------------


class RulingSchema(ma.Schema):
    """A team lead's ruling on a case's dispute status; a null status handed it back to the derived one."""

    status = enum(DisputeStatus, allow_none=True)
    reason = fields.String()
    actor = fields.String()
    at = fields.DateTime()


class DisputeSchema(ma.Schema):
    """Tình trạng vướng mắc of a case: the one that stands, and the one its record gives."""

    case_id = fields.Integer()
    status = enum(DisputeStatus, metadata={"description": "The status that stands: the ruling's, else the derived one."})
    reason = fields.String(metadata={"description": "Why, in words."})
    overridden = fields.Boolean(metadata={"description": "Set by a team lead (a ruling stands)."})
    derived_status = enum(DisputeStatus, metadata={"description": "What the case's record gives."})
    derived_reason = fields.String()
    ruling = fields.Nested(RulingSchema, allow_none=True, metadata={"description": "The ruling that stands, if any."})
    rulings = fields.Nested(RulingSchema, many=True, metadata={"description": "Every ruling, newest first."})


class DisputeLineSchema(ma.Schema):
    """A case in the project's dispute list."""

    case_id = fields.Integer()
    case_code = fields.String()
    party_name = fields.String()
    status = enum(DisputeStatus)
    reason = fields.String(metadata={"description": "Why; a ruling says it was set by a team lead, by whom and when."})
    overridden = fields.Boolean()
    derived_status = enum(DisputeStatus)


class DisputeSetSchema(ApiSchema):
    """A team lead sets the dispute status by hand, or (``status`` null) hands the case back to the
    status its record gives; always with the reason."""

    status = enum(DisputeStatus, required=True, allow_none=True)
    reason = text(4000, required=True)


class DisputeQuerySchema(QuerySchema):
    status = enum(DisputeStatus)
    overridden = fields.Boolean(metadata={"description": "true: only the cases a team lead ruled on."})
