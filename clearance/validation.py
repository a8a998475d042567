"""Pure checks of identity numbers and codes, with messages for the user."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

#: Province codes that open a 12-digit CCCD number (Circular 07/2016/TT-BCA, Annex).
CCCD_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 "
    "036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 "
    "074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)

PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")


def cccd_problem(number: str, today: date | None = None) -> str | None:
    """Why ``number`` is not a valid citizen ID (CCCD), or None if it is.

    Digits 1–3: province of birth registration; digit 4: sex and century; digits 5–6: year of
    birth; digits 7–12: a serial.
    """
    if not re.fullmatch(r"\d{12}", number):
        return _("Số CCCD phải gồm đúng 12 chữ số.")
    if number[:3] not in CCCD_PROVINCE_CODES:
        return _("Mã tỉnh %(code)s ở đầu số CCCD không tồn tại.", code=number[:3])
    century = 1900 + 100 * (int(number[3]) // 2)
    year = century + int(number[4:6])
    today = today or date.today()
    if year > today.year:
        return _("Năm sinh %(year)s suy ra từ số CCCD nằm trong tương lai.", year=year)
    return None


def phone_problem(phone: str) -> str | None:
    compact = re.sub(r"[\s.\-]", "", phone)
    if compact and not PHONE_RE.match(compact):
        return _("Số điện thoại phải có 10–11 chữ số, bắt đầu bằng 0 hoặc +84.")
    return None
