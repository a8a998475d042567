"""Demo data (dữ liệu mẫu): ``flask --app wsgi demo load``.

Loads Hà Nội and three of its 2025 wards with their OSM boundaries and former names, two
clearance teams and their users, the 2026 draft land prices, and two Ministry of Public Security
projects (44 Yết Kiêu, 30 Trần Bình Trọng) with parcels laid out on the real streets, invented
households and organisations, and their cases; then the dialogue log, offers, payments,
complaints and a team lead's ruling (``clearance.demo.dialogue``).

Safe to run again: every record is looked up by its natural key first and left as it is when
present (a user's password is never reset), and the invented values come from fixed seeds.
Flushes, never commits: the caller (the CLI) commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from geoalchemy2.shape import from_shape

from clearance.demo.dialogue import load_dialogue
from clearance.demo.facts import (
    CUA_NAM,
    DEMO_MARK,
    FORMER_UNTIL,
    HAI_BA_TRUNG,
    HEADQUARTERS_DECISION,
    INVESTOR,
    LAND_PRICE_SOURCE,
    LAND_PRICE_VALID_FROM,
    LAND_PRICES,
    PROJECTS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    RESETTLEMENT,
    TEAMS,
    USERS,
    WARDS,
    ProjectFact,
)
from clearance.demo.people import Inventor
from clearance.demo.plans import load_plans
from clearance.demo.site import PlannedCase, SitePlan, plan_site, ward_boundaries
from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import (
    AdminUnit,
    AdminUnitFormerName,
    Case,
    CaseEvent,
    LandPrice,
    Parcel,
    Party,
    Project,
    Team,
    User,
)
from clearance.services import records
from clearance.workflow.statuses import CaseStatus, PartyKind, ProjectStatus, UnitLevel

__all__ = ["load_demo"]

#: One seed for all invented people, drawn in project order: the same people every run.
PEOPLE_SEED = 2026

#: The report's lines, in the order they are shown.
KINDS = (
    ("units", "Đơn vị hành chính"),
    ("former_names", "Tên đơn vị trước 01/07/2025"),
    ("teams", "Tổ GPMB"),
    ("users", "Tài khoản"),
    ("prices", "Giá đất (bảng mẫu 2026)"),
    ("projects", "Dự án"),
    ("documents", "Văn bản pháp lý"),
    ("parcels", "Thửa đất"),
    ("parties", "Hộ gia đình, tổ chức"),
    ("cases", "Hồ sơ"),
    ("holdings", "Thửa trong hồ sơ"),
)
#: The dialogue log and the money: records written (ghi), not created.
RECORDED = (
    ("meetings", "Cuộc gặp, đối thoại"),
    ("offers", "Phiên bản giá trị đề nghị"),
    ("payments", "Khoản chi trả"),
    ("grievances", "Khiếu nại, kiến nghị"),
    ("rulings", "Xác định của trưởng nhóm"),
    ("amendments", "Biên bản sửa đổi (có lý do)"),
)


@dataclass
class Tally:
    """How many records of each kind were created and how many were already there."""

    created: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)

    def note(self, kind: str, created: bool) -> None:
        (self.created if created else self.present)[kind] += 1

    def report(self) -> str:
        if sum(self.created.values()) == 0:
            head = "Dữ liệu mẫu đã có đủ, không thay đổi gì:"
        else:
            head = "Đã nạp dữ liệu mẫu GPMB (hai dự án trụ sở Bộ Công an tại Hà Nội):"
        lines = [head]
        for kind, label in KINDS:
            lines.append(f"- {label}: tạo mới {self.created[kind]}, đã có {self.present[kind]}")
        for kind, label in RECORDED:
            lines.append(f"- {label}: ghi mới {self.created[kind]}, đã có {self.present[kind]}")
        usernames = ", ".join(user.username for user in USERS)
        lines.append(f"Tài khoản mẫu: {usernames} (mật khẩu: giá trị DEMO_PASSWORD trong cấu hình).")
        lines.append(
            "Họ tên, số CCCD, điện thoại, mã số thuế, số thửa và văn bản của phường là giả lập; ranh giới "
            "phường và tim đường © OpenStreetMap contributors (ODbL 1.0)."
        )
        return "\n".join(lines)


def load_demo() -> str:
    """Load (or complete) the demo; returns a short Vietnamese report. Flushes, never commits."""
    tally = Tally()
    province = _province(tally)
    wards = _wards(province, tally)
    teams = _teams(wards, tally)
    _users(teams, tally)
    _land_prices(province, tally)
    inventor = Inventor(PEOPLE_SEED)
    for fact in PROJECTS:
        # Planned even when the project exists: the people are drawn in order, project by project.
        plan = plan_site(fact, inventor)
        _project(fact, plan, wards, tally)
    db.session.flush()
    load_dialogue(tally)
    load_plans(tally)
    return tally.report()


def _province(tally: Tally) -> AdminUnit:
    unit = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.code == PROVINCE_CODE))
    tally.note("units", unit is None)
    if unit is None:
        unit = AdminUnit(code=PROVINCE_CODE, name=PROVINCE_NAME, level=UnitLevel.PROVINCE)
        db.session.add(unit)
        db.session.flush()
    return unit


def _wards(province: AdminUnit, tally: Tally) -> dict[str, AdminUnit]:
    boundaries = ward_boundaries()
    wards = {}
    for fact in WARDS:
        unit = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.code == fact.code))
        tally.note("units", unit is None)
        if unit is None:
            unit = AdminUnit(
                code=fact.code, name=fact.name, level=UnitLevel.WARD, parent=province,
                boundary=from_shape(boundaries[fact.code], srid=4326),
            )
            db.session.add(unit)
        known = {(former.name, former.district) for former in unit.former_names}
        for name, district in fact.former:
            tally.note("former_names", (name, district) not in known)
            if (name, district) not in known:
                unit.former_names.append(AdminUnitFormerName(name=name, district=district, valid_until=FORMER_UNTIL))
        wards[fact.code] = unit
    # Parcels find their ward through these boundaries (records.ward_of): they must be in the database.
    db.session.flush()
    return wards


def _teams(wards: dict[str, AdminUnit], tally: Tally) -> dict[str, Team]:
    teams = {}
    for name, ward_code in TEAMS:
        team = db.session.scalar(sa.select(Team).where(Team.name == name))
        tally.note("teams", team is None)
        if team is None:
            team = Team(name=name, unit=wards[ward_code])
            db.session.add(team)
        teams[name] = team
    db.session.flush()
    return teams


def _users(teams: dict[str, Team], tally: Tally) -> None:
    password = current_app.config["DEMO_PASSWORD"]
    for fact in USERS:
        exists = db.session.scalar(sa.select(User.id).where(User.username == fact.username)) is not None
        tally.note("users", not exists)
        if not exists:
            user = User(
                username=fact.username, role=fact.role, full_name=fact.full_name,
                team=teams[fact.team] if fact.team else None,
            )
            user.set_password(password)
            db.session.add(user)
    db.session.flush()


def _land_prices(province: AdminUnit, tally: Tally) -> None:
    rows = db.session.execute(
        sa.select(LandPrice.street, LandPrice.segment, LandPrice.land_type, LandPrice.position).where(
            LandPrice.province_id == province.id, LandPrice.valid_from == LAND_PRICE_VALID_FROM
        )
    )
    known = {tuple(row) for row in rows}
    for street, segment, land_type, thousands in LAND_PRICES:
        for position, thousand in enumerate(thousands, start=1):
            key = (street, segment, land_type, position)
            tally.note("prices", key not in known)
            if key not in known:
                db.session.add(
                    LandPrice(
                        province=province, street=street, segment=segment, land_type=land_type,
                        position=position, price_per_m2=thousand * 1000, valid_from=LAND_PRICE_VALID_FROM,
                        source=LAND_PRICE_SOURCE, is_demo=True,
                    )
                )
    db.session.flush()


def _description(fact: ProjectFact) -> str:
    return (
        f"Dự án mẫu {DEMO_MARK} để trình diễn phần mềm. Các thửa đất được dựng dọc tim phố "
        f"{fact.site.street} (OpenStreetMap), hai bên ranh giới giữa phường Cửa Nam (phía bắc) và "
        "phường Hai Bà Trưng (phía nam) từ ngày 01/07/2025. Họ tên, số CCCD, số điện thoại, mã số thuế, "
        f"số thửa và các văn bản của phường là giả lập. {RESETTLEMENT} Kinh phí được duyệt (mẫu): diện "
        "tích thu hồi × giá đất vị trí 1 năm 2026 (dự thảo), cộng 10% cho tài sản, hỗ trợ và dự phòng, "
        "làm tròn lên tỷ đồng."
    )


def _project(fact: ProjectFact, plan: SitePlan, wards: dict[str, AdminUnit], tally: Tally) -> None:
    project = db.session.scalar(sa.select(Project).where(Project.code == fact.code))
    tally.note("projects", project is None)
    if project is None:
        project = records.save_project(
            None,
            {
                "code": fact.code, "name": fact.name, "investor": INVESTOR, "description": _description(fact),
                "status": ProjectStatus.IN_PROGRESS, "approved_budget": plan.approved_budget,
                "notice_date": fact.notice_date, "plan_approved_date": fact.plan_approved_date,
                "recovery_decision_date": fact.recovery_decision_date,
                "handover_deadline": fact.handover_deadline,
                "unit_ids": [wards[CUA_NAM].id, wards[HAI_BA_TRUNG].id], "boundary": plan.boundary,
            },
            None,
        )
    for document in (HEADQUARTERS_DECISION, *fact.documents):
        known = any(d.number == document["number"] for d in project.legal_documents)
        tally.note("documents", not known)
        if not known:
            records.add_legal_document(project, dict(document))

    existing = {
        (p.map_sheet, p.parcel_no): p
        for p in db.session.scalars(sa.select(Parcel).where(Parcel.project_id == project.id))
    }
    parcels: dict[str, Parcel] = {}
    for planned in plan.parcels:
        parcel = existing.get((fact.site.map_sheet, planned.parcel_no))
        tally.note("parcels", parcel is None)
        if parcel is None:
            # The service measures the parcel and the part inside the boundary (recovered area).
            parcel = records.save_parcel(
                project,
                Parcel(project_id=project.id),
                {
                    "map_sheet": fact.site.map_sheet, "parcel_no": planned.parcel_no, "address": planned.address,
                    "former_address": planned.former_address, "land_use_code": planned.land_use_code,
                    "legal_area": planned.legal_area, "measured_area": None, "geom": planned.lot.polygon,
                },
            )
        parcels[planned.parcel_no] = parcel

    for planned_case in plan.cases:
        party = _party(planned_case, wards, tally)
        case = db.session.scalar(
            sa.select(Case).where(
                Case.project_id == project.id, sa.or_(Case.code == planned_case.code, Case.party_id == party.id)
            )
        )
        tally.note("cases", case is None)
        if case is None:
            case = records.save_case(
                project,
                None,
                {"code": planned_case.code, "party_id": party.id, "status": planned_case.status,
                 "notes": planned_case.notes},
            )
            _timeline(case, fact)
        for holding in planned_case.holdings:
            parcel = parcels[holding.parcel_no]
            held = any(h.parcel_id == parcel.id for h in case.holdings)
            tally.note("holdings", not held)
            if not held:
                records.add_holding(case, parcel, holding.tenure, holding.share)


#: The main path of the procedure, in order, with the step each move records.
_MAIN_PATH = (
    (CaseStatus.NEW, CaseStatus.NOTIFIED, "recovery_notice"),
    (CaseStatus.NOTIFIED, CaseStatus.SURVEYED, "survey"),
    (CaseStatus.SURVEYED, CaseStatus.PLAN_DRAFTED, "plan_drafted"),
    (CaseStatus.PLAN_DRAFTED, CaseStatus.POSTED, "public_posting"),
    (CaseStatus.POSTED, CaseStatus.PLAN_APPROVED, "plan_approved"),
    (CaseStatus.PLAN_APPROVED, CaseStatus.DECIDED, "recovery_decision"),
    (CaseStatus.DECIDED, CaseStatus.PAID, "payment"),
    (CaseStatus.PAID, CaseStatus.HANDED_OVER, "handover"),
)


def _timeline(case: Case, fact: ProjectFact) -> None:
    """The steps a demo case has been through to reach its status, on dates consistent with the
    project's notices and decisions (the posting of BCA-TBT30 began on 05/11/2026, so its 30 days
    are not over yet)."""
    notice = fact.notice_date
    posted = fact.plan_approved_date - timedelta(days=40) if fact.plan_approved_date else date(2026, 11, 5)
    decided = fact.recovery_decision_date or posted + timedelta(days=45)
    days = {
        CaseStatus.NOTIFIED: notice,
        CaseStatus.SURVEYED: notice + timedelta(days=35),
        CaseStatus.PLAN_DRAFTED: notice + timedelta(days=80),
        CaseStatus.POSTED: posted,
        CaseStatus.PLAN_APPROVED: fact.plan_approved_date or posted + timedelta(days=35),
        CaseStatus.DECIDED: decided,
        CaseStatus.PAID: decided + timedelta(days=18),
        CaseStatus.HANDED_OVER: decided + timedelta(days=40),
        CaseStatus.ENFORCEMENT: decided + timedelta(days=70),
    }
    target = case.status
    path = list(_MAIN_PATH)
    if target == CaseStatus.ENFORCEMENT:
        path = path[:6] + [(CaseStatus.DECIDED, CaseStatus.ENFORCEMENT, "enforcement")]
    for source, reached, step in path:
        db.session.add(
            CaseEvent(
                case_id=case.id, step_code=step, from_status=source, to_status=reached, occurred_on=days[reached],
                occurred_at=datetime.combine(days[reached], time(9, 0), tzinfo=LOCAL_TZ) if reached == CaseStatus.ENFORCEMENT else None,
                actor="demo", note="", document="",
            )
        )
        if reached == target:
            break


def _party(planned: PlannedCase, wards: dict[str, AdminUnit], tally: Tally) -> Party:
    values = planned.party
    if values["kind"] == PartyKind.ORGANISATION:
        match = sa.or_(Party.tax_code == values["tax_code"], Party.name == values["name"])
        party = db.session.scalar(sa.select(Party).where(Party.kind == PartyKind.ORGANISATION, match).limit(1))
    else:
        party = db.session.scalar(sa.select(Party).where(Party.id_number == values["id_number"]))
    tally.note("parties", party is None)
    if party is None:
        party = records.save_party(None, {**values, "unit_id": wards[planned.ward_code].id}, None)
    return party
