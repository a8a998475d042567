"""The dialogue API: a phone app records the minutes of a visit, amends them with a reason (the
original stays readable), attaches the signed scan and keeps track of the promises made; offers
and payments are recorded, the money on the table is read for a case and for the project, a team
lead rules on a dispute, and the hotspots come with their reasons. Both databases."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from clearance.models import (
    ApiToken,
    Commitment,
    CompensationOffer,
    DisputeRuling,
    Meeting,
    MeetingAttachment,
    Payment,
    User,
)
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def bearer(db: Any, user: User) -> dict[str, str]:
    row, plain = ApiToken.issue(user)
    db.session.add(row)
    db.session.flush()
    return {"Authorization": f"Bearer {plain}"}


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


def ward_with_two_households(db: Any) -> dict[str, Any]:
    """Project YK44 of Hai Bà Trưng (budget 8 tỷ) with two households on parcels of 150 m² and
    50 m²; project TBT30 of Cửa Nam with one; an officer, a viewer, a lead and an officer of Cửa Nam."""
    hbt = f.unit("Phường Hai Bà Trưng")
    cn = f.unit("Phường Cửa Nam")
    officer = f.user("canbo_hbt", Role.OFFICER, hbt)
    viewer = f.user("xem_hbt", Role.VIEWER, hbt)
    lead = f.user("truongnhom_hbt", Role.LEAD, hbt)
    other = f.user("canbo_cn", Role.OFFICER, cn)
    yk44 = f.project("YK44", [hbt], name="Trụ sở 44 Yết Kiêu", approved_budget=8_000_000_000)
    cases = []
    for number, (name, area) in enumerate((("Nguyễn Văn An", "150.00"), ("Trần Thị Bình", "50.00")), start=1):
        parcel = f.parcel(yk44, str(number), lon=105.856 + number * 0.0003, measured_area=Decimal(area))
        case = f.case(yk44, f.party(name, hbt), f"YK-00{number}", CaseStatus.PLAN_DRAFTED)
        f.records.add_holding(case, parcel, "land_user", Decimal(100))
        cases.append(case)
    tbt30 = f.project("TBT30", [cn])
    foreign_case = f.case(tbt30, f.party("Lê Văn Cường", cn), "TBT-001")
    world = {
        "yk44": yk44, "an": cases[0], "binh": cases[1], "tbt30": tbt30, "foreign_case": foreign_case,
        "officer": officer, "as_officer": bearer(db, officer), "as_viewer": bearer(db, viewer),
        "as_lead": bearer(db, lead), "as_other": bearer(db, other),
    }
    db.session.commit()
    return world


def visit(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The minutes of a visit to Nguyễn Văn An on 20/11/2026 at 9:30, Hanoi time."""
    an = world["an"].id
    body = {
        "kind": "persuasion",
        "held_at": "2026-11-20T09:30:00+07:00",
        "place": "Nhà ông An, số 1 Yết Kiêu",
        "answers": "Giải thích cách tính giá đất cụ thể.",
        "next_step": "Hẹn gặp lại sau khi có biên bản đo đạc.",
        "households": [{"case_id": an, "position": "partly", "demand": 5_000_000_000}],
        "attendees": [
            {"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng tổ GPMB"},
            {"side": "household", "name": "Nguyễn Văn An", "role": "Chủ hộ"},
        ],
        "concerns": [
            {"case_id": an, "category": "price", "words": "Giá đền bù thấp hơn giá thị trường",
             "answer": "Giá theo bảng giá đất 2026"},
            {"case_id": an, "category": "resettlement", "words": "Muốn tái định cư tại chỗ"},
        ],
        "commitments": [
            {"case_id": an, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán", "due_on": "2026-11-25"},
        ],
    }
    body.update(changes)
    return body


def record(client: Any, world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/projects/YK44/meetings", headers=world["as_officer"], json=visit(world, **changes))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


# --- recording and reading minutes --------------------------------------------------------------


def test_an_officer_records_a_visit_and_reads_the_minutes_back(client, db):
    world = ward_with_two_households(db)
    created = record(client, world)

    minutes = client.get(f"/api/v1/projects/YK44/meetings/{created['id']}", headers=world["as_officer"]).get_json()
    assert minutes == created
    assert minutes["kind"] == "persuasion" and minutes["place"] == "Nhà ông An, số 1 Yết Kiêu"
    assert minutes["held_at"] == "2026-11-20T02:30:00+00:00"  # the same moment, kept in UTC
    assert minutes["households"] == [{
        "case_id": world["an"].id, "case_code": "YK-001", "party_name": "Nguyễn Văn An", "position": "partly",
        "demand": 5_000_000_000, "refused_inventory": False,
    }]
    assert [(a["side"], a["name"]) for a in minutes["attendees"]] == [
        ("official", "Trần Văn Cán"), ("household", "Nguyễn Văn An")]
    assert [c["category"] for c in minutes["concerns"]] == ["price", "resettlement"]
    assert minutes["concerns"][1]["answer"] == ""
    promise = minutes["commitments"][0]
    assert (promise["what"], promise["due_on"], promise["status"]) == ("Gửi lại biên bản đo đạc", "2026-11-25", "open")
    assert minutes["recorded_by"] == "Canbo_Hbt"
    assert [(r["number"], r["reason"]) for r in minutes["revisions"]] == [(1, "")]
    assert minutes["attachments"] == [] and minutes["revision"] == 1


def test_the_meeting_list_filters_by_kind_household_and_days(client, db):
    world = ward_with_two_households(db)
    visit_an = record(client, world)
    group = record(client, world, kind="dialogue", held_at="2026-11-24T19:00:00+07:00", commitments=[], concerns=[],
                   households=[{"case_id": world["an"].id}, {"case_id": world["binh"].id, "position": "disagrees"}])
    headers = world["as_officer"]

    def ids(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/projects/YK44/meetings{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [m["id"] for m in response.get_json()]

    assert ids() == [group["id"], visit_an["id"]]  # newest first
    assert ids("?kind=dialogue") == [group["id"]]
    assert ids(f"?case_id={world['binh'].id}") == [group["id"]]
    assert ids("?since=2026-11-21") == [group["id"]]
    assert ids("?until=2026-11-20") == [visit_an["id"]]
    # 19:00 on the 24th in Hanoi is still the 24th there, though it is noon UTC
    assert ids("?since=2026-11-24&until=2026-11-24") == [group["id"]]
    listed = client.get("/api/v1/projects/YK44/meetings?page_size=1", headers=headers)
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2
    assert [h["party_name"] for h in listed.get_json()[0]["households"]] == ["Nguyễn Văn An", "Trần Thị Bình"]
    error = error_of(client.get("/api/v1/projects/YK44/meetings?since=2026-11-25&until=2026-11-20", headers=headers), 422)
    assert error["field"] == "until"


def test_bad_minutes_are_refused_naming_the_field_and_nothing_is_recorded(client, db):
    world = ward_with_two_households(db)
    headers = world["as_officer"]

    def refused(**changes: Any) -> dict[str, Any]:
        return error_of(client.post("/api/v1/projects/YK44/meetings", headers=headers, json=visit(world, **changes)), 422)

    error = refused(held_at="2026-11-20T09:30:00")
    assert error["field"] == "held_at" and "múi giờ" in error["message"]
    error = refused(held_at="2099-01-01T09:00:00+07:00")
    assert error["field"] == "held_at" and "sau thời điểm hiện tại" in error["message"]
    error = refused(households=[{"case_id": world["foreign_case"].id}], concerns=[], commitments=[])
    assert error["field"] == "households" and "không thuộc dự án YK44" in error["message"]
    error = refused(households=[])
    assert error["field"] == "households"
    error = refused(kind="party")
    assert error["field"] == "kind" and "persuasion" in error["message"]
    error = refused(commitments=[{"what": "Gửi biên bản", "responsible": "Cán", "due_on": "2026-11-01"}])
    assert error["field"] == "commitments" and "trước ngày gặp" in error["message"]
    error = refused(attendees=[{"side": "official", "name": "  "}])
    assert error["field"] == "attendees"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


# --- amendments ---------------------------------------------------------------------------------


def test_an_amendment_with_a_reason_is_revision_2_and_revision_1_still_reads_as_recorded(client, db):
    world = ward_with_two_households(db)
    created = record(client, world)
    url = f"/api/v1/projects/YK44/meetings/{created['id']}"
    promise_id = created["commitments"][0]["id"]
    corrected = visit(
        world, households=[{"case_id": world["an"].id, "position": "agrees", "demand": 4_800_000_000}],
        commitments=[{"id": promise_id, "case_id": world["an"].id, "what": "Gửi lại biên bản đo đạc có chữ ký",
                      "responsible": "Trần Văn Cán", "due_on": "2026-11-27"}],
    )

    error = error_of(client.post(f"{url}/amendments", headers=world["as_officer"],
                                 json={**corrected, "version": created["version"]}), 422)
    assert error["field"] == "reason"
    assert client.get(url, headers=world["as_officer"]).get_json()["revision"] == 1

    response = client.post(f"{url}/amendments", headers=world["as_officer"],
                           json={**corrected, "reason": "Ghi nhầm ý kiến của hộ", "version": created["version"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    amended = response.get_json()
    assert amended["revision"] == 2 and amended["version"] > created["version"]
    assert amended["households"][0]["position"] == "agrees"
    assert [(c["id"], c["due_on"]) for c in amended["commitments"]] == [(promise_id, "2026-11-27")]  # the same promise
    assert [(r["number"], r["reason"]) for r in amended["revisions"]] == [(1, ""), (2, "Ghi nhầm ý kiến của hộ")]

    original = client.get(f"{url}/revisions/1", headers=world["as_officer"]).get_json()
    assert original["reason"] == "" and original["actor"] == "Canbo_Hbt"
    assert original["snapshot"]["households"][0]["position"] == "partly"
    assert original["snapshot"]["households"][0]["demand"] == 5_000_000_000
    assert original["snapshot"]["commitments"][0]["what"] == "Gửi lại biên bản đo đạc"
    second = client.get(f"{url}/revisions/2", headers=world["as_officer"]).get_json()
    assert second["snapshot"]["households"][0]["demand"] == 4_800_000_000
    assert error_of(client.get(f"{url}/revisions/3", headers=world["as_officer"]), 404)


def test_an_amendment_from_a_stale_copy_is_refused_with_409_and_changes_nothing(client, db):
    world = ward_with_two_households(db)
    created = record(client, world)
    url = f"/api/v1/projects/YK44/meetings/{created['id']}/amendments"
    seen = created["version"]
    first = client.post(url, headers=world["as_lead"],
                        json={**visit(world, place="Trụ sở UBND phường"), "reason": "Sai địa điểm", "version": seen})
    assert first.status_code == 201, first.get_data(as_text=True)

    error = error_of(client.post(url, headers=world["as_officer"],
                                 json={**visit(world, place="Nhà văn hóa"), "reason": "Sai địa điểm", "version": seen}), 409)
    assert error["field"] == "version" and "Truongnhom_Hbt" in error["message"]  # who amended it in between
    minutes = client.get(f"/api/v1/projects/YK44/meetings/{created['id']}", headers=world["as_officer"]).get_json()
    assert minutes["place"] == "Trụ sở UBND phường" and minutes["revision"] == 2


# --- attachments --------------------------------------------------------------------------------


def test_a_photo_of_the_signed_minutes_is_attached_and_served_but_a_program_is_refused(client, db):
    world = ward_with_two_households(db)
    created = record(client, world)
    url = f"/api/v1/projects/YK44/meetings/{created['id']}/attachments"

    response = client.post(url, headers=world["as_officer"], content_type="multipart/form-data",
                           data={"file": (io.BytesIO(JPEG), "bien-ban-ky.jpg")})
    assert response.status_code == 201, response.get_data(as_text=True)
    attached = response.get_json()
    assert (attached["filename"], attached["content_type"], attached["size"]) == ("bien-ban-ky.jpg", "image/jpeg", len(JPEG))

    served = client.get(f"{url}/{attached['id']}", headers=world["as_officer"])
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg" and served.data == JPEG
    assert "bien-ban-ky.jpg" in served.headers["Content-Disposition"]
    served.close()  # the file is streamed from disk
    minutes = client.get(f"/api/v1/projects/YK44/meetings/{created['id']}", headers=world["as_officer"]).get_json()
    assert [a["id"] for a in minutes["attachments"]] == [attached["id"]]

    error = error_of(client.post(url, headers=world["as_officer"], content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(EXE), "bien-ban.jpg")}), 422)
    assert error["field"] == "file" and "không phải ảnh hay PDF" in error["message"] and "bien-ban.jpg" in error["message"]
    error = error_of(client.post(url, headers=world["as_officer"], content_type="multipart/form-data", data={}), 422)
    assert error["field"] == "file"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingAttachment)) == 1
    assert error_of(client.get(f"{url}/{attached['id'] + 1000}", headers=world["as_officer"]), 404)


# --- commitments --------------------------------------------------------------------------------


def test_overdue_promises_are_listed_and_closed_once(client, db):
    world = ward_with_two_households(db)
    later = (date.today() + timedelta(days=30)).isoformat()
    created = record(client, world, commitments=[
        {"case_id": world["an"].id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán", "due_on": "2026-11-25"},
        {"what": "Mời đại diện chủ đầu tư dự buổi sau", "responsible": "Lê Văn Tổ", "due_on": later},
    ])
    headers = world["as_officer"]
    overdue_id, later_id = (c["id"] for c in created["commitments"])

    def listed(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/projects/YK44/commitments{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [c["id"] for c in response.get_json()]

    assert listed() == [overdue_id, later_id]  # by due date
    assert listed("?overdue=true") == [overdue_id]
    assert listed("?overdue=false") == [later_id]
    assert listed(f"?case_id={world['an'].id}") == [overdue_id]
    assert client.get("/api/v1/projects/YK44/commitments?overdue=true", headers=headers).get_json()[0]["overdue"] is True

    version = db.session.get(Commitment, overdue_id).version
    close = f"/api/v1/projects/YK44/commitments/{overdue_id}/close"
    error = error_of(client.post(close, headers=headers, json={"status": "done", "closed_on": "2026-11-10",
                                                               "outcome": "Đã gửi", "version": version}), 422)
    assert error["field"] == "closed_on"  # before the meeting
    response = client.post(close, headers=headers, json={
        "status": "done", "closed_on": "2026-11-26", "outcome": "Đã gửi biên bản qua bưu điện", "version": version})
    assert response.status_code == 200, response.get_data(as_text=True)
    closed = response.get_json()
    assert (closed["status"], closed["closed_on"], closed["overdue"]) == ("done", "2026-11-26", False)
    assert listed("?overdue=true") == []
    assert listed("?status=done") == [overdue_id]
    assert listed() == [later_id, overdue_id]  # open ones first

    error = error_of(client.post(close, headers=headers, json={"status": "cancelled", "closed_on": "2026-11-26",
                                                               "outcome": "Nhầm", "version": version}), 409)
    assert error["field"] == "version"
    error = error_of(client.post(close, headers=headers, json={"status": "cancelled", "closed_on": "2026-11-26",
                                                               "outcome": "Nhầm"}), 422)
    assert error["field"] == "status" and "đã được khép lại" in error["message"]
    assert error_of(client.post("/api/v1/projects/YK44/commitments/999999/close", headers=headers,
                                json={"status": "done", "closed_on": "2026-11-26", "outcome": "x"}), 404)


# --- balance ------------------------------------------------------------------------------------


def test_the_balance_of_a_case_puts_budget_offer_demand_and_payments_side_by_side(client, db):
    world = ward_with_two_households(db)
    f.offer(world["an"], 4_000_000_000, number=1)
    f.offer(world["an"], 4_210_000_000, number=2, basis="Bổ sung hỗ trợ ổn định đời sống")
    f.payment(world["an"], 1_000_000_000)
    db.session.commit()
    record(client, world)  # the household asks 5.000.000.000 đ and partly agrees

    response = client.get(f"/api/v1/projects/YK44/cases/{world['an'].id}/balance", headers=world["as_viewer"])
    assert response.status_code == 200, response.get_data(as_text=True)
    figures = response.get_json()
    assert figures["budget_share"] == 6_000_000_000  # 150 of the project's 200 m² of an 8 tỷ budget
    assert (figures["offer"], figures["offer_number"], figures["demand"]) == (4_210_000_000, 2, 5_000_000_000)
    assert (figures["paid"], figures["unpaid"], figures["gap"]) == (1_000_000_000, 3_210_000_000, 790_000_000)
    assert figures["gap_percent"] == "18.8"
    assert (figures["position"], figures["meetings"]) == ("partly", 1)
    assert figures["last_met_at"] == "2026-11-20T02:30:00+00:00"

    untouched = client.get(f"/api/v1/projects/YK44/cases/{world['binh'].id}/balance", headers=world["as_officer"]).get_json()
    assert untouched["budget_share"] == 2_000_000_000
    assert (untouched["offer"], untouched["demand"], untouched["gap"], untouched["gap_percent"]) == (None, None, None, None)
    assert (untouched["paid"], untouched["meetings"], untouched["position"]) == (0, 0, None)


def test_offers_are_recorded_as_versions_and_never_dated_backwards(client, db):
    world = ward_with_two_households(db)
    headers = world["as_officer"]
    url = f"/api/v1/projects/YK44/cases/{world['an'].id}/offers"
    first = client.post(url, headers=headers, json={"amount": 4_000_000_000, "offered_on": "2026-10-01",
                                                    "basis": "Phương án dự thảo"})
    assert first.status_code == 201, first.get_data(as_text=True)
    assert (first.get_json()["number"], first.get_json()["change"]) == (1, None)
    second = client.post(url, headers=headers, json={"amount": 4_210_000_000, "offered_on": "2026-11-05",
                                                     "basis": "Bổ sung hỗ trợ ổn định đời sống"})
    assert second.status_code == 201, second.get_data(as_text=True)
    version = second.get_json()
    assert (version["number"], version["amount"], version["change"], version["change_percent"]) == (
        2, 4_210_000_000, 210_000_000, "5.3")
    assert version["actor"] == "Canbo_Hbt"

    error = error_of(client.post(url, headers=headers, json={"amount": 4_300_000_000, "offered_on": "2026-11-01",
                                                             "basis": "Điều chỉnh"}), 422)
    assert error["field"] == "offered_on" and "phiên bản 2" in error["message"]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    error = error_of(client.post(url, headers=headers, json={"amount": 4_300_000_000, "offered_on": tomorrow,
                                                             "basis": "Điều chỉnh"}), 422)
    assert error["field"] == "offered_on"
    error = error_of(client.post(url, headers=headers, json={"amount": -1, "offered_on": "2026-11-06", "basis": "x"}), 422)
    assert error["field"] == "amount"
    error = error_of(client.post(url, headers=headers, json={"amount": 4_300_000_000, "offered_on": "2026-11-06",
                                                             "basis": "  "}), 422)
    assert error["field"] == "basis"

    listed = client.get(url, headers=world["as_viewer"]).get_json()
    assert [(v["number"], v["basis"]) for v in listed] == [(1, "Phương án dự thảo"), (2, "Bổ sung hỗ trợ ổn định đời sống")]
    figures = client.get(f"/api/v1/projects/YK44/cases/{world['an'].id}/balance", headers=headers).get_json()
    assert (figures["offer"], figures["offer_number"]) == (4_210_000_000, 2)


def test_payments_are_reversed_by_a_negative_line_with_its_reason(client, db):
    world = ward_with_two_households(db)
    headers = world["as_officer"]
    url = f"/api/v1/projects/YK44/cases/{world['an'].id}/payments"
    paid = client.post(url, headers=headers, json={"amount": 1_000_000_000, "paid_on": "2026-11-20", "document": "PC-01"})
    assert paid.status_code == 201, paid.get_data(as_text=True)
    assert (paid.get_json()["running_total"], paid.get_json()["is_reversal"]) == (1_000_000_000, False)

    error = error_of(client.post(url, headers=headers, json={"amount": -200_000_000, "paid_on": "2026-11-21"}), 422)
    assert error["field"] == "note" and "lý do" in error["message"]
    error = error_of(client.post(url, headers=headers, json={"amount": -1_500_000_000, "paid_on": "2026-11-21",
                                                             "note": "Chi nhầm"}), 422)
    assert error["field"] == "amount" and "1.000.000.000" in error["message"]
    error = error_of(client.post(url, headers=headers, json={"amount": 0, "paid_on": "2026-11-21"}), 422)
    assert error["field"] == "amount"
    reversed_ = client.post(url, headers=headers, json={"amount": -200_000_000, "paid_on": "2026-11-21",
                                                        "note": "Chi nhầm phần hỗ trợ thuê nhà"})
    assert reversed_.status_code == 201, reversed_.get_data(as_text=True)
    assert (reversed_.get_json()["running_total"], reversed_.get_json()["is_reversal"]) == (800_000_000, True)

    lines = client.get(url, headers=world["as_viewer"]).get_json()
    assert [(line["amount"], line["running_total"]) for line in lines] == [(1_000_000_000, 1_000_000_000),
                                                                           (-200_000_000, 800_000_000)]
    assert client.get(f"/api/v1/projects/YK44/cases/{world['an'].id}/balance", headers=headers).get_json()["paid"] == 800_000_000


def test_a_team_lead_overrides_a_dispute_status_with_a_reason_and_hands_it_back(client, db):
    world = ward_with_two_households(db)
    record(client, world)  # An partly agrees and raised two concerns
    url = f"/api/v1/projects/YK44/cases/{world['an'].id}/dispute"

    dispute = client.get(url, headers=world["as_viewer"]).get_json()
    assert (dispute["status"], dispute["overridden"], dispute["ruling"], dispute["rulings"]) == (
        "open_concerns", False, None, [])
    assert "đồng ý một phần" in dispute["reason"]

    error = error_of(client.put(url, headers=world["as_officer"], json={"status": "disagrees", "reason": "Hộ đổi ý"}), 403)
    assert "trưởng nhóm" in error["message"]
    error = error_of(client.put(url, headers=world["as_lead"], json={"status": "disagrees", "reason": " "}), 422)
    assert error["field"] == "reason"
    error = error_of(client.put(url, headers=world["as_lead"], json={"status": None, "reason": "Trả lại"}), 422)
    assert error["field"] == "status"  # nothing to hand back yet

    response = client.put(url, headers=world["as_lead"],
                          json={"status": "disagrees", "reason": "Hộ gửi đơn phản đối sau buổi gặp"})
    assert response.status_code == 200, response.get_data(as_text=True)
    ruled = response.get_json()
    assert (ruled["status"], ruled["overridden"], ruled["derived_status"]) == ("disagrees", True, "open_concerns")
    assert (ruled["ruling"]["reason"], ruled["ruling"]["actor"]) == ("Hộ gửi đơn phản đối sau buổi gặp", "Truongnhom_Hbt")

    listed = client.get("/api/v1/projects/YK44/disputes", headers=world["as_officer"]).get_json()
    assert [(d["case_code"], d["status"], d["overridden"]) for d in listed] == [
        ("YK-001", "disagrees", True), ("YK-002", "no_concerns", False)]
    assert "Truongnhom_Hbt" in listed[0]["reason"]
    assert [d["case_code"] for d in client.get("/api/v1/projects/YK44/disputes?status=no_concerns",
                                               headers=world["as_officer"]).get_json()] == ["YK-002"]
    assert [d["case_code"] for d in client.get("/api/v1/projects/YK44/disputes?overridden=true",
                                               headers=world["as_officer"]).get_json()] == ["YK-001"]

    response = client.put(url, headers=world["as_lead"], json={"status": None, "reason": "Đơn đã rút"})
    assert response.status_code == 200, response.get_data(as_text=True)
    handed_back = response.get_json()
    assert (handed_back["status"], handed_back["overridden"]) == ("open_concerns", False)
    assert [(r["status"], r["reason"]) for r in handed_back["rulings"]] == [
        (None, "Đơn đã rút"), ("disagrees", "Hộ gửi đơn phản đối sau buổi gặp")]


def test_the_project_balance_adds_up_its_cases_and_follows_them_month_by_month(client, db):
    world = ward_with_two_households(db)
    f.offer(world["an"], 4_000_000_000, number=1, offered_on=date(2026, 10, 1))
    f.offer(world["an"], 4_210_000_000, number=2, offered_on=date(2026, 11, 5))
    f.payment(world["an"], 1_000_000_000, paid_on=date(2026, 11, 20))
    db.session.commit()
    record(client, world)

    response = client.get("/api/v1/projects/YK44/balance", headers=world["as_viewer"])
    assert response.status_code == 200, response.get_data(as_text=True)
    totals = response.get_json()
    assert (totals["budget"], totals["cases"]) == (8_000_000_000, 2)
    assert (totals["offered"], totals["offered_cases"], totals["offered_percent_of_budget"]) == (4_210_000_000, 1, "52.6")
    assert (totals["demanded"], totals["demanded_cases"], totals["demand_gap"]) == (5_000_000_000, 1, 790_000_000)
    assert totals["demand_gap_percent"] == "18.8"
    assert (totals["paid"], totals["paid_percent_of_budget"]) == (1_000_000_000, "12.5")
    assert totals["positions"] == {"agrees": 0, "partly": 1, "disagrees": 0, "no_answer": 0, "not_met": 1, "total": 2}
    october, november = totals["series"][:2]
    assert (october["month"], october["as_of"], october["offered"], october["demanded"]) == ("2026-10-01", "2026-10-31", 4_000_000_000, 0)
    assert (november["month"], november["offered"], november["demanded"], november["paid"]) == (
        "2026-11-01", 4_210_000_000, 5_000_000_000, 1_000_000_000)
    assert november["positions"]["partly"] == 1


def test_hotspots_rank_the_cases_with_their_reasons(client, db):
    world = ward_with_two_households(db)
    world["an"].party.is_poor = True
    f.offer(world["an"], 4_210_000_000)
    db.session.commit()
    record(client, world)  # asks 18,8 % more than offered; the promise was due on 25/11/2026

    response = client.get("/api/v1/projects/YK44/hotspots", headers=world["as_viewer"])
    assert response.status_code == 200, response.get_data(as_text=True)
    ranked = response.get_json()
    assert [h["case_code"] for h in ranked] == ["YK-001", "YK-002"]
    first = ranked[0]
    assert first["party_name"] == "Nguyễn Văn An" and first["level"] == "high"
    reasons = {reason["code"]: reason for reason in first["reasons"]}
    assert {"gap", "overdue_commitments", "vulnerable"} <= set(reasons)
    assert reasons["gap"]["points"] == 30 and "18,8" in reasons["gap"]["text"]
    assert "hộ nghèo" in reasons["vulnerable"]["text"].lower()
    assert first["score"] == sum(reason["points"] for reason in first["reasons"]) >= 60
    assert (ranked[1]["score"], ranked[1]["level"], ranked[1]["reasons"]) == (0, "low", [])

    high = client.get("/api/v1/projects/YK44/hotspots?level=high", headers=world["as_viewer"]).get_json()
    assert [h["case_code"] for h in high] == ["YK-001"]
    assert error_of(client.get("/api/v1/projects/YK44/hotspots?level=hot", headers=world["as_viewer"]), 422)["field"] == "level"


# --- who may do what ----------------------------------------------------------------------------


def test_a_viewer_reads_the_dialogue_log_but_records_nothing(client, db):
    world = ward_with_two_households(db)
    created = record(client, world)
    headers = world["as_viewer"]
    url = f"/api/v1/projects/YK44/meetings/{created['id']}"
    for read in (url, f"{url}/revisions/1", "/api/v1/projects/YK44/meetings", "/api/v1/projects/YK44/commitments"):
        assert client.get(read, headers=headers).status_code == 200, read
    promise = created["commitments"][0]["id"]
    case_url = f"/api/v1/projects/YK44/cases/{world['an'].id}"
    for read in (f"{case_url}/offers", f"{case_url}/payments", f"{case_url}/dispute", "/api/v1/projects/YK44/disputes"):
        assert client.get(read, headers=headers).status_code == 200, read
    writes = [
        client.post("/api/v1/projects/YK44/meetings", headers=headers, json=visit(world)),
        client.post(f"{url}/amendments", headers=headers, json={**visit(world), "reason": "x", "version": 1}),
        client.post(f"{url}/attachments", headers=headers, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(JPEG), "a.jpg")}),
        client.post(f"/api/v1/projects/YK44/commitments/{promise}/close", headers=headers,
                    json={"status": "done", "closed_on": "2026-11-21", "outcome": "Đã gửi"}),
        client.post(f"{case_url}/offers", headers=headers,
                    json={"amount": 4_000_000_000, "offered_on": "2026-10-01", "basis": "Dự thảo"}),
        client.post(f"{case_url}/payments", headers=headers, json={"amount": 1_000_000, "paid_on": "2026-11-20"}),
        client.put(f"{case_url}/dispute", headers=headers, json={"status": "resolved", "reason": "Xong"}),
    ]
    for response in writes:
        assert "chỉ xem" in error_of(response, 403)["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1
    assert db.session.get(Commitment, promise).status == "open"
    for model in (CompensationOffer, Payment, DisputeRuling):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_another_wards_officer_finds_none_of_it(client, db):
    world = ward_with_two_households(db)
    created = record(client, world)
    headers = world["as_other"]
    url = f"/api/v1/projects/YK44/meetings/{created['id']}"
    for read in (url, f"{url}/revisions/1", "/api/v1/projects/YK44/meetings", "/api/v1/projects/YK44/commitments",
                 f"/api/v1/projects/YK44/cases/{world['an'].id}/balance", "/api/v1/projects/YK44/balance",
                 "/api/v1/projects/YK44/hotspots", f"/api/v1/projects/YK44/cases/{world['an'].id}/offers",
                 f"/api/v1/projects/YK44/cases/{world['an'].id}/payments",
                 f"/api/v1/projects/YK44/cases/{world['an'].id}/dispute", "/api/v1/projects/YK44/disputes"):
        assert error_of(client.get(read, headers=headers), 404)["status"] == 404, read
    # nor under a project of their own
    assert error_of(client.get(f"/api/v1/projects/TBT30/meetings/{created['id']}", headers=headers), 404)
    assert error_of(client.get(f"/api/v1/projects/TBT30/cases/{world['an'].id}/balance", headers=headers), 404)


# --- the OpenAPI document -----------------------------------------------------------------------


def test_the_openapi_document_describes_every_dialogue_endpoint(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    from openapi_spec_validator import validate

    validate(spec)
    prefix = "/api/v1/projects/{code}"
    expected = {
        f"{prefix}/meetings": {"get", "post"},
        f"{prefix}/meetings/{{meeting_id}}": {"get"},
        f"{prefix}/meetings/{{meeting_id}}/revisions/{{number}}": {"get"},
        f"{prefix}/meetings/{{meeting_id}}/amendments": {"post"},
        f"{prefix}/meetings/{{meeting_id}}/attachments": {"post"},
        f"{prefix}/meetings/{{meeting_id}}/attachments/{{attachment_id}}": {"get"},
        f"{prefix}/commitments": {"get"},
        f"{prefix}/commitments/{{commitment_id}}/close": {"post"},
        f"{prefix}/cases/{{case_id}}/balance": {"get"},
        f"{prefix}/balance": {"get"},
        f"{prefix}/cases/{{case_id}}/offers": {"get", "post"},
        f"{prefix}/cases/{{case_id}}/payments": {"get", "post"},
        f"{prefix}/cases/{{case_id}}/dispute": {"get", "put"},
        f"{prefix}/disputes": {"get"},
        f"{prefix}/hotspots": {"get"},
    }
    for path, methods in expected.items():
        assert path in spec["paths"], path
        operations = spec["paths"][path]
        assert methods <= set(operations), path
        for method in methods:
            assert operations[method]["summary"], (path, method)
    upload = spec["paths"][f"{prefix}/meetings/{{meeting_id}}/attachments"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    schemas = spec["components"]["schemas"]
    upload_file = schemas["AttachmentUpload"]["properties"]["file"]
    assert (upload_file["type"], upload_file["format"]) == ("string", "binary")
    assert schemas["CaseBalance"]["properties"]["offer"]["type"] == "integer"
    assert schemas["CaseBalance"]["properties"]["gap_percent"]["type"] == "string"
    assert "reason" in schemas["MeetingAmend"]["required"] and "version" in schemas["MeetingAmend"]["required"]
