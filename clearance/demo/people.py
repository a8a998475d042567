"""Invented households and organisations for the demo (hộ gia đình, tổ chức giả lập).

Every name, ID number, phone and tax code here is made up by a seeded random generator: the
same seed gives the same people, so loading the demo twice finds the records it made before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Đào",
    "Đinh", "Lương", "Mai", "Tạ", "Khúc", "Quách", "Lại", "Kiều",
)
MIDDLE_NAMES = {
    False: ("Văn", "Hữu", "Đức", "Quang", "Xuân", "Thế", "Công", "Mạnh"),
    True: ("Thị", "Thu", "Ngọc", "Thanh", "Kim", "Bích", "Diệu", "Hồng"),
}
GIVEN_NAMES = {
    False: ("An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hòa", "Khang", "Khải", "Long",
            "Nam", "Phong", "Quân", "Sơn", "Thắng", "Toàn", "Trung", "Tùng", "Vinh", "Lộc"),
    True: ("Anh", "Chi", "Dung", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Loan", "Mai", "Ngân",
           "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Vân", "Yến", "Huệ", "Lý"),
}

#: The CCCD's first three digits: Hà Nội (Circular 07/2016/TT-BCA).
HANOI_CCCD = "001"
#: Hà Nội enterprises' tax codes (mã số thuế) begin with 01 (most with 010).
HANOI_TAX_PREFIX = "010"
#: Weights of the tax code's check digit (the 10th digit).
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


@dataclass(frozen=True)
class Person:
    """An invented head of household (chủ hộ)."""

    name: str
    female: bool
    birth_year: int
    id_number: str
    phone: str


class Inventor:
    """Hands out invented people, never the same name or number twice."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._names: set[str] = set()
        self._ids: set[str] = set()
        self._phones: set[str] = set()
        self._tax_codes: set[str] = set()

    def person(self, born: tuple[int, int] = (1948, 1993), female: bool | None = None) -> Person:
        rng = self.rng
        female = rng.random() < 0.45 if female is None else female
        while True:
            name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES[female])} {rng.choice(GIVEN_NAMES[female])}"
            if name not in self._names:
                self._names.add(name)
                break
        year = rng.randint(*born)
        return Person(name, female, year, self._cccd(female, year), self.phone())

    def _cccd(self, female: bool, year: int) -> str:
        """12 digits: province of birth registration, sex and century, year of birth, serial."""
        century = 0 if year < 2000 else 2
        while True:
            number = f"{HANOI_CCCD}{century + int(female)}{year % 100:02d}{self.rng.randrange(10**6):06d}"
            if number not in self._ids:
                self._ids.add(number)
                return number

    def phone(self) -> str:
        """A 10-digit mobile number (09x or 03x)."""
        while True:
            number = self.rng.choice(("09", "03")) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def tax_code(self) -> str:
        """A 10-digit Hà Nội tax code with a valid check digit."""
        while True:
            body = HANOI_TAX_PREFIX + f"{self.rng.randrange(10**6):06d}"
            check = tax_check_digit(body)
            if check is not None and body + str(check) not in self._tax_codes:
                self._tax_codes.add(body + str(check))
                return body + str(check)

    def members(self) -> int:
        """Số nhân khẩu of an ordinary household: mostly 2–5, now and then 6–7."""
        return self.rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 6, 7))


def tax_check_digit(first_nine: str) -> int | None:
    """The check digit of a tax code from its first nine digits; None when no code may end so."""
    total = sum(int(d) * w for d, w in zip(first_nine, TAX_WEIGHTS, strict=True))
    digit = 10 - total % 11
    return None if digit == 10 else digit
