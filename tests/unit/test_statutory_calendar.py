"""The statutory calendar: periods counted as the Civil Code counts them, the days enforcement is
forbidden, and the extra amount for late payment. Pure functions: no database."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from clearance.workflow import calendar, holidays
from clearance.workflow.calendar import (
    HANOI,
    PeriodKind,
    add_period,
    days_between,
    enforcement_blackout,
    is_working_day,
    late_payment_amount,
    next_working_day_from,
)
from clearance.workflow.holidays import HOLIDAYS, LUNAR_NEW_YEAR, Holiday, holidays_between

CAL = PeriodKind.CALENDAR
WORK = PeriodKind.WORKING
DAYS_OFF = holidays_between(date(2025, 1, 1), date(2027, 12, 31))
RATE = Decimal("0.0003")  # 0.03 %/day


def hanoi(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HANOI)


# --- the holiday data ---------------------------------------------------------------------------


def test_each_year_has_five_tet_days_on_weekdays_around_the_lunar_new_year():
    for year, first_day in LUNAR_NEW_YEAR.items():
        tet = [h.day for h in HOLIDAYS if h.is_tet and h.day.year == year]
        assert len(tet) == 5, year
        assert all(day.weekday() < 5 for day in tet), year
        assert min(tet) <= first_day <= max(tet)
        assert all(abs((day - first_day).days) <= 6 for day in tet)
    assert all("Tết Nguyên đán" in h.name for h in HOLIDAYS if h.is_tet)


def test_the_lunar_new_years_of_the_brief():
    assert LUNAR_NEW_YEAR == {2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6)}
    assert date(2026, 2, 17) in DAYS_OFF


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
        (date(2026, 4, 26), "Giỗ Tổ Hùng Vương"),
        (date(2027, 4, 16), "Giỗ Tổ Hùng Vương"),
        (date(2026, 4, 30), "Ngày Chiến thắng"),
        (date(2026, 5, 1), "Quốc tế lao động"),
        (date(2025, 9, 1), "Quốc khánh"),
        (date(2026, 9, 1), "Quốc khánh"),
        (date(2027, 9, 3), "Quốc khánh"),
        (date(2027, 9, 2), "Quốc khánh"),
    ],
)
def test_every_holiday_of_the_labour_code_is_in_the_data(day, name):
    (holiday,) = [h for h in HOLIDAYS if h.day == day]
    assert name in holiday.name
    assert not holiday.is_tet


def test_a_holiday_on_a_sunday_gives_the_monday_off():
    # Giỗ Tổ 2026 falls on Sunday 26/04: Monday 27/04 is the compensatory day off (nghỉ bù).
    assert date(2026, 4, 27) in DAYS_OFF
    assert not is_working_day(date(2026, 4, 27), HOLIDAYS)


def test_the_data_is_sorted_without_duplicates_and_between_is_inclusive():
    days = [h.day for h in HOLIDAYS]
    assert days == sorted(days) and len(days) == len(set(days))
    assert holidays_between(date(2026, 4, 30), date(2026, 5, 1)) == {date(2026, 4, 30), date(2026, 5, 1)}
    assert holidays_between(date(2026, 5, 2), date(2026, 4, 30)) == set()


def test_a_range_beyond_the_data_is_empty_unless_strict():
    assert holidays_between(date(2028, 1, 1), date(2028, 12, 31)) == set()
    with pytest.raises(ValueError, match="2028"):
        holidays_between(date(2027, 6, 1), date(2028, 6, 1), strict=True)
    assert len(holidays_between(date(2025, 1, 1), date(2027, 12, 31), strict=True)) == len(HOLIDAYS)


# --- periods ------------------------------------------------------------------------------------


def test_thirty_days_of_posting_that_end_on_a_sunday_end_on_the_monday():
    # The plan is posted (niêm yết) on Friday 15/05/2026. The 30 days run from Saturday 16/05
    # and their last day, 14/06, is a Sunday: the posting ends on Monday 15/06/2026.
    assert date(2026, 6, 14).weekday() == 6
    assert add_period(date(2026, 5, 15), 30, CAL, DAYS_OFF) == date(2026, 6, 15)


def test_a_period_ending_on_a_saturday_also_ends_on_the_monday():
    assert add_period(date(2026, 5, 14), 30, CAL, DAYS_OFF) == date(2026, 6, 15)


def test_a_period_ending_on_a_weekday_ends_that_day():
    assert add_period(date(2026, 5, 16), 30, CAL, DAYS_OFF) == date(2026, 6, 15)
    assert add_period(date(2026, 3, 2), 10, CAL, DAYS_OFF) == date(2026, 3, 12)


def test_a_period_ending_in_tet_ends_after_the_tet_break():
    # Thirty days from 18/01/2026 end on mùng 1 Tết, Tuesday 17/02/2026. Tết runs to Friday 20/02,
    # then a weekend: the period ends on Monday 23/02/2026.
    assert add_period(date(2026, 1, 18), 30, CAL, DAYS_OFF) == date(2026, 2, 23)
    # In 2025 the break ran to Sunday 02/02: a period ending on 29/01/2025 ends on Monday 03/02.
    assert add_period(date(2024, 12, 30), 30, CAL, DAYS_OFF) == date(2025, 2, 3)


def test_a_period_ending_on_the_day_before_quoc_khanh_moves_past_both_days():
    # 01/09 and 02/09/2026 are off: a period ending on Tuesday 01/09 ends on Thursday 03/09.
    assert add_period(date(2026, 8, 2), 30, CAL, DAYS_OFF) == date(2026, 9, 3)


def test_working_days_skip_the_weekend_and_30_4_and_1_5():
    # From Tuesday 28/04/2026, five working days: Wed 29/04, then 30/04 and 01/05 are holidays
    # and 02–03/05 a weekend, then Mon 04/05 … Thu 07/05.
    assert add_period(date(2026, 4, 28), 5, WORK, DAYS_OFF) == date(2026, 5, 7)


def test_working_days_skip_a_compensatory_day_off():
    # From Friday 24/04/2026: the weekend, nghỉ bù Giỗ Tổ on Monday 27/04, then Tue 28 and Wed 29,
    # then 30/04–03/05 off: the third working day is Monday 04/05/2026.
    assert add_period(date(2026, 4, 24), 3, WORK, DAYS_OFF) == date(2026, 5, 4)


def test_ten_working_days_across_tet_2026():
    # From Friday 13/02/2026: 14–22/02 is the Tết break, so days 1–10 run Mon 23/02 … Fri 06/03.
    assert add_period(date(2026, 2, 13), 10, WORK, DAYS_OFF) == date(2026, 3, 6)


def test_a_period_counted_from_a_holiday_still_starts_the_next_day():
    # The event may fall on a day off; the period starts the next day anyway (Điều 147).
    assert add_period(date(2026, 9, 2), 1, CAL, DAYS_OFF) == date(2026, 9, 3)
    assert add_period(date(2026, 9, 2), 1, WORK, DAYS_OFF) == date(2026, 9, 3)


def test_the_kind_may_be_given_as_its_stored_text():
    assert add_period(date(2026, 4, 28), 5, "working", DAYS_OFF) == date(2026, 5, 7)
    with pytest.raises(ValueError):
        add_period(date(2026, 4, 28), 5, "weeks", DAYS_OFF)


@pytest.mark.parametrize("days", [0, -1, -30])
def test_a_period_of_no_days_is_refused(days):
    with pytest.raises(ValueError, match="at least 1 day"):
        add_period(date(2026, 5, 15), days, CAL, DAYS_OFF)


def test_holidays_may_come_as_dates_records_or_names():
    as_records = add_period(date(2026, 4, 28), 5, WORK, HOLIDAYS)
    as_names = add_period(date(2026, 4, 28), 5, WORK, {h.day: h.name for h in HOLIDAYS})
    assert as_records == as_names == add_period(date(2026, 4, 28), 5, WORK, DAYS_OFF)
    with pytest.raises(TypeError):
        add_period(date(2026, 4, 28), 5, WORK, [datetime(2026, 4, 30, tzinfo=UTC)])


def test_the_next_working_day_from_a_day():
    assert next_working_day_from(date(2026, 2, 14), DAYS_OFF) == date(2026, 2, 23)
    assert next_working_day_from(date(2026, 2, 23), DAYS_OFF) == date(2026, 2, 23)


# --- counting days between ----------------------------------------------------------------------


def test_days_between_counts_the_days_after_the_start_up_to_the_end():
    assert days_between(date(2026, 3, 1), date(2026, 3, 31), CAL, DAYS_OFF) == 30
    assert days_between(date(2026, 4, 28), date(2026, 5, 7), WORK, DAYS_OFF) == 5
    assert days_between(date(2026, 5, 7), date(2026, 5, 7), WORK, DAYS_OFF) == 0


def test_a_payment_overdue_by_some_days():
    # The plan took effect on 02/03/2026; payment was due 30 days later, on Wednesday 01/04/2026.
    due = add_period(date(2026, 3, 2), 30, CAL, DAYS_OFF)
    assert due == date(2026, 4, 1)
    assert days_between(due, date(2026, 4, 11), CAL, DAYS_OFF) == 10  # paid 10 days late
    assert days_between(due, date(2026, 3, 25), CAL, DAYS_OFF) == -7  # a week early: not late


def test_days_between_backwards_is_negative():
    assert days_between(date(2026, 5, 7), date(2026, 4, 28), WORK, DAYS_OFF) == -5
    assert days_between(date(2026, 3, 31), date(2026, 3, 1), CAL, DAYS_OFF) == -30


def test_working_day_periods_and_counts_agree_for_every_start_and_length():
    start = date(2025, 12, 1)
    for offset in range(0, 400, 3):
        for days in (1, 2, 5, 10, 15, 30, 60):
            begin = start + timedelta(days=offset)
            end = add_period(begin, days, WORK, DAYS_OFF)
            assert days_between(begin, end, WORK, DAYS_OFF) == days
            assert is_working_day(end, DAYS_OFF)
            calendar_end = add_period(begin, days, CAL, DAYS_OFF)
            assert is_working_day(calendar_end, DAYS_OFF)
            assert days_between(begin, calendar_end, CAL, DAYS_OFF) >= days


# --- enforcement --------------------------------------------------------------------------------

ORDINARY_DAY = (2026, 6, 10)  # a Wednesday, far from any holiday or Tết


def test_enforcement_until_21_59_is_allowed_and_from_22_00_refused():
    assert enforcement_blackout(hanoi(*ORDINARY_DAY, 21, 59), DAYS_OFF, LUNAR_NEW_YEAR) is None
    reason = enforcement_blackout(hanoi(*ORDINARY_DAY, 22, 0), DAYS_OFF, LUNAR_NEW_YEAR)
    assert reason is not None
    assert "22 giờ đến 06 giờ" in reason and "Điều 89" in reason and "22:00 ngày 10/06/2026" in reason


def test_enforcement_before_06_00_is_refused_and_from_06_00_allowed():
    assert enforcement_blackout(hanoi(*ORDINARY_DAY, 5, 59), DAYS_OFF, LUNAR_NEW_YEAR) is not None
    assert enforcement_blackout(hanoi(*ORDINARY_DAY, 6, 0), DAYS_OFF, LUNAR_NEW_YEAR) is None


@pytest.mark.parametrize(
    ("utc", "allowed"),
    [
        (datetime(2026, 6, 10, 14, 59, tzinfo=UTC), True),  # 21:59 in Hanoi
        (datetime(2026, 6, 10, 15, 0, tzinfo=UTC), False),  # 22:00 in Hanoi
        (datetime(2026, 6, 9, 22, 59, tzinfo=UTC), False),  # 05:59 on 10/06 in Hanoi
        (datetime(2026, 6, 9, 23, 0, tzinfo=UTC), True),  # 06:00 on 10/06 in Hanoi
    ],
)
def test_the_hours_are_hanoi_hours_whatever_zone_the_time_is_given_in(utc, allowed):
    assert (enforcement_blackout(utc, DAYS_OFF, LUNAR_NEW_YEAR) is None) is allowed


def test_a_utc_time_on_the_previous_evening_is_the_hanoi_morning():
    # 23:30 UTC on 01/09/2026 is 06:30 on 02/09 in Hanoi: Quốc khánh, not the 1 September.
    reason = enforcement_blackout(datetime(2026, 9, 1, 23, 30, tzinfo=UTC), DAYS_OFF, LUNAR_NEW_YEAR)
    assert reason is not None and "02/09/2026" in reason


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        enforcement_blackout(datetime(2026, 6, 10, 9, 0), DAYS_OFF, LUNAR_NEW_YEAR)


def test_no_enforcement_on_quoc_khanh_and_the_reason_names_it():
    reason = enforcement_blackout(hanoi(2026, 9, 2), DAYS_OFF, LUNAR_NEW_YEAR)
    assert reason is not None
    assert "Quốc khánh" in reason and "02/09/2026" in reason and "ngày nghỉ lễ" in reason


def test_the_holiday_is_named_from_the_callers_data_when_it_has_names():
    names = {date(2026, 9, 2): "Quốc khánh nước CHXHCN Việt Nam"}
    reason = enforcement_blackout(hanoi(2026, 9, 2), names, LUNAR_NEW_YEAR)
    assert reason is not None and "Quốc khánh nước CHXHCN Việt Nam" in reason
    assert "nghỉ bù" in (enforcement_blackout(hanoi(2026, 4, 27), HOLIDAYS, LUNAR_NEW_YEAR) or "").lower()


def test_the_day_after_a_holiday_is_allowed():
    assert enforcement_blackout(hanoi(2026, 9, 3), DAYS_OFF, LUNAR_NEW_YEAR) is None
    assert enforcement_blackout(hanoi(2026, 5, 4), DAYS_OFF, LUNAR_NEW_YEAR) is None


@pytest.mark.parametrize("year", sorted(LUNAR_NEW_YEAR))
@pytest.mark.parametrize(
    ("offset", "allowed"),
    [(-16, True), (-15, False), (-10, False), (0, False), (15, False), (16, True)],
)
def test_no_enforcement_within_fifteen_days_of_tet(year, offset, allowed):
    day = LUNAR_NEW_YEAR[year] + timedelta(days=offset)
    reason = enforcement_blackout(hanoi(day.year, day.month, day.day), DAYS_OFF, LUNAR_NEW_YEAR)
    assert (reason is None) is allowed, reason


def test_the_tet_reason_names_the_tet_date():
    # Ten days before mùng 1 Tết Bính Ngọ (17/02/2026) is Saturday 07/02/2026.
    reason = enforcement_blackout(hanoi(2026, 2, 7), DAYS_OFF, LUNAR_NEW_YEAR)
    assert reason is not None
    assert "15 ngày trước và sau Tết Nguyên đán" in reason and "17/02/2026" in reason and "10 ngày trước" in reason
    after = enforcement_blackout(hanoi(2026, 3, 4), DAYS_OFF, LUNAR_NEW_YEAR)
    assert after is not None and "15 ngày sau mùng 1 Tết 17/02/2026" in after


def test_december_is_checked_against_the_next_years_tet():
    # Tết never falls before 21 January, so in reality December is always clear of it; with a
    # Tết on 10/01 (made up) the last days of December would fall in its fifteen days.
    early = {2025: LUNAR_NEW_YEAR[2025], 2026: date(2026, 1, 10)}
    reason = enforcement_blackout(hanoi(2025, 12, 29), DAYS_OFF, early)
    assert reason is not None and "10/01/2026" in reason
    assert enforcement_blackout(hanoi(2025, 12, 29), DAYS_OFF, LUNAR_NEW_YEAR) is None


def test_enforcement_in_a_year_without_tet_data_is_refused_until_the_data_is_added():
    reason = enforcement_blackout(hanoi(2028, 6, 14), DAYS_OFF, LUNAR_NEW_YEAR)
    assert reason is not None and "Chưa có ngày Tết Nguyên đán năm 2028" in reason


# --- late payment -------------------------------------------------------------------------------


def test_late_payment_of_a_billion_for_ten_days():
    # 1.000.000.000 đ paid 10 days late at 0.03 %/day: 3.000.000 đ more.
    extra = late_payment_amount(1_000_000_000, 10, RATE)
    assert extra == 3_000_000 and type(extra) is int


@pytest.mark.parametrize(
    ("amount", "days", "extra"),
    [
        (15_000, 1, 5),  # 4,5 đ rounds half up (half-even would give 4)
        (14_999, 1, 4),  # 4,4997 đ
        (5_000, 1, 2),  # 1,5 đ
        (1_666_667, 1, 500),  # 500,0001 đ
        (1, 1, 0),
        (0, 30, 0),
    ],
)
def test_late_payment_rounds_half_up_to_whole_dong(amount, days, extra):
    assert late_payment_amount(amount, days, RATE) == extra


def test_late_payment_is_exact_on_large_sums():
    amount, days = 987_654_321_987_654_321, 365
    # amount × days × 3 / 10 000, rounded half up, in integers only.
    numerator = amount * days * 3
    expected = (numerator + 5_000) // 10_000
    assert late_payment_amount(amount, days, RATE) == expected


@pytest.mark.parametrize("days", [0, -1, -365])
def test_nothing_is_owed_when_not_late(days):
    assert late_payment_amount(1_000_000_000, days, RATE) == 0


def test_the_rate_is_a_decimal_fraction():
    with pytest.raises(TypeError):
        late_payment_amount(1_000_000_000, 10, 0.0003)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0.0003"):
        late_payment_amount(1_000_000_000, 10, Decimal("0.03"))  # a percentage typed as a fraction
    with pytest.raises(ValueError):
        late_payment_amount(1_000_000_000, 10, Decimal("-0.0003"))
    with pytest.raises(TypeError):
        late_payment_amount(Decimal("1000"), 10, RATE)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        late_payment_amount(-1, 10, RATE)


def test_no_floats_anywhere_in_the_calendar_code():
    for module in (calendar, holidays):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        floats = [
            node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, float)
        ]
        calls = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "float"]
        assert floats == [] and calls == [], module.__name__


def test_holiday_records_are_immutable():
    with pytest.raises(AttributeError):
        HOLIDAYS[0].name = "x"  # type: ignore[misc]
    assert isinstance(HOLIDAYS[0], Holiday)
