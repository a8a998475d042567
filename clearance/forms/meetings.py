"""The meeting form (biên bản cuộc gặp): one HTML form, two screens on a phone.

The minutes' own fields (kind, date and time, place, answers, next step, notes, the reason of an
amendment) are WTForms fields. The repeated parts — the households and what each raised, the
attendees, the commitments — have as many rows as the officer adds, so ``MeetingEntries`` reads
them from the posted form by name, keeps every typed text (a refused save must lose nothing),
and turns them into the values ``services.meetings.record_meeting`` expects.

Names in the form:

- ``case_ids`` (several): the households at the meeting;
- ``hh-<case>-position``, ``hh-<case>-demand``, ``hh-<case>-refused_inventory``: each household's
  position afterwards, the amount it asked for, whether it refuses the inventory;
- ``cc-<scope>`` (several: the categories raised), ``cc-<scope>-<category>-words`` and
  ``-answer``: the concerns, where ``<scope>`` is a case id or ``all`` (the group as a whole);
- ``attendees-<n>-side|name|role`` and ``commitments-<n>-id|case|what|responsible|due_on``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from clearance.forms.base import Form
from clearance.forms.fields import MAX_MONEY, VNDateField, strip_filter
from clearance.workflow.statuses import AttendeeSide, CommitmentStatus, ConcernCategory, Position

F = [strip_filter]
REQUIRED = _l("Trường này bắt buộc.")

#: Rows shown for the repeated parts when nothing is typed yet (JS adds more with "Thêm").
MIN_ATTENDEE_ROWS = 3
MIN_COMMITMENT_ROWS = 2
#: The scope of a concern raised by the group as a whole.
GROUP = "all"
#: No form has more rows than this; a larger index is ignored (a forged post, not a user).
MAX_ROWS = 200


class _TimeField(TimeField):
    """hh:mm (a phone's time picker sends that; some send seconds too). Empty is left to the
    validators, so an empty time gets one message, not two."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata([valuelist[0].strip()])


class MeetingForm(Form):
    kind = RadioField(_l("Loại cuộc gặp"), validators=[InputRequired(_l("Chọn loại cuộc gặp."))])
    held_on = VNDateField(_l("Ngày gặp"), validators=[InputRequired(REQUIRED)])
    held_time = _TimeField(
        _l("Giờ gặp"), format=["%H:%M", "%H:%M:%S"], validators=[InputRequired(REQUIRED)],
        invalid_value_message=_l("Giờ ghi theo dạng hh:mm, ví dụ 08:30."),
    )
    place = StringField(_l("Địa điểm"), filters=F, validators=[Optional(), Length(max=300)])
    answers = TextAreaField(_l("Nội dung đã giải đáp chung"), filters=F, validators=[Optional(), Length(max=20000)])
    next_step = TextAreaField(_l("Bước tiếp theo"), filters=F, validators=[Optional(), Length(max=4000)])
    notes = TextAreaField(_l("Ghi chú khác"), filters=F, validators=[Optional(), Length(max=10000)])
    reason = TextAreaField(_l("Lý do sửa"), filters=F, validators=[Optional(), Length(max=4000)])
    version = HiddenField()
    #: One-time key of the form shown (a new meeting): sent twice, it records once.
    submission_key = HiddenField(default=lambda: str(uuid4()), validators=[Optional(), Length(max=36)])


# --- the repeated parts ---------------------------------------------------------------------


@dataclass
class ConcernEntry:
    """One category a household (or the group) raised: its words and the answer given."""

    category: str
    words: str = ""
    answer: str = ""


@dataclass
class HouseholdEntry:
    """A household at the meeting as typed: position, demand (as typed and as đồng), concerns."""

    case_id: int
    position: str = Position.NO_ANSWER.value
    demand_text: str = ""
    demand: int | None = None
    refused_inventory: bool = False
    #: By category, in the order of ``ConcernCategory``.
    concerns: dict[str, ConcernEntry] = field(default_factory=dict)
    error: str = ""


@dataclass
class AttendeeRow:
    side: str = ""
    name: str = ""
    role: str = ""
    error: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.name or self.role)


@dataclass
class CommitmentRow:
    id: int | None = None
    case_key: str = ""
    what: str = ""
    responsible: str = ""
    due_text: str = ""
    due_on: date | None = None
    error: str = ""

    @property
    def is_blank(self) -> bool:
        return self.id is None and not (self.what or self.responsible or self.due_text)

    @property
    def case_id(self) -> int | None:
        return int(self.case_key) if self.case_key.isdigit() else None


@dataclass
class MeetingEntries:
    """The households, concerns, attendees and commitments as the officer typed them."""

    case_ids: list[int] = field(default_factory=list)
    households: dict[int, HouseholdEntry] = field(default_factory=dict)
    group_concerns: dict[str, ConcernEntry] = field(default_factory=dict)
    attendees: list[AttendeeRow] = field(default_factory=list)
    commitments: list[CommitmentRow] = field(default_factory=list)
    #: (section, message): problems found while reading, each naming its line.
    errors: list[tuple[str, str]] = field(default_factory=list)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_formdata(cls, data: MultiDict[str, Any], cases: dict[int, str]) -> MeetingEntries:
        """Read the posted form; ``cases`` names the project's cases by id. Households not of the
        project are dropped here (the list offers only the project's); anything else wrong is
        kept as typed and reported by its line."""
        entries = cls()
        for raw in data.getlist("case_ids"):
            if raw.isdigit() and int(raw) in cases and int(raw) not in entries.case_ids:
                entries.case_ids.append(int(raw))
        for case_id in entries.case_ids:
            prefix = f"hh-{case_id}-"
            household = HouseholdEntry(
                case_id=case_id,
                position=_text(data, prefix + "position") or Position.NO_ANSWER.value,
                demand_text=_text(data, prefix + "demand"),
                refused_inventory=bool(_text(data, prefix + "refused_inventory")),
                concerns=_concerns(data, str(case_id)),
            )
            if household.demand_text:
                try:
                    household.demand = parse_money(household.demand_text)
                except ValueError as error:
                    household.error = str(error)
                    entries.errors.append(("households", f"{cases[case_id]}: {error}"))
            entries.households[case_id] = household
        entries.group_concerns = _concerns(data, GROUP)

        for index in _row_indexes(data, "attendees"):
            prefix = f"attendees-{index}-"
            row = AttendeeRow(_text(data, prefix + "side"), _text(data, prefix + "name"), _text(data, prefix + "role"))
            if not row.is_blank:
                entries.attendees.append(row)
        for number, row in enumerate(entries.attendees, start=1):
            if not row.name:
                row.error = _("Người tham dự thứ %(n)s chưa có họ tên.", n=number)
            elif row.side not in AttendeeSide.__members__.values():
                row.error = _("Người tham dự thứ %(n)s: chọn thành phần.", n=number)
            elif len(row.name) > 200 or len(row.role) > 200:
                row.error = _("Người tham dự thứ %(n)s: họ tên và chức vụ tối đa 200 ký tự.", n=number)
            if row.error:
                entries.errors.append(("attendees", row.error))

        for index in _row_indexes(data, "commitments"):
            prefix = f"commitments-{index}-"
            ident = _text(data, prefix + "id")
            row = CommitmentRow(
                id=int(ident) if ident.isdigit() else None, case_key=_text(data, prefix + "case"),
                what=_text(data, prefix + "what"), responsible=_text(data, prefix + "responsible"),
                due_text=_text(data, prefix + "due_on"),
            )
            if not row.is_blank:
                entries.commitments.append(row)
        for number, row in enumerate(entries.commitments, start=1):
            if row.due_text:
                try:
                    row.due_on = parse_date(row.due_text)
                except ValueError:
                    row.due_on = None
            if not row.what:
                row.error = _("Cam kết thứ %(n)s chưa ghi nội dung.", n=number)
            elif not row.responsible:
                row.error = _("Cam kết thứ %(n)s chưa ghi người chịu trách nhiệm.", n=number)
            elif not row.due_text:
                row.error = _("Cam kết thứ %(n)s chưa có hạn thực hiện.", n=number)
            elif row.due_on is None:
                row.error = _("Hạn của cam kết thứ %(n)s không hợp lệ: ghi theo dạng dd/mm/yyyy.", n=number)
            elif len(row.responsible) > 200:
                row.error = _("Cam kết thứ %(n)s: người chịu trách nhiệm tối đa 200 ký tự.", n=number)
            if row.case_id is not None and row.case_id not in entries.case_ids:
                row.case_key = ""  # the household was unticked: the promise stays, to the group
            if row.error:
                entries.errors.append(("commitments", row.error))
        return entries

    @classmethod
    def from_meeting(cls, meeting: Any) -> MeetingEntries:
        """The saved minutes, to be amended. Only open commitments are editable; a promise kept
        or cancelled is part of the record and is not offered again."""
        entries = cls()
        for household in meeting.households:
            entries.case_ids.append(household.case_id)
            entries.households[household.case_id] = HouseholdEntry(
                case_id=household.case_id, position=household.position.value,
                demand_text=_grouped(household.demand), demand=household.demand,
                refused_inventory=household.refused_inventory,
            )
        for concern in meeting.concerns:
            target = (
                entries.group_concerns if concern.case_id is None
                else entries.households[concern.case_id].concerns if concern.case_id in entries.households
                else None
            )
            if target is None:
                continue
            category = concern.category.value
            if category in target:  # two lines of one category (not from this form): kept, joined
                earlier = target[category]
                earlier.words = "\n\n".join(t for t in (earlier.words, concern.words) if t)
                earlier.answer = "\n\n".join(t for t in (earlier.answer, concern.answer) if t)
            else:
                target[category] = ConcernEntry(category, concern.words, concern.answer)
        for scope in [entries.group_concerns, *(h.concerns for h in entries.households.values())]:
            _order(scope)
        entries.attendees = [AttendeeRow(a.side.value, a.name, a.role) for a in meeting.attendees]
        entries.commitments = [
            CommitmentRow(
                id=c.id, case_key=str(c.case_id or ""), what=c.what, responsible=c.responsible,
                due_text=c.due_on.strftime("%d/%m/%Y"), due_on=c.due_on,
            )
            for c in meeting.commitments
            if c.status == CommitmentStatus.OPEN
        ]
        return entries

    @classmethod
    def blank(cls, case_ids: list[int], attendees: list[AttendeeRow]) -> MeetingEntries:
        entries = cls(case_ids=list(case_ids), attendees=attendees)
        entries.households = {case_id: HouseholdEntry(case_id) for case_id in case_ids}
        return entries

    # -- showing ----------------------------------------------------------------------------

    def quiet(self) -> MeetingEntries:
        """The rows without their messages: for showing the form again when no save was asked."""
        self.errors = []
        for row in [*self.attendees, *self.commitments, *self.households.values()]:
            row.error = ""
        return self

    def padded(self) -> MeetingEntries:
        """Blank rows after the typed ones, so the form without JS can take more."""
        attendees = [*self.attendees]
        attendees += [AttendeeRow(side=_blank_side(len(attendees))) for _ in range(max(1, MIN_ATTENDEE_ROWS - len(attendees)))]
        commitments = [*self.commitments]
        commitments += [CommitmentRow() for _ in range(max(1, MIN_COMMITMENT_ROWS - len(commitments)))]
        return MeetingEntries(self.case_ids, self.households, self.group_concerns, attendees, commitments, self.errors)

    # -- to the service ---------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The repeated parts of ``record_meeting``'s values."""
        concerns: list[dict[str, Any]] = []
        for case_id in self.case_ids:
            concerns += [
                {"case_id": case_id, "category": c.category, "words": c.words, "answer": c.answer}
                for c in self.households[case_id].concerns.values()
            ]
        if len(self.case_ids) > 1:
            concerns += [
                {"case_id": None, "category": c.category, "words": c.words, "answer": c.answer}
                for c in self.group_concerns.values()
            ]
        return {
            "households": [
                {
                    "case_id": case_id, "position": self.households[case_id].position,
                    "demand": self.households[case_id].demand,
                    "refused_inventory": self.households[case_id].refused_inventory,
                }
                for case_id in self.case_ids
            ],
            "attendees": [{"side": a.side, "name": a.name, "role": a.role} for a in self.attendees],
            "concerns": concerns,
            "commitments": [
                {"id": c.id, "case_id": c.case_id, "what": c.what, "responsible": c.responsible, "due_on": c.due_on}
                for c in self.commitments
            ],
        }


# --- reading helpers ------------------------------------------------------------------------


def _text(data: MultiDict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return strip_filter(value) if isinstance(value, str) else ""


def _row_indexes(data: MultiDict[str, Any], group: str) -> list[int]:
    pattern = re.compile(rf"^{group}-(\d{{1,3}})-")
    found = {int(m.group(1)) for key in data.keys() if (m := pattern.match(key))}
    return sorted(i for i in found if i < MAX_ROWS)


def _concerns(data: MultiDict[str, Any], scope: str) -> dict[str, ConcernEntry]:
    """The categories ticked for ``scope``; a category with words typed but not ticked counts too
    (the officer wrote what was said: that is the concern)."""
    prefix = f"cc-{scope}"
    ticked = set(data.getlist(prefix))
    found: dict[str, ConcernEntry] = {}
    for category in ConcernCategory:
        words = _text(data, f"{prefix}-{category.value}-words")
        answer = _text(data, f"{prefix}-{category.value}-answer")
        if category.value in ticked or words or answer:
            found[category.value] = ConcernEntry(category.value, words, answer)
    return found


def _order(concerns: dict[str, ConcernEntry]) -> None:
    ordered = {c.value: concerns[c.value] for c in ConcernCategory if c.value in concerns}
    concerns.clear()
    concerns.update(ordered)


def _blank_side(row: int) -> str:
    """A blank attendee row's side: officials first, then the household, then the ward."""
    return (AttendeeSide.OFFICIAL, AttendeeSide.HOUSEHOLD, AttendeeSide.WARD)[min(row, 2)].value


def _grouped(amount: int | None) -> str:
    from clearance.formatting import group_thousands

    return group_thousands(str(amount)) if amount is not None else ""


def parse_money(raw: str) -> int:
    """Whole đồng as typed: '5.000.000.000', '5 000 000 000', '5000000000 đ'."""
    compact = re.sub(r"[.\s]", "", raw.strip().removesuffix("đ").removesuffix("đồng").strip())
    if not compact.isdigit():
        raise ValueError(_("Mức đề nghị phải là số nguyên đồng, ví dụ 5.000.000.000 (đang ghi “%(raw)s”).", raw=raw))
    amount = int(compact)
    if amount > MAX_MONEY:
        raise ValueError(_("Mức đề nghị quá lớn (đang ghi “%(raw)s”).", raw=raw))
    return amount


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%Y")


def parse_date(raw: str) -> date:
    """A date as typed on a phone: dd/mm/yyyy (or with '-' or '.', or the 8 digits alone)."""
    text = raw.strip()
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(text)


# --- small forms of the meeting page ---------------------------------------------------------


class CommitmentCloseForm(Form):
    """Khép một cam kết: kept (done) or cancelled, on a date, with what was done or why."""

    status = RadioField(_l("Kết quả"), validators=[InputRequired(_l("Chọn kết quả: đã thực hiện hoặc hủy."))])
    closed_on = VNDateField(_l("Ngày"), validators=[InputRequired(REQUIRED)])
    outcome = TextAreaField(_l("Kết quả thực hiện hoặc lý do hủy"), filters=F, validators=[Optional(), Length(max=4000)])
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [(CommitmentStatus.DONE.value, _l("Đã thực hiện")), (CommitmentStatus.CANCELLED.value, _l("Hủy"))]


class AttachmentForm(Form):
    """Only the CSRF token: the files are read from ``request.files`` (several at once)."""
