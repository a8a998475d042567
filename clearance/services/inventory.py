"""The inventory of a case (biên bản kiểm đếm): its header (date, signers, persons, the facts the
support items depend on) and its lines (land, structures, crops, graves, other assets).

The inventory is a legal record. ``save_inventory`` creates it or replaces it as a whole, checks
every line first and reports every problem at once, each naming its line and field ("Dòng 3,
“Chất lượng còn lại”: không quá 100 %"), so nothing is half saved; changing an existing
inventory needs a reason, which goes into the audit trail with every change (the models are
``Audited``). ``inventory_facts`` and ``inventory_facts_for_project`` read what the plan
calculation needs (``clearance.workflow.calculation.Facts``) in a fixed number of queries.

The checks of one line and of the header are plain functions (``normalise_item``,
``normalise_header``, ``check_land_totals``) that the Excel import reuses with its own way of
naming where a problem is (sheet, row, column). Flush, never commit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from clearance.audit import set_reason
from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, area
from clearance.models import AuditEntry, Case, CaseParcel, Inventory, InventoryItem, Parcel, PlanAdjustment
from clearance.services.errors import FieldError
from clearance.workflow import calculation
from clearance.workflow.statuses import AssetKind

#: Kinds in the order the record lists them (Đất, Nhà công trình, Cây trồng, Mộ, Tài sản khác).
KIND_ORDER: tuple[AssetKind, ...] = (AssetKind.LAND, AssetKind.STRUCTURE, AssetKind.CROP, AssetKind.GRAVE, AssetKind.OTHER)
#: The unit a line is counted in when none is written.
DEFAULT_UNITS = {"land": "m²", "structure": "m²", "crop": "cây", "grave": "ngôi mộ", "other": "cái"}
#: Kind names as the audit trail keeps them: a legal record is worded in Vietnamese whatever the
#: language of the screen it was changed on.
KIND_WORDS = {"land": "Đất", "structure": "Nhà, công trình", "crop": "Cây trồng", "grave": "Mộ", "other": "Tài sản khác"}

ITEM_FIELDS = (
    "kind", "description", "parcel_id", "street", "segment", "land_type", "land_position", "grade", "floors",
    "species", "size", "quantity", "unit", "quality_pct", "unit_price", "price_basis",
)
HEADER_FIELDS = (
    "recorded_on", "signed_by", "persons", "relocates", "life_support_months", "rent_months", "early_handover",
    "resettlement_site", "resettlement_area", "land_debt", "land_debt_basis", "notes",
)

#: How fields are named in messages and in the history of the record.
FIELD_NAMES: dict[str, Any] = {
    "kind": _l("Loại"), "description": _l("Mô tả"), "parcel_id": _l("Thửa đất"), "street": _l("Tuyến phố"),
    "segment": _l("Đoạn"), "land_type": _l("Loại đất"), "land_position": _l("Vị trí"), "grade": _l("Cấp nhà"),
    "floors": _l("Số tầng"), "species": _l("Loài cây"), "size": _l("Kích thước"), "quantity": _l("Số lượng"),
    "unit": _l("Đơn vị"), "quality_pct": _l("Chất lượng còn lại"), "unit_price": _l("Đơn giá"),
    "price_basis": _l("Căn cứ đơn giá"), "line_no": _l("Dòng"),
    "recorded_on": _l("Ngày kiểm đếm"), "signed_by": _l("Người ký"), "persons": _l("Số nhân khẩu"),
    "relocates": _l("Di chuyển chỗ ở"), "life_support_months": _l("Số tháng hỗ trợ ổn định đời sống"),
    "rent_months": _l("Số tháng hỗ trợ thuê nhà"), "early_handover": _l("Bàn giao sớm"),
    "resettlement_site": _l("Khu tái định cư"), "resettlement_area": _l("Diện tích lô TĐC"),
    "land_debt": _l("Nghĩa vụ tài chính chưa nộp"), "land_debt_basis": _l("Căn cứ khấu trừ"), "notes": _l("Ghi chú"),
    "items": _l("Các dòng kiểm đếm"), "reason": _l("Lý do sửa"), "version": _l("Phiên bản"),
}

#: Longest text each column holds.
TEXT_LIMITS = {
    "description": 300, "street": 160, "segment": 160, "land_type": 20, "grade": 160, "species": 160, "size": 80,
    "unit": 30, "price_basis": 300, "signed_by": 500, "resettlement_site": 160, "land_debt_basis": 300, "notes": 20000,
}
#: NUMERIC(14, 2) and NUMERIC(18, 2).
MAX_QUANTITY = Decimal("999999999999.99")
MAX_PRICE = Decimal("9999999999999999.99")
#: Whole đồng, exact in every JSON client.
MAX_MONEY = 2**53 - 1
#: Decree 88/2024 Art. 19: life-stabilisation support runs at most 36 months.
MAX_LIFE_SUPPORT_MONTHS = 36
#: A bound against typing errors: rent support while waiting for resettlement, 10 years at most.
MAX_RENT_MONTHS = 120
MAX_PERSONS = 999
MAX_FLOORS = 200

_STREET_RE = re.compile(r"(?:^|[\s,])(?:phố|đường)\s+([^,;()]+)", re.IGNORECASE)
#: Where a street's name ends when no comma follows it: "phố Yết Kiêu phường Hai Bà Trưng".
_STREET_END = re.compile(r"\s+(?:phường|quận|xã|thị trấn|thành phố|tp\.?|p\.)(?:\s|$).*", re.IGNORECASE)
_NOT_A_STREET_FRONT = re.compile(r"\b(?:ngõ|ngách|hẻm|kiệt|tập thể)\b", re.IGNORECASE)


def parse_number(text: str) -> Decimal:
    """A number typed the Vietnamese way: "1.234,5", "50,5", "1.500.000", "50.5", "80 %"; raises
    ValueError with the message "“ba” không phải là số"."""
    raw = str(text)
    cleaned = raw.strip().replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.removesuffix("%").removesuffix("đồng").removesuffix("đ")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")  # dots group thousands
    elif "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")  # the comma is the decimal mark
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        shown = raw.strip() if len(raw.strip()) <= 40 else raw.strip()[:39] + "…"
        raise ValueError(_("“%(value)s” không phải là số", value=shown))
    return number


def field_name(field: str) -> str:
    return str(FIELD_NAMES.get(field, field))


def street_from_address(address: str | None) -> str:
    """The street named in an address, when it obviously names one: "Số 30 phố Yết Kiêu, phường
    Hai Bà Trưng" → "Yết Kiêu"; "Nhà bà Hoa, xóm Chợ" → "" (nothing guessed)."""
    if not address:
        return ""
    match = _STREET_RE.search(address)
    if match is None:
        return ""
    street = _STREET_END.sub("", match.group(1)).strip()
    return street if street and not street[0].isdigit() else ""


def is_street_front(address: str | None) -> bool:
    """A lot facing the street (vị trí 1): its address is a house number on a named street, not in
    a lane (ngõ, ngách, hẻm). Used for suggestions only; the officer writes the position."""
    return bool(address) and bool(street_from_address(address)) and not _NOT_A_STREET_FRONT.search(address or "")


@dataclass(frozen=True)
class Problem:
    """One thing that stops a save: the line (1-based; None for the header), the field, and
    what is wrong with it."""

    line: int | None
    field: str
    message: str

    @property
    def text(self) -> str:
        if self.line is None:
            return _("“%(field)s”: %(message)s", field=field_name(self.field), message=self.message)
        return _("Dòng %(line)s, “%(field)s”: %(message)s", line=self.line, field=field_name(self.field), message=self.message)


class InventoryRejected(FieldError):
    """The inventory breaks rules; nothing was written. ``problems`` lists every one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems[0].field, " ".join(p.text for p in self.problems))


@dataclass(frozen=True)
class HeldParcel:
    """A parcel the case holds, with what an inventory line needs from it."""

    id: int
    label: str
    recovered_area: Decimal | None
    land_use_code: str
    address: str


def parcel_label(map_sheet: str, parcel_no: str) -> str:
    return f"Thửa {parcel_no}, tờ {map_sheet}"


def held_parcels(case_ids: Iterable[int]) -> dict[int, dict[int, HeldParcel]]:
    """The parcels each case holds, by case and parcel id (one query)."""
    ids = sorted(set(case_ids))
    result: dict[int, dict[int, HeldParcel]] = {case_id: {} for case_id in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(
            CaseParcel.case_id, Parcel.id, Parcel.map_sheet, Parcel.parcel_no, Parcel.recovered_area,
            Parcel.land_use_code, Parcel.address,
        )
        .join(Parcel, Parcel.id == CaseParcel.parcel_id)
        .where(CaseParcel.case_id.in_(ids))
        .order_by(Parcel.map_sheet, Parcel.parcel_no)
    )
    for case_id, parcel_id, sheet, number, recovered, land_use, address in rows:
        result[case_id][parcel_id] = HeldParcel(parcel_id, parcel_label(sheet, number), recovered, land_use or "", address or "")
    return result


# --- checking one line, the header, the land totals ----------------------------------------------

Found = list[tuple[str, str]]


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    if value is None:
        return ""
    return str(value).replace("\x00", "").strip()


def _too_long(found: Found, clean: Mapping[str, Any], names: Iterable[str]) -> None:
    for name in names:
        limit = TEXT_LIMITS[name]
        if len(clean[name]) > limit:
            found.append((name, _("tối đa %(n)s ký tự", n=limit)))


def _decimal_places_ok(value: Decimal) -> bool:
    return value.as_tuple().exponent >= -2  # type: ignore[operator]


def normalise_item(values: Mapping[str, Any], parcels: Mapping[int, HeldParcel]) -> tuple[dict[str, Any], Found]:
    """One line as it will be stored, with what it lacks filled from its parcel, and every
    (field, problem) found. ``values`` hold typed values (Decimal, int) or None; ``parcels`` are
    the parcels the case holds.

    From the parcel, when the line leaves them empty: a land line's land-use code, its street
    (when the parcel's address names one) and its quantity (the recovered area). The position
    (VT1–VT4) is never guessed."""
    found: Found = []
    raw_kind = _text(values, "kind")
    kind = raw_kind if raw_kind in AssetKind.__members__.values() else ""
    if not kind:
        found.append(("kind", _("chọn loại dòng (Đất, Nhà công trình, Cây trồng, Mộ, Tài sản khác)")))
    clean: dict[str, Any] = {name: _text(values, name) for name in TEXT_LIMITS if name in ITEM_FIELDS}
    clean["kind"] = AssetKind(kind) if kind else ""
    clean["land_type"] = clean["land_type"].upper()
    parcel_id = values.get("parcel_id")
    parcel = None
    if parcel_id is not None:
        parcel = parcels.get(parcel_id)
        if parcel is None:
            found.append(("parcel_id", _("thửa đất này không thuộc hồ sơ")))
    clean["parcel_id"] = parcel.id if parcel else None
    quantity = values.get("quantity")
    if quantity is None and kind == AssetKind.LAND and parcel is not None and parcel.recovered_area is not None:
        quantity = parcel.recovered_area
    if kind == AssetKind.LAND and parcel is not None:
        clean["land_type"] = clean["land_type"] or parcel.land_use_code.upper()
        clean["street"] = clean["street"] or street_from_address(parcel.address)
    clean["unit"] = clean["unit"] or DEFAULT_UNITS.get(kind, "")
    _too_long(found, clean, [name for name in TEXT_LIMITS if name in clean])

    if quantity is None:
        found.append(("quantity", _("chưa ghi")))
    elif quantity < 0:
        found.append(("quantity", _("không được âm")))
    elif quantity > MAX_QUANTITY:
        found.append(("quantity", _("quá lớn")))
    elif not _decimal_places_ok(quantity):
        found.append(("quantity", _("chỉ ghi tới 2 chữ số thập phân")))
    elif kind == AssetKind.GRAVE and quantity != quantity.to_integral_value():
        found.append(("quantity", _("số ngôi mộ là số nguyên")))
    clean["quantity"] = quantity

    quality = values.get("quality_pct")
    if quality is not None:
        if quality < 0:
            found.append(("quality_pct", _("không được âm")))
        elif quality > 100:
            found.append(("quality_pct", _("không quá 100 %")))
        elif not _decimal_places_ok(quality):
            found.append(("quality_pct", _("chỉ ghi tới 2 chữ số thập phân")))
    clean["quality_pct"] = quality

    position = values.get("land_position")
    if position is not None and position not in (1, 2, 3, 4):
        found.append(("land_position", _("chỉ có vị trí 1, 2, 3 hoặc 4 (VT1–VT4)")))
    clean["land_position"] = position

    floors = values.get("floors")
    if floors is not None and not 1 <= floors <= MAX_FLOORS:
        found.append(("floors", _("từ 1 đến %(n)s tầng", n=MAX_FLOORS)))
    clean["floors"] = floors

    price = values.get("unit_price")
    if price is not None:
        if price < 0:
            found.append(("unit_price", _("không được âm")))
        elif price > MAX_PRICE:
            found.append(("unit_price", _("quá lớn")))
        elif not _decimal_places_ok(price):
            found.append(("unit_price", _("chỉ ghi tới 2 chữ số thập phân")))
    clean["unit_price"] = price

    if kind == AssetKind.LAND:
        if not clean["street"]:
            found.append(("street", _("dòng đất cần tuyến phố (theo bảng giá đất)")))
        if not clean["land_type"]:
            found.append(("land_type", _("dòng đất cần mã loại đất, ví dụ ODT, TMD")))
        if position is None:
            found.append(("land_position", _("dòng đất cần vị trí 1–4 (VT1–VT4)")))
    elif kind == AssetKind.STRUCTURE and not clean["grade"]:
        found.append(("grade", _("ghi cấp nhà hoặc loại công trình")))
    elif kind == AssetKind.CROP and not clean["species"]:
        found.append(("species", _("ghi loài cây")))
    # Keys of other kinds are not kept on a line (a structure has no land position).
    if kind and kind != AssetKind.LAND:
        clean.update(street="", segment="", land_type="", land_position=None)
    if kind and kind != AssetKind.STRUCTURE:
        clean.update(grade="", floors=None)
    if kind and kind != AssetKind.CROP:
        clean.update(species="", size="")
    return clean, found


def check_land_totals(items: Sequence[Mapping[str, Any]], parcels: Mapping[int, HeldParcel]) -> list[tuple[int, str, str]]:
    """(index, field, problem) for the land lines that take more of a parcel than is recovered:
    the land lines of one parcel together may not pass its recovered area."""
    found: list[tuple[int, str, str]] = []
    taken: dict[int, Decimal] = defaultdict(Decimal)
    for index, item in enumerate(items):
        parcel = parcels.get(item.get("parcel_id") or 0)
        quantity = item.get("quantity")
        if item.get("kind") != AssetKind.LAND or parcel is None or quantity is None or parcel.recovered_area is None:
            continue
        taken[parcel.id] += quantity
        if taken[parcel.id] > parcel.recovered_area:
            if taken[parcel.id] == quantity:
                message = _(
                    "%(quantity)s lớn hơn diện tích thu hồi của %(parcel)s (%(recovered)s)",
                    quantity=area(quantity), parcel=parcel.label, recovered=area(parcel.recovered_area),
                )
            else:
                message = _(
                    "các dòng đất của %(parcel)s cộng lại %(quantity)s, lớn hơn diện tích thu hồi (%(recovered)s)",
                    quantity=area(taken[parcel.id]), parcel=parcel.label, recovered=area(parcel.recovered_area),
                )
            found.append((index, "quantity", message))
    return found


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def normalise_header(values: Mapping[str, Any], on: date | None = None) -> tuple[dict[str, Any], Found]:
    """The header as it will be stored, and every (field, problem) found. Months left empty are
    0; the number of persons must be written (0 for an organisation)."""
    found: Found = []
    clean: dict[str, Any] = {name: _text(values, name) for name in ("signed_by", "resettlement_site", "land_debt_basis", "notes")}
    _too_long(found, clean, clean)
    recorded_on = values.get("recorded_on")
    if recorded_on is None:
        found.append(("recorded_on", _("chưa ghi ngày kiểm đếm")))
    elif recorded_on > (on or today()):
        found.append(("recorded_on", _("không được sau ngày hôm nay")))
    clean["recorded_on"] = recorded_on

    persons = values.get("persons")
    if persons is None:
        found.append(("persons", _("chưa ghi (ghi 0 nếu là tổ chức)")))
    elif persons < 0:
        found.append(("persons", _("không được âm")))
    elif persons > MAX_PERSONS:
        found.append(("persons", _("quá lớn")))
    clean["persons"] = persons

    for name, top in (("life_support_months", MAX_LIFE_SUPPORT_MONTHS), ("rent_months", MAX_RENT_MONTHS)):
        months = values.get(name)
        months = 0 if months is None else months
        if months < 0:
            found.append((name, _("không được âm")))
        elif months > top:
            found.append((name, _("từ 0 đến %(n)s tháng", n=top)))
        clean[name] = months

    for name in ("relocates", "early_handover"):
        clean[name] = bool(values.get(name))

    resettlement_area = values.get("resettlement_area")
    if resettlement_area is not None:
        if resettlement_area <= 0:
            found.append(("resettlement_area", _("phải lớn hơn 0")))
        elif resettlement_area > MAX_QUANTITY:
            found.append(("resettlement_area", _("quá lớn")))
        elif not _decimal_places_ok(resettlement_area):
            found.append(("resettlement_area", _("chỉ ghi tới 2 chữ số thập phân")))
        if not clean["resettlement_site"]:
            found.append(("resettlement_site", _("ghi khu tái định cư của lô")))
    elif clean["resettlement_site"]:
        found.append(("resettlement_area", _("ghi diện tích lô tái định cư")))
    clean["resettlement_area"] = resettlement_area

    debt = values.get("land_debt")
    debt = 0 if debt is None else debt
    if debt < 0:
        found.append(("land_debt", _("không được âm")))
    elif debt > MAX_MONEY:
        found.append(("land_debt", _("quá lớn")))
    elif debt != int(debt):
        found.append(("land_debt", _("ghi số nguyên đồng")))
    clean["land_debt"] = int(debt) if debt >= 0 and debt == int(debt) else debt
    return clean, found


# --- comparing and summarising ---------------------------------------------------------------------


def comparable(value: Any) -> Any:
    """A value as compared for "has it changed": 50.50 and 50.5 are the same quantity."""
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, AssetKind):
        return value.value
    return value


def header_of(inventory: Inventory) -> dict[str, Any]:
    return {name: getattr(inventory, name) for name in HEADER_FIELDS}


def item_of(item: InventoryItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def same_header(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(comparable(a.get(name)) == comparable(b.get(name)) for name in HEADER_FIELDS)


def same_items(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> bool:
    return len(a) == len(b) and all(
        comparable(x.get(name)) == comparable(y.get(name)) for x, y in zip(a, b, strict=True) for name in ITEM_FIELDS
    )


def lines_summary(kinds: Iterable[str]) -> str:
    """"4 dòng: Đất 1, Nhà, công trình 2, Cây trồng 1" (the audit trail's wording)."""
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for kind in kinds:
        counts[str(kind.value if isinstance(kind, AssetKind) else kind)] += 1
        total += 1
    if not total:
        return "0 dòng"
    parts = [f"{KIND_WORDS[k.value]} {counts[k.value]}" for k in KIND_ORDER if counts.get(k.value)]
    return f"{total} dòng: " + "; ".join(parts)


# --- saving ---------------------------------------------------------------------------------------

CONFLICT = _l("Biên bản kiểm đếm vừa được người khác sửa. Tải lại trang để xem bản mới nhất rồi nhập lại.")


def inventory_of(case: Case) -> Inventory | None:
    return db.session.scalar(sa.select(Inventory).where(Inventory.case_id == case.id))


@dataclass
class CheckedInventory:
    """An inventory as it would be saved: the record now (if any), the clean header and lines,
    every problem, and whether anything differs from what is recorded."""

    inventory: Inventory | None
    header: dict[str, Any]
    items: list[dict[str, Any]]
    problems: list[Problem]
    changed: bool


def check_inventory(
    case: Case, header: Mapping[str, Any], items: Sequence[Mapping[str, Any]], *, reason: str = ""
) -> CheckedInventory:
    """Check a whole inventory of ``case`` without writing anything: every problem, each naming
    its line (1-based, in the order given) and field."""
    inventory = inventory_of(case)
    parcels = held_parcels([case.id])[case.id]
    clean_header, found = normalise_header(header)
    problems = [Problem(None, name, message) for name, message in found]
    clean_items: list[dict[str, Any]] = []
    for number, values in enumerate(items, start=1):
        clean, found = normalise_item(values, parcels)
        problems += [Problem(number, name, message) for name, message in found]
        clean_items.append(clean)
    problems += [Problem(index + 1, name, message) for index, name, message in check_land_totals(clean_items, parcels)]
    if not items:
        problems.append(Problem(None, "items", _("biên bản kiểm đếm cần ít nhất một dòng")))
    changed = inventory is None or not (
        same_header(header_of(inventory), clean_header) and same_items([item_of(i) for i in inventory.items], clean_items)
    )
    if inventory is not None and changed and not reason.strip():
        problems.append(Problem(None, "reason", _("ghi lý do sửa biên bản kiểm đếm (được lưu vào lịch sử)")))
    problems.sort(key=lambda p: (p.line is not None, p.line or 0))
    return CheckedInventory(inventory, clean_header, clean_items, problems, changed)


def save_inventory(
    case: Case,
    header: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    expected_version: int | None = None,
    *,
    reason: str = "",
) -> Inventory:
    """Create the case's inventory, or replace its header and lines as a whole (lines numbered
    1..n in the order given). ``expected_version`` is the version the user's form was built from
    (0: there was none); a different current version raises FieldError("version"). Every rule
    broken raises one InventoryRejected listing them all; nothing is written then. Changing an
    existing inventory needs ``reason`` (kept in the audit trail with each change). Saving what
    is already recorded changes nothing (the version stays)."""
    current = inventory_of(case)
    if expected_version is not None and expected_version != (current.version if current is not None else 0):
        raise FieldError("version", str(CONFLICT))
    checked = check_inventory(case, header, items, reason=reason)
    if checked.problems:
        raise InventoryRejected(checked.problems)
    inventory, clean_header, clean_items = checked.inventory, checked.header, checked.items
    if inventory is not None and not checked.changed:
        return inventory

    if inventory is None:
        inventory = Inventory(case_id=case.id)
        db.session.add(inventory)
    else:
        # The header may be unchanged while lines are: the version moves all the same, so a
        # second officer's save of the same record is caught (UPDATE … WHERE version = old).
        inventory.version = inventory.version + 1
    for name in HEADER_FIELDS:
        setattr(inventory, name, clean_header[name])
    rows = list(inventory.items)
    for number, clean in enumerate(clean_items, start=1):
        if number <= len(rows):
            row = rows[number - 1]
            for name in ITEM_FIELDS:
                if comparable(getattr(row, name)) != comparable(clean[name]):
                    setattr(row, name, clean[name])
        else:
            inventory.items.append(InventoryItem(case_id=case.id, line_no=number, **clean))
    for row in rows[len(clean_items):]:
        inventory.items.remove(row)
        # Deleted explicitly: an orphan the flush removes by cascade is not in session.deleted,
        # so the audit hook would not see it go.
        db.session.delete(row)
    set_reason(db.session, reason.strip() or None)
    db.session.flush()
    return inventory


def inventory_history(case: Case, limit: int = 200) -> list[AuditEntry]:
    """Changes to the case's inventory and its lines, newest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.case_id == case.id, AuditEntry.entity.in_(("inventory", "inventory_item")))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class InventorySummary:
    """What the case page says about the inventory: when it was made, how many lines."""

    recorded_on: date
    lines: int
    version: int


def inventory_summary(case_id: int) -> InventorySummary | None:
    row = db.session.execute(
        sa.select(Inventory.recorded_on, Inventory.version, sa.func.count(InventoryItem.id))
        .outerjoin(InventoryItem, InventoryItem.inventory_id == Inventory.id)
        .where(Inventory.case_id == case_id)
        .group_by(Inventory.id, Inventory.recorded_on, Inventory.version)
    ).first()
    if row is None:
        return None
    return InventorySummary(recorded_on=row[0], lines=row[2], version=row[1])


# --- what the calculation reads ---------------------------------------------------------------------

_ITEM_COLUMNS = (
    InventoryItem.case_id, InventoryItem.line_no, InventoryItem.kind, InventoryItem.description, InventoryItem.quantity,
    InventoryItem.unit, Parcel.map_sheet, Parcel.parcel_no, InventoryItem.street, InventoryItem.segment,
    InventoryItem.land_type, InventoryItem.land_position, InventoryItem.grade, InventoryItem.floors,
    InventoryItem.species, InventoryItem.size, InventoryItem.quality_pct, InventoryItem.unit_price,
    InventoryItem.price_basis,
)


def _facts(case_filter: Any) -> dict[int, calculation.Facts]:
    """Facts of the cases ``case_filter`` selects (a condition on ``Case``): three queries
    (inventories, lines with their parcels, active adjustments), whatever the number of cases."""
    case_ids = sa.select(Case.id).where(case_filter)
    headers = db.session.execute(
        sa.select(Inventory.case_id, *(getattr(Inventory, name) for name in HEADER_FIELDS if name != "notes"))
        .where(Inventory.case_id.in_(case_ids))
    ).all()
    if not headers:
        return {}
    items: dict[int, list[calculation.Item]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(*_ITEM_COLUMNS)
        .outerjoin(Parcel, Parcel.id == InventoryItem.parcel_id)
        .where(InventoryItem.case_id.in_(case_ids))
        .order_by(InventoryItem.case_id, InventoryItem.line_no)
    )
    for (case_id, line_no, kind, description, quantity, unit, sheet, number, street, segment, land_type, position,
         grade, floors, species, size, quality, price, basis) in rows:
        items[case_id].append(
            calculation.Item(
                line_no=line_no, kind=kind.value if isinstance(kind, AssetKind) else str(kind), description=description,
                quantity=quantity, unit=unit, parcel=parcel_label(sheet, number) if number is not None else "",
                street=street, segment=segment, land_type=land_type, land_position=position, grade=grade,
                floors=floors, species=species, size=size, quality_pct=quality, unit_price=price, price_basis=basis,
            )
        )
    adjustments: dict[int, list[calculation.Adjustment]] = defaultdict(list)
    for row in db.session.execute(
        sa.select(
            PlanAdjustment.case_id, PlanAdjustment.id, PlanAdjustment.category, PlanAdjustment.amount,
            PlanAdjustment.reason, PlanAdjustment.actor, PlanAdjustment.role, PlanAdjustment.at,
        )
        .where(PlanAdjustment.case_id.in_(case_ids), PlanAdjustment.withdrawn_at.is_(None))
        .order_by(PlanAdjustment.case_id, PlanAdjustment.at, PlanAdjustment.id)
    ):
        adjustments[row.case_id].append(
            calculation.Adjustment(
                id=row.id, category=row.category, amount=row.amount, reason=row.reason, actor=row.actor,
                role=row.role, at=row.at.isoformat(),
            )
        )
    facts = {}
    for row in headers:
        values = row._mapping
        case_id = values["case_id"]
        facts[case_id] = calculation.Facts(
            recorded_on=values["recorded_on"], signed_by=values["signed_by"], persons=values["persons"],
            relocates=values["relocates"], life_support_months=values["life_support_months"],
            rent_months=values["rent_months"], early_handover=values["early_handover"],
            resettlement_site=values["resettlement_site"], resettlement_area=values["resettlement_area"],
            land_debt=values["land_debt"], land_debt_basis=values["land_debt_basis"],
            items=tuple(items.get(case_id, ())), adjustments=tuple(adjustments.get(case_id, ())),
        )
    return facts


def inventory_facts(case: Case) -> calculation.Facts | None:
    """What the plan of one case is calculated from; None while the case has no inventory."""
    return _facts(Case.id == case.id).get(case.id)


def inventory_facts_for_project(project_id: int) -> dict[int, calculation.Facts]:
    """The facts of every case of a project that has an inventory, by case id, in three queries."""
    return _facts(Case.project_id == project_id)
