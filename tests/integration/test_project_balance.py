"""The project's balance of interests and the residents' concerns, as the team lead reads them on
the dashboard before the chairman's Thursday meeting: the money side by side, where the
households stand, the area handed over, how it all moved month by month, and what people ask
about. Both databases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from shapely.geometry import box

from clearance.formatting import LOCAL_TZ
from clearance.services.concerns import concern_page, concerns_summary
from clearance.services.project_balance import project_balance
from clearance.workflow.statuses import CaseStatus, ConcernCategory, Role
from tests import factories as f

LON, LAT = 105.8560, 21.0185
TODAY = date(2026, 12, 3)
BN = 1_000_000_000


pytestmark = pytest.mark.usefixtures("vietnamese_request")


@pytest.fixture()
def world(db):
    """Four households of YK-44: An, Bình, Cúc (handed over) and Dũng (never met)."""
    ward = f.unit("Phường Hai Bà Trưng")
    officer = f.user("canbo", Role.OFFICER, ward)
    project = f.project("YK-44", [ward], approved_budget=9 * BN, boundary=box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01))
    cases = {}
    for n, name in enumerate(("An", "Bình", "Cúc", "Dũng")):
        status = CaseStatus.HANDED_OVER if name == "Cúc" else CaseStatus.DECIDED
        case = f.case(project, f.party(f"Nguyễn Văn {name}", ward), f"YK-{n + 1:03d}", status)
        parcel = f.parcel(project, str(n + 1), lon=LON + n * 0.0003, measured_area=Decimal("100.00") * (n + 1))
        f.records.add_holding(case, parcel, "land_user", 100)
        cases[name] = case
    return {"project": project, "officer": officer, **cases}


def hanoi(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """A Hanoi wall-clock time (UTC+7): meetings are logged as the officer's phone shows them."""
    return datetime(year, month, day, hour, 0, tzinfo=LOCAL_TZ)


def negotiate(world):
    """Four months of work on the project, as the officers logged it."""
    an, binh, cuc = world["An"], world["Bình"], world["Cúc"]
    project, officer = world["project"], world["officer"]
    f.offer(an, 4 * BN, number=1, offered_on=date(2026, 8, 10))
    f.offer(binh, 3 * BN, number=1, offered_on=date(2026, 8, 20))
    f.meeting(project, [an, binh], held_at=hanoi(2026, 9, 15), user_=officer,
              positions={an.id: "disagrees", binh.id: "partly"}, demands={an.id: 5 * BN})
    # Cúc is met at 01:00 on 1 October, Hanoi time: still 30 September in UTC, but an October meeting.
    f.meeting(project, [cuc], held_at=hanoi(2026, 10, 1, hour=1), user_=officer, positions={cuc.id: "agrees"})
    # The plan is recalculated: An's offer version 2 replaces version 1 in October.
    f.offer(an, 4_200_000_000, number=2, offered_on=date(2026, 10, 5), basis="Bổ sung hỗ trợ ổn định đời sống")
    f.meeting(project, [an], held_at=hanoi(2026, 10, 20), user_=officer, positions={an.id: "partly"}, demands={an.id: 4_800_000_000})
    f.meeting(project, [binh], held_at=hanoi(2026, 11, 10), user_=officer, positions={binh.id: "agrees"}, demands={binh.id: 3_100_000_000})
    f.payment(binh, 1 * BN, paid_on=date(2026, 11, 12))
    # A voucher keyed 200 million too high is reversed, never edited.
    f.payment(binh, -200_000_000, paid_on=date(2026, 11, 14), note="Hoàn nhập: ghi nhầm số tiền PC-01")


def test_the_money_side_by_side_and_where_the_households_stand(world):
    negotiate(world)

    balance = project_balance(world["project"], TODAY)

    assert balance.budget == 9 * BN
    assert (balance.offered, balance.offered_cases) == (7_200_000_000, 2)  # An's version 2, not version 1
    assert (balance.demanded, balance.demanded_cases) == (7_900_000_000, 2)  # An's latest demand, 4.8 not 5
    assert balance.paid == 800_000_000  # the reversal is deducted
    assert balance.percent_of_budget(balance.offered) == Decimal("80.0")
    assert balance.percent_of_budget(balance.paid) == Decimal("8.9")
    # Those who named a figure ask 700 million more than they are offered: 9,7 %.
    assert (balance.demand_gap, balance.demand_gap_percent) == (700_000_000, Decimal("9.7"))
    p = balance.positions
    assert (p.agrees, p.partly, p.disagrees, p.no_answer, p.not_met) == (2, 1, 0, 0, 1)
    assert p.total == balance.cases == 4


def test_the_area_handed_over_is_that_of_the_cases_handed_over(world):
    balance = project_balance(world["project"], TODAY)

    # Parcels of 100, 200, 300 and 400 m², all inside the boundary; Cúc's 300 m² are handed over.
    assert balance.recovered_area == Decimal("1000.00")
    assert balance.handed_over_area == Decimal("300.00")
    assert balance.remaining_area == Decimal("700.00")
    assert balance.handed_over_percent == Decimal("30.0")


def test_the_monthly_series_stands_at_each_month_end(world):
    negotiate(world)

    series = project_balance(world["project"], TODAY).series

    assert [p.month for p in series] == [date(2026, m, 1) for m in (8, 9, 10, 11, 12)]
    assert [p.as_of for p in series] == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30), TODAY]
    assert [p.offered for p in series] == [7 * BN, 7 * BN, 7_200_000_000, 7_200_000_000, 7_200_000_000]
    assert [p.demanded for p in series] == [0, 5 * BN, 4_800_000_000, 7_900_000_000, 7_900_000_000]
    assert [p.paid for p in series] == [0, 0, 0, 800_000_000, 800_000_000]
    positions = [(p.positions.agrees, p.positions.partly, p.positions.disagrees, p.positions.not_met) for p in series]
    assert positions == [(0, 0, 0, 4), (0, 1, 1, 2), (1, 2, 0, 1), (2, 1, 0, 1), (2, 1, 0, 1)]
    # The last point is today's figures, the same as the totals above it.
    balance = project_balance(world["project"], TODAY)
    assert (series[-1].offered, series[-1].demanded, series[-1].paid) == (balance.offered, balance.demanded, balance.paid)


def test_the_series_ends_on_the_same_offer_as_the_case_page_even_if_versions_were_dated_out_of_order(world):
    # Entered from paper, version 2 carries an earlier date than version 1: the highest version
    # is the one in force, as on the case page.
    f.offer(world["An"], 4 * BN, number=1, offered_on=date(2026, 10, 10))
    f.offer(world["An"], 4_500_000_000, number=2, offered_on=date(2026, 10, 5))

    balance = project_balance(world["project"], TODAY)

    assert balance.offered == 4_500_000_000
    assert [p.offered for p in balance.series] == [4_500_000_000, 4_500_000_000, 4_500_000_000]


def test_a_project_with_nothing_recorded_has_no_series_and_zero_sums(world):
    balance = project_balance(world["project"], TODAY)

    assert balance.series == []
    assert (balance.offered, balance.demanded, balance.paid) == (0, 0, 0)
    assert balance.positions.not_met == 4
    assert balance.demand_gap is None


def test_without_an_approved_budget_no_share_of_it_is_claimed(world):
    world["project"].approved_budget = None
    f.offer(world["An"], 4 * BN)

    balance = project_balance(world["project"], TODAY)

    assert balance.budget is None
    assert balance.percent_of_budget(balance.offered) is None


def concern(case, category, words, answer=""):
    return {"case_id": case.id if case else None, "category": category, "words": words, "answer": answer}


def raise_concerns(world):
    an, binh, cuc = world["An"], world["Bình"], world["Cúc"]
    project, officer = world["project"], world["officer"]
    f.meeting(project, [an], held_at=hanoi(2026, 7, 2), user_=officer,
              concerns=[concern(an, "price", "Giá thấp hơn giá thị trường")])
    f.meeting(project, [an, binh], held_at=hanoi(2026, 9, 15), user_=officer, kind="consultation", concerns=[
        concern(an, "price", "Đơn giá vị trí 2 chưa đúng"),
        concern(binh, "resettlement", "Muốn tái định cư tại chỗ", "Bố trí tại khu tái định cư Yên Sở"),
        concern(None, "timing", "Cả tổ dân phố muốn biết khi nào chi trả"),
    ])
    f.meeting(project, [cuc], held_at=hanoi(2026, 11, 25), user_=officer, concerns=[
        concern(cuc, "area", "Diện tích đo thiếu 3 m²", "Sẽ đo lại"),
        concern(cuc, "price", "Giá cây cối trên đất chưa tính"),
    ])
    # A group meeting at 01:00 on 1 November, Hanoi time (still October in UTC): a November concern.
    f.meeting(project, [an, binh, cuc], held_at=hanoi(2026, 11, 1, hour=1), user_=officer, kind="dialogue", concerns=[
        concern(None, "support", "Đề nghị hỗ trợ thuê nhà trong thời gian chờ"),
    ])


def test_concerns_are_counted_by_category_all_time_and_this_month(world):
    raise_concerns(world)

    summary = concerns_summary(world["project"], date(2026, 11, 29), months=6)

    counts = {c.category: (c.all_time, c.this_month) for c in summary.categories}
    assert counts[ConcernCategory.PRICE] == (3, 1)
    assert counts[ConcernCategory.AREA] == (1, 1)
    assert counts[ConcernCategory.TIMING] == (1, 0)  # raised by the group as a whole: counted all the same
    assert counts[ConcernCategory.SUPPORT] == (1, 1)
    assert counts[ConcernCategory.PROCEDURE] == (0, 0)
    assert [c.category for c in summary.categories] == list(ConcernCategory)
    assert (summary.all_time, summary.this_month) == (7, 3)


def test_the_concerns_trend_covers_the_last_months_by_category(world):
    raise_concerns(world)

    summary = concerns_summary(world["project"], date(2026, 11, 29), months=6)

    assert [m.month for m in summary.trend] == [date(2026, m, 1) for m in range(6, 12)]
    by_month = {m.month.month: m for m in summary.trend}
    assert by_month[7].counts[ConcernCategory.PRICE] == 1
    assert (by_month[9].total, by_month[9].counts[ConcernCategory.RESETTLEMENT]) == (3, 1)
    assert by_month[10].total == 0
    assert by_month[11].total == 3
    assert summary.largest_month == 3
    # Three months back, July and its concern fall outside the window.
    short = concerns_summary(world["project"], date(2026, 11, 29), months=3)
    assert [m.month.month for m in short.trend] == [9, 10, 11]


def test_the_latest_words_name_the_household_and_the_answer(world):
    raise_concerns(world)

    latest = concerns_summary(world["project"], date(2026, 11, 29)).latest

    assert [line.words for line in latest][:3] == [
        "Giá cây cối trên đất chưa tính", "Diện tích đo thiếu 3 m²", "Đề nghị hỗ trợ thuê nhà trong thời gian chờ",
    ]
    trees, area, group = latest[:3]
    assert (group.case_id, group.case_code, group.party_name) == (None, None, None)
    assert (area.case_code, area.party_name, area.answer) == ("YK-003", "Nguyễn Văn Cúc", "Sẽ đo lại")
    assert area.category == ConcernCategory.AREA
    assert len(latest) == 7


def test_at_most_ten_latest_words_are_shown(world):
    an = world["An"]
    f.meeting(world["project"], [an], held_at=hanoi(2026, 11, 3), user_=world["officer"],
              concerns=[concern(an, "other", f"Ý kiến số {n}") for n in range(1, 13)])

    latest = concerns_summary(world["project"], date(2026, 11, 29)).latest

    assert len(latest) == 10
    assert latest[0].words == "Ý kiến số 12"  # the same meeting: the last written down comes first


def test_the_concern_list_filters_by_category_and_month_and_pages(world):
    raise_concerns(world)
    project = world["project"]

    prices = concern_page(project, 1, 2, category=ConcernCategory.PRICE)
    assert (prices.total, prices.pages, [c.words for c in prices.items]) == (
        3, 2, ["Giá cây cối trên đất chưa tính", "Đơn giá vị trí 2 chưa đúng"],
    )
    assert [c.words for c in concern_page(project, 2, 2, category=ConcernCategory.PRICE).items] == ["Giá thấp hơn giá thị trường"]
    september = concern_page(project, 1, 25, month=date(2026, 9, 1))
    assert sorted(c.category.value for c in september.items) == ["price", "resettlement", "timing"]
    assert concern_page(project, 1, 25, category=ConcernCategory.PRICE, month=date(2026, 9, 1)).total == 1
    assert concern_page(project, 1, 25, month=date(2026, 10, 1)).total == 0
    # A page past the end shows the last page rather than nothing.
    assert concern_page(project, 9, 2, category=ConcernCategory.PRICE).page == 2
