"""The case page as a team lead and an officer see it: status, dispute status and the balance at a
glance in the header; offers by version, how the gap moved, payments; the forms that record them;
the lead's ruling on the dispute status. Both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from clearance.formatting import LOCAL_TZ
from clearance.models import CompensationOffer, DisputeRuling, Payment
from clearance.services import case_balance
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import post_form, sign_in
from tests.queries import counting_queries


def today():
    return datetime.now(LOCAL_TZ).date()


def ago(days: int):
    return today() - timedelta(days=days)


def at(day) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


def meet(project, case, day, position: str, demand: int | None = None, kind: str = "persuasion", **values):
    """Minutes of a meeting with the household, recorded as an officer would (clock: now)."""
    from clearance.services import meetings

    data = {
        "kind": kind, "held_at": at(day), "place": "Nhà văn hóa tổ dân phố 7",
        "households": [{"case_id": case.id, "position": position, "demand": demand}],
        "attendees": [{"side": "official", "name": "Nguyễn Văn Hùng", "role": "Cán bộ tổ GPMB"}],
        "concerns": [], "commitments": [],
    }
    data.update(values)
    return meetings.record_meeting(project, data, None, datetime.now(UTC))


def setup(db, app):
    """One case on a 4.500.000.000 đ budget: offered 4.000.000.000, then 4.210.000.000 after the
    dialogue; the family asked 5.500.000.000, then 5.000.000.000."""
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("truongnhom", Role.LEAD, ward)
    f.user("canbo", Role.OFFICER, ward)
    f.user("xem", Role.VIEWER, ward)
    project = f.project("YK44", [ward], approved_budget=4_500_000_000)
    case = f.case(project, f.party("Nguyễn Văn A", ward), "YK-007", CaseStatus.DECIDED)
    f.records.add_holding(case, f.parcel(project, "41"), "land_user", 100)
    with app.test_request_context():
        case_balance.record_offer(case, 4_000_000_000, ago(60), "Dự thảo phương án niêm yết", None, today())
        meet(project, case, ago(55), "disagrees", 5_500_000_000, kind="consultation")
        case_balance.record_offer(case, 4_210_000_000, ago(40), "Bổ sung hỗ trợ thuê nhà 12 tháng sau đối thoại", None, today())
        meet(project, case, ago(6), "partly", 5_000_000_000,
             concerns=[
                 {"case_id": case.id, "category": "price", "words": "Giá đền bù thấp hơn giá thị trường", "answer": ""},
                 {"case_id": case.id, "category": "resettlement", "words": "Muốn tái định cư tại chỗ", "answer": ""},
             ],
             commitments=[{"case_id": case.id, "what": "Gửi lại biên bản đo đạc", "responsible": "Nguyễn Văn Hùng",
                           "due_on": today() + timedelta(days=16)}])
    db.session.commit()
    return project, case


def header(html: str) -> str:
    match = re.search(r'<header class="card case-header">(.*?)</header>', html, re.S)
    assert match, "no case header"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def page_of(case) -> str:
    return f"/projects/YK44/cases/{case.id}"


def test_the_lead_sees_status_dispute_status_and_the_balance_at_a_glance_in_the_header(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "truongnhom")

    html = client.get(page_of(case)).get_data(as_text=True)
    top = header(html)

    assert "Đã có quyết định thu hồi" in top
    assert "Còn vướng mắc" in top
    assert f"Hộ đồng ý một phần tại buổi vận động, thuyết phục tại nhà {ago(6):%d/%m/%Y}" in top
    assert "Giá trị đề nghị (phiên bản 2) 4.210.000.000 đ" in top
    assert "Hộ đề nghị 5.000.000.000 đ" in top
    assert "Chênh lệch 18,8 % 790.000.000 đ" in top
    assert "Phần kinh phí 4.500.000.000 đ" in top
    assert "Đã chi trả 0 đ" in top


def test_the_balance_section_shows_the_offer_history_and_how_the_gap_moved(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "truongnhom")

    html = client.get(page_of(case)).get_data(as_text=True)
    balance = html[html.index('id="balance"'):html.index('id="dispute"')]

    assert "Bổ sung hỗ trợ thuê nhà 12 tháng sau đối thoại" in balance
    assert "+210.000.000 đ (+5,3 %)" in balance
    # The consultation had offer 1 against 5,5 tỷ; the latest visit offer 2 against 5 tỷ.
    assert "37,5 %" in balance and "18,8 %" in balance
    assert "Chênh lệch 37,5 % (" in balance and "→ 18,8 % (" in balance
    assert '<svg class="movement-chart"' in balance
    assert "cdn" not in html.lower()


def test_the_timeline_interleaves_steps_and_meetings_with_links_to_the_minutes(client, db, app):
    from clearance.models import Meeting

    project, case = setup(db, app)
    sign_in(client, "canbo")
    meeting_ids = db.session.scalars(sa.select(Meeting.id).order_by(Meeting.held_at)).all()

    html = client.get(page_of(case)).get_data(as_text=True)
    timeline = html[html.index("Các bước và cuộc gặp"):html.index('id="grievances"')]

    for meeting_id in meeting_ids:
        assert f'href="/projects/YK44/meetings/{meeting_id}"' in timeline
    assert timeline.index(f"/meetings/{meeting_ids[0]}") < timeline.index(f"/meetings/{meeting_ids[1]}")
    assert "Họp lấy ý kiến phương án" in timeline and "hộ đề nghị 5.500.000.000 đ" in timeline


def test_an_officer_records_a_new_offer_version_and_bad_input_is_refused_with_a_message(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "canbo")
    url = f"{page_of(case)}/offers"

    saved = post_form(client, url, {"amount": "4.300.000.000", "offered_on": f"{today():%d/%m/%Y}",
                                    "basis": "Điều chỉnh đơn giá công trình phụ"}, form_page=page_of(case))
    assert saved.status_code == 302
    db.session.expire_all()
    assert [o.amount for o in db.session.scalars(sa.select(CompensationOffer).order_by(CompensationOffer.number))] == [
        4_000_000_000, 4_210_000_000, 4_300_000_000,
    ]

    no_basis = post_form(client, url, {"amount": "4.400.000.000", "offered_on": f"{today():%d/%m/%Y}", "basis": ""},
                         form_page=page_of(case))
    words = post_form(client, url, {"amount": "bốn tỷ", "offered_on": f"{today():%d/%m/%Y}", "basis": "x"},
                      form_page=page_of(case))
    future = post_form(client, url, {"amount": "4.400.000.000", "offered_on": f"{today() + timedelta(days=3):%d/%m/%Y}",
                                     "basis": "Dự kiến"}, form_page=page_of(case))

    assert no_basis.status_code == words.status_code == future.status_code == 422
    assert "Trường này bắt buộc." in no_basis.get_data(as_text=True)
    assert "Số tiền phải là số nguyên đồng" in words.get_data(as_text=True)
    assert "Ngày đề nghị không được sau hôm nay." in future.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompensationOffer)) == 3


def test_a_payment_and_its_reversal_are_recorded_and_a_reversal_without_reason_is_refused(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "canbo")
    url = f"{page_of(case)}/payments"
    day = f"{ago(1):%d/%m/%Y}"

    assert post_form(client, url, {"amount": "4.210.000.000", "paid_on": day, "document": "UNC 001", "note": ""},
                     form_page=page_of(case)).status_code == 302
    assert post_form(client, url, {"amount": "4.210.000.000", "paid_on": day, "document": "UNC 002", "note": ""},
                     form_page=page_of(case)).status_code == 302
    no_reason = post_form(client, url, {"amount": "-4.210.000.000", "paid_on": day, "document": "GNT 01", "note": ""},
                          form_page=page_of(case))
    too_much = post_form(client, url, {"amount": "-9.000.000.000", "paid_on": day, "document": "GNT 01", "note": "Chi trùng"},
                         form_page=page_of(case))
    assert no_reason.status_code == too_much.status_code == 422
    assert "Khoản âm là hoàn lại một khoản đã chi nhầm: ghi lý do." in no_reason.get_data(as_text=True)
    assert "tổng đã chi trả không được âm" in too_much.get_data(as_text=True)

    reversed_ = post_form(client, url, {"amount": "-4.210.000.000", "paid_on": day, "document": "GNT 01",
                                        "note": "Chi trùng ủy nhiệm chi UNC 002"}, form_page=page_of(case))
    assert reversed_.status_code == 302

    html = client.get(page_of(case)).get_data(as_text=True)
    assert "Đã chi trả 4.210.000.000 đ" in header(html)
    assert "-4.210.000.000 đ" in html and "Chi trùng ủy nhiệm chi UNC 002" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 3


def test_the_lead_overrides_the_dispute_status_with_a_reason_and_clears_it_again(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "truongnhom")
    url = f"{page_of(case)}/dispute"

    assert f'action="{url}' in client.get(page_of(case)).get_data(as_text=True)
    no_reason = post_form(client, url, {"status": "resolved", "reason": ""}, form_page=page_of(case))
    assert no_reason.status_code == 422 and "Trường này bắt buộc." in no_reason.get_data(as_text=True)

    saved = post_form(client, url, {"status": "resolved", "reason": "Hộ đã ký biên bản thỏa thuận ngoài buổi gặp"},
                      form_page=page_of(case))
    assert saved.status_code == 302
    top = header(client.get(page_of(case)).get_data(as_text=True))
    assert "Đã giải quyết xong" in top and "do trưởng nhóm xác định" in top
    assert "Hộ đã ký biên bản thỏa thuận ngoài buổi gặp" in top
    assert "Truongnhom" in top and "theo dữ liệu: Còn vướng mắc" in top

    cleared = post_form(client, url, {"status": "", "reason": "Biên bản thỏa thuận chưa có chữ ký của chủ hộ"},
                        form_page=page_of(case))
    assert cleared.status_code == 302
    top = header(client.get(page_of(case)).get_data(as_text=True))
    assert "Còn vướng mắc" in top and "do trưởng nhóm xác định" not in top
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisputeRuling)) == 2


def test_an_officer_neither_sees_nor_may_post_the_override_and_a_viewer_records_no_money(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "canbo")

    html = client.get(page_of(case)).get_data(as_text=True)
    assert f'action="{page_of(case)}/dispute' not in html
    assert f'action="{page_of(case)}/offers' in html
    refused = post_form(client, f"{page_of(case)}/dispute", {"status": "resolved", "reason": "Tôi thấy ổn"}, form_page=page_of(case))
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisputeRuling)) == 0

    post_form(client, "/logout", {}, form_page=page_of(case))
    sign_in(client, "xem")
    html = client.get(page_of(case)).get_data(as_text=True)
    assert "/offers" not in html and "/payments" not in html
    assert post_form(client, f"{page_of(case)}/offers", {"amount": "1", "offered_on": f"{today():%d/%m/%Y}", "basis": "x"},
                     form_page=page_of(case)).status_code == 403




def test_the_case_page_costs_the_same_queries_with_more_meetings_offers_and_payments(client, db, app):
    project, case = setup(db, app)
    sign_in(client, "truongnhom")
    with counting_queries() as few:
        assert client.get(page_of(case)).status_code == 200
    with app.test_request_context():
        for n in range(5):
            case_balance.record_offer(case, 4_300_000_000 + n, ago(5 - n), f"Điều chỉnh {n}", None, today())
            case_balance.record_payment(case, 1_000_000 + n, ago(5 - n), f"UNC {n}", "", None, today())
            meet(project, case, ago(5 - n), "partly", 5_000_000_000 - n)
    db.session.commit()
    with counting_queries() as many:
        assert client.get(page_of(case)).status_code == 200

    assert len(many) == len(few)


def test_a_payment_form_sent_twice_pays_once(client, db, app):
    """A double tap, or a retry on a bad network, must not record the money twice."""
    project, case = setup(db, app)
    sign_in(client, "canbo")
    url = f"{page_of(case)}/payments"
    data = {"amount": "4.210.000.000", "paid_on": f"{ago(1):%d/%m/%Y}", "document": "UNC 001", "note": "",
            "submission_key": "6f1c2b1e-6a43-4b8e-9d1a-2f0c5a7e9b10"}
    assert post_form(client, url, data, form_page=page_of(case)).status_code == 302
    assert post_form(client, url, data, form_page=page_of(case)).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    # A new form (a new key) is a new payment.
    assert post_form(client, url, {**data, "submission_key": "0b7e2d54-3f0e-4a53-8c8e-7b2c2a1f4d99"},
                     form_page=page_of(case)).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 2
