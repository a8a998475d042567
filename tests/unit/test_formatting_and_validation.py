"""Pure helpers: Vietnamese money, area and date formats; citizen-ID and phone checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from clearance.formatting import area, money, percent, vndate
from clearance.validation import cccd_problem, phone_problem


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "0 đ"),
        (999, "999 đ"),
        (1000, "1.000 đ"),
        (4_210_000_000, "4.210.000.000 đ"),
        (Decimal("1234567.5"), "1.234.568 đ"),
        (-25_000, "-25.000 đ"),
        (None, "—"),
    ],
)
def test_money_is_whole_dong_with_dot_separators(amount, shown):
    assert money(amount) == shown


def test_areas_use_a_decimal_comma_and_square_metres():
    assert area(Decimal("1234.5")) == "1.234,50 m²"
    assert area(Decimal("0.004")) == "0,00 m²"
    assert area(None) == "—"


def test_shares_drop_trailing_zeros():
    assert percent(Decimal("60.00")) == "60"
    assert percent(Decimal("33.50")) == "33,5"


def test_dates_are_day_month_year_and_times_are_hanoi_time():
    assert vndate(date(2026, 3, 5)) == "05/03/2026"
    assert vndate(datetime(2026, 3, 5, 17, 30, tzinfo=UTC)) == "06/03/2026 00:30"


def test_a_valid_hanoi_citizen_id_passes():
    assert cccd_problem("001090012345", today=date(2026, 11, 29)) is None


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("00109001234", "Số CCCD phải gồm đúng 12 chữ số."),
        ("00109001234a", "Số CCCD phải gồm đúng 12 chữ số."),
        ("003090012345", "Mã tỉnh 003 ở đầu số CCCD không tồn tại."),
        ("001290012345", "Năm sinh 2090 suy ra từ số CCCD nằm trong tương lai."),
    ],
)
def test_an_invalid_citizen_id_says_what_is_wrong(number, problem):
    assert cccd_problem(number, today=date(2026, 11, 29)) == problem


def test_phone_numbers_are_vietnamese_mobile_or_landline():
    assert phone_problem("0912 345 678") is None
    assert phone_problem("+84912345678") is None
    assert phone_problem("12345") is not None


def test_the_history_shows_money_areas_and_shares_the_vietnamese_way():
    from clearance.formatting import audit_value

    assert audit_value(620000000000, "approved_budget") == "620.000.000.000 đ"
    assert audit_value("87.26", "legal_area") == "87,26 m²"
    assert audit_value("50.00", "share") == "50%"
    assert audit_value("2026-03-20", "notice_date") == "20/03/2026"
    assert audit_value(None, "approved_budget") == "—"
