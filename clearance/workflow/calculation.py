"""The explained calculation of a compensation plan (tính toán phương án), pure Python.

Every line is quantity × unit price × coefficient (× remaining quality %), rounded by the policy
set's rule, with the legal basis it rests on. A line whose price or rule is missing keeps no amount
and says why ("thiếu căn cứ"): it is never silently 0, and it blocks freezing the plan.
Money is ``Decimal`` until a line is rounded, then whole đồng (``int``). No floats anywhere.

The texts put into lines are Vietnamese: a plan version is a legal record in Vietnamese, frozen
with its words; the screens translate the labels around them.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

#: Bump when the rules below change: old snapshots keep saying which rules made them.
CALCULATION_VERSION = 1

#: Plan categories, in the order of the notice's table. Deductions are negative.
CATEGORIES = ("land", "assets", "support", "resettlement", "deduction")

#: Land-use codes of agricultural land (đất nông nghiệp): they earn job-conversion support.
AGRICULTURAL_LAND = frozenset({"LUC", "LUK", "LUN", "BHK", "NHK", "CLN", "NTS", "RSX", "RPH", "RDD", "NKH"})

#: The support items a policy set prices, with what each is counted in. Rules in ``_support``.
SUPPORT_ITEMS: dict[str, str] = {
    "life_stabilisation": "Hỗ trợ ổn định đời sống (người × tháng)",
    "relocation": "Hỗ trợ di chuyển chỗ ở (hộ)",
    "rent": "Hỗ trợ thuê nhà trong thời gian chờ tái định cư (người × tháng)",
    "rent_single": "Hỗ trợ thuê nhà, hộ một nhân khẩu (tháng)",
    "job_conversion": "Hỗ trợ đào tạo, chuyển đổi nghề (lần giá đất nông nghiệp)",
    "grave_relocation": "Hỗ trợ di chuyển mộ (ngôi mộ)",
    "early_handover": "Thưởng bàn giao mặt bằng sớm (hộ)",
}

DEBT_BASIS = "Điều 94 Luật Đất đai 2024"

RateKey = tuple[str, str, str, str, int, str]  # category, item, segment, land_type, position, size


def rate_key(category: str, item: str, segment: str = "", land_type: str = "", position: int = 0, size: str = "") -> RateKey:
    """The key a rate is looked up by: case, surrounding spaces and Unicode composition do not
    matter ("Yết Kiêu" typed in a workbook with decomposed accents still finds its price)."""

    def folded(text: str) -> str:
        return unicodedata.normalize("NFC", text.strip()).casefold()

    return (category, folded(item), folded(segment), land_type.strip().upper(), position, folded(size))


@dataclass(frozen=True)
class Rate:
    """One unit price of a policy set, as the calculation sees it."""

    label: str
    unit: str
    unit_price: Decimal
    basis: str
    cap: Decimal | None = None


@dataclass(frozen=True)
class Policy:
    """The policy set's parameters and rates (keyed by ``rate_key``)."""

    code: str
    name: str
    legal_basis: str
    land_coefficient: Decimal
    rounding_step: int
    rounding_mode: str
    payment_days: int
    late_payment_rate: Decimal
    rates: Mapping[RateKey, Rate]

    def rate(self, category: str, item: str, segment: str = "", land_type: str = "", position: int = 0, size: str = "") -> Rate | None:
        found = self.rates.get(rate_key(category, item, segment, land_type, position, size))
        if found is None and segment:
            # A price for the street's whole length covers every segment of it.
            found = self.rates.get(rate_key(category, item, "", land_type, position, size))
        return found


@dataclass(frozen=True)
class Item:
    """A line of the inventory (dòng kiểm đếm)."""

    line_no: int
    kind: str
    description: str
    quantity: Decimal
    unit: str = ""
    parcel: str = ""
    street: str = ""
    segment: str = ""
    land_type: str = ""
    land_position: int | None = None
    grade: str = ""
    floors: int | None = None
    species: str = ""
    size: str = ""
    quality_pct: Decimal | None = None
    unit_price: Decimal | None = None
    price_basis: str = ""


@dataclass(frozen=True)
class Adjustment:
    """Điều chỉnh thủ công, with who made it, in which role, and why."""

    id: int
    category: str
    amount: int
    reason: str
    actor: str
    role: str
    at: str


@dataclass(frozen=True)
class Facts:
    """Everything a case's plan is calculated from."""

    recorded_on: date
    signed_by: str
    persons: int
    relocates: bool
    life_support_months: int
    rent_months: int
    early_handover: bool
    resettlement_site: str
    resettlement_area: Decimal | None
    land_debt: int
    land_debt_basis: str
    items: tuple[Item, ...]
    adjustments: tuple[Adjustment, ...] = ()


@dataclass
class Line:
    """Một dòng phương án, explained: what, how many, at what price and coefficient, the result
    before and after rounding, and on what basis. ``missing`` says why there is no amount."""

    no: int
    category: str
    code: str
    description: str
    quantity: Decimal | None = None
    unit: str = ""
    unit_price: Decimal | None = None
    coefficient: Decimal = Decimal(1)
    quality_pct: Decimal | None = None
    #: Extra factors written out, e.g. "4 người × 6 tháng".
    detail: str = ""
    raw: Decimal | None = None
    amount: int | None = None
    basis: str = ""
    missing: str = ""
    #: A manual adjustment: who, in which role, why, when.
    manual: dict[str, str] | None = None
    #: The inventory line it comes from.
    item_no: int | None = None


@dataclass
class Result:
    lines: list[Line]
    totals: dict[str, int]
    net: int
    missing: int


def round_amount(value: Decimal, step: int, mode: str) -> int:
    """Round to a multiple of ``step`` đồng: half up (the usual rule), down or up."""
    rounding = {"half_up": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}[mode]
    # The magnitude is rounded, then the sign put back: a fee the household pays, rounded down,
    # gets smaller, as the rule says, not larger.
    units = (abs(value) / step).quantize(Decimal(1), rounding=rounding)
    return (-1 if value < 0 else 1) * int(units) * step


def calculate(facts: Facts, policy: Policy) -> Result:
    """The plan of one case: its explained lines, totals by category and the net payable."""
    lines: list[Line] = []
    for item in facts.items:
        lines.extend(_item_lines(item, policy))
    lines.extend(_support(facts, policy))
    lines.extend(_resettlement(facts, policy))
    if facts.land_debt:
        lines.append(
            Line(0, "deduction", "land_debt", "Khấu trừ nghĩa vụ tài chính về đất chưa thực hiện",
                 amount=-facts.land_debt, raw=Decimal(-facts.land_debt), basis=facts.land_debt_basis or DEBT_BASIS)
        )
    for adjustment in facts.adjustments:
        lines.append(
            Line(0, adjustment.category, "adjustment", f"Điều chỉnh: {adjustment.reason}",
                 amount=adjustment.amount, raw=Decimal(adjustment.amount), basis=adjustment.reason,
                 manual={"actor": adjustment.actor, "role": adjustment.role, "reason": adjustment.reason, "at": adjustment.at})
        )
    for number, line in enumerate(lines, start=1):
        line.no = number
    totals = {category: 0 for category in CATEGORIES}
    for line in lines:
        if line.amount is not None:
            totals[line.category] += line.amount
    missing = sum(1 for line in lines if line.missing)
    return Result(lines, totals, sum(totals.values()), missing)


def _priced(line: Line, policy: Policy) -> Line:
    """Fill raw and amount from quantity × unit price × coefficient × quality."""
    if line.missing or line.quantity is None or line.unit_price is None:
        return line
    raw = line.quantity * line.unit_price * line.coefficient
    if line.quality_pct is not None:
        raw = raw * line.quality_pct / 100
    line.raw = raw
    line.amount = round_amount(raw, policy.rounding_step, policy.rounding_mode)
    return line


def _missing(line: Line, why: str) -> Line:
    line.missing = why
    return line


def _item_lines(item: Item, policy: Policy) -> list[Line]:
    if item.kind == "land":
        return _land(item, policy)
    if item.kind == "structure":
        line = Line(0, "assets", "structure", _join(item.description, item.grade), item.quantity, item.unit or "m²",
                    quality_pct=item.quality_pct if item.quality_pct is not None else Decimal(100), item_no=item.line_no,
                    detail=f"{item.floors} tầng" if item.floors else "")
        rate = policy.rate("structure", item.grade)
        if rate is None:
            return [_missing(line, f"Không có đơn giá nhà, công trình loại “{item.grade or '—'}” trong bộ chính sách {policy.code}")]
        line.unit_price, line.basis = rate.unit_price, rate.basis
        return [_priced(line, policy)]
    if item.kind == "crop":
        line = Line(0, "assets", "crop", _join(item.description, item.species, item.size), item.quantity,
                    item.unit or "cây", item_no=item.line_no)
        rate = policy.rate("crop", item.species, size=item.size)
        if rate is None:
            return [_missing(line, f"Không có đơn giá cây trồng “{_join(item.species, item.size) or '—'}” trong bộ chính sách {policy.code}")]
        line.unit_price, line.unit, line.basis = rate.unit_price, item.unit or rate.unit, rate.basis
        return [_priced(line, policy)]
    if item.kind == "grave":
        line = Line(0, "support", "grave_relocation", _join(item.description, "Di chuyển mộ"), item.quantity,
                    item.unit or "ngôi mộ", item_no=item.line_no)
        rate = policy.rate("support", "grave_relocation")
        if rate is None:
            return [_missing(line, f"Không có mức hỗ trợ di chuyển mộ trong bộ chính sách {policy.code}")]
        line.unit_price, line.basis = rate.unit_price, rate.basis
        return [_priced(line, policy)]
    line = Line(0, "assets", "other", item.description, item.quantity, item.unit or "cái", item_no=item.line_no)
    if item.unit_price is None:
        return [_missing(line, "Tài sản khác chưa có đơn giá (chứng thư thẩm định giá hoặc căn cứ khác)")]
    if not item.price_basis.strip():
        return [_missing(line, "Đơn giá tài sản khác chưa ghi căn cứ")]
    line.unit_price, line.basis = item.unit_price, item.price_basis
    return [_priced(line, policy)]


def _land(item: Item, policy: Policy) -> list[Line]:
    where = _join(item.street, item.segment, item.land_type, f"VT{item.land_position}" if item.land_position else "")
    line = Line(0, "land", "land", _join(item.description or "Đất", item.parcel, where), item.quantity,
                item.unit or "m²", coefficient=policy.land_coefficient, item_no=item.line_no)
    if not item.street or not item.land_type or not item.land_position:
        return [_missing(line, "Dòng đất thiếu tuyến phố, loại đất hoặc vị trí (VT1–VT4)")]
    rate = policy.rate("land", item.street, item.segment, item.land_type, item.land_position)
    if rate is None:
        return [_missing(line, f"Không có giá đất {where} trong bộ chính sách {policy.code}")]
    line.unit_price, line.basis = rate.unit_price, rate.basis
    lines = [_priced(line, policy)]
    if item.land_type.upper() in AGRICULTURAL_LAND:
        lines.append(_job_conversion(item, rate, policy))
    return lines


def _job_conversion(item: Item, land_rate: Rate, policy: Policy) -> Line:
    line = Line(0, "support", "job_conversion", SUPPORT_ITEMS["job_conversion"], item.quantity, "m²",
                unit_price=land_rate.unit_price, item_no=item.line_no)
    rate = policy.rate("support", "job_conversion")
    if rate is None:
        return _missing(line, f"Không có hệ số hỗ trợ chuyển đổi nghề trong bộ chính sách {policy.code}")
    line.coefficient, line.basis = rate.unit_price, rate.basis
    line.detail = f"{_plain(rate.unit_price)} lần giá đất nông nghiệp"
    return _priced(line, policy)


def _support(facts: Facts, policy: Policy) -> list[Line]:
    lines: list[Line] = []
    if facts.life_support_months and facts.persons:
        persons_months = Decimal(facts.persons * facts.life_support_months)
        line = Line(0, "support", "life_stabilisation", SUPPORT_ITEMS["life_stabilisation"], persons_months,
                    "người-tháng", detail=f"{facts.persons} người × {facts.life_support_months} tháng")
        lines.append(_rated(line, policy, "life_stabilisation"))
    if facts.relocates:
        line = Line(0, "support", "relocation", SUPPORT_ITEMS["relocation"], Decimal(1), "hộ")
        lines.append(_rated(line, policy, "relocation"))
        if facts.rent_months and facts.persons:  # an organisation has nobody to house
            lines.append(_rent(facts, policy))
    if facts.early_handover:
        line = Line(0, "support", "early_handover", SUPPORT_ITEMS["early_handover"], Decimal(1), "hộ")
        lines.append(_rated(line, policy, "early_handover"))
    return lines


def _rated(line: Line, policy: Policy, code: str) -> Line:
    rate = policy.rate("support", code)
    if rate is None:
        return _missing(line, f"Không có mức “{SUPPORT_ITEMS[code]}” trong bộ chính sách {policy.code}")
    line.unit_price, line.basis = rate.unit_price, rate.basis
    return _priced(line, policy)


def _rent(facts: Facts, policy: Policy) -> Line:
    """Rent support per month: per person (a one-person household has its own rate), capped per
    plot per month; times the months of waiting."""
    single = facts.persons <= 1
    code = "rent_single" if single else "rent"
    line = Line(0, "support", "rent", SUPPORT_ITEMS["rent"], Decimal(facts.rent_months), "tháng")
    rate = policy.rate("support", code)
    if rate is None:
        return _missing(line, f"Không có mức “{SUPPORT_ITEMS[code]}” trong bộ chính sách {policy.code}")
    per_month = rate.unit_price if single else rate.unit_price * facts.persons
    detail = "hộ một nhân khẩu" if single else f"{facts.persons} người × {_dots(rate.unit_price)} đ/người/tháng"
    cap = rate.cap
    general = policy.rate("support", "rent")
    if cap is None and single and general is not None:
        cap = general.cap  # the cap is per plot: it binds a one-person household too
    if cap is not None and per_month > cap:
        per_month = cap
        detail += f", tối đa {_dots(cap)} đ/tháng"
    line.unit_price, line.basis, line.detail = per_month, rate.basis, detail
    return _priced(line, policy)


def _resettlement(facts: Facts, policy: Policy) -> list[Line]:
    if not facts.resettlement_site or not facts.resettlement_area:
        return []
    line = Line(0, "resettlement", "resettlement_fee",
                f"Tiền sử dụng đất phải nộp khi nhận lô tái định cư tại {facts.resettlement_site}",
                facts.resettlement_area, "m²", coefficient=Decimal(-1))
    rate = policy.rate("resettlement", facts.resettlement_site)
    if rate is None:
        return [_missing(line, f"Không có giá đất tái định cư tại “{facts.resettlement_site}” trong bộ chính sách {policy.code}")]
    line.unit_price, line.basis = rate.unit_price, rate.basis
    return [_priced(line, policy)]


def late_payment(unpaid: int, due: date, paid_on: date, rate_percent_per_day: Decimal) -> tuple[int, int]:
    """Tiền chậm chi trả (Art. 94(2)): (days late, extra amount in đồng) on ``unpaid`` đồng paid on
    ``paid_on`` when it was due on ``due``; rounded half up to the đồng."""
    days = (paid_on - due).days
    if days <= 0 or unpaid <= 0:
        return 0, 0
    extra = (Decimal(unpaid) * rate_percent_per_day / 100 * days).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return days, int(extra)


def late_payment_owed(
    payable: int, due: date, payments: Iterable[tuple[date, int]], today: date, rate_percent_per_day: Decimal
) -> tuple[int, int]:
    """The extra owed for paying late: each sum paid after ``due`` for its own days late, and
    what is still unpaid for the days to ``today``. Payments are applied in date order; a
    reversal (negative) makes its sum owed again. Returns (the most days late, the extra đồng)."""
    remaining, extra, worst = payable, 0, 0
    for paid_on, amount in sorted(payments):
        applied = min(amount, remaining) if amount > 0 else amount
        if applied > 0:
            days, owed = late_payment(applied, due, paid_on, rate_percent_per_day)
            extra, worst = extra + owed, max(worst, days)
        remaining -= applied
    days, owed = late_payment(remaining, due, today, rate_percent_per_day)
    return max(worst, days), extra + owed


# -- snapshots --------------------------------------------------------------------------------


def snapshot(facts: Facts, policy: Policy, result: Result, rates_used: Iterable[tuple[RateKey, Rate]]) -> dict[str, Any]:
    """The frozen record of a plan version: inputs, parameters, rates used, lines and totals,
    as plain JSON values (Decimals as strings)."""
    # Built by hand from the dataclasses' own dicts: dataclasses.asdict deep-copies every value
    # and made this the slowest part of recalculating a project.
    inventory = {name: _json_value(value) for name, value in vars(facts).items() if name not in ("items", "adjustments")}
    # Inventory lines keep only the fields they use (a land line has no grade): half the size.
    inventory["items"] = [{k: v for k, v in _flat(item).items() if v not in ("", None)} for item in facts.items]
    inventory["adjustments"] = [_flat(adjustment) for adjustment in facts.adjustments]
    return {
        "calculation_version": CALCULATION_VERSION,
        "policy": {
            "code": policy.code,
            "name": policy.name,
            "legal_basis": policy.legal_basis,
            "land_coefficient": _plain(policy.land_coefficient),
            "rounding_step": policy.rounding_step,
            "rounding_mode": policy.rounding_mode,
            "payment_days": policy.payment_days,
            "late_payment_rate": _plain(policy.late_payment_rate),
        },
        "rates": [{"key": list(key), **_flat(rate)} for key, rate in sorted(rates_used, key=lambda kr: kr[0])],
        "inventory": inventory,
        "lines": [_flat(line) for line in result.lines],
        "totals": dict(result.totals),
        "net": result.net,
        "missing": result.missing,
    }


def canonical_json(data: Mapping[str, Any]) -> str:
    """The one text of a snapshot its hash is taken of: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: Mapping[str, Any] | str) -> str:
    """SHA-256 of the canonical JSON of a snapshot (or of that text): shown on the plan, printed
    on the notice."""
    canonical = data if isinstance(data, str) else canonical_json(data)
    return hashlib.sha256(canonical.encode()).hexdigest()


def rates_used(facts: Facts, policy: Policy, result: Result) -> list[tuple[RateKey, Rate]]:
    """The policy rates the case's calculation read, for its snapshot (so a later edit of the
    policy set never changes what a frozen version says it used). Only those: a rate added for
    other households does not make a new version of this one."""
    keys: list[RateKey] = []
    for item in facts.items:
        if item.kind == "land" and item.land_position:
            keys.append(rate_key("land", item.street, item.segment, item.land_type, item.land_position))
            keys.append(rate_key("land", item.street, "", item.land_type, item.land_position))
        elif item.kind == "structure":
            keys.append(rate_key("structure", item.grade))
        elif item.kind == "crop":
            keys.append(rate_key("crop", item.species, size=item.size))
    support = {line.code for line in result.lines if line.category == "support" and line.code in SUPPORT_ITEMS}
    if "rent" in support:
        support.add("rent_single")  # a one-person household's rate, capped by the general one
    keys.extend(rate_key("support", code) for code in sorted(support))
    if facts.resettlement_site:
        keys.append(rate_key("resettlement", facts.resettlement_site))
    seen: dict[RateKey, Rate] = {}
    for key in keys:
        if key in policy.rates and key not in seen:
            seen[key] = policy.rates[key]
    return list(seen.items())


def _flat(record: Any) -> dict[str, Any]:
    """A dataclass of plain values as a JSON-ready dict (Decimals as exact strings)."""
    return {name: _json_value(value) for name, value in vars(record).items()}


def _json_value(value: Any) -> Any:
    if type(value) is Decimal:
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return dict(value)
    return value


def _plain(value: Decimal) -> str:
    """A Decimal as a string without exponent or trailing zeros ("296601000", "50.5")."""
    return format(value.normalize(), "f")


def _dots(value: Decimal) -> str:
    """A whole amount with dot separators, as in the documents: 2500000 → "2.500.000"."""
    return f"{int(value):,}".replace(",", ".")


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


@dataclass
class LineChange:
    """One line of a diff between two plan versions."""

    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[str] = field(default_factory=list)


_COMPARED = ("description", "quantity", "unit", "unit_price", "coefficient", "quality_pct", "detail", "amount", "basis", "missing")


def diff_lines(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[LineChange]:
    """Every line added, removed or changed between two snapshots' lines. Lines are matched by
    what they price (code and inventory line), not by position, so an inserted line does not
    make every later one look changed."""

    def keyed(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for line in lines:
            base = f"{line['code']}:{line.get('item_no') or ''}:{(line.get('manual') or {}).get('at', '')}"
            key, n = base, 1
            while key in result:
                n += 1
                key = f"{base}#{n}"
            result[key] = line
        return result

    old, new = keyed(before), keyed(after)
    changes: list[LineChange] = []
    for key, line in new.items():
        previous = old.get(key)
        if previous is None:
            changes.append(LineChange(key, None, line))
            continue
        fields = [name for name in _COMPARED if previous.get(name) != line.get(name)]
        if fields:
            changes.append(LineChange(key, previous, line, fields))
    changes.extend(LineChange(key, line, None) for key, line in old.items() if key not in new)
    return changes
