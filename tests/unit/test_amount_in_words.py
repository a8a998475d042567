"""Amounts in words (số tiền bằng chữ) the way Vietnamese notices and minutes write them, and the
place-and-date line of Decree 30/2020/NĐ-CP."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from clearance.notices.words import amount_in_words, date_line, number_in_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (101, "một trăm linh một"),
        (104, "một trăm linh bốn"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (2015, "hai nghìn không trăm mười lăm"),
        (50001, "năm mươi nghìn không trăm linh một"),
        (1_000_000, "một triệu"),
        (1_000_001, "một triệu không trăm linh một"),
        (1_000_005_000, "một tỷ không trăm linh năm nghìn"),
        (1_234_567_890, "một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi"),
        (4_210_000_000, "bốn tỷ hai trăm mười triệu"),
        (10_000_000_000, "mười tỷ"),
        (1_000_000_000_000, "một nghìn tỷ"),
        (1_005_000_000_000, "một nghìn không trăm linh năm tỷ"),
        (1_000_000_000_000_005, "một triệu tỷ không trăm linh năm"),
    ],
)
def test_numbers_are_read_the_official_way(number, words):
    assert number_in_words(number) == words


def test_zero_tens_can_be_read_le_instead_of_linh():
    assert number_in_words(105, zero_tens="lẻ") == "một trăm lẻ năm"
    assert amount_in_words(1005, zero_tens="lẻ") == "Một nghìn không trăm lẻ năm đồng"


def test_an_amount_is_a_capitalised_sentence_in_dong():
    assert amount_in_words(1_005_000_000) == "Một tỷ không trăm linh năm triệu đồng"
    assert amount_in_words(0) == "Không đồng"
    assert amount_in_words(4_210_000_000) == "Bốn tỷ hai trăm mười triệu đồng"


def test_words_are_nfc_so_they_match_what_the_pdf_gives_back():
    text = amount_in_words(1_234_567_890)
    assert unicodedata.is_normalized("NFC", text)
    assert "ỷ" in text  # one precomposed letter, not y + two combining marks


@pytest.mark.parametrize("bad", [-1, -1_000_000, 10**18, 1.5, True])
def test_a_negative_huge_or_non_whole_number_is_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="number"):
        number_in_words(bad)


def test_a_negative_amount_names_the_problem():
    with pytest.raises(ValueError, match="≥ 0"):
        amount_in_words(-25_000)


def test_the_date_line_pads_days_below_ten_and_january_and_february():
    place = "Phường Hai Bà Trưng"
    assert date_line(place, date(2026, 3, 20)) == "Phường Hai Bà Trưng, ngày 20 tháng 3 năm 2026"
    assert date_line(place, date(2026, 1, 5)) == "Phường Hai Bà Trưng, ngày 05 tháng 01 năm 2026"
    assert date_line(place, date(2026, 2, 28)) == "Phường Hai Bà Trưng, ngày 28 tháng 02 năm 2026"
    assert date_line(place, date(2026, 12, 1)) == "Phường Hai Bà Trưng, ngày 01 tháng 12 năm 2026"


def test_an_undated_draft_leaves_the_date_to_fill_in_by_hand():
    assert date_line("Hà Nội", None) == "Hà Nội, ngày ..... tháng ..... năm ........"
