"""Ngày nghỉ lễ, Tết of Vietnam as data (Bộ luật Lao động 2019, Điều 112), for 2025–2027.

NEEDS YEARLY REVIEW. The Labour Code fixes the holidays, but the Government (Thủ tướng Chính phủ,
on the proposal of the ministry in charge of labour) sets each year:

* the exact five days of Tết Nguyên đán (Tết Âm lịch) — one or two days before the lunar new year
  and the rest after it, placed so that the break joins the weekends;
* the day next to Quốc khánh (2/9): 1/9 or 3/9;
* swaps of working days (hoán đổi ngày làm việc: a weekday off, a Saturday worked in exchange).

Check every entry against the Government's notice for that year and add the next year before it
begins. Swapped days are NOT modelled here: a swapped weekday off is not a public holiday, and the
Saturday worked in exchange stays a weekly rest day for the calendar.

Compensatory days off (nghỉ bù, Bộ luật Lao động 2019, Điều 111 khoản 3) are listed: when a
holiday falls on a weekly rest day, the next working day is off instead.

Pure data and one function: no Flask or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Holiday:
    """Một ngày nghỉ lễ, Tết: the day, its Vietnamese name, and whether it is one of the Tết days."""

    day: date
    name: str
    is_tet: bool = False


NEW_YEAR = "Tết Dương lịch"
HUNG_KINGS = "Giỗ Tổ Hùng Vương (10/3 âm lịch)"
VICTORY_DAY = "Ngày Chiến thắng (30/4)"
LABOUR_DAY = "Ngày Quốc tế lao động (1/5)"
NATIONAL_DAY = "Quốc khánh (2/9)"
NATIONAL_DAY_ADJACENT = "Quốc khánh (ngày liền kề)"


def _tet(name: str, *days: date) -> tuple[Holiday, ...]:
    return tuple(Holiday(day, f"Tết Nguyên đán {name}", is_tet=True) for day in days)


#: Mùng 1 Tết (first day of the lunar new year) of each year.
LUNAR_NEW_YEAR: dict[int, date] = {
    2025: date(2025, 1, 29),  # Ất Tỵ
    2026: date(2026, 2, 17),  # Bính Ngọ
    2027: date(2027, 2, 6),  # Đinh Mùi
}

#: Every day off, in date order.
HOLIDAYS: tuple[Holiday, ...] = (
    # --- 2025 (checked against the Government's 2025 plan) ---
    Holiday(date(2025, 1, 1), NEW_YEAR),
    # The break ran from Saturday 25/01 to Sunday 02/02/2025 (26 tháng Chạp to mùng 5): the five
    # Tết days are the weekdays Monday 27/01 to Friday 31/01.
    *_tet("Ất Tỵ", date(2025, 1, 27), date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31)),
    Holiday(date(2025, 4, 7), HUNG_KINGS),
    Holiday(date(2025, 4, 30), VICTORY_DAY),
    Holiday(date(2025, 5, 1), LABOUR_DAY),
    # The day next to Quốc khánh is decided each year: 1/9 in 2025.
    Holiday(date(2025, 9, 1), NATIONAL_DAY_ADJACENT),
    Holiday(date(2025, 9, 2), NATIONAL_DAY),
    # --- 2026 ---
    Holiday(date(2026, 1, 1), NEW_YEAR),
    # The break runs from Saturday 14/02 to Sunday 22/02/2026 (27 tháng Chạp to mùng 6): the five
    # Tết days are the weekdays Monday 16/02 to Friday 20/02.
    *_tet("Bính Ngọ", date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20)),
    Holiday(date(2026, 4, 26), HUNG_KINGS),  # a Sunday
    Holiday(date(2026, 4, 27), f"Nghỉ bù {HUNG_KINGS}"),
    Holiday(date(2026, 4, 30), VICTORY_DAY),
    Holiday(date(2026, 5, 1), LABOUR_DAY),
    # The day next to Quốc khánh is decided each year: 1/9 assumed for 2026 — check the notice.
    Holiday(date(2026, 9, 1), NATIONAL_DAY_ADJACENT),
    Holiday(date(2026, 9, 2), NATIONAL_DAY),
    # --- 2027: PROVISIONAL until the Government's 2027 notice ---
    Holiday(date(2027, 1, 1), NEW_YEAR),
    # Mùng 1 is a Saturday. Assumed: two days before (Thursday 04/02, Friday 05/02), mùng 1–3
    # (Saturday to Monday 08/02) and, for the Saturday and Sunday, Tuesday 09/02 and Wednesday
    # 10/02 — a break from 04/02 to 10/02/2027. Check the notice.
    *_tet("Đinh Mùi", date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)),
    Holiday(date(2027, 4, 16), HUNG_KINGS),
    Holiday(date(2027, 4, 30), VICTORY_DAY),
    Holiday(date(2027, 5, 1), LABOUR_DAY),  # a Saturday
    Holiday(date(2027, 5, 3), f"Nghỉ bù {LABOUR_DAY}"),
    Holiday(date(2027, 9, 2), NATIONAL_DAY),
    # The day next to Quốc khánh is decided each year: 3/9 assumed for 2027 — check the notice.
    Holiday(date(2027, 9, 3), NATIONAL_DAY_ADJACENT),
)

#: The years the data above covers; outside them there is no holiday data at all.
COVERED_YEARS: frozenset[int] = frozenset(holiday.day.year for holiday in HOLIDAYS)


def holidays_between(start: date, end: date, *, strict: bool = False) -> set[date]:
    """The days off from ``start`` to ``end``, both included (empty when ``end`` < ``start``).

    Years outside COVERED_YEARS contribute nothing; with ``strict=True`` such a range raises
    ValueError instead, naming the years whose holidays must be added to this module.
    """
    if strict and start <= end:
        missing = sorted(set(range(start.year, end.year + 1)) - COVERED_YEARS)
        if missing:
            raise ValueError(f"no public-holiday data for {', '.join(map(str, missing))}: add them to {__name__}")
    return {holiday.day for holiday in HOLIDAYS if start <= holiday.day <= end}


def holiday_names() -> dict[date, str]:
    """Day → Vietnamese name of every day off in the data."""
    return {holiday.day: holiday.name for holiday in HOLIDAYS}
