"""The balance of interests of one case, in detail: the offer by version with what changed, the
payments, and how the gap between the household's demand and the offer moved over the meetings.

Offers and payments are legal records: a new offer is a new version (the earlier ones stay as
they were) and a payment made in error is reversed by a negative entry with its reason. Nothing
here edits or deletes either. The figures at a glance (budget share, current offer, latest
demand, paid) come from ``clearance.services.balance.case_balances``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, money, vndate
from clearance.models import Case, CompensationOffer, Payment, User
from clearance.services.balance import CaseBalance
from clearance.services.errors import FieldError
from clearance.services.meetings import MeetingLine, meetings_of_case
from clearance.workflow.statuses import MeetingKind, Position

#: The largest amount stored: the column is a signed 64-bit integer; forms stop far below.
MAX_AMOUNT = 2**53 - 1


def _actor(user: User | None) -> str:
    return "cli" if user is None else (user.full_name or user.username)


def _local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _gap(offer: int | None, demand: int | None) -> tuple[int | None, Decimal | None]:
    """Demand minus offer and its share of the offer, exactly as ``CaseBalance`` rounds it."""
    figures = CaseBalance(case_id=0, status=None, offer=offer, demand=demand)  # type: ignore[arg-type]
    return figures.gap, figures.gap_percent


# --- offers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferVersion:
    """One version of the offer and how it differs from the one before."""

    id: int
    number: int
    amount: int
    offered_on: date
    #: Căn cứ / what changed.
    basis: str
    actor: str
    recorded_at: datetime
    #: Amount minus the previous version's (None for the first).
    change: int | None
    change_percent: Decimal | None


def offer_versions(case: Case) -> list[OfferVersion]:
    """The case's offer versions, first to latest, in one query."""
    rows = db.session.scalars(
        sa.select(CompensationOffer).where(CompensationOffer.case_id == case.id).order_by(CompensationOffer.number)
    ).all()
    versions: list[OfferVersion] = []
    previous: int | None = None
    for row in rows:
        change, change_percent = _gap(previous, row.amount) if previous is not None else (None, None)
        versions.append(
            OfferVersion(
                row.id, row.number, row.amount, row.offered_on, row.basis, row.actor, row.recorded_at, change, change_percent
            )
        )
        previous = row.amount
    return versions


def record_offer(
    case: Case, amount: int | None, offered_on: date | None, basis: str, user: User | None, today: date | None = None,
    submission_key: str | None = None,
) -> CompensationOffer:
    """Ghi phiên bản đề nghị mới: the next number, with its basis (what changed). Earlier versions
    are never edited. The same form sent twice (``submission_key``) records one version."""
    if submission_key:
        recorded = db.session.scalar(
            sa.select(CompensationOffer).where(CompensationOffer.submission_key == submission_key, CompensationOffer.case_id == case.id)
        )
        if recorded is not None:
            return recorded
    today = today or _local_today()
    if amount is None:
        raise FieldError("amount", _("Ghi giá trị bồi thường, hỗ trợ đề nghị (đồng)."))
    if not isinstance(amount, int) or amount < 0:
        raise FieldError("amount", _("Giá trị đề nghị phải là số nguyên đồng, không âm."))
    if amount > MAX_AMOUNT:
        raise FieldError("amount", _("Số tiền quá lớn."))
    if offered_on is None:
        raise FieldError("offered_on", _("Ghi ngày đề nghị."))
    if offered_on > today:
        raise FieldError("offered_on", _("Ngày đề nghị không được sau hôm nay."))
    basis = (basis or "").strip()
    if not basis:
        raise FieldError("basis", _("Ghi căn cứ, hoặc điều gì thay đổi so với phiên bản trước."))
    last = db.session.execute(
        sa.select(CompensationOffer.number, CompensationOffer.offered_on)
        .where(CompensationOffer.case_id == case.id)
        .order_by(CompensationOffer.number.desc())
        .limit(1)
    ).first()
    if last is not None and offered_on < last.offered_on:
        raise FieldError(
            "offered_on",
            _("Ngày đề nghị không được trước ngày của phiên bản %(n)s (%(day)s).", n=last.number, day=vndate(last.offered_on)),
        )
    offer = CompensationOffer(
        case_id=case.id, number=(last.number + 1) if last is not None else 1, amount=amount, offered_on=offered_on,
        basis=basis, user_id=user.id if user else None, actor=_actor(user), submission_key=submission_key or None,
    )
    db.session.add(offer)
    db.session.flush()
    return offer


# --- payments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    id: int
    paid_on: date
    amount: int
    document: str
    note: str
    actor: str
    recorded_at: datetime
    #: Paid so far, this line included.
    running_total: int

    @property
    def is_reversal(self) -> bool:
        return self.amount < 0


def payments_of(case: Case) -> list[PaymentLine]:
    """The case's payments and reversals in the order they happened, with the running total."""
    rows = db.session.scalars(
        sa.select(Payment).where(Payment.case_id == case.id).order_by(Payment.paid_on, Payment.id)
    ).all()
    lines, total = [], 0
    for row in rows:
        total += row.amount
        lines.append(PaymentLine(row.id, row.paid_on, row.amount, row.document, row.note, row.actor, row.recorded_at, total))
    return lines


def record_payment(
    case: Case, amount: int | None, paid_on: date | None, document: str, note: str, user: User | None,
    today: date | None = None, submission_key: str | None = None,
) -> Payment:
    """Ghi chi trả: a payment (positive) or the reversal of one paid in error (negative, with the
    reason in ``note``). The total paid may never fall below zero. The same form sent twice
    (``submission_key``) records one payment: money is not paid twice by a double tap."""
    if submission_key:
        recorded = db.session.scalar(
            sa.select(Payment).where(Payment.submission_key == submission_key, Payment.case_id == case.id)
        )
        if recorded is not None:
            return recorded
    today = today or _local_today()
    note = (note or "").strip()
    document = (document or "").strip()
    if amount is None or amount == 0:
        raise FieldError("amount", _("Ghi số tiền chi trả (đồng), khác 0."))
    if not isinstance(amount, int) or abs(amount) > MAX_AMOUNT:
        raise FieldError("amount", _("Số tiền phải là số nguyên đồng."))
    if paid_on is None:
        raise FieldError("paid_on", _("Ghi ngày chi trả."))
    if paid_on > today:
        raise FieldError("paid_on", _("Ngày chi trả không được sau hôm nay."))
    if len(document) > 100:
        raise FieldError("document", _("Số chứng từ tối đa 100 ký tự."))
    if amount < 0:
        if not note:
            raise FieldError("note", _("Khoản âm là hoàn lại một khoản đã chi nhầm: ghi lý do."))
        paid = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(Payment.case_id == case.id))
        if int(paid) + amount < 0:
            raise FieldError(
                "amount",
                _("Chỉ hoàn lại được tối đa số đã chi trả (%(paid)s); tổng đã chi trả không được âm.", paid=money(int(paid))),
            )
    payment = Payment(
        case_id=case.id, paid_on=paid_on, amount=amount, document=document, note=note,
        user_id=user.id if user else None, actor=_actor(user), submission_key=submission_key or None,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


# --- how the gap moved -------------------------------------------------------------------------


@dataclass(frozen=True)
class MovementPoint:
    """At one meeting: the offer in force that day, the latest demand stated so far, the gap."""

    meeting_id: int
    held_at: datetime
    kind: MeetingKind
    position: Position
    offer: int | None
    offer_number: int | None
    demand: int | None
    #: Stated at this meeting (not carried from an earlier one).
    demand_stated: bool
    gap: int | None
    gap_percent: Decimal | None

    @property
    def day(self) -> date:
        return self.held_at.astimezone(LOCAL_TZ).date()


def movement(case: Case, versions: list[OfferVersion] | None = None, meetings: list[MeetingLine] | None = None) -> list[MovementPoint]:
    """The gap at each of the case's meetings, oldest first. Pass what the page has already read
    (``offer_versions``, ``meetings_of_case``) to read nothing more."""
    versions = offer_versions(case) if versions is None else versions
    meetings = meetings_of_case(case) if meetings is None else meetings
    by_day = sorted(versions, key=lambda v: (v.offered_on, v.number))
    points: list[MovementPoint] = []
    demand: int | None = None
    for line in sorted(meetings, key=lambda m: (m.held_at, m.meeting_id)):
        day = line.held_at.astimezone(LOCAL_TZ).date()
        in_force = None
        for version in by_day:
            if version.offered_on <= day:
                in_force = version
        if line.demand is not None:
            demand = line.demand
        offer = in_force.amount if in_force else None
        gap, gap_percent = _gap(offer, demand)
        points.append(
            MovementPoint(
                line.meeting_id, line.held_at, line.kind, line.position, offer, in_force.number if in_force else None,
                demand, line.demand is not None, gap, gap_percent,
            )
        )
    return points
