"""The minutes as they read in any version, and what each amendment changed.

Every revision keeps the whole minutes as plain JSON (``services.meetings.snapshot``); the
minutes page, the revision pages and the amendment history are built from those snapshots, so
what a version shows is exactly what was recorded then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from clearance.formatting import money, vndate
from clearance.models import Commitment, Meeting
from clearance.workflow.statuses import AttendeeSide, CommitmentStatus, ConcernCategory, MeetingKind, Position, label


@dataclass
class ConcernLine:
    category: ConcernCategory
    words: str
    answer: str


@dataclass
class HouseholdLine:
    case_id: int
    label: str
    position: Position
    demand: int | None
    refused_inventory: bool
    concerns: list[ConcernLine] = field(default_factory=list)


@dataclass
class CommitmentLine:
    id: int | None
    case_id: int | None
    case_label: str | None
    what: str
    responsible: str
    due_on: date
    status: CommitmentStatus
    closed_on: date | None = None
    outcome: str = ""
    version: int | None = None


@dataclass
class Minutes:
    """The minutes as they read, live or as kept by a revision."""

    kind: MeetingKind
    held_at: datetime
    place: str
    answers: str
    next_step: str
    notes: str
    households: list[HouseholdLine]
    group_concerns: list[ConcernLine]
    attendees: list[tuple[AttendeeSide, list[dict[str, str]]]]
    commitments: list[CommitmentLine]


def minutes_from(snapshot: dict[str, Any], live: Iterable[Commitment] = ()) -> Minutes:
    """Build the page's structure from a snapshot; ``live`` commitments add what happened since
    (closed when, with what outcome) to the current minutes."""
    households = [
        HouseholdLine(h["case_id"], h.get("case") or str(h["case_id"]), enum_value(Position, h.get("position"), Position.NO_ANSWER),
                      h.get("demand"), bool(h.get("refused_inventory")))
        for h in snapshot.get("households", [])
    ]
    by_case = {h.case_id: h for h in households}
    group: list[ConcernLine] = []
    for c in snapshot.get("concerns", []):
        line = ConcernLine(enum_value(ConcernCategory, c.get("category"), ConcernCategory.OTHER), c.get("words", ""), c.get("answer", ""))
        (by_case[c["case_id"]].concerns if c.get("case_id") in by_case else group).append(line)
    sides: dict[AttendeeSide, list[dict[str, str]]] = {}
    for a in snapshot.get("attendees", []):
        sides.setdefault(enum_value(AttendeeSide, a.get("side"), AttendeeSide.OTHER), []).append(a)
    attendees = [(side, sides[side]) for side in AttendeeSide if side in sides]
    current = {c.id: c for c in live}
    commitments = []
    for c in snapshot.get("commitments", []):
        row = current.get(c.get("id"))
        commitments.append(CommitmentLine(
            c.get("id"), c.get("case_id"), c.get("case"), c.get("what", ""), c.get("responsible", ""),
            date.fromisoformat(c["due_on"]), row.status if row else enum_value(CommitmentStatus, c.get("status"), CommitmentStatus.OPEN),
            row.closed_on if row else None, row.outcome if row else "", row.version if row else None,
        ))
    return Minutes(
        kind=enum_value(MeetingKind, snapshot.get("kind"), MeetingKind.PERSUASION),
        held_at=datetime.fromisoformat(snapshot["held_at"]), place=snapshot.get("place", ""),
        answers=snapshot.get("answers", ""), next_step=snapshot.get("next_step", ""), notes=snapshot.get("notes", ""),
        households=households, group_concerns=group, attendees=attendees, commitments=commitments,
    )


def enum_value(kind: Any, value: Any, default: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return default


@dataclass(frozen=True)
class Change:
    """One difference between two versions of the minutes."""

    what: str
    before: str = ""
    after: str = ""


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What an amendment changed, field by field, in the words of the minutes."""
    out: list[Change] = []

    def text_change(name: str, title: str, show: Any = str) -> None:
        old, new = before.get(name), after.get(name)
        if old != new:
            out.append(Change(title, show(old) if old not in (None, "") else "—", show(new) if new not in (None, "") else "—"))

    text_change("kind", _("Loại cuộc gặp"), lambda v: label(enum_value(MeetingKind, v, v)))
    text_change("held_at", _("Thời gian"), lambda v: vndate(datetime.fromisoformat(v)))
    text_change("place", _("Địa điểm"))

    old_h = {h["case_id"]: h for h in before.get("households", [])}
    new_h = {h["case_id"]: h for h in after.get("households", [])}
    for case_id, h in new_h.items():
        name = h.get("case") or str(case_id)
        if case_id not in old_h:
            out.append(Change(_("Thêm hộ"), after=name))
            continue
        o = old_h[case_id]
        if o.get("position") != h.get("position"):
            out.append(Change(_("Ý kiến của hộ %(case)s", case=name),
                              label(enum_value(Position, o.get("position"), o.get("position"))),
                              label(enum_value(Position, h.get("position"), h.get("position")))))
        if o.get("demand") != h.get("demand"):
            out.append(Change(_("Mức đề nghị của hộ %(case)s", case=name), money(o.get("demand")), money(h.get("demand"))))
        if bool(o.get("refused_inventory")) != bool(h.get("refused_inventory")):
            yes_no = {True: _("có"), False: _("không")}
            out.append(Change(_("Không hợp tác kiểm đếm (hộ %(case)s)", case=name),
                              yes_no[bool(o.get("refused_inventory"))], yes_no[bool(h.get("refused_inventory"))]))
    for case_id, h in old_h.items():
        if case_id not in new_h:
            out.append(Change(_("Bỏ hộ"), before=h.get("case") or str(case_id)))

    def person(a: dict[str, str]) -> str:
        side = label(enum_value(AttendeeSide, a.get("side"), a.get("side")))
        return f"{a.get('name')}{', ' + a['role'] if a.get('role') else ''} ({side})"

    old_people = [person(a) for a in before.get("attendees", [])]
    new_people = [person(a) for a in after.get("attendees", [])]
    for p in new_people:
        if p in old_people:
            old_people.remove(p)
        else:
            out.append(Change(_("Thêm người tham dự"), after=p))
    out += [Change(_("Bỏ người tham dự"), before=p) for p in old_people]

    def concern_key(c: dict[str, Any]) -> tuple[Any, str]:
        return (c.get("case_id"), c.get("category", ""))

    def concern_title(c: dict[str, Any]) -> str:
        category = label(enum_value(ConcernCategory, c.get("category"), c.get("category")))
        return _("Ý kiến “%(category)s” của hộ %(case)s", category=category, case=c["case"]) if c.get("case") \
            else _("Ý kiến chung “%(category)s”", category=category)

    old_c = {concern_key(c): c for c in before.get("concerns", [])}
    new_c = {concern_key(c): c for c in after.get("concerns", [])}
    for key, c in new_c.items():
        o = old_c.get(key)
        if o is None:
            out.append(Change(_("Thêm %(what)s", what=concern_title(c)), after=c.get("words") or "—"))
            continue
        if o.get("words") != c.get("words"):
            out.append(Change(_("%(what)s — hộ nêu", what=concern_title(c)), o.get("words") or "—", c.get("words") or "—"))
        if o.get("answer") != c.get("answer"):
            out.append(Change(_("%(what)s — trả lời", what=concern_title(c)), o.get("answer") or "—", c.get("answer") or "—"))
    out += [Change(_("Bỏ %(what)s", what=concern_title(c)), before=c.get("words") or "—") for k, c in old_c.items() if k not in new_c]

    text_change("answers", _("Nội dung đã giải đáp chung"))

    old_k = {c["id"]: c for c in before.get("commitments", [])}
    for c in after.get("commitments", []):
        o = old_k.get(c["id"])
        title = _("Cam kết “%(what)s”", what=c.get("what"))
        if o is None:
            out.append(Change(_("Thêm cam kết"), after=f"{c.get('what')} — {c.get('responsible')}, {_('hạn')} {vndate(date.fromisoformat(c['due_on']))}"))
            continue
        if o.get("what") != c.get("what"):
            out.append(Change(_("Nội dung cam kết"), o.get("what", ""), c.get("what", "")))
        if o.get("responsible") != c.get("responsible"):
            out.append(Change(_("%(what)s — người chịu trách nhiệm", what=title), o.get("responsible", ""), c.get("responsible", "")))
        if o.get("due_on") != c.get("due_on"):
            out.append(Change(_("%(what)s — hạn", what=title), vndate(date.fromisoformat(o["due_on"])), vndate(date.fromisoformat(c["due_on"]))))
        if o.get("case_id") != c.get("case_id"):
            out.append(Change(_("%(what)s — hộ", what=title), o.get("case") or _("chung"), c.get("case") or _("chung")))
        # An amendment changes a promise's status only by dropping it (cancelled); a promise kept
        # in between (closed from the meeting page) is not the amendment's doing.
        if o.get("status") != c.get("status") and c.get("status") == CommitmentStatus.CANCELLED.value:
            out.append(Change(_("%(what)s — trạng thái", what=title),
                              label(enum_value(CommitmentStatus, o.get("status"), o.get("status"))),
                              label(enum_value(CommitmentStatus, c.get("status"), c.get("status")))))

    text_change("next_step", _("Bước tiếp theo"))
    text_change("notes", _("Ghi chú khác"))
    return out


@dataclass
class RevisionLine:
    number: int
    actor: str
    at: datetime
    reason: str
    changes: list[Change]


def revision_lines(meeting: Meeting) -> list[RevisionLine]:
    lines, previous = [], None
    for revision in meeting.revisions:
        changes = changes_between(previous, revision.snapshot) if previous is not None else []
        lines.append(RevisionLine(revision.number, revision.actor, revision.at, revision.reason, changes))
        previous = revision.snapshot
    return lines
