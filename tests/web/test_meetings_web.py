"""The dialogue log in the browser's shoes: an officer logs a visit (households, who came, what was
raised and answered, a promise, a photo of the signed minutes), a refused save loses nothing
typed, minutes change only by an amendment with a reason that keeps the original readable, two
officers amending at once do not overwrite each other, promises are closed, scans are served
back. Both databases."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from clearance.formatting import LOCAL_TZ
from clearance.models import Commitment, Concern, Meeting, MeetingAttachment, MeetingRevision
from clearance.services import meetings as service
from clearance.workflow.statuses import CommitmentStatus, Position, Role
from tests import factories as f
from tests.conftest import csrf_token, post_form, sign_in

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 8
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def today():
    return datetime.now(LOCAL_TZ).date()


def yesterday():
    return today() - timedelta(days=1)


def dmy(day):
    return day.strftime("%d/%m/%Y")


def setup(db, role: Role = Role.OFFICER):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", role, ward)
    project = f.project("YK-44", [ward])
    a = f.case(project, f.party("Nguyễn Văn An", ward, address="Số 7 phố Yết Kiêu"), "YK-001")
    b = f.case(project, f.party("Trần Thị Bình", ward, address="Số 9 phố Yết Kiêu"), "YK-002")
    db.session.commit()
    return project, a, b


def visit(a, b=None, **changes):
    """What an officer types for a visit to household ``a`` (and ``b``, for a group meeting)."""
    data = {
        "kind": "persuasion",
        "held_on": dmy(yesterday()), "held_time": "09:30",
        "place": "Nhà ông An, số 7 Yết Kiêu",
        "case_ids": [str(a.id)] + ([str(b.id)] if b else []),
        "attendees-0-side": "official", "attendees-0-name": "Trần Văn Cán", "attendees-0-role": "Tổ trưởng tổ GPMB",
        "attendees-1-side": "household", "attendees-1-name": "Nguyễn Văn An", "attendees-1-role": "Chủ hộ",
        "attendees-2-side": "fatherland_front", "attendees-2-name": "Lê Thị Mặt", "attendees-2-role": "Chủ tịch MTTQ phường",
        f"hh-{a.id}-position": "disagrees", f"hh-{a.id}-demand": "5.000.000.000",
        f"cc-{a.id}": ["price", "resettlement"],
        f"cc-{a.id}-price-words": "Giá đền bù thấp hơn giá thị trường",
        f"cc-{a.id}-price-answer": "Giá theo bảng giá đất 2026 và hệ số điều chỉnh",
        f"cc-{a.id}-resettlement-words": "Muốn tái định cư tại chỗ",
        "answers": "Giải thích cách tính giá đất cụ thể.",
        "commitments-0-what": "Gửi lại biên bản đo đạc", "commitments-0-responsible": "Trần Văn Cán",
        "commitments-0-due_on": dmy(today() + timedelta(days=16)), "commitments-0-case": str(a.id),
        "commitments-1-what": "", "commitments-1-responsible": "", "commitments-1-due_on": "",
        "next_step": "Hẹn gặp lại sau khi có biên bản đo đạc.",
    }
    if b:
        data[f"hh-{b.id}-position"] = "partly"
    data.update(changes)
    return data


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


class FormFields(HTMLParser):
    """The fields of the meeting form as a browser would send them (no <template> rows)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.in_form = self.in_template = 0
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._text = ""

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form" and a.get("id") == "meeting-form":
            self.in_form = 1
        if tag == "template":
            self.in_template += 1
        if not self.in_form or self.in_template or "disabled" in a:
            return
        kind = a.get("type", "text")
        if tag == "input" and a.get("name") and kind not in ("file", "submit"):
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "template":
            self.in_template -= 1
        elif tag == "form":
            self.in_form = 0
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = next((v for v, sel in self._options if sel), self._options[0][0] if self._options else "")
            self.fields.append((self._select, chosen))
            self._select = None


def shown_form(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in parser.fields:
        out.setdefault(name, []).append(value)
    return out


def test_the_same_meeting_form_sent_twice_records_one_set_of_minutes(client, db):
    project, a, b = setup(db)
    sign_in(client, "canbo")
    html = client.get(f"/projects/{project.code}/meetings/new?case_id={a.id}").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="submission_key"', html)
    assert key, "the form carries a one-time key"
    data = {**visit(a, b, files=[(io.BytesIO(JPEG), "IMG_2041.jpg", "image/jpeg")]), "submission_key": key.group(1)}
    first = post_form(client, f"/projects/{project.code}/meetings/new", data)
    again = {**visit(a, b, files=[(io.BytesIO(JPEG), "IMG_2041.jpg", "image/jpeg")]), "submission_key": key.group(1)}
    second = post_form(client, f"/projects/{project.code}/meetings/new", again)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Meeting) == 1 and count(db, MeetingAttachment) == 1
    assert "đã được lưu trước đó" in client.get(second.headers["Location"]).get_data(as_text=True)


def test_an_officer_logs_a_group_visit_with_concerns_a_promise_and_a_photo(client, db):
    project, a, b = setup(db)
    sign_in(client, "canbo")
    form_page = client.get(f"/projects/{project.code}/meetings/new?case_id={a.id}")
    html = form_page.get_data(as_text=True)
    assert form_page.status_code == 200
    # The household chosen from its case page is ticked, its block open, the time is now.
    assert re.search(rf'name="case_ids" value="{a.id}"[^>]*checked', html)
    assert f'data-household="{a.id}"' in html and f'data-household="{b.id}"' not in html
    assert "Số 7 phố Yết Kiêu" in html  # the visit is at the household's home unless changed
    assert 'capture="environment"' in html and 'accept="image/*,application/pdf"' in html

    data = visit(a, b, files=[(io.BytesIO(JPEG), "IMG_2041.jpg", "image/jpeg")])
    response = post_form(client, f"/projects/{project.code}/meetings/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = db.session.scalars(sa.select(Meeting)).one()
    assert response.headers["Location"].endswith(f"/projects/{project.code}/meetings/{meeting.id}")

    assert [(h.case_id, h.position, h.demand) for h in meeting.households] == [
        (a.id, Position.DISAGREES, 5_000_000_000), (b.id, Position.PARTLY, None),
    ]
    assert meeting.held_at.astimezone(LOCAL_TZ).replace(tzinfo=None) == datetime.combine(yesterday(), datetime.min.time()).replace(hour=9, minute=30)
    assert [(c.case_id, c.category.value) for c in meeting.concerns] == [(a.id, "price"), (a.id, "resettlement")]
    promise = meeting.commitments[0]
    assert (promise.what, promise.case_id, promise.due_on) == ("Gửi lại biên bản đo đạc", a.id, today() + timedelta(days=16))
    assert [x.name for x in meeting.attendees] == ["Trần Văn Cán", "Nguyễn Văn An", "Lê Thị Mặt"]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu biên bản" in page
    assert f'data-clear-draft="gpmb-meeting-draft:{project.code}:' in page  # the phone forgets its draft
    for text in ("Nguyễn Văn An", "Trần Thị Bình", "Không đồng ý", "Đồng ý một phần", "5.000.000.000 đ",
                 "Giá đền bù thấp hơn giá thị trường", "Giá theo bảng giá đất 2026", "Muốn tái định cư tại chỗ",
                 "Mặt trận Tổ quốc", "Chủ tịch MTTQ phường", "Gửi lại biên bản đo đạc", dmy(promise.due_on),
                 "IMG_2041.jpg", "Bản gốc", "họp chung"):
        assert text in page, text
    assert f"/projects/{project.code}/cases/{a.id}" in page
    # The draft is forgotten once: a reload does not clear again.
    assert "data-clear-draft" not in client.get(response.headers["Location"]).get_data(as_text=True)

    listing = client.get(f"/projects/{project.code}/meetings/").get_data(as_text=True)
    assert "2 hộ" in listing and "Vận động, thuyết phục tại nhà" in listing


def test_a_visit_without_a_household_is_refused_and_keeps_what_was_typed(client, db):
    project, a, _b = setup(db)
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/{project.code}/meetings/new", visit(a, case_ids=[]), f"/projects/{project.code}/meetings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chọn ít nhất một hộ dự cuộc gặp." in html
    for typed in ("Nhà ông An, số 7 Yết Kiêu", "Lê Thị Mặt", "Chủ tịch MTTQ phường", "Giải thích cách tính giá đất cụ thể.",
                  "Gửi lại biên bản đo đạc", "Hẹn gặp lại sau khi có biên bản đo đạc."):
        assert typed in html, typed
    assert 'data-first-screen="1"' in html  # the phone opens on the screen with the problem
    assert count(db, Meeting) == 0


def test_a_promise_without_a_due_date_is_refused_naming_its_line(client, db):
    project, a, _b = setup(db)
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/{project.code}/meetings/new", visit(a, **{"commitments-0-due_on": ""}),
                         f"/projects/{project.code}/meetings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Cam kết thứ 1 chưa có hạn thực hiện." in html
    assert "Giá đền bù thấp hơn giá thị trường" in html and "5.000.000.000" in html and "Gửi lại biên bản đo đạc" in html
    assert 'data-first-screen="2"' in html
    assert count(db, Meeting) == 0 and count(db, Commitment) == 0


def test_a_demand_that_is_not_a_sum_of_dong_is_refused_naming_the_household(client, db):
    project, a, _b = setup(db)
    sign_in(client, "canbo")
    response = post_form(client, f"/projects/{project.code}/meetings/new", visit(a, **{f"hh-{a.id}-demand": "5 tỷ"}),
                         f"/projects/{project.code}/meetings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "YK-001 — Nguyễn Văn An: Mức đề nghị phải là số nguyên đồng" in html
    assert 'value="5 tỷ"' in html
    assert count(db, Meeting) == 0


def test_an_executable_renamed_as_a_photo_refuses_the_whole_save(client, db):
    project, a, _b = setup(db)
    sign_in(client, "canbo")
    data = visit(a, files=[(io.BytesIO(JPEG), "trang-1.jpg", "image/jpeg"), (io.BytesIO(EXE), "trang-2.jpg", "image/jpeg")])
    response = post_form(client, f"/projects/{project.code}/meetings/new", data, f"/projects/{project.code}/meetings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tệp “trang-2.jpg” không phải ảnh hay PDF" in html
    assert "chọn lại tệp đính kèm" in html
    assert "Giá đền bù thấp hơn giá thị trường" in html and "Lê Thị Mặt" in html
    assert count(db, Meeting) == 0 and count(db, MeetingAttachment) == 0 and count(db, Concern) == 0


def test_a_photo_over_the_size_limit_refuses_the_save(client, db, app, monkeypatch):
    project, a, _b = setup(db)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_MB", 1)
    sign_in(client, "canbo")
    big = JPEG + b"\x00" * (1024 * 1024)
    url = f"/projects/{project.code}/meetings/new"
    data = visit(a, files=[(io.BytesIO(big), "anh-lon.jpg", "image/jpeg")], csrf_token=csrf_token(client, url))
    # A body this large is spooled to a temporary file the test client never closes: close it here.
    environ = EnvironBuilder(path=url, method="POST", data=data).get_environ()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tệp “anh-lon.jpg” lớn hơn 1 MB" in html and "Nhà ông An, số 7 Yết Kiêu" in html
    assert count(db, Meeting) == 0 and count(db, MeetingAttachment) == 0


def test_without_javascript_ticking_households_opens_their_blocks_without_saving(client, db):
    project, a, b = setup(db)
    sign_in(client, "canbo")
    data = visit(a, b, refresh="1", **{"commitments-1-what": "Hẹn đo lại thửa đất"})  # its due date comes later
    response = post_form(client, f"/projects/{project.code}/meetings/new", data, f"/projects/{project.code}/meetings/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-household="{a.id}"' in html and f'data-household="{b.id}"' in html
    assert "Giá đền bù thấp hơn giá thị trường" in html and "Hẹn đo lại thửa đất" in html
    assert "Chưa lưu được" not in html and "chưa có hạn" not in html
    assert count(db, Meeting) == 0


def record(project, cases, officer_name="canbo", **values):
    """Minutes recorded yesterday, as if through the form."""
    from clearance.models import User

    officer = f.db.session.scalar(sa.select(User).where(User.username == officer_name))
    held = datetime.combine(yesterday(), datetime.min.time()).replace(hour=9, tzinfo=LOCAL_TZ)
    data = {
        "kind": "persuasion", "held_at": held, "place": "Nhà ông An",
        "households": [{"case_id": c.id, "position": "disagrees", "demand": 5_000_000_000} for c in cases],
        "attendees": [{"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng"}],
        "concerns": [{"case_id": cases[0].id, "category": "price", "words": "Giá thấp hơn thị trường", "answer": ""}],
        "commitments": [{"case_id": cases[0].id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán",
                         "due_on": today() + timedelta(days=10)}],
    }
    data.update(values)
    meeting = service.record_meeting(project, data, officer, datetime.now(UTC))
    f.db.session.commit()
    return meeting


def test_an_amendment_needs_a_reason_and_the_original_stays_readable(client, db):
    project, a, _b = setup(db)
    meeting = record(project, [a])
    promise_id = meeting.commitments[0].id
    sign_in(client, "canbo")
    amend_url = f"/projects/{project.code}/meetings/{meeting.id}/amend"
    fields = shown_form(client.get(amend_url).get_data(as_text=True))
    # The form comes back as recorded: the household, its position and demand, the concern, the promise.
    assert fields["case_ids"] == [str(a.id)] and fields[f"hh-{a.id}-position"] == ["disagrees"]
    assert fields[f"hh-{a.id}-demand"] == ["5.000.000.000"] and fields[f"cc-{a.id}"] == ["price"]
    assert fields[f"cc-{a.id}-price-words"] == ["Giá thấp hơn thị trường"]
    assert fields["commitments-0-id"] == [str(promise_id)] and fields["version"] == [str(meeting.version)]

    fields.update({"place": ["Trụ sở UBND phường Hai Bà Trưng"], f"hh-{a.id}-position": ["partly"], "reason": [""]})
    refused = post_form(client, amend_url, fields)
    assert refused.status_code == 422
    assert "Ghi lý do sửa biên bản." in refused.get_data(as_text=True)
    assert "Trụ sở UBND phường Hai Bà Trưng" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).revision == 1

    fields["reason"] = ["Ghi nhầm địa điểm và ý kiến của hộ"]
    saved = post_form(client, amend_url, fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    amended = db.session.get(Meeting, meeting.id)
    assert (amended.revision, amended.place, amended.households[0].position) == (2, "Trụ sở UBND phường Hai Bà Trưng", Position.PARTLY)
    assert [c.id for c in amended.commitments] == [promise_id]  # the promise is kept, not re-made
    assert amended.commitments[0].status == CommitmentStatus.OPEN

    page = client.get(f"/projects/{project.code}/meetings/{meeting.id}").get_data(as_text=True)
    assert "Bản số 2 — sửa lần 1" in page and "Ghi nhầm địa điểm và ý kiến của hộ" in page
    assert "Nhà ông An" in page and "Trụ sở UBND phường Hai Bà Trưng" in page  # the change, before → after
    original = client.get(f"/projects/{project.code}/meetings/{meeting.id}/revisions/1").get_data(as_text=True)
    assert "Bạn đang xem bản gốc" in original
    assert "Nhà ông An" in original and "Trụ sở UBND phường Hai Bà Trưng" not in original.split('id="revisions"')[0]
    assert "Không đồng ý" in original.split('id="revisions"')[0]
    assert client.get(f"/projects/{project.code}/meetings/{meeting.id}/revisions/3").status_code == 404


def test_two_officers_amending_the_same_minutes_do_not_overwrite_each_other(client, db):
    project, a, _b = setup(db)
    meeting = record(project, [a])
    sign_in(client, "canbo")
    amend_url = f"/projects/{project.code}/meetings/{meeting.id}/amend"
    first = shown_form(client.get(amend_url).get_data(as_text=True))
    second = shown_form(client.get(amend_url).get_data(as_text=True))

    first.update({"place": ["Trụ sở UBND phường"], "reason": ["Sai địa điểm"]})
    assert post_form(client, amend_url, first).status_code == 302
    second.update({"place": ["Nhà văn hóa tổ dân phố 5"], "reason": ["Bổ sung địa điểm"]})
    stale = post_form(client, amend_url, second)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "vừa được Canbo sửa" in html and "Nhà văn hóa tổ dân phố 5" in html
    assert f'href="/projects/{project.code}/meetings/{meeting.id}"' in html  # the latest version, to compare
    db.session.expire_all()
    kept = db.session.get(Meeting, meeting.id)
    assert (kept.place, kept.revision) == ("Trụ sở UBND phường", 2)
    assert count(db, MeetingRevision) == 2


def test_an_amendment_that_does_not_say_which_version_it_corrects_is_refused(client, db):
    project, a, _b = setup(db)
    meeting = record(project, [a])
    sign_in(client, "canbo")
    amend_url = f"/projects/{project.code}/meetings/{meeting.id}/amend"
    fields = shown_form(client.get(amend_url).get_data(as_text=True))
    fields.update({"place": ["Trụ sở UBND phường"], "reason": ["Sai địa điểm"], "version": [""]})
    refused = post_form(client, amend_url, fields)
    assert refused.status_code == 422
    assert "Không rõ bản biên bản đang sửa" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).revision == 1


def test_a_viewer_reads_the_minutes_but_cannot_log_amend_close_or_upload(client, db):
    project, a, _b = setup(db, Role.VIEWER)
    f.user("truongnhom", Role.LEAD, project.units[0])
    db.session.commit()
    meeting = record(project, [a], officer_name="truongnhom")
    service.attach(meeting, "bien-ban.jpg", io.BytesIO(JPEG), None)
    db.session.commit()
    sign_in(client, "canbo")
    page_url = f"/projects/{project.code}/meetings/{meeting.id}"
    page = client.get(page_url)
    assert page.status_code == 200 and "Gửi lại biên bản đo đạc" in page.get_data(as_text=True)
    assert "Sửa biên bản" not in page.get_data(as_text=True) and "Ghi kết quả thực hiện" not in page.get_data(as_text=True)
    assert client.get(f"/projects/{project.code}/meetings/new").status_code == 403
    token = csrf_token(client, page_url)
    promise = meeting.commitments[0]
    for url, data in (
        (f"/projects/{project.code}/meetings/new", visit(a)),
        (f"{page_url}/amend", {**visit(a), "reason": "x"}),
        (f"{page_url}/commitments/{promise.id}/close", {"status": "done", "closed_on": dmy(today()), "outcome": "x"}),
        (f"{page_url}/attachments", {"files": (io.BytesIO(JPEG), "a.jpg")}),
    ):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert count(db, Meeting) == 1 and count(db, MeetingAttachment) == 1
    attachment = db.session.scalars(sa.select(MeetingAttachment)).one()
    with client.get(f"{page_url}/attachments/{attachment.id}") as response:
        assert response.data == JPEG


def test_a_promise_is_shown_overdue_then_closed_with_its_outcome(client, db):
    project, a, _b = setup(db)
    held = datetime.combine(today() - timedelta(days=5), datetime.min.time()).replace(hour=9, tzinfo=LOCAL_TZ)
    meeting = record(project, [a], held_at=held, commitments=[
        {"case_id": a.id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán", "due_on": today() - timedelta(days=2)},
    ])
    promise = meeting.commitments[0]
    seen = promise.version
    sign_in(client, "canbo")
    page_url = f"/projects/{project.code}/meetings/{meeting.id}"
    assert "Quá hạn 2 ngày" in client.get(page_url).get_data(as_text=True)

    close_url = f"{page_url}/commitments/{promise.id}/close"
    missing = post_form(client, close_url, {"status": "done", "closed_on": dmy(today()), "outcome": "", "version": seen}, page_url)
    assert missing.status_code == 422
    assert "Ghi kết quả thực hiện hoặc lý do hủy." in missing.get_data(as_text=True)

    done = post_form(client, close_url, {"status": "done", "closed_on": dmy(today()), "outcome": "Đã gửi bản sao có dấu",
                                         "version": seen}, page_url)
    assert done.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Commitment, promise.id)
    assert (kept.status, kept.closed_on, kept.outcome) == (CommitmentStatus.DONE, today(), "Đã gửi bản sao có dấu")
    page = client.get(page_url).get_data(as_text=True)
    assert f"Đã thực hiện {dmy(today())}" in page and "Đã gửi bản sao có dấu" in page and "Quá hạn" not in page

    again = post_form(client, close_url, {"status": "cancelled", "closed_on": dmy(today()), "outcome": "x", "version": seen}, page_url)
    assert again.status_code == 409  # closed meanwhile: the stale page is told, nothing changes
    db.session.expire_all()
    assert db.session.get(Commitment, promise.id).status == CommitmentStatus.DONE


def test_a_scan_is_served_back_as_stored_and_only_within_its_project(client, db):
    project, a, _b = setup(db)
    meeting = record(project, [a])
    sign_in(client, "canbo")
    page_url = f"/projects/{project.code}/meetings/{meeting.id}"
    uploaded = post_form(client, f"{page_url}/attachments",
                         {"files": [(io.BytesIO(JPEG), "Biên bản trang 1.jpg"), (io.BytesIO(b"%PDF-1.7\n" + b"0" * 50), "bien-ban.pdf")]},
                         page_url)
    assert uploaded.status_code == 302
    photo, pdf = db.session.scalars(sa.select(MeetingAttachment).order_by(MeetingAttachment.id)).all()
    with client.get(f"{page_url}/attachments/{photo.id}") as response:
        assert response.status_code == 200 and response.data == JPEG
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20trang%201.jpg" in response.headers["Content-Disposition"]
    with client.get(f"{page_url}/attachments/{pdf.id}") as response:
        assert response.headers["Content-Type"] == "application/pdf"
    page = client.get(page_url).get_data(as_text=True)
    assert "Biên bản trang 1.jpg" in page and "bien-ban.pdf" in page

    refused = post_form(client, f"{page_url}/attachments", {"files": (io.BytesIO(EXE), "scan.jpg")}, page_url)
    assert refused.status_code == 422 and "không phải ảnh hay PDF" in refused.get_data(as_text=True)
    assert count(db, MeetingAttachment) == 2

    ward = project.units[0]
    elsewhere = f.project("KHAC", [ward])
    other = record(elsewhere, [f.case(elsewhere, f.party("Lê Văn Khác", ward), "K-1")])
    assert client.get(f"/projects/{project.code}/meetings/{other.id}").status_code == 404
    assert client.get(f"/projects/{project.code}/meetings/{other.id}/attachments/{photo.id}").status_code == 404


def test_the_log_lists_meetings_newest_first_by_kind_and_household(client, db):
    project, a, b = setup(db)
    earlier = datetime.combine(today() - timedelta(days=3), datetime.min.time()).replace(hour=9, tzinfo=LOCAL_TZ)
    record(project, [a], held_at=earlier, commitments=[])
    record(project, [b], kind="dialogue", commitments=[], concerns=[])
    sign_in(client, "canbo")
    url = f"/projects/{project.code}/meetings/"
    rows = re.findall(r"<tr>.*?</tr>", client.get(url).get_data(as_text=True), re.S)
    assert "Trần Thị Bình" in rows[1] and "Nguyễn Văn An" in rows[2]  # rows[0] is the header
    dialogues = client.get(url + "?kind=dialogue").get_data(as_text=True)
    assert "Trần Thị Bình" in dialogues and "Nguyễn Văn An" not in dialogues
    found = client.get(url + "?q=nguyễn văn").get_data(as_text=True)
    assert "Nguyễn Văn An" in found and "Trần Thị Bình" not in found
    assert "Nguyễn Văn An" in client.get(url + "?q=YK-001").get_data(as_text=True)


def test_the_case_page_section_lists_meetings_and_promises_and_reads_well_when_empty(app, db):
    from flask import render_template
    from flask_login import login_user

    from clearance.models import User

    project, a, b = setup(db)
    officer = db.session.scalar(sa.select(User).where(User.username == "canbo"))
    with app.test_request_context("/"):
        login_user(officer)
        empty = render_template("meetings/_case_meetings.html", project=project, case=a, case_meetings=[],
                                case_commitments=[], today=today())
        assert 'id="meetings"' in empty and "Chưa ghi cuộc gặp nào với hộ này." in empty
        assert f"/projects/{project.code}/meetings/new?case_id={a.id}" in empty

        held = datetime.combine(today() - timedelta(days=5), datetime.min.time()).replace(hour=9, tzinfo=LOCAL_TZ)
        record(project, [a, b], held_at=held, commitments=[
            {"case_id": a.id, "what": "Gửi lại biên bản đo đạc", "responsible": "Trần Văn Cán", "due_on": today() - timedelta(days=1)},
            {"case_id": a.id, "what": "Mời đơn vị thẩm định giá", "responsible": "Chủ đầu tư", "due_on": today() + timedelta(days=7)},
        ])
        html = render_template("meetings/_case_meetings.html", project=project, case=a,
                               case_meetings=service.meetings_of_case(a), case_commitments=service.open_commitments_of(a),
                               today=today())
    assert "Vận động, thuyết phục tại nhà" in html and "Không đồng ý" in html and "5.000.000.000 đ" in html
    assert "họp chung 2 hộ" in html
    overdue = html.index("Gửi lại biên bản đo đạc")
    assert html.rfind('class="overdue"', 0, overdue) > html.rfind("<li", 0, overdue) - 1
    assert "Quá hạn 1 ngày" in html and "Mời đơn vị thẩm định giá" in html


@pytest.mark.parametrize("path", ["/", "/new", "/1", "/1/amend", "/1/revisions/1", "/1/attachments/1"])
def test_another_units_project_is_not_found(client, db, path):
    setup(db)
    other_ward = f.unit("Phường Cửa Nam")
    f.project("CN-01", [other_ward])
    db.session.commit()
    sign_in(client, "canbo")
    assert client.get(f"/projects/CN-01/meetings{path}").status_code == 404


def test_the_log_the_minutes_and_the_form_cost_the_same_queries_for_more_meetings_and_households(client, db):
    from tests.queries import counting_queries

    project, a, b = setup(db)
    ward = project.units[0]
    sign_in(client, "canbo")

    def costs(meeting_id: int) -> dict[str, int]:
        out = {}
        for url in ("/", f"/{meeting_id}", f"/{meeting_id}/amend", "/new"):
            with counting_queries() as statements:
                assert client.get(f"/projects/{project.code}/meetings{url}").status_code == 200
            out[url.replace(str(meeting_id), "N")] = len(statements)
        return out

    small = record(project, [a])
    few = costs(small.id)
    more = [f.case(project, f.party(f"Hộ số {n}", ward), f"YK-1{n:02d}") for n in range(4)]
    big = record(project, [a, b, *more], attendees=[{"side": "household", "name": f"Người {n}", "role": ""} for n in range(6)],
                 concerns=[{"case_id": c.id, "category": "price", "words": "Giá thấp", "answer": ""} for c in (a, b, *more)])
    for _ in range(5):
        record(project, [b, *more[:2]], commitments=[])
    assert costs(big.id) == few
