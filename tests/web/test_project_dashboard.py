"""The project dashboard's balance of interests and residents' concerns, and the full concerns
page, as the team lead sees them: formatted figures, charts drawn on the server, filters that
work, and a page that costs the same number of queries for a handful of meetings or a year of
them. Both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from shapely.geometry import box

from clearance.formatting import LOCAL_TZ
from clearance.services import meetings
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in
from tests.queries import counting_queries

LON, LAT = 105.8560, 21.0185
BN = 1_000_000_000


def now() -> datetime:
    return datetime.now(LOCAL_TZ)


def this_month_start() -> datetime:
    """Five past midnight on the first of this (Hanoi) month: a time in this month, never ahead of
    the clock by more than the minutes a phone may run fast."""
    return now().replace(day=1, hour=0, minute=5, second=0, microsecond=0)


def meet(project, cases, held_at, positions=None, demands=None, concerns=(), commitments=(), kind="persuasion"):
    """Log a meeting as an officer does today (the factory's fixed clock would refuse recent dates)."""
    values = {
        "kind": kind, "held_at": held_at, "place": "Nhà văn hóa tổ dân phố 5",
        "households": [
            {"case_id": c.id, "position": (positions or {}).get(c.id, "no_answer"), "demand": (demands or {}).get(c.id)}
            for c in cases
        ],
        "attendees": [{"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng tổ GPMB"}],
        "concerns": list(concerns), "commitments": list(commitments),
    }
    return meetings.record_meeting(project, values, None, datetime.now(UTC))


def said(case, category, words, answer=""):
    return {"case_id": case.id if case else None, "category": category, "words": words, "answer": answer}


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("truongnhom", Role.LEAD, ward)
    project = f.project("YK-44", [ward], approved_budget=9 * BN, boundary=box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01))
    cases = []
    for n, name in enumerate(("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cúc")):
        status = CaseStatus.HANDED_OVER if n == 2 else CaseStatus.DECIDED
        case = f.case(project, f.party(name, ward), f"YK-{n + 1:03d}", status)
        f.records.add_holding(case, f.parcel(project, str(n + 1), lon=LON + n * 0.0003, measured_area=Decimal("250.00")), "land_user", 100)
        cases.append(case)
    db.session.commit()
    return {"project": project, "ward": ward, "cases": cases}


def negotiate(db, world):
    """An offer to each of the first two households, a meeting last month where An said no and
    named his figure, this month's meeting with Bình and the group, and a payment to Bình."""
    project, (an, binh, _cuc) = world["project"], world["cases"]
    last_month = this_month_start() - timedelta(days=10)
    f.offer(an, 4_200_000_000, offered_on=last_month.date())
    f.offer(binh, 3 * BN, offered_on=last_month.date())
    meet(project, [an], last_month, positions={an.id: "disagrees"}, demands={an.id: 5 * BN},
         concerns=[said(an, "price", "Giá đền bù thấp hơn giá thị trường", "Giá theo bảng giá đất 2026")])
    meet(project, [an, binh], this_month_start(), positions={an.id: "disagrees", binh.id: "agrees"}, kind="dialogue", concerns=[
        said(binh, "resettlement", "Muốn tái định cư tại chỗ", "Bố trí tại khu tái định cư Yên Sở"),
        said(None, "timing", "Cả tổ dân phố hỏi khi nào chi trả"),
    ])
    f.payment(binh, 1 * BN, paid_on=this_month_start().date())
    db.session.commit()


def axis_labels(svg: str) -> list[str]:
    return re.findall(r'<text class="axis" x="0" y="[\d.]+">([^<]*)</text>', svg)


def section(html: str, anchor: str) -> str:
    match = re.search(rf'<section class="card dash" id="{anchor}">(.*?)</section>', html, re.S)
    assert match, f"no section #{anchor}"
    return match.group(1)


def test_the_dashboard_puts_the_money_side_by_side_with_the_households_positions(client, db, world):
    negotiate(db, world)
    sign_in(client, "truongnhom")

    html = client.get("/projects/YK-44").get_data(as_text=True)

    balance = section(html, "balance")
    assert "Cân đối lợi ích" in html
    for figure in ("9.000.000.000 đ", "7.200.000.000 đ", "5.000.000.000 đ", "1.000.000.000 đ"):
        assert figure in balance
    assert "80% kinh phí" in balance and "11,1% kinh phí" in balance  # offered, paid
    assert "2/3 hồ sơ" in balance and "1/3 hộ đã nêu mức" in balance
    # An asks 5 billion against 4,2 offered: 800 million, 19 %.
    assert "chênh lệch 800.000.000 đ (19%)" in balance
    assert "Đồng ý: <strong>1</strong>" in balance and "Không đồng ý: <strong>1</strong>" in balance
    assert "Chưa gặp: <strong>1</strong>" in balance
    # Cúc's 250 m² of 750 are handed over.
    assert "Đã bàn giao: <strong>250,00 m²</strong>" in balance and "Còn lại: <strong>500,00 m²</strong>" in balance
    # The chart over time: the axis in billions up to the budget, months as mm/yyyy.
    lines = balance[balance.index('<svg class="chart lines"'):balance.index('<svg class="chart columns"')]
    assert "Tỷ đồng" in lines and "Kinh phí 9 tỷ" in lines
    assert axis_labels(lines) == ["0", "2", "4", "6", "8", "10"]
    assert f">{now():%m/%Y}</text>" in lines
    assert "cdn" not in html.lower() and "<script" not in balance


def test_the_dashboard_counts_what_people_raised_this_month_and_all_time(client, db, world):
    negotiate(db, world)
    sign_in(client, "truongnhom")

    concerns = section(client.get("/projects/YK-44").get_data(as_text=True), "concerns")

    row = r'category=(\w+)">[^<]+</a></th>\s*<td class="num">(\d+)</td><td class="num">(\d+)</td>'
    rows = {key: (int(month), int(all_time)) for key, month, all_time in re.findall(row, concerns)}
    assert len(rows) == 8
    assert rows["price"] == (0, 1)
    assert rows["resettlement"] == (1, 1)
    assert rows["timing"] == (1, 1)  # the group's question counts too
    assert rows["procedure"] == (0, 0)
    assert "Tâm tư, nguyện vọng của người dân" in concerns
    assert "Muốn tái định cư tại chỗ" in concerns
    assert 'href="/projects/YK-44/concerns"' in concerns


def test_a_small_project_is_charted_in_fractions_of_a_billion_with_a_decimal_comma(client, db, world):
    world["project"].approved_budget = None
    f.offer(world["cases"][0], 1_200_000_000, offered_on=this_month_start().date())
    db.session.commit()
    sign_in(client, "truongnhom")

    balance = section(client.get("/projects/YK-44").get_data(as_text=True), "balance")

    lines = balance[balance.index('<svg class="chart lines"'):]
    assert axis_labels(lines)[:6] == ["0", "0,25", "0,5", "0,75", "1", "1,25"]
    assert "Dự án chưa ghi kinh phí bồi thường được duyệt." in balance
    assert "% kinh phí" not in balance


def test_a_project_with_nothing_logged_says_so_instead_of_drawing_empty_charts(client, db, world):
    sign_in(client, "truongnhom")

    html = client.get("/projects/YK-44").get_data(as_text=True)

    assert "Chưa có giá trị đề nghị, cuộc gặp hay khoản chi trả nào." in html
    assert "Chưa ghi ý kiến nào của người dân." in html
    assert '<svg class="chart lines"' not in html
    assert "Chưa gặp: <strong>3</strong>" in html


def test_the_dashboard_and_the_concerns_page_cost_the_same_queries_for_a_year_of_meetings(client, db, world):
    negotiate(db, world)
    sign_in(client, "truongnhom")
    pages = ("/projects/YK-44", "/projects/YK-44/concerns", "/projects/YK-44/concerns?category=price&page=2")

    def queries() -> dict[str, int]:
        counts = {}
        for url in pages:
            with counting_queries() as statements:
                assert client.get(url).status_code == 200
            counts[url] = len(statements)
        return counts

    few = queries()
    # A year of work: ten more households, offers in two versions, monthly meetings with
    # concerns and promises, payments and a reversal.
    project, ward = world["project"], world["ward"]
    start = this_month_start() - timedelta(days=360)
    more = [f.case(project, f.party(f"Hộ số {n}", ward), f"YK-1{n:02d}") for n in range(10)]
    for n, case in enumerate(more):
        f.offer(case, 2 * BN + n, number=1, offered_on=start.date())
        f.offer(case, 2 * BN + 2 * n, number=2, offered_on=(start + timedelta(days=100 + n)).date())
        f.payment(case, 500_000_000, paid_on=(start + timedelta(days=200 + n)).date())
    f.payment(more[0], -100_000_000, paid_on=(start + timedelta(days=300)).date(), note="Hoàn nhập")
    for month in range(12):
        held = start + timedelta(days=30 * month)
        group = more[month % 5: month % 5 + 4]
        meet(project, group, held, positions={c.id: ("agrees", "partly", "disagrees")[month % 3] for c in group},
             demands={group[0].id: 3 * BN + month},
             concerns=[said(c, ("price", "area", "support")[month % 3], f"Ý kiến tháng {month}") for c in group]
             + [said(None, "procedure", "Hỏi chung về thủ tục")],
             commitments=[{"case_id": group[0].id, "what": "Gửi lại biên bản", "responsible": "Trần Văn Cán",
                           "due_on": held.date() + timedelta(days=10)}])
    db.session.commit()
    many = queries()

    assert many == few


def test_the_concerns_page_filters_by_category_and_month(client, db, world):
    negotiate(db, world)
    sign_in(client, "truongnhom")
    this_month = now().strftime("%Y-%m")
    last_month = (this_month_start() - timedelta(days=10)).strftime("%Y-%m")

    everything = client.get("/projects/YK-44/concerns").get_data(as_text=True)
    assert "3 ý kiến" in everything
    assert all(words in everything for words in ("Giá đền bù thấp hơn giá thị trường", "Muốn tái định cư tại chỗ",
                                                "Cả tổ dân phố hỏi khi nào chi trả"))

    prices = client.get("/projects/YK-44/concerns?category=price").get_data(as_text=True)
    assert "Giá đền bù thấp hơn giá thị trường" in prices and "Muốn tái định cư tại chỗ" not in prices
    assert "Đang lọc" in prices and '<option value="price" selected>' in prices

    now_said = client.get(f"/projects/YK-44/concerns?month={this_month}").get_data(as_text=True)
    assert "Muốn tái định cư tại chỗ" in now_said and "Giá đền bù thấp hơn giá thị trường" not in now_said
    assert "2 ý kiến" in now_said

    both = client.get(f"/projects/YK-44/concerns?category=price&month={last_month}").get_data(as_text=True)
    assert "1 ý kiến" in both and "Giá đền bù thấp hơn giá thị trường" in both
    none_match = client.get(f"/projects/YK-44/concerns?category=area&month={last_month}").get_data(as_text=True)
    assert "Không có ý kiến nào khớp bộ lọc." in none_match

    # A month or category the form would never send is no filter, not an error.
    odd = client.get("/projects/YK-44/concerns?category=xyz&month=0001-13")
    assert odd.status_code == 200 and "3 ý kiến" in odd.get_data(as_text=True)


def test_each_concern_names_the_household_links_to_its_case_and_shows_the_answer(client, db, world):
    negotiate(db, world)
    sign_in(client, "truongnhom")
    an, binh, _cuc = world["cases"]

    html = client.get("/projects/YK-44/concerns").get_data(as_text=True)

    assert f'href="/projects/YK-44/cases/{binh.id}"><strong>YK-002</strong> · Trần Thị Bình</a>' in html
    assert "Đã trả lời" in html and "Bố trí tại khu tái định cư Yên Sở" in html
    assert "Cả nhóm hộ (họp chung)" in html  # the group's question, with no household
    # The date opens the minutes of the meeting where it was said.
    assert len(re.findall(r'href="/projects/YK-44/meetings/\d+" title="Xem biên bản cuộc gặp"', html)) == 3
    assert "Chưa ghi nội dung trả lời." in html
    # Newest first: this month's words before last month's.
    assert html.index("Muốn tái định cư tại chỗ") < html.index("Giá đền bù thấp hơn giá thị trường")
    # The trend chart's columns lead to their month.
    assert f"/projects/YK-44/concerns?month={now():%Y-%m}" in html


def test_the_concerns_list_pages(client, db, world, app):
    per_page = app.config["PAGE_SIZE"]
    project, (an, _binh, _cuc) = world["project"], world["cases"]
    raised = per_page + 5
    meet(project, [an], this_month_start(), concerns=[said(an, "other", f"Ý kiến số {n:03d}") for n in range(1, raised + 1)])
    db.session.commit()
    sign_in(client, "truongnhom")

    first = client.get("/projects/YK-44/concerns").get_data(as_text=True)
    second = client.get("/projects/YK-44/concerns?page=2").get_data(as_text=True)

    newest, oldest_on_first, newest_on_second = f"Ý kiến số {raised:03d}", f"Ý kiến số {6:03d}", f"Ý kiến số {5:03d}"
    assert newest in first and oldest_on_first in first and newest_on_second not in first
    assert newest_on_second in second and "Ý kiến số 001" in second and newest not in second
    assert "Trang 2/2" in second


def test_another_wards_team_cannot_read_the_concerns(client, db, world):
    f.user("canbo_cuanam", Role.OFFICER, f.unit("Phường Cửa Nam"))
    db.session.commit()
    sign_in(client, "canbo_cuanam")

    assert client.get("/projects/YK-44/concerns").status_code == 404
    assert client.get("/projects/YK-44").status_code == 404


def test_the_dashboard_is_printable_with_its_date(client, db, world):
    negotiate(db, world)
    sign_in(client, "truongnhom")

    html = client.get("/projects/YK-44").get_data(as_text=True)

    assert "@media print" in html and "print-color-adjust: exact" in html
    assert f"Số liệu đến ngày {now():%d/%m/%Y}" in html
