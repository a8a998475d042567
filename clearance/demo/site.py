"""The demo sites, planned without touching the database.

Each project's parcels are tube-house lots laid out on a real street (OpenStreetMap centre line)
on both sides of the line between the 2025 wards Cửa Nam (north) and Hai Bà Trưng (south). The
plan also says who holds each lot, in which case status: everything the loader writes, computed
from fixed seeds so that a second run computes the very same values.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Polygon, shape

from clearance.demo.facts import (
    CUA_NAM,
    DEMO_MARK,
    HAI_BA_TRUNG,
    WARDS,
    ProjectFact,
    SiteFact,
    price_per_m2,
)
from clearance.demo.people import Inventor
from clearance.workflow.statuses import CaseStatus, PartyKind, Tenure
from geodata.geometry import parse_polygon
from geodata.layout import (
    Lot,
    corridor,
    frontage_lots,
    lot_sizes,
    merge_street,
    station_m,
)
from geodata.measure import area_m2

DATA_DIR = Path(__file__).resolve().parent / "data"
STREETS_FILE = "yet_kieu_tran_binh_trong.geojson"
CENT = Decimal("0.01")
#: Less than this outside the boundary is drawing noise, not a partial recovery.
SLIVER_M2 = Decimal("0.10")

#: The pre-2025 ward on each side of the line at these sites. North of it lay old Cửa Nam
#: (Hoàn Kiếm), south of it old Nguyễn Du (Hai Bà Trưng): the two wards the headquarters
#: project names.
FORMER_WARD = {
    CUA_NAM: "phường Cửa Nam, quận Hoàn Kiếm",
    HAI_BA_TRUNG: "phường Nguyễn Du, quận Hai Bà Trưng",
}
WARD_NAMES = {ward.code: ward.name for ward in WARDS}


@lru_cache(maxsize=1)
def ward_boundaries() -> dict[str, MultiPolygon]:
    """The 2025 ward polygons by ward code, from the OSM files shipped with the demo."""
    boundaries = {}
    for ward in WARDS:
        collection = json.loads((DATA_DIR / ward.boundary_file).read_text(encoding="utf-8"))
        boundaries[ward.code] = parse_polygon(collection["features"][0])
    return boundaries


def street_line(osm_name: str) -> LineString:
    """One street's centre line (WGS84), its OSM ways joined."""
    collection = json.loads((DATA_DIR / STREETS_FILE).read_text(encoding="utf-8"))
    ways = [shape(f["geometry"]) for f in collection["features"] if f["properties"].get("name") == osm_name]
    if not ways:
        raise LookupError(f"no street named {osm_name!r} in {STREETS_FILE}")
    return merge_street(ways)


@dataclass(frozen=True)
class PlannedParcel:
    parcel_no: str
    #: "west" or "east" side of the street.
    side: str
    lot: Lot
    ward_code: str
    land_use_code: str
    measured_area: Decimal
    legal_area: Decimal
    recovered_area: Decimal
    address: str
    former_address: str

    @property
    def is_partial(self) -> bool:
        return self.recovered_area < self.measured_area


@dataclass(frozen=True)
class PlannedHolding:
    parcel_no: str
    tenure: Tenure
    share: Decimal


@dataclass(frozen=True)
class PlannedCase:
    code: str
    #: Values for records.save_party, without unit_id (the ward: ``ward_code``).
    party: dict[str, Any]
    ward_code: str
    status: CaseStatus
    notes: str
    holdings: tuple[PlannedHolding, ...]


@dataclass(frozen=True)
class SitePlan:
    boundary: Polygon
    parcels: tuple[PlannedParcel, ...]
    cases: tuple[PlannedCase, ...]
    approved_budget: int


def plan_site(project: ProjectFact, inventor: Inventor) -> SitePlan:
    """Lay out the project's lots, its recovery boundary, its holders and their cases."""
    site = project.site
    rng = random.Random(site.seed)
    street = street_line(site.osm_street)
    wards = ward_boundaries()
    crossing = street.intersection(wards[CUA_NAM].boundary)
    if crossing.geom_type != "Point":
        raise ValueError(f"{site.osm_street} should cross the Cửa Nam ward line once, got {crossing.geom_type}")
    centre = station_m(street, crossing)
    # Stations grow along the line; which way is north depends on how OSM drew it.
    heads_north = street.coords[-1][1] > street.coords[0][1]
    west_side, east_side = ("left", "right") if heads_north else ("right", "left")

    lots: list[tuple[str, Lot]] = []
    for side_name, side, reach in (("west", west_side, site.reach_west_m), ("east", east_side, site.reach_east_m)):
        for start, end in ((centre - reach, centre - site.opening_m), (centre + site.opening_m, centre + reach)):
            sizes = lot_sizes(rng, end - start)
            lots += [(side_name, lot) for lot in frontage_lots(street, start, sizes, side, site.setback_m)]

    first = min(lot.start_m for _, lot in lots) + site.boundary_trim_m
    last = max(lot.end_m for _, lot in lots) - site.boundary_trim_m
    reach = site.setback_m + site.boundary_depth_m
    boundary = corridor(street, first, last, reach, reach)

    # Number north to south: parcels on the sheet, houses along each side.
    lots.sort(key=lambda item: -item[1].polygon.centroid.y)
    house_numbers: dict[int, int] = {}
    for side_name, base in (("west", site.first_even_house), ("east", site.first_even_house + 1)):
        side_lots = [i for i, (name, _) in enumerate(lots) if name == side_name]
        for k, i in enumerate(side_lots):
            house_numbers[i] = base + 2 * k

    commercial = _commercial_lots(lots, site)
    parcels = []
    for i, (side_name, lot) in enumerate(lots):
        ward = _ward_of(lot.polygon, wards)
        measured = area_m2(lot.polygon)
        recovered = min(area_m2(lot.polygon.intersection(boundary)), measured)
        if measured - recovered < SLIVER_M2:
            # A lot as deep as the boundary pokes out by floating-point noise: wholly recovered.
            recovered = measured
        # Certificates rarely match a new survey: within ±2.5 % here (±3 % allowed).
        legal = (measured * Decimal(str(1 + rng.uniform(-0.025, 0.025)))).quantize(CENT, ROUND_HALF_UP)
        house = house_numbers[i]
        street_address = f"Số {house} phố {site.street}"
        parcels.append(
            PlannedParcel(
                parcel_no=str(site.first_parcel_no + i),
                side=side_name,
                lot=lot,
                ward_code=ward,
                land_use_code="TMD" if i in commercial else "ODT",
                measured_area=measured,
                legal_area=legal,
                recovered_area=recovered,
                address=street_address,
                former_address=f"{street_address}, {FORMER_WARD[ward]}",
            )
        )
    cases = _plan_cases(project, parcels, commercial, rng, inventor)
    return SitePlan(boundary, tuple(parcels), tuple(cases), _budget(project, parcels))


def _ward_of(polygon: Polygon, wards: dict[str, MultiPolygon]) -> str:
    """The same rule as records.ward_of: the ward holding the lot's representative point."""
    point = polygon.representative_point()
    for code, boundary in wards.items():
        if boundary.contains(point):
            return code
    raise ValueError(f"lot at {point.wkt} lies in none of the demo wards")


def _commercial_lots(lots: list[tuple[str, Lot]], site: SiteFact) -> dict[int, str]:
    """Lots used for trade (TMD): the organisation's, northernmost on the east side, and the
    household shops, southernmost on the west side. Index → who holds it."""
    east = [i for i, (name, _) in enumerate(lots) if name == "east"]
    west = [i for i, (name, _) in enumerate(lots) if name == "west"]
    chosen = {i: "organisation" for i in east[: site.organisation_lots]}
    for i in west[len(west) - site.household_shops:] if site.household_shops else []:
        chosen[i] = "shop"
    return chosen


def _plan_cases(
    project: ProjectFact,
    parcels: list[PlannedParcel],
    commercial: dict[int, str],
    rng: random.Random,
    inventor: Inventor,
) -> list[PlannedCase]:
    site = project.site
    by_index = dict(enumerate(parcels))
    taken = set(commercial)
    groups: list[list[int]] = []  # each: the parcel indexes one party holds
    organisation_lots = sorted(i for i, who in commercial.items() if who == "organisation")
    if organisation_lots:
        groups.append(organisation_lots)
    if site.household_with_two_lots:
        # Two neighbours on the west side, south of the line, away from the shops.
        west = [i for i, p in by_index.items() if p.side == "west" and i not in taken]
        pair = west[-3:-1]
        groups.append(pair)
        taken.update(pair)
    singles = [i for i in by_index if i not in taken or commercial.get(i) == "shop"]
    shared = set(rng.sample([i for i in singles if i not in commercial], site.shared_lots))
    for i in singles:
        groups.append([i])
        if i in shared:
            groups.append([i])  # the second co-user of the same lot
    groups.sort(key=lambda g: g[0])

    households = [k for k, g in enumerate(groups) if g != organisation_lots]
    flagged = rng.sample(households, 4)
    flags = dict(zip(flagged, ("is_poor", "is_policy_family", "is_elderly_alone", "has_disabled_member"), strict=True))
    statuses = _spread(len(groups), project.status_weights, rng)
    # Enforcement against a vulnerable household would be a poor example: give it to another.
    for k in flags:
        if statuses[k] == CaseStatus.ENFORCEMENT:
            other = next(j for j in households if j not in flags and statuses[j] != CaseStatus.ENFORCEMENT)
            statuses[k], statuses[other] = statuses[other], statuses[k]

    planned = []
    names: dict[int, str] = {}
    for k, group in enumerate(groups):
        first = by_index[group[0]]
        flag = flags.get(k)
        if group == organisation_lots:
            party = {
                "kind": PartyKind.ORGANISATION, "name": project.organisation, "id_number": None,
                "tax_code": inventor.tax_code(), "phone": inventor.phone(), "members": 0,
            }
        else:
            person = inventor.person(born=(1936, 1950)) if flag == "is_elderly_alone" else inventor.person()
            party = {
                "kind": PartyKind.HOUSEHOLD, "name": person.name, "id_number": person.id_number,
                "tax_code": None, "phone": person.phone,
                "members": 1 if flag == "is_elderly_alone" else inventor.members(),
            }
            if flag:
                party[flag] = True
        ward_name = WARD_NAMES[first.ward_code].replace("Phường", "phường")
        party["address"] = f"{first.address}, {ward_name}, Thành phố Hà Nội"
        party["former_address"] = f"{first.former_address}, Hà Nội"
        names[k] = party["name"]
        planned.append((k, group, party, first.ward_code, flag))

    cases = []
    for k, group, party, ward_code, flag in planned:
        co_users = [other for other, g, *_ in planned if g == group and other != k and len(group) == 1]
        share = Decimal(100) / (1 + len(co_users))
        tenure = Tenure.CO_USER if co_users else Tenure.LAND_USER
        holdings = tuple(PlannedHolding(by_index[i].parcel_no, tenure, share.quantize(CENT)) for i in group)
        notes = _notes(
            statuses[k], flag, [by_index[i] for i in group], [names[o] for o in co_users], k,
            organisation=party["kind"] == PartyKind.ORGANISATION,
        )
        cases.append(
            PlannedCase(
                code=f"{project.case_prefix}-{k + 1:03d}",
                party=party,
                ward_code=ward_code,
                status=statuses[k],
                notes=notes,
                holdings=holdings,
            )
        )
    return cases


def _spread(n: int, weights: tuple[tuple[CaseStatus, float], ...], rng: random.Random) -> list[CaseStatus]:
    """``n`` statuses in the given proportions (largest remainder), shuffled."""
    total = sum(w for _, w in weights)
    exact = [(status, n * w / total) for status, w in weights]
    counts = {status: math.floor(x) for status, x in exact}
    left = n - sum(counts.values())
    for status, _ in sorted(exact, key=lambda item: item[1] - math.floor(item[1]), reverse=True)[:left]:
        counts[status] += 1
    statuses = [status for status, _ in weights for _ in range(counts[status])]
    rng.shuffle(statuses)
    return statuses


def _notes(
    status: CaseStatus,
    flag: str | None,
    parcels: list[PlannedParcel],
    co_users: list[str],
    k: int,
    organisation: bool,
) -> str:
    """A few lines an officer might have written; not every case has one."""
    lines = []
    if co_users:
        lines.append(f"Đồng sử dụng thửa {parcels[0].parcel_no} với hộ {co_users[0]}, mỗi bên 50%.")
    if len(parcels) > 1 and parcels[0].land_use_code == "ODT":
        lines.append("Hộ sử dụng hai thửa liền kề; lập chung một hồ sơ.")
    if organisation:
        lines.append("Tổ chức kinh tế đang kinh doanh trên thửa đất; đề nghị hỗ trợ di dời cơ sở kinh doanh.")
    elif parcels[0].land_use_code == "TMD":
        lines.append("Hộ kinh doanh tại nhà (đất thương mại, dịch vụ); đề nghị hỗ trợ ổn định sản xuất, kinh doanh.")
    partial = [p for p in parcels if p.is_partial]
    if partial:
        p = partial[0]
        lines.append(
            f"Thu hồi một phần thửa {p.parcel_no} ({_m2(p.recovered_area)} / {_m2(p.measured_area)}); "
            "đề nghị thu hồi hết phần diện tích còn lại."
        )
    lines.append({
        "is_poor": "Hộ nghèo; đề nghị xem xét mức hỗ trợ ổn định đời sống cao nhất.",
        "is_policy_family": "Gia đình chính sách (người có công); ưu tiên bố trí tái định cư.",
        "is_elderly_alone": "Người cao tuổi sống một mình; cần hỗ trợ di chuyển đồ đạc khi bàn giao.",
        "has_disabled_member": "Có thành viên khuyết tật; đề nghị căn hộ tái định cư ở tầng thấp.",
    }.get(flag or "", ""))
    if status == CaseStatus.ENFORCEMENT:
        lines.append(
            "Hộ chưa bàn giao mặt bằng sau hai đợt vận động; đã có quyết định cưỡng chế thu hồi đất "
            f"{DEMO_MARK}."
        )
    elif status == CaseStatus.POSTED and k % 3 == 0:
        lines.append("Hộ chưa đồng ý đơn giá bồi thường về đất; đề nghị tổ chức đối thoại.")
    elif status == CaseStatus.PAID and k % 2 == 0:
        lines.append("Đã nhận tiền bồi thường, hỗ trợ; hẹn bàn giao mặt bằng trong tháng.")
    return " ".join(line for line in lines if line)


def _m2(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",") + " m²"


def _budget(project: ProjectFact, parcels: list[PlannedParcel]) -> int:
    """Kinh phí được duyệt (mẫu): recovered area × the 2026 VT1 price, plus a share for assets,
    support and contingencies, rounded up to a whole billion đồng."""
    land = sum(
        (
            p.recovered_area
            * price_per_m2(project.site.street, "commercial" if p.land_use_code == "TMD" else "residential")
            for p in parcels
        ),
        Decimal(0),
    )
    total = land * (1 + Decimal(project.budget_markup))
    billion = Decimal(10) ** 9
    return int((total / billion).to_integral_value(rounding=ROUND_CEILING) * billion)
