"""The demo's inventories (biên bản kiểm đếm), all invented: one record per case that has been
surveyed (status "surveyed" or later), dated on the day its timeline says the survey took place.

For each parcel the case holds: a land line (the recovered area times the case's share, the
parcel's land-use code ODT or TMD, the street its address names, VT1 for a lot on the street
front), a building on it (one of three grades, its floor area from the lot, 60–90 % of its quality
left), sometimes a yard and fence, sometimes a tree or two. Households: persons from the party's
members, relocation and 6–12 months of rent support when their residential lot is wholly
recovered, no life-stabilisation support (urban land), some eligible for the early-handover bonus
(never a case under enforcement). Organisations: no per-person support. One case of
BCA-TBT30 lists an asset still waiting for its valuation (no price, no basis): the plan shows it
as "thiếu căn cứ".

The strings a demo policy set must price are the constants below (``GRADES``, ``YARD``,
``TREES``, ``RESETTLEMENT_SITE``). Values come from a seed per case, so a case's record is the
same whichever others exist; cases that already have a record are left alone.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearance.demo.facts import CUA_NAM, DEMO_MARK, PROJECTS
from clearance.models import AdminUnit, Case, CaseEvent, CaseParcel, Inventory, InventoryItem, Parcel, Party, Project
from clearance.services.inventory import is_street_front, street_from_address
from clearance.workflow.statuses import PROGRESS_ORDER, AssetKind, CaseStatus, PartyKind

#: Structure grades (cấp nhà), cheapest first, with how many floors each has.
GRADES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Nhà cấp 4", (1,)),
    ("Nhà 2–3 tầng khung BTCT", (2, 3)),
    ("Nhà 4–5 tầng khung BTCT", (4, 5)),
)
#: Yard and fence, priced per m² as a structure.
YARD = "Sân, tường rào"
#: Trees (species, size class): priced per tree as crops.
TREES: tuple[tuple[str, str], ...] = (
    ("Cây bóng mát", "Đường kính 20–30 cm"),
    ("Cây ăn quả", "Đường kính 10–20 cm"),
)
#: Where eligible households are resettled (DOMAIN: Mai Lâm, Đông Anh); a resettlement rate's item.
RESETTLEMENT_SITE = "Mai Lâm, Đông Anh"
#: Plot areas offered there, m².
RESETTLEMENT_AREAS = (Decimal(50), Decimal(60), Decimal(70), Decimal(80))
#: The asset waiting for a valuation: no price and no basis yet (thiếu căn cứ).
UNPRICED = "Biển quảng cáo hộp đèn gắn mặt tiền (chờ chứng thư thẩm định giá)"
#: An organisation's asset valued by a certificate.
VALUED = ("Hệ thống điều hòa trung tâm (tháo dỡ, lắp đặt lại)", Decimal(2), "bộ", Decimal(185_000_000),
          f"Chứng thư thẩm định giá số 118/2026/CT-TĐG {DEMO_MARK}")
#: Who signs for the team, by the ward the household lives in.
OFFICERS = {CUA_NAM: "Lê Minh Tuấn (tổ GPMB phường Cửa Nam)"}
DEFAULT_OFFICER = "Nguyễn Văn Hùng (tổ GPMB phường Hai Bà Trưng)"
#: The street of each demo project, when a parcel's address does not name it.
STREETS = {fact.code: fact.site.street for fact in PROJECTS}
#: Days from the recovery notice to the survey, as the demo timelines have it.
SURVEY_AFTER_NOTICE = timedelta(days=35)

CENT = Decimal("0.01")
LAND_WORDS = {"ODT": "Đất ở đô thị", "TMD": "Đất thương mại, dịch vụ"}


@dataclass(frozen=True)
class _Held:
    parcel: Parcel
    share: Decimal


def _surveyed(status: CaseStatus) -> bool:
    return PROGRESS_ORDER.index(status) >= PROGRESS_ORDER.index(CaseStatus.SURVEYED)


def _m2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def load_demo_inventories(session: Session, project: Project) -> int:
    """Record the inventories of the project's surveyed demo cases that have none; returns how
    many were recorded. Flushes, never commits."""
    cases = session.scalars(
        sa.select(Case).where(Case.project_id == project.id).order_by(Case.code)
    ).all()
    done = set(session.scalars(sa.select(Inventory.case_id).join(Case, Case.id == Inventory.case_id).where(Case.project_id == project.id)))
    todo = [case for case in cases if _surveyed(case.status) and case.id not in done]
    if not todo:
        return 0
    ids = [case.id for case in todo]
    holdings: dict[int, list[_Held]] = {case_id: [] for case_id in ids}
    for case_id, parcel, share in session.execute(
        sa.select(CaseParcel.case_id, Parcel, CaseParcel.share)
        .join(Parcel, Parcel.id == CaseParcel.parcel_id)
        .where(CaseParcel.case_id.in_(ids))
        .order_by(Parcel.map_sheet, Parcel.parcel_no)
    ):
        holdings[case_id].append(_Held(parcel, share))
    surveyed_on = dict(session.execute(
        sa.select(CaseEvent.case_id, sa.func.min(CaseEvent.occurred_on))
        .where(CaseEvent.case_id.in_(ids), CaseEvent.to_status == CaseStatus.SURVEYED)
        .group_by(CaseEvent.case_id)
    ).all())
    parties = {
        party.id: (party, unit_code)
        for party, unit_code in session.execute(
            sa.select(Party, AdminUnit.code).join(AdminUnit, AdminUnit.id == Party.unit_id)
            .where(Party.id.in_([case.party_id for case in todo]))
        )
    }
    unpriced = _unpriced_case(project, cases)
    fallback_day = (project.notice_date + SURVEY_AFTER_NOTICE) if project.notice_date else date(2026, 3, 1)
    for case in todo:
        party, unit_code = parties[case.party_id]
        rng = random.Random(f"kiem-dem:{project.code}:{case.code}")
        # The team counts a few households a day in the fortnight before the survey step closes.
        day = surveyed_on.get(case.id, fallback_day) - timedelta(days=rng.randint(0, 12))
        inventory = _record(
            project, case, party, OFFICERS.get(unit_code, DEFAULT_OFFICER), holdings[case.id], day, rng,
            with_unpriced=case.id == unpriced,
        )
        session.add(inventory)
    session.flush()
    return len(todo)


def _unpriced_case(project: Project, cases: Sequence[Case]) -> int | None:
    """The case listing an asset without a price: the first household of BCA-TBT30 surveyed but
    whose plan is not drafted yet (a valuation still on its way is normal at that stage)."""
    if project.code != "BCA-TBT30":
        return None
    for status in (CaseStatus.SURVEYED, CaseStatus.PLAN_DRAFTED):
        for case in cases:
            if case.status == status and case.party.kind != PartyKind.ORGANISATION:
                return case.id
    return None


def _record(
    project: Project, case: Case, party: Party, officer: str, held: list[_Held], day: date, rng: random.Random,
    *, with_unpriced: bool,
) -> Inventory:
    organisation = party.kind == PartyKind.ORGANISATION
    items: list[InventoryItem] = []

    def line(kind: AssetKind, **values: object) -> None:
        items.append(InventoryItem(case_id=case.id, line_no=len(items) + 1, kind=kind, **values))  # type: ignore[arg-type]

    wholly_residential = False
    for holding in held:
        parcel = holding.parcel
        recovered = parcel.recovered_area or parcel.measured_area or Decimal(0)
        share = holding.share / 100
        land_use = (parcel.land_use_code or "ODT").upper()
        street = street_from_address(parcel.address) or STREETS.get(project.code, "")
        # Tube houses face the street: VT1. A lot behind (an address in a lane) is VT2–VT4.
        position = 1 if is_street_front(parcel.address) else rng.choice((2, 3, 4))
        description = LAND_WORDS.get(land_use, "Đất")
        if share < 1:
            description += f" (phần quyền {format(holding.share.normalize(), 'f').replace('.', ',')}%)"
        line(AssetKind.LAND, description=description, parcel_id=parcel.id, street=street, land_type=land_use,
             land_position=position, quantity=_m2(recovered * share), unit="m²")
        if land_use == "ODT" and not parcel.is_partial_recovery:
            wholly_residential = True

        if organisation:
            grade, floors = GRADES[2][0], rng.choice(GRADES[2][1])
            what = "Nhà làm việc, kinh doanh"
        else:
            grade, choices = rng.choices(GRADES, weights=(2, 5, 3))[0]
            floors = rng.choice(choices)
            what = "Nhà ở, kinh doanh tại tầng 1" if land_use == "TMD" else "Nhà ở"
        footprint = recovered * share * Decimal(str(rng.uniform(0.85, 1.0)))
        line(AssetKind.STRUCTURE, description=what, grade=grade, floors=floors, quantity=_m2(footprint * floors),
             unit="m²", quality_pct=Decimal(rng.randrange(60, 91, 5)))
        if rng.random() < 0.35:
            line(AssetKind.STRUCTURE, description="Sân lát gạch, tường rào xây", grade=YARD,
                 quantity=_m2(Decimal(str(rng.uniform(6, 18)))), unit="m²", quality_pct=Decimal(rng.randrange(50, 81, 5)))
        if rng.random() < 0.5:
            species, size = rng.choice(TREES)
            line(AssetKind.CROP, description="Cây trồng trước nhà", species=species, size=size,
                 quantity=Decimal(rng.choice((1, 1, 2))), unit="cây")
    if with_unpriced:
        line(AssetKind.OTHER, description=UNPRICED, quantity=Decimal(1), unit="cái")
    if organisation:
        name, count, unit, price, basis = VALUED
        line(AssetKind.OTHER, description=name, quantity=count, unit=unit, unit_price=price, price_basis=basis)

    relocates = not organisation and wholly_residential
    signers = [officer]
    signers.append(f"{party.name} (đại diện tổ chức)" if organisation else f"{party.name} (chủ hộ)")
    signers.append("Đại diện UBND phường")
    early = (
        not organisation and case.status != CaseStatus.ENFORCEMENT
        and rng.random() < (0.6 if case.status in (CaseStatus.PAID, CaseStatus.HANDED_OVER) else 0.3)
    )
    return Inventory(
        case_id=case.id,
        recorded_on=day,
        signed_by="; ".join(signers),
        persons=0 if organisation else party.members,
        relocates=relocates,
        life_support_months=0,  # urban land: no farmland lost, no life-stabilisation support
        rent_months=rng.randint(6, 12) if relocates else 0,
        early_handover=early,
        resettlement_site=RESETTLEMENT_SITE if relocates else "",
        resettlement_area=rng.choice(RESETTLEMENT_AREAS) if relocates else None,
        land_debt=0,
        land_debt_basis="",
        notes=f"Biên bản kiểm đếm {DEMO_MARK}.",
        items=items,
    )
