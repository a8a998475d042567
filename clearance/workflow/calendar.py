"""The statutory calendar: counting periods (thời hạn), when enforcement may take place, and the
extra amount for late payment. Pure functions on stdlib types: no Flask or SQLAlchemy.

Counting a period (Bộ luật Dân sự 2015):

* Điều 147 khoản 2 — a period in days starts on the day after the event: the day of the event
  itself is not counted.
* Điều 148 khoản 5 — when the last day of a period is a weekly rest day (ngày nghỉ cuối tuần) or a
  public holiday (ngày nghỉ lễ), the period ends at the end of the next working day.

Two kinds of period (PeriodKind): calendar days (ngày) count every day; working days (ngày làm
việc) count Monday to Friday except public holidays and compensatory days off. Saturday and Sunday
are the weekly rest days of state agencies. Swapped working days (a Saturday worked in exchange for
a weekday off) are not modelled: pass the weekday off as a holiday when it matters.

Public holidays are passed in by the caller (see ``clearance.workflow.holidays`` for the data), as
dates, as ``Holiday`` records, or as a mapping of date → Vietnamese name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, Inexact, Rounded, localcontext
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clearance.workflow.holidays import Holiday, holiday_names

#: date.weekday() of the weekly rest days: Saturday and Sunday.
WEEKLY_REST_DAYS: frozenset[int] = frozenset({5, 6})

#: Enforcement (cưỡng chế) is forbidden from 22:00 to 06:00 the next morning, Hanoi time.
NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(6, 0)
#: … and within this many days before or after Tết Nguyên đán (mùng 1 Tết).
TET_MARGIN_DAYS = 15

#: The late-payment rate is a fraction per day; anything from 1 %/day up is taken for a percentage
#: typed as a fraction (0.03 instead of 0.0003) and refused.
MAX_RATE_PER_DAY = Decimal("0.01")

ENFORCEMENT_BASIS = "Luật Đất đai 2024, Điều 89"


def _hanoi_zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # no tz database: Vietnam has kept UTC+7 without DST since 1975
        return timezone(timedelta(hours=7), "ICT")


HANOI: tzinfo = _hanoi_zone()

#: Holidays as the caller has them: dates, Holiday records, or date → name.
HolidaySource = Collection[date] | Collection[Holiday] | Mapping[date, str]


class PeriodKind(StrEnum):
    """Loại thời hạn: ``calendar`` = ngày (every day), ``working`` = ngày làm việc."""

    CALENDAR = "calendar"
    WORKING = "working"


def _holiday_days(holidays: HolidaySource) -> frozenset[date]:
    if isinstance(holidays, Mapping):
        return frozenset(_plain_date(day) for day in holidays)
    return frozenset(item.day if isinstance(item, Holiday) else _plain_date(item) for item in holidays)


def _given_names(holidays: HolidaySource) -> dict[date, str]:
    if isinstance(holidays, Mapping):
        return {_plain_date(day): str(name) for day, name in holidays.items()}
    return {item.day: item.name for item in holidays if isinstance(item, Holiday)}


def _plain_date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")
    return value


def is_working_day(day: date, holidays: HolidaySource) -> bool:
    """Ngày làm việc: Monday to Friday and not a public holiday."""
    return _is_working(_plain_date(day), _holiday_days(holidays))


def _is_working(day: date, holiday_days: frozenset[date]) -> bool:
    return day.weekday() not in WEEKLY_REST_DAYS and day not in holiday_days


def _roll_forward(day: date, holiday_days: frozenset[date]) -> date:
    while not _is_working(day, holiday_days):
        day += timedelta(days=1)
    return day


def next_working_day_from(day: date, holidays: HolidaySource) -> date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    return _roll_forward(_plain_date(day), _holiday_days(holidays))


def add_period(start: date, days: int, kind: PeriodKind | str, holidays: HolidaySource) -> date:
    """The last day of a period of ``days`` days counted from the day after ``start``.

    * calendar (ngày): ``start + days``; when that day is a Saturday, Sunday or public holiday the
      period ends on the next working day instead (Bộ luật Dân sự 2015, Điều 147 khoản 2 and
      Điều 148 khoản 5). E.g. 30 days from Friday 15/05/2026 end on Sunday 14/06/2026, so on
      Monday 15/06/2026.
    * working (ngày làm việc): the ``days``-th working day after ``start``.

    ``days`` must be at least 1 (a period of zero or fewer days is refused with ValueError).
    """
    start = _plain_date(start)
    kind = PeriodKind(kind)
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {type(days).__name__}")
    if days < 1:
        raise ValueError(f"a period must last at least 1 day, got {days}")
    holiday_days = _holiday_days(holidays)
    if kind is PeriodKind.CALENDAR:
        return _roll_forward(start + timedelta(days=days), holiday_days)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if _is_working(day, holiday_days):
            counted += 1
    return day


def days_between(start: date, end: date, kind: PeriodKind | str, holidays: HolidaySource) -> int:
    """How many days (of ``kind``) after ``start`` up to and including ``end``; negative when
    ``end`` is before ``start``, 0 on the same day.

    Used for "overdue by N days" (quá hạn N ngày): ``days_between(deadline, today, …)`` > 0.
    For working days, ``days_between(s, add_period(s, n, WORKING, h), WORKING, h) == n``.
    Calendar days are plain differences (the Điều 148 extension moves a deadline; it does not
    change how days are counted).
    """
    start, end = _plain_date(start), _plain_date(end)
    kind = PeriodKind(kind)
    if end < start:
        return -days_between(end, start, kind, holidays)
    if kind is PeriodKind.CALENDAR:
        return (end - start).days
    holiday_days = _holiday_days(holidays)
    return sum(_is_working(start + timedelta(days=n), holiday_days) for n in range(1, (end - start).days + 1))


def enforcement_blackout(at: datetime, holidays: HolidaySource, lunar_new_year: Mapping[int, date]) -> str | None:
    """None when enforcement (cưỡng chế thu hồi đất, Luật Đất đai 2024, Điều 89) may take place at
    ``at``; otherwise why not, in Vietnamese, naming the rule:

    * from 22:00 to 06:00 Hanoi time (22:00 refused, 06:00 allowed);
    * on a public holiday or compensatory day off (named: from ``holidays`` when it carries names,
      else from the built-in data in ``clearance.workflow.holidays``);
    * within 15 days before or after mùng 1 Tết Nguyên đán (``lunar_new_year``: year → date), the
      Tết of the year before, of the year and of the year after ``at`` being checked;
    * when ``lunar_new_year`` has no Tết for the year of ``at``: the rule cannot be checked, so
      enforcement is refused until the calendar data is updated.

    ``at`` must be timezone-aware (any zone; it is converted to Asia/Ho_Chi_Minh).
    """
    if not isinstance(at, datetime):
        raise TypeError(f"expected a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("enforcement time must be timezone-aware")
    local = at.astimezone(HANOI)
    day = local.date()
    if local.time() >= NIGHT_STARTS or local.time() < NIGHT_ENDS:
        return (
            f"Không cưỡng chế từ 22 giờ đến 06 giờ sáng hôm sau ({ENFORCEMENT_BASIS}): "
            f"{local:%H:%M} ngày {day:%d/%m/%Y} giờ Hà Nội."
        )
    if day in _holiday_days(holidays):
        name = _given_names(holidays).get(day) or holiday_names().get(day) or "ngày nghỉ lễ, Tết"
        return f"Không cưỡng chế vào ngày nghỉ lễ, Tết ({ENFORCEMENT_BASIS}): {day:%d/%m/%Y} là {name}."
    for year in (day.year - 1, day.year, day.year + 1):
        tet = lunar_new_year.get(year)
        if tet is None:
            continue
        offset = (day - tet).days
        if abs(offset) <= TET_MARGIN_DAYS:
            when = "trước" if offset < 0 else "sau"
            return (
                f"Không cưỡng chế trong {TET_MARGIN_DAYS} ngày trước và sau Tết Nguyên đán ({ENFORCEMENT_BASIS}): "
                f"{day:%d/%m/%Y} là {abs(offset)} ngày {when} mùng 1 Tết {tet:%d/%m/%Y}."
            )
    if day.year not in lunar_new_year:
        return (
            f"Chưa có ngày Tết Nguyên đán năm {day.year} trong lịch nghỉ lễ, Tết: không kiểm tra được "
            f"quy định 15 ngày trước và sau Tết ({ENFORCEMENT_BASIS}). Cập nhật lịch trước khi cưỡng chế."
        )
    return None


def late_payment_amount(amount: int, days_late: int, rate_per_day: Decimal) -> int:
    """Khoản tiền chậm chi trả (Luật Đất đai 2024, Điều 94): ``amount`` đồng × ``days_late`` ×
    ``rate_per_day``, in exact Decimal arithmetic, rounded half-up to whole đồng; 0 when
    ``days_late`` ≤ 0.

    ``rate_per_day`` is a fraction, not a percentage: the tax late-payment rate of 0.03 %/day is
    ``Decimal("0.0003")`` (1.000.000.000 đ × 10 days → 3.000.000 đ). It has no default here: it
    is a parameter of the procedure. Floats are refused (TypeError), as are negative amounts and
    rates of 1 %/day or more (ValueError — almost surely a percentage typed as a fraction).
    """
    for label, value in (("amount", amount), ("days_late", days_late)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{label} must be an int, got {type(value).__name__}")
    if not isinstance(rate_per_day, Decimal):
        raise TypeError(f"rate_per_day must be a Decimal, got {type(rate_per_day).__name__}")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if not rate_per_day.is_finite() or rate_per_day < 0:
        raise ValueError(f"rate_per_day must be a finite, non-negative fraction, got {rate_per_day}")
    if rate_per_day >= MAX_RATE_PER_DAY:
        raise ValueError(f"rate_per_day is a fraction per day (0.03 %/day is Decimal('0.0003')), got {rate_per_day}")
    if days_late <= 0:
        return 0
    with localcontext() as exact:
        exact.prec = 100
        exact.traps[Inexact] = True
        exact.traps[Rounded] = True
        extra = Decimal(amount) * Decimal(days_late) * rate_per_day
    with localcontext() as rounding:
        rounding.prec = 100
        return int(extra.quantize(Decimal(1), rounding=ROUND_HALF_UP))
