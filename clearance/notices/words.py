"""Numbers and dates in Vietnamese words, the way administrative documents write them.

Pure Python (no Flask): amounts in words (số tiền bằng chữ) for notices and minutes, and the
place-and-date line (địa danh, ngày tháng năm) of Decree 30/2020/NĐ-CP.

The wording follows official and accounting usage, not everyday speech:

- groups of three digits from the right: nghìn, triệu, tỷ; above a tỷ the count of tỷ is read as a
  number of its own ("một nghìn tỷ", "một triệu tỷ");
- a group that follows a higher non-empty part reads its hundreds even when they are zero
  ("một nghìn không trăm linh năm") and "linh" (or "lẻ") for zero tens before a unit;
  a group of three zeros is skipped ("một tỷ không trăm linh năm nghìn");
- 10 is "mười", 11–19 "mười một" … "mười chín", 20+ "hai mươi" …;
- a 5 after mười/mươi is "lăm" (15, 25), a 1 after mươi "mốt" (21, but 11 "mười một"),
  a 4 after mươi "tư" (24, but 14 "mười bốn"); after "linh" digits keep their names (105, 101, 104).

``num2words(lang="vi")`` gets these wrong (it writes "một nghìn lẻ năm" for 1005), hence this module.
"""

from __future__ import annotations

import unicodedata
from datetime import date

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
#: Names of the groups of three digits below a tỷ (units, nghìn, triệu).
GROUPS = ("", "nghìn", "triệu")
BILLION = 10**9
LIMIT = 10**18


def _below_hundred(n: int, *, after_hundreds: bool, zero_tens: str) -> list[str]:
    """Words for 0 < n < 100; ``after_hundreds``: hundreds were spoken before (so 5 → 'linh năm')."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return [zero_tens, DIGITS[units]] if after_hundreds else [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 5:
        return [*words, "lăm"]
    if units == 1 and tens > 1:
        return [*words, "mốt"]
    if units == 4 and tens > 1:
        return [*words, "tư"]
    return [*words, DIGITS[units]]


def _group(n: int, *, full: bool, zero_tens: str) -> list[str]:
    """Words for one group 0 < n < 1000. ``full``: a higher part was spoken, so read the hundreds
    even when zero ("không trăm") — 5 reads "không trăm linh năm" there, "năm" on its own."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if rest:
        words += _below_hundred(rest, after_hundreds=bool(words), zero_tens=zero_tens)
    return words


def _below_billion(n: int, *, full: bool, zero_tens: str) -> list[str]:
    """Words for 0 < n < 10^9, group by group; groups of zeros are skipped."""
    words: list[str] = []
    for power in (2, 1, 0):
        value = n // 1000**power % 1000
        if value == 0:
            continue
        words += _group(value, full=full or bool(words), zero_tens=zero_tens)
        if GROUPS[power]:
            words.append(GROUPS[power])
    return words


def _words(n: int, *, full: bool, zero_tens: str) -> list[str]:
    billions, rest = divmod(n, BILLION)
    words: list[str] = []
    if billions:
        # The number of tỷ is itself a number: 1000 tỷ is "một nghìn tỷ", 10^6 tỷ "một triệu tỷ".
        words += [*_words(billions, full=full, zero_tens=zero_tens), "tỷ"]
    if rest:
        words += _below_billion(rest, full=full or bool(words), zero_tens=zero_tens)
    return words


def number_in_words(n: int, *, zero_tens: str = "linh") -> str:
    """A whole number in Vietnamese words, lower case (số bằng chữ): 1005 → 'một nghìn không trăm
    linh năm'. ``zero_tens`` is the word for zero tens before a unit: "linh" (default) or "lẻ".

    Raises ValueError for a negative number, a number of 10^18 or more, or a non-integer.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"number_in_words needs a whole number, not {n!r}")
    if n < 0:
        raise ValueError(f"number_in_words needs a number ≥ 0; got {n} (write the sign in words yourself)")
    if n >= LIMIT:
        raise ValueError(f"number_in_words reads numbers below 10^18; got {n}")
    if n == 0:
        return DIGITS[0]
    return unicodedata.normalize("NFC", " ".join(_words(n, full=False, zero_tens=zero_tens)))


def amount_in_words(amount: int, *, zero_tens: str = "linh") -> str:
    """An amount of đồng as a sentence (số tiền bằng chữ): 1005000000 → 'Một tỷ không trăm linh năm
    triệu đồng'. Whole đồng only (money is never a float); ValueError otherwise."""
    text = number_in_words(amount, zero_tens=zero_tens)
    return unicodedata.normalize("NFC", text[0].upper() + text[1:] + " đồng")


def date_words(d: date | None) -> str:
    """'ngày 20 tháng 3 năm 2026' — Decree 30/2020 (Appendix I, II.5): days below 10 and the months
    1 and 2 take a leading zero ('ngày 05 tháng 01 năm 2026'); other months do not.
    None gives the blank form filled in by hand when the document is signed."""
    if d is None:
        return "ngày ..... tháng ..... năm ........"
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def date_line(place: str, d: date | None) -> str:
    """The place-and-date line (địa danh và thời gian ban hành): 'Phường Hai Bà Trưng, ngày 20 tháng 3
    năm 2026'. ``place`` is written as given (e.g. "Phường Hai Bà Trưng", "Hà Nội")."""
    return unicodedata.normalize("NFC", f"{place.strip()}, {date_words(d)}")
