"""What the demo states as fact, and what it invents, kept apart from the code that loads it.

Real: the 2025 ward codes and mergers, the ward boundaries and street lines (OpenStreetMap),
Decision 35/QĐ-TTg, the 2026 draft land prices. Invented, and said so wherever shown: the
households, their ID numbers and phones, the parcel numbers, the ward notices and decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clearance.workflow.statuses import CaseStatus, Role

#: Marks every invented figure or document the user may read.
DEMO_MARK = "(dữ liệu mẫu)"

#: "Today" in the demo's story: nothing in it happens later, and what was due before it and not
#: done is overdue (a commitment, a complaint's deadline).
DEMO_TODAY = date(2026, 11, 29)

# --- Administrative units ---------------------------------------------------------------------

PROVINCE_CODE = "01"
PROVINCE_NAME = "Thành phố Hà Nội"

#: Old units ceased on 1 July 2025 (two-level local government).
FORMER_UNTIL = date(2025, 6, 30)

HK = "Quận Hoàn Kiếm"
HBT = "Quận Hai Bà Trưng"
BD = "Quận Ba Đình"


@dataclass(frozen=True)
class WardFact:
    #: Mã đơn vị hành chính since 1 July 2025 (the national 5-digit code).
    code: str
    name: str
    #: The OSM boundary file in clearance/demo/data/.
    boundary_file: str
    #: (old ward, old district) whose area lies wholly or partly in this ward.
    former: tuple[tuple[str, str], ...]


# Resolution 1656/NQ-UBTVQH15 of 16 June 2025, Art. 1(1), (2) and (6). Codes 00070, 00082 and
# 00256: the 2025 list of commune-level units (each new ward kept one old ward's code).
WARDS = (
    WardFact(
        code="00256",
        name="Phường Hai Bà Trưng",
        boundary_file="osm_phuong_hai_ba_trung_2025.geojson",
        former=(
            # Whole: Đồng Nhân, Phố Huế; part: Bạch Đằng, Lê Đại Hành, Nguyễn Du, Thanh Nhàn;
            # the rest of Phạm Đình Hổ.
            ("Phường Đồng Nhân", HBT),
            ("Phường Phố Huế", HBT),
            ("Phường Bạch Đằng", HBT),
            ("Phường Lê Đại Hành", HBT),
            ("Phường Nguyễn Du", HBT),
            ("Phường Thanh Nhàn", HBT),
            ("Phường Phạm Đình Hổ", HBT),
        ),
    ),
    WardFact(
        code="00082",
        name="Phường Cửa Nam",
        boundary_file="osm_phuong_cua_nam_2025.geojson",
        former=(
            # Whole: Hàng Bài, Phan Chu Trinh, Trần Hưng Đạo; part: Cửa Nam, Nguyễn Du,
            # Phạm Đình Hổ; the rest of Hàng Bông, Hàng Trống, Tràng Tiền.
            ("Phường Hàng Bài", HK),
            ("Phường Phan Chu Trinh", HK),
            ("Phường Trần Hưng Đạo", HK),
            ("Phường Cửa Nam", HK),
            ("Phường Nguyễn Du", HBT),
            ("Phường Phạm Đình Hổ", HBT),
            ("Phường Hàng Bông", HK),
            ("Phường Hàng Trống", HK),
            ("Phường Tràng Tiền", HK),
        ),
    ),
    WardFact(
        code="00070",
        name="Phường Hoàn Kiếm",
        boundary_file="osm_phuong_hoan_kiem_2025.geojson",
        former=(
            # Whole: the seven wards of the old quarter; part: Cửa Đông, Cửa Nam, Điện Biên,
            # Đồng Xuân, Hàng Bông, Hàng Trống, Tràng Tiền.
            ("Phường Hàng Bạc", HK),
            ("Phường Hàng Bồ", HK),
            ("Phường Hàng Buồm", HK),
            ("Phường Hàng Đào", HK),
            ("Phường Hàng Gai", HK),
            ("Phường Hàng Mã", HK),
            ("Phường Lý Thái Tổ", HK),
            ("Phường Cửa Đông", HK),
            ("Phường Cửa Nam", HK),
            ("Phường Điện Biên", BD),
            ("Phường Đồng Xuân", HK),
            ("Phường Hàng Bông", HK),
            ("Phường Hàng Trống", HK),
            ("Phường Tràng Tiền", HK),
        ),
    ),
)
HAI_BA_TRUNG = "00256"
CUA_NAM = "00082"

# --- Teams and users --------------------------------------------------------------------------

TEAMS = (
    ("Tổ GPMB phường Hai Bà Trưng", HAI_BA_TRUNG),
    ("Tổ GPMB phường Cửa Nam", CUA_NAM),
)


@dataclass(frozen=True)
class UserFact:
    username: str
    role: Role
    #: Team name; None for the admin.
    team: str | None
    full_name: str


USERS = (
    UserFact("admin", Role.ADMIN, None, "Quản trị hệ thống"),
    UserFact("truongnhom", Role.LEAD, TEAMS[0][0], "Trần Thị Lan (trưởng nhóm)"),
    UserFact("canbo", Role.OFFICER, TEAMS[0][0], "Nguyễn Văn Hùng (cán bộ)"),
    UserFact("canbo_cuanam", Role.OFFICER, TEAMS[1][0], "Lê Minh Tuấn (cán bộ phường Cửa Nam)"),
    UserFact("xem", Role.VIEWER, TEAMS[0][0], "Phạm Thu Hà (chỉ xem)"),
)

# --- Land prices ------------------------------------------------------------------------------

LAND_PRICE_SOURCE = f"Dự thảo bảng giá đất Hà Nội 2026, Phụ lục 5, khu vực 1 {DEMO_MARK}"
LAND_PRICE_VALID_FROM = date(2026, 1, 1)
_CENTRE = (296_601, 145_334, 108_968, 95_282)
_NGUYEN_DU_OUTER = (307_194, 150_525, 112_860, 98_573)

#: (street, segment, land type, VT1–VT4 in thousand đồng per m²), as the draft table prints them.
LAND_PRICES: tuple[tuple[str, str, str, tuple[int, int, int, int]], ...] = (
    ("Yết Kiêu", "", "residential", _CENTRE),
    ("Trần Bình Trọng", "", "residential", _CENTRE),
    ("Nguyễn Du", "Phố Huế – Quang Trung", "residential", _NGUYEN_DU_OUTER),
    ("Nguyễn Du", "Quang Trung – Trần Bình Trọng", "residential", (379_950, 182_376, 136_011, 118_115)),
    ("Nguyễn Du", "Trần Bình Trọng – cuối đường", "residential", _NGUYEN_DU_OUTER),
    ("Hàng Khay", "", "residential", (702_257, 316_016, 229_183, 196_442)),
    ("Yết Kiêu", "", "commercial", (105_566, 51_727, 38_883, 33_999)),
    ("Trần Bình Trọng", "", "commercial", (105_566, 51_727, 38_883, 33_999)),
)


def price_per_m2(street: str, land_type: str, position: int = 1) -> int:
    """Whole đồng per m² of the table above (whole length of the street)."""
    for name, segment, kind, prices in LAND_PRICES:
        if name == street and segment == "" and kind == land_type:
            return prices[position - 1] * 1000
    raise KeyError((street, land_type, position))


# --- Projects ---------------------------------------------------------------------------------

INVESTOR = "Bộ Công an (Cục Quản lý xây dựng và doanh trại)"
RESETTLEMENT = (
    "Hộ đủ điều kiện được bố trí tái định cư tại khu đất Mai Lâm, Đông Anh "
    "(32.695 m², trong đó 9.894,56 m² đất ở)."
)
HEADQUARTERS_DECISION = {
    "number": "35/QĐ-TTg",
    "issued_on": date(2023, 5, 9),
    "issuer": "Thủ tướng Chính phủ",
    "summary": (
        "Quyết định của Thủ tướng Chính phủ về dự án trụ sở làm việc của Bộ Công an; phạm vi thu hồi "
        "khoảng 0,6 ha thuộc phường Cửa Nam (quận Hoàn Kiếm cũ) và phường Nguyễn Du "
        "(quận Hai Bà Trưng cũ)."
    ),
}
WARD_HBT_PC = "UBND phường Hai Bà Trưng"
WARD_CN_PC = "UBND phường Cửa Nam"


@dataclass(frozen=True)
class SiteFact:
    """Where a project's parcels go: a stretch of a real street around the 2025 ward line."""

    #: The OSM name of the street in the streets file.
    osm_street: str
    #: The street as the price table and addresses name it.
    street: str
    #: How far lots reach from the ward line (m along the street), west and east side; both
    #: north and south of the line.
    reach_west_m: float
    reach_east_m: float
    #: Half the opening left around the ward line, where a cross street meets this one.
    opening_m: float = 10.0
    #: From the centre line to the lots' fronts: half the carriageway and the pavement.
    setback_m: float = 7.0
    #: How deep behind the fronts the recovery boundary reaches; deeper lots are cut.
    boundary_depth_m: float = 23.0
    #: The boundary stops this far inside the first and last lot, which are cut too.
    boundary_trim_m: float = 2.0
    seed: int = 0
    map_sheet: str = ""
    first_parcel_no: int = 1
    #: House numbers (số nhà) of the northernmost lots: even on the west side, odd on the east.
    first_even_house: int = 2
    #: Lots held by one organisation (TMD, northernmost on the east side).
    organisation_lots: int = 1
    #: Lots held 50/50 by two households (đồng sử dụng).
    shared_lots: int = 1
    #: One household holds two neighbouring lots.
    household_with_two_lots: bool = False
    #: Further lots used for trade (TMD) by the household living there.
    household_shops: int = 0


@dataclass(frozen=True)
class ProjectFact:
    code: str
    name: str
    case_prefix: str
    site: SiteFact
    notice_date: date
    handover_deadline: date
    plan_approved_date: date | None
    recovery_decision_date: date | None
    #: Ward notices and decisions; all invented, marked DEMO_MARK.
    documents: tuple[dict, ...]
    #: Relative weights of case statuses, consistent with the dates above.
    status_weights: tuple[tuple[CaseStatus, float], ...]
    organisation: str
    #: Extra share of the land value approved for assets, support and contingencies.
    budget_markup: str = "0.10"


PROJECTS = (
    ProjectFact(
        code="BCA-YK44",
        name="Trụ sở làm việc Bộ Công an tại số 44 Yết Kiêu",
        case_prefix="YK",
        site=SiteFact(
            osm_street="Phố Yết Kiêu", street="Yết Kiêu", reach_west_m=45.0, reach_east_m=38.0, seed=44,
            map_sheet="12", first_parcel_no=41, first_even_house=30, organisation_lots=2, shared_lots=2,
            household_with_two_lots=True,
        ),
        notice_date=date(2026, 1, 15),
        plan_approved_date=date(2026, 7, 20),
        recovery_decision_date=date(2026, 7, 28),
        handover_deadline=date(2026, 10, 30),
        documents=(
            {"number": "12/TB-UBND", "issued_on": date(2026, 1, 15), "issuer": WARD_HBT_PC,
             "summary": "Thông báo thu hồi đất để thực hiện dự án Trụ sở làm việc Bộ Công an tại số 44 Yết Kiêu, "
                        f"phần thuộc phường Hai Bà Trưng {DEMO_MARK}."},
            {"number": "27/TB-UBND", "issued_on": date(2026, 1, 15), "issuer": WARD_CN_PC,
             "summary": "Thông báo thu hồi đất để thực hiện dự án Trụ sở làm việc Bộ Công an tại số 44 Yết Kiêu, "
                        f"phần thuộc phường Cửa Nam {DEMO_MARK}."},
            {"number": "85/QĐ-UBND", "issued_on": date(2026, 7, 20), "issuer": WARD_HBT_PC,
             "summary": "Quyết định phê duyệt phương án bồi thường, hỗ trợ, tái định cư dự án Trụ sở làm việc "
                        f"Bộ Công an tại số 44 Yết Kiêu {DEMO_MARK}."},
            {"number": "91/QĐ-UBND", "issued_on": date(2026, 7, 28), "issuer": WARD_HBT_PC,
             "summary": "Quyết định thu hồi đất của các hộ gia đình, tổ chức trong phạm vi dự án Trụ sở làm việc "
                        f"Bộ Công an tại số 44 Yết Kiêu {DEMO_MARK}."},
        ),
        status_weights=(
            (CaseStatus.HANDED_OVER, 0.36), (CaseStatus.PAID, 0.25), (CaseStatus.DECIDED, 0.16),
            (CaseStatus.PLAN_APPROVED, 0.16), (CaseStatus.ENFORCEMENT, 0.05),
        ),
        organisation="Công ty TNHH Thương mại Dịch vụ Hạc Trắng",
    ),
    ProjectFact(
        code="BCA-TBT30",
        name="Trụ sở làm việc Bộ Công an tại số 30 Trần Bình Trọng",
        case_prefix="TBT",
        site=SiteFact(
            osm_street="Phố Trần Bình Trọng", street="Trần Bình Trọng", reach_west_m=44.0, reach_east_m=40.0,
            seed=30, map_sheet="15", first_parcel_no=118, first_even_house=20, organisation_lots=1,
            shared_lots=1, household_shops=1,
        ),
        notice_date=date(2026, 2, 10),
        plan_approved_date=None,
        recovery_decision_date=None,
        handover_deadline=date(2026, 12, 31),
        documents=(
            {"number": "18/TB-UBND", "issued_on": date(2026, 2, 10), "issuer": WARD_HBT_PC,
             "summary": "Thông báo thu hồi đất để thực hiện dự án Trụ sở làm việc Bộ Công an tại số 30 "
                        f"Trần Bình Trọng, phần thuộc phường Hai Bà Trưng {DEMO_MARK}."},
            {"number": "33/TB-UBND", "issued_on": date(2026, 2, 10), "issuer": WARD_CN_PC,
             "summary": "Thông báo thu hồi đất để thực hiện dự án Trụ sở làm việc Bộ Công an tại số 30 "
                        f"Trần Bình Trọng, phần thuộc phường Cửa Nam {DEMO_MARK}."},
            {"number": "146/TB-UBND", "issued_on": date(2026, 11, 5), "issuer": WARD_HBT_PC,
             "summary": "Thông báo niêm yết công khai dự thảo phương án bồi thường, hỗ trợ, tái định cư dự án "
                        f"Trụ sở làm việc Bộ Công an tại số 30 Trần Bình Trọng (30 ngày) {DEMO_MARK}."},
        ),
        status_weights=(
            (CaseStatus.POSTED, 0.40), (CaseStatus.PLAN_DRAFTED, 0.22), (CaseStatus.SURVEYED, 0.18),
            (CaseStatus.NOTIFIED, 0.14), (CaseStatus.NEW, 0.06),
        ),
        organisation="Công ty Cổ phần Khách sạn Gió Nam",
    ),
)
