"""Small builders for test records: units, teams, users, projects, parcels, parties, cases,
policy sets and inventories."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from shapely.geometry import box

from clearance.extensions import db
from clearance.models import (
    AdminUnit,
    Case,
    Inventory,
    InventoryItem,
    Parcel,
    Party,
    PolicyRate,
    PolicySet,
    Project,
    Team,
    User,
)
from clearance.services import records
from clearance.workflow.statuses import AssetKind, CaseStatus, RateCategory, Role, UnitLevel

PASSWORD = "mat-khau-dung"
_seq = itertools.count(1)


def unit(name: str, code: str | None = None, parent: AdminUnit | None = None) -> AdminUnit:
    if parent is None and code != "01":
        parent = db.session.query(AdminUnit).filter_by(code="01").one_or_none() or unit("Thành phố Hà Nội", "01")
    row = AdminUnit(
        code=code or f"T{next(_seq):05d}", name=name,
        level=UnitLevel.PROVINCE if parent is None else UnitLevel.WARD, parent=parent,
    )
    db.session.add(row)
    db.session.flush()
    return row


def user(username: str, role: Role = Role.OFFICER, unit_: AdminUnit | None = None) -> User:
    team = None
    if role != Role.ADMIN or unit_ is not None:
        unit_ = unit_ or unit(f"Phường {username}")
        team = Team(name=f"Tổ GPMB {unit_.name} {next(_seq)}", unit=unit_)
    row = User(username=username, role=role, team=team, full_name=username.title())
    row.set_password(PASSWORD)
    db.session.add(row)
    db.session.flush()
    return row


def project(code: str, units: list[AdminUnit], **values: Any) -> Project:
    data = {"code": code, "name": f"Dự án {code}", "investor": "Bộ Công an", "unit_ids": [u.id for u in units]}
    data.update(values)
    return records.save_project(None, data, None)


def parcel(project_: Project, number: str, sheet: str = "12", lon: float = 105.8560, lat: float = 21.0185, **values: Any) -> Parcel:
    geom = box(lon, lat, lon + 0.0002, lat + 0.0001)
    data = {"map_sheet": sheet, "parcel_no": number, "address": f"Số {number} phố Yết Kiêu", "geom": geom,
            "land_use_code": "ODT", "legal_area": Decimal("200.00")}
    data.update(values)
    return records.save_parcel(project_, None, data)


def party(name: str, unit_: AdminUnit, **values: Any) -> Party:
    data = {"name": name, "kind": "household", "members": 4, "unit_id": unit_.id}
    data.update(values)
    return records.save_party(None, data, None)


def case(project_: Project, party_: Party, code: str, status: CaseStatus = CaseStatus.NEW) -> Case:
    return records.save_case(project_, None, {"code": code, "party_id": party_.id, "status": status})


def meeting(
    project_: Project, cases: list[Case], held_at: Any = None, kind: str = "persuasion", user_: User | None = None,
    **values: Any,
) -> Any:
    """A meeting with ``cases`` (position and demand per case from ``positions``/``demands``)."""
    from datetime import UTC, datetime

    from clearance.services import meetings

    positions = values.pop("positions", {})
    demands = values.pop("demands", {})
    data = {
        "kind": kind,
        "held_at": held_at or datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        "place": "Nhà văn hóa tổ dân phố 5",
        "households": [
            {"case_id": c.id, "position": positions.get(c.id, "no_answer"), "demand": demands.get(c.id)} for c in cases
        ],
        "attendees": [{"side": "official", "name": "Trần Văn Cán", "role": "Tổ trưởng tổ GPMB"}],
        "concerns": [],
        "commitments": [],
    }
    data.update(values)
    return meetings.record_meeting(project_, data, user_, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))


def offer(case_: Case, amount: int, number: int = 1, offered_on: Any = None, basis: str = "Phương án dự thảo") -> Any:
    from datetime import date

    from clearance.models import CompensationOffer

    row = CompensationOffer(
        case_id=case_.id, number=number, amount=amount, offered_on=offered_on or date(2026, 10, 1), basis=basis, actor="test",
    )
    db.session.add(row)
    db.session.flush()
    return row


def payment(case_: Case, amount: int, paid_on: Any = None, note: str = "") -> Any:
    from datetime import date

    from clearance.models import Payment

    row = Payment(case_id=case_.id, amount=amount, paid_on=paid_on or date(2026, 11, 20), document="PC-01", note=note, actor="test")
    db.session.add(row)
    db.session.flush()
    return row


def policy_set(province: AdminUnit) -> PolicySet:
    """Hà Nội 2026 in small: Yết Kiêu VT1 residential land, a grade-4 house, relocation and rent
    support (2.500.000 đ per person-month, capped at 15.000.000 a month)."""
    policy_set = PolicySet(
        province_id=province.id, code="HN-2026", name="Bộ chính sách Hà Nội 2026", valid_from=date(2026, 1, 1),
        legal_basis="Luật Đất đai 2024\nQuyết định 10/2026/QĐ-UBND",
    )
    policy_set.rates = [
        PolicyRate(category=RateCategory.LAND, item="Yết Kiêu", land_type="ODT", position=1, unit="m²",
                   unit_price=Decimal("296601000"), basis_document="Phụ lục 5", basis_article="3"),
        PolicyRate(category=RateCategory.STRUCTURE, item="Nhà cấp 4", unit="m²", unit_price=Decimal("4500000"), basis_document="Quyết định 10/2026/QĐ-UBND"),
        PolicyRate(category=RateCategory.SUPPORT, item="relocation", unit="hộ", unit_price=Decimal("6000000"), basis_document="Quyết định 10/2026/QĐ-UBND"),
        PolicyRate(category=RateCategory.SUPPORT, item="rent", unit="người/tháng", unit_price=Decimal("2500000"),
                   cap=Decimal("15000000"), basis_document="Quyết định 10/2026/QĐ-UBND"),
    ]
    db.session.add(policy_set)
    db.session.flush()
    return policy_set


def inventory(case: Case, area: str = "50.50", *extra: InventoryItem, **facts: Any) -> Inventory:
    """Biên bản kiểm đếm: the land (Yết Kiêu VT1), a 40 m² house at 75 %, a family of four that
    moves out and rents for six months."""
    values = {"recorded_on": date(2026, 5, 4), "signed_by": "Tổ kiểm đếm", "persons": 4, "relocates": True, "rent_months": 6}
    values.update(facts)
    inventory = Inventory(case_id=case.id, **values)
    inventory.items = [
        InventoryItem(case_id=case.id, line_no=1, kind=AssetKind.LAND, description="Đất ở", street="Yết Kiêu",
                      land_type="ODT", land_position=1, quantity=Decimal(area), unit="m²"),
        InventoryItem(case_id=case.id, line_no=2, kind=AssetKind.STRUCTURE, description="Nhà ở", grade="Nhà cấp 4",
                      quantity=Decimal("40"), quality_pct=Decimal("75"), unit="m²"),
        *extra,
    ]
    db.session.add(inventory)
    db.session.flush()
    return inventory
