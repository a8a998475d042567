"""The dialogue log: minutes are recorded whole, corrected only by amendments with a reason that
keep the original readable, promises become to-do items, and signed scans are checked. Both
databases."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from clearance.models import Commitment, MeetingAttachment, MeetingRevision
from clearance.services import meetings
from clearance.services.balance import case_balances
from clearance.services.errors import FieldError
from clearance.workflow.statuses import CommitmentStatus, Position, Role
from tests import factories as f

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("vietnamese_request")


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK-44", [ward], approved_budget=9_000_000_000)
    officer = f.user("canbo", Role.OFFICER, ward)
    parcels = [f.parcel(project, str(n), lon=105.856 + n * 0.0003) for n in (1, 2)]
    cases = []
    for n, parcel in enumerate(parcels, start=1):
        case = f.case(project, f.party(f"Nguyễn Văn {n}", ward), f"YK-{n:03d}")
        f.records.add_holding(case, parcel, "land_user", 100)
        cases.append(case)
    return {"project": project, "officer": officer, "cases": cases}


def minutes(world, **changes):
    a, _b = world["cases"]
    values = {
        "kind": "persuasion",
        "held_at": datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
        "place": "Nhà ông Nguyễn Văn 1, số 1 Yết Kiêu",
        "households": [{"case_id": a.id, "position": "partly", "demand": 5_000_000_000, "refused_inventory": False}],
        "attendees": [
            {"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng tổ GPMB"},
            {"side": "household", "name": "Nguyễn Văn 1", "role": "Chủ hộ"},
            {"side": "fatherland_front", "name": "Lê Thị Mặt", "role": "Chủ tịch MTTQ phường"},
        ],
        "concerns": [
            {"case_id": a.id, "category": "price", "words": "Giá đền bù thấp hơn giá thị trường", "answer": "Giá theo bảng giá 2026"},
            {"case_id": a.id, "category": "resettlement", "words": "Muốn tái định cư tại chỗ", "answer": ""},
        ],
        "commitments": [
            {"case_id": a.id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán", "due_on": date(2026, 12, 15)},
        ],
        "answers": "Giải thích cách tính giá đất cụ thể.",
        "next_step": "Hẹn gặp lại sau khi có biên bản đo đạc.",
    }
    values.update(changes)
    return values


def test_recorded_minutes_keep_everything_said_and_make_the_promise_a_commitment(world):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)

    assert [a.side.value for a in meeting.attendees] == ["official", "household", "fatherland_front"]
    assert [c.category.value for c in meeting.concerns] == ["price", "resettlement"]
    assert meeting.households[0].position == Position.PARTLY
    promise = meeting.commitments[0]
    assert (promise.what, promise.due_on, promise.status) == ("Gửi lại biên bản đo đạc", date(2026, 12, 15), CommitmentStatus.OPEN)
    original = meeting.revisions[0]
    assert (original.number, original.reason, original.actor) == (1, "", "Canbo")
    assert original.snapshot["concerns"][0]["words"] == "Giá đền bù thấp hơn giá thị trường"


def test_an_amendment_needs_a_reason_and_keeps_the_original_readable(world):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)
    corrected = minutes(world, households=[{"case_id": world["cases"][0].id, "position": "agrees", "demand": 4_800_000_000}])

    with pytest.raises(FieldError) as refused:
        meetings.amend_meeting(meeting, corrected, "  ", world["officer"], NOW)
    assert refused.value.field == "reason"

    meetings.amend_meeting(meeting, corrected, "Ghi nhầm ý kiến của hộ", world["officer"], NOW)
    revisions = meeting.revisions
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].snapshot["households"][0]["position"] == "partly"
    assert revisions[0].snapshot["households"][0]["demand"] == 5_000_000_000
    assert revisions[1].snapshot["households"][0]["position"] == "agrees"
    assert revisions[1].reason == "Ghi nhầm ý kiến của hộ"
    assert meeting.households[0].position == Position.AGREES


def test_an_amendment_from_a_stale_page_is_refused(world):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)
    seen = meeting.version
    meetings.amend_meeting(meeting, minutes(world, place="Trụ sở UBND phường"), "Sai địa điểm", world["officer"], NOW)

    with pytest.raises(FieldError) as refused:
        meetings.amend_meeting(meeting, minutes(world, place="Nhà văn hóa"), "Sai địa điểm", world["officer"], NOW, expected_version=seen)
    assert refused.value.field == "version"
    assert meeting.place == "Trụ sở UBND phường"


def test_a_promise_dropped_in_an_amendment_is_cancelled_with_the_reason_not_deleted(world, db):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)
    promise_id = meeting.commitments[0].id

    meetings.amend_meeting(meeting, minutes(world, commitments=[]), "Cam kết ghi nhầm hộ", world["officer"], NOW)

    promise = db.session.get(Commitment, promise_id)
    assert promise.status == CommitmentStatus.CANCELLED
    assert "Cam kết ghi nhầm hộ" in promise.outcome


def test_bad_minutes_are_refused_naming_the_line(world):
    other_ward = f.unit("Phường khác")
    stranger = f.case(f.project("KHAC", [other_ward]), f.party("Người ngoài", other_ward), "K-1")
    cases = world["cases"]
    cases_bad = [
        (minutes(world, households=[]), "households"),
        (minutes(world, households=[{"case_id": stranger.id}]), "households"),
        (minutes(world, held_at=datetime(2026, 12, 25, tzinfo=UTC)), "held_at"),
        (minutes(world, attendees=[{"side": "official", "name": " "}]), "attendees"),
        (minutes(world, concerns=[{"case_id": cases[1].id, "category": "price", "words": "x"}]), "concerns"),
        (minutes(world, commitments=[{"what": "Gửi", "responsible": "A", "due_on": date(2026, 11, 1)}]), "commitments"),
    ]
    for values, field in cases_bad:
        with pytest.raises(FieldError) as refused:
            meetings.record_meeting(world["project"], values, world["officer"], NOW)
        assert refused.value.field == field


def test_a_group_meeting_covers_several_households_each_with_its_own_position(world):
    a, b = world["cases"]
    meeting = meetings.record_meeting(
        world["project"],
        minutes(world, kind="consultation", households=[
            {"case_id": a.id, "position": "agrees"}, {"case_id": b.id, "position": "disagrees", "demand": 7_000_000_000},
        ], commitments=[]),
        world["officer"], NOW,
    )
    assert meeting.is_group
    balances = case_balances(world["project"])
    assert balances[a.id].position == Position.AGREES
    assert (balances[b.id].position, balances[b.id].demand) == (Position.DISAGREES, 7_000_000_000)


def test_the_balance_sets_demand_against_offer_budget_share_and_payments(world):
    a, b = world["cases"]
    f.offer(a, 4_000_000_000, 1)
    f.offer(a, 4_210_000_000, 2, basis="Bổ sung hỗ trợ thuê nhà")
    meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)
    meetings.record_meeting(
        world["project"],
        minutes(world, held_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), commitments=[],
                households=[{"case_id": a.id, "position": "disagrees"}]),
        world["officer"], NOW,
    )
    f.payment(b, 1_000_000_000)

    balance = case_balances(world["project"])[a.id]
    assert (balance.offer, balance.offer_number) == (4_210_000_000, 2)
    assert balance.demand == 5_000_000_000  # the latest meeting named no amount: the earlier demand stands
    assert balance.position == Position.DISAGREES
    assert balance.gap == 790_000_000
    assert str(balance.gap_percent) == "18.8"
    assert balance.meetings == 2
    # Two parcels of equal recovered area: the budget is split in half.
    assert balance.budget_share == 4_500_000_000
    assert case_balances(world["project"], [b.id])[b.id].paid == 1_000_000_000


def test_a_commitment_is_closed_with_its_outcome(world):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)
    promise = meeting.commitments[0]
    with pytest.raises(FieldError):
        meetings.close_commitment(promise, CommitmentStatus.DONE, date(2026, 12, 1), "", date(2026, 12, 2))
    meetings.close_commitment(promise, CommitmentStatus.DONE, date(2026, 12, 1), "Đã gửi bản sao có dấu", date(2026, 12, 2))
    assert (promise.status, promise.closed_on) == (CommitmentStatus.DONE, date(2026, 12, 1))
    with pytest.raises(FieldError):
        meetings.close_commitment(promise, CommitmentStatus.CANCELLED, date(2026, 12, 1), "x", date(2026, 12, 2))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"0" * 100


def test_a_signed_scan_is_stored_by_content_and_wrong_files_are_refused(world, db, app):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)

    photo = meetings.attach(meeting, "IMG_2041.jpg", io.BytesIO(JPEG), world["officer"])
    assert (photo.content_type, photo.size) == ("image/jpeg", len(JPEG))
    assert meetings.attachment_path(photo).read_bytes() == JPEG
    assert meetings.attach(meeting, "bien-ban.pdf", io.BytesIO(PDF), world["officer"]).content_type == "application/pdf"

    with pytest.raises(FieldError) as refused:
        meetings.attach(meeting, "virus.jpg", io.BytesIO(b"MZ\x90\x00 not a photo"), world["officer"])
    assert "virus.jpg" in refused.value.message
    app.config["ATTACHMENT_MAX_MB"] = 1
    try:
        with pytest.raises(FieldError) as refused:
            meetings.attach(meeting, "to.jpg", io.BytesIO(JPEG + b"\x00" * (1024 * 1024)), world["officer"])
        assert "1 MB" in refused.value.message
    finally:
        app.config["ATTACHMENT_MAX_MB"] = 15
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingAttachment)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRevision)) == 1


def test_each_case_summary_follows_recorded_and_amended_minutes(world, db):
    from clearance.models import CaseDialogue, CaseDialogueMonth

    a, b = world["cases"]
    first = meetings.record_meeting(world["project"], minutes(world, kind="consultation", commitments=[]), world["officer"], NOW)
    meetings.record_meeting(
        world["project"],
        minutes(world, kind="dialogue", held_at=datetime(2026, 10, 5, 2, 0, tzinfo=UTC), commitments=[],
                households=[{"case_id": a.id, "position": "disagrees", "demand": 6_000_000_000}]),
        world["officer"], NOW,
    )
    summary = db.session.get(CaseDialogue, a.id)
    # The October dialogue came before the November consultation: the consultation is the latest.
    assert (summary.meetings, summary.position, summary.demand) == (2, Position.PARTLY, 5_000_000_000)
    assert summary.last_meeting_id == first.id
    assert summary.first_consultation_at == datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    assert summary.last_dialogue_at == datetime(2026, 10, 5, 2, 0, tzinfo=UTC)

    # Moving the consultation to household b takes it out of a's summary and into b's.
    meetings.amend_meeting(first, minutes(world, kind="consultation", commitments=[],
                                          households=[{"case_id": b.id, "position": "agrees"}],
                                          concerns=[]), "Nhầm hộ", world["officer"], NOW)
    db.session.expire_all()
    summary = db.session.get(CaseDialogue, a.id)
    assert (summary.meetings, summary.position, summary.demand) == (1, Position.DISAGREES, 6_000_000_000)
    assert summary.first_consultation_at is None
    assert db.session.get(CaseDialogue, b.id).position == Position.AGREES
    months = db.session.scalars(sa.select(CaseDialogueMonth.month).where(CaseDialogueMonth.case_id == a.id)).all()
    assert months == [date(2026, 10, 1)]


def test_a_promise_already_kept_is_not_rewritten_by_an_amendment(world):
    meeting = meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)
    promise = meeting.commitments[0]
    meetings.close_commitment(promise, CommitmentStatus.DONE, date(2026, 11, 25), "Đã gửi", date(2026, 11, 29))
    rewritten = minutes(world, commitments=[
        {"id": promise.id, "case_id": world["cases"][0].id, "what": "Việc khác", "responsible": "Người khác", "due_on": date(2027, 1, 1)},
    ])
    meetings.amend_meeting(meeting, rewritten, "Sửa địa điểm", world["officer"], NOW)
    assert (promise.what, promise.responsible, promise.due_on, promise.status) == (
        "Gửi lại biên bản đo đạc", "Trần Văn Cán", date(2026, 12, 15), CommitmentStatus.DONE,
    )


def test_agreeing_to_the_offer_withdraws_the_earlier_demand(world):
    from clearance.services.hotspots import project_hotspots

    a, _b = world["cases"]
    f.offer(a, 4_000_000_000)
    meetings.record_meeting(world["project"], minutes(world), world["officer"], NOW)  # asks 5 tỷ
    assert case_balances(world["project"])[a.id].gap == 1_000_000_000
    meetings.record_meeting(
        world["project"],
        minutes(world, held_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), commitments=[], concerns=[],
                households=[{"case_id": a.id, "position": "agrees"}]),
        world["officer"], NOW,
    )
    balance = case_balances(world["project"])[a.id]
    assert (balance.position, balance.demand, balance.gap) == (Position.AGREES, None, None)
    ranked = {h.case_id: h for h in project_hotspots(world["project"], date(2026, 11, 29))}
    assert "gap" not in [r.code for r in ranked[a.id].reasons]


def test_budget_shares_are_exact_with_fractional_shares_on_both_databases(db):
    from decimal import Decimal

    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("PS-01", [ward], approved_budget=987_654_321_987)
    parcel = f.parcel(project, "7", measured_area=Decimal("123.45"))
    shares = (Decimal("33.33"), Decimal("33.33"), Decimal("33.34"))
    cases = []
    for n, share in enumerate(shares, start=1):
        case = f.case(project, f.party(f"Đồng sử dụng {n}", ward), f"PS-{n}")
        f.records.add_holding(case, parcel, "co_user", share)
        cases.append(case)
    balances = case_balances(project)
    # Exact: budget × (area × share) / (area × 100 %): the area cancels out.
    expected = [
        int((Decimal(987_654_321_987) * share / Decimal(100)).quantize(Decimal(1), rounding="ROUND_HALF_UP")) for share in shares
    ]
    assert [balances[c.id].budget_share for c in cases] == expected


def test_summaries_of_meetings_loaded_in_bulk_are_rebuilt_from_the_command_line(world, db, app):
    from clearance.models import CaseDialogue, Meeting, MeetingCase

    a, _b = world["cases"]
    meeting_id = db.session.execute(
        sa.insert(Meeting).returning(Meeting.id),
        [{"project_id": world["project"].id, "kind": "dialogue", "held_at": datetime(2026, 10, 1, 2, 0, tzinfo=UTC),
          "recorded_by": "nhập hàng loạt", "revision": 1, "version": 1}],
    ).scalar_one()
    db.session.execute(sa.insert(MeetingCase), [{"meeting_id": meeting_id, "case_id": a.id, "position": "disagrees", "demand": 7_000_000_000}])
    db.session.commit()
    assert db.session.get(CaseDialogue, a.id) is None  # loaded around the service: no summary yet

    result = app.test_cli_runner().invoke(args=["meetings", "refresh", "--project", world["project"].code])
    assert result.exit_code == 0, result.output
    assert f"{world['project'].code}: đã tính lại 2 hồ sơ." in result.output
    db.session.expire_all()
    summary = db.session.get(CaseDialogue, a.id)
    assert (summary.meetings, summary.position, summary.demand) == (1, Position.DISAGREES, 7_000_000_000)
    unknown = app.test_cli_runner().invoke(args=["meetings", "refresh", "--project", "KHONG-CO"])
    assert unknown.exit_code != 0 and "Không có dự án 'KHONG-CO'." in unknown.output
