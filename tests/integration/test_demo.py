"""The demo (``flask --app wsgi demo load``): two Ministry of Public Security projects on
Yết Kiêu and Trần Bình Trọng, across the 2025 line between the wards Cửa Nam and Hai Bà Trưng.

Each story loads the demo into an empty database (rolled back afterwards), on both backends.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape

from clearance.audit import acting_as
from clearance.demo import load_demo
from clearance.models import (
    AdminUnit,
    AdminUnitFormerName,
    AuditEntry,
    Case,
    CaseParcel,
    LandPrice,
    LegalDocument,
    Parcel,
    Party,
    Project,
    Team,
    User,
)
from clearance.validation import cccd_problem
from clearance.workflow.statuses import CaseStatus, PartyKind, Tenure
from geodata.measure import area_m2
from tests.conftest import sign_in

CUA_NAM, HAI_BA_TRUNG = "00082", "00256"
MODELS = (
    AdminUnit, AdminUnitFormerName, Team, User, LandPrice, Project, LegalDocument, Parcel, Party, Case,
    CaseParcel, AuditEntry,
)

#: The 2026 draft Hanoi land-price table (Phụ lục 5, khu vực 1), thousand đồng per m², VT1–VT4.
DRAFT_2026 = {
    ("Yết Kiêu", "", "residential"): (296_601, 145_334, 108_968, 95_282),
    ("Trần Bình Trọng", "", "residential"): (296_601, 145_334, 108_968, 95_282),
    ("Nguyễn Du", "Phố Huế – Quang Trung", "residential"): (307_194, 150_525, 112_860, 98_573),
    ("Nguyễn Du", "Quang Trung – Trần Bình Trọng", "residential"): (379_950, 182_376, 136_011, 118_115),
    ("Nguyễn Du", "Trần Bình Trọng – cuối đường", "residential"): (307_194, 150_525, 112_860, 98_573),
    ("Hàng Khay", "", "residential"): (702_257, 316_016, 229_183, 196_442),
    ("Yết Kiêu", "", "commercial"): (105_566, 51_727, 38_883, 33_999),
    ("Trần Bình Trọng", "", "commercial"): (105_566, 51_727, 38_883, 33_999),
}


def load() -> str:
    """As the CLI does it: changes attributed to "demo"."""
    with acting_as(None, "demo"):
        return load_demo()


def counts(db) -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS}


def project(db, code: str) -> Project:
    return db.session.scalar(sa.select(Project).where(Project.code == code))


def parcels_of(db, code: str) -> list[Parcel]:
    return list(db.session.scalars(sa.select(Parcel).join(Project).where(Project.code == code)))


def test_loading_the_demo_a_second_time_changes_nothing(db):
    first = load()
    before = counts(db)
    hashes = dict(db.session.execute(sa.select(User.username, User.password_hash)).all())

    second = load()

    assert counts(db) == before
    assert dict(db.session.execute(sa.select(User.username, User.password_hash)).all()) == hashes
    assert "Dự án: tạo mới 2, đã có 0" in first
    assert "Dự án: tạo mới 0, đã có 2" in second
    assert second.startswith("Dữ liệu mẫu đã có đủ, không thay đổi gì")
    assert re.findall(r"tạo mới (\d+)", second) == ["0"] * 11
    # The report counts what is in the database.
    assert f"Thửa đất: tạo mới 0, đã có {before['Parcel']}" in second
    assert f"Hồ sơ: tạo mới 0, đã có {before['Case']}" in second


def test_the_demo_leaves_committing_to_its_caller(db, monkeypatch):
    def refuse() -> None:
        raise AssertionError("load_demo committed")

    monkeypatch.setattr(db.session, "commit", refuse)
    load()
    assert counts(db)["Project"] == 2


def test_the_wards_carry_their_osm_boundaries_and_the_names_they_had_before_the_merger(db):
    load()
    units = {u.code: u for u in db.session.scalars(sa.select(AdminUnit))}

    assert set(units) == {"01", HAI_BA_TRUNG, CUA_NAM, "00070"}
    assert units["01"].name == "Thành phố Hà Nội" and units["01"].parent is None
    for code in (HAI_BA_TRUNG, CUA_NAM, "00070"):
        assert units[code].parent is units["01"]
        assert units[code].boundary is not None
    assert units[CUA_NAM].name == "Phường Cửa Nam"
    hbt = {(f.name, f.district, f.valid_until) for f in units[HAI_BA_TRUNG].former_names}
    assert ("Phường Nguyễn Du", "Quận Hai Bà Trưng", date(2025, 6, 30)) in hbt
    assert ("Phường Đồng Nhân", "Quận Hai Bà Trưng", date(2025, 6, 30)) in hbt
    cua_nam = {(f.name, f.district) for f in units[CUA_NAM].former_names}
    assert ("Phường Hàng Bài", "Quận Hoàn Kiếm") in cua_nam
    assert ("Phường Cửa Nam", "Quận Hoàn Kiếm") in cua_nam
    # A point in Hoàn Kiếm Lake lies in the ward named after it.
    lake = sa.func.ST_GeomFromText("POINT(105.8524 21.0288)", 4326)
    inside = db.session.scalar(sa.select(AdminUnit.code).where(sa.func.ST_Contains(AdminUnit.boundary, lake)))
    assert inside == "00070"


def test_each_project_has_parcels_on_both_sides_of_the_2025_ward_line(db):
    load()
    ward_codes = dict(db.session.execute(sa.select(AdminUnit.id, AdminUnit.code)).all())

    for code in ("BCA-YK44", "BCA-TBT30"):
        parcels = parcels_of(db, code)
        assert 14 <= len(parcels) <= 24
        assert {u.code for u in project(db, code).units} == {CUA_NAM, HAI_BA_TRUNG}
        wards = {p.id: ward_codes[p.ward_id] for p in parcels}
        assert set(wards.values()) == {CUA_NAM, HAI_BA_TRUNG}
        # Cửa Nam lies north of the line, Hai Bà Trưng south: every Cửa Nam parcel is further north.
        latitude = {p.id: to_shape(p.geom).centroid.y for p in parcels}
        north = [latitude[i] for i, w in wards.items() if w == CUA_NAM]
        south = [latitude[i] for i, w in wards.items() if w == HAI_BA_TRUNG]
        assert min(north) > max(south)
        # The old address names the district the parcel lay in before July 2025.
        for p in parcels:
            old_district = "quận Hoàn Kiếm" if wards[p.id] == CUA_NAM else "quận Hai Bà Trưng"
            assert p.former_address.endswith(old_district), p.former_address


def test_the_parcels_are_tube_houses_with_honest_areas(db):
    load()
    parcels = list(db.session.scalars(sa.select(Parcel)))

    for p in parcels:
        assert 40 <= p.measured_area <= 210, "4–8 m × 12–25 m"
        assert abs(p.legal_area - p.measured_area) <= p.measured_area * Decimal("0.03")
        assert 0 < p.recovered_area <= p.measured_area
        assert p.land_use_code in {"ODT", "TMD"}
        assert re.fullmatch(r"Số \d+ phố (Yết Kiêu|Trần Bình Trọng)", p.address)
    assert sum(p.land_use_code == "ODT" for p in parcels) > 4 * sum(p.land_use_code == "TMD" for p in parcels)
    assert any(p.address == "Số 44 phố Yết Kiêu" for p in parcels)
    assert any(p.address == "Số 30 phố Trần Bình Trọng" for p in parcels)


def test_some_parcels_are_only_partly_inside_the_recovery_boundary(db):
    load()

    for code in ("BCA-YK44", "BCA-TBT30"):
        boundary = to_shape(project(db, code).boundary)
        parcels = parcels_of(db, code)
        partial = [p for p in parcels if p.is_partial_recovery]
        assert 2 <= len(partial) <= len(parcels) // 3, "a few, not most"
        for p in partial:
            # The database agrees that these stick out of the boundary...
            within = db.session.scalar(
                sa.select(sa.func.ST_Within(Parcel.geom, Project.boundary))
                .join(Project, Project.id == Parcel.project_id)
                .where(Parcel.id == p.id)
            )
            assert not within
        for p in parcels:
            # ...and the recovered area is the part of the drawn parcel inside the drawn boundary.
            inside = area_m2(to_shape(p.geom).intersection(boundary))
            assert abs(p.recovered_area - inside) <= Decimal("0.10")


def test_every_household_head_has_a_valid_hanoi_citizen_id_and_a_mobile_phone(db):
    load()
    parties = list(db.session.scalars(sa.select(Party)))
    households = [p for p in parties if p.kind != PartyKind.ORGANISATION]
    organisations = [p for p in parties if p.kind == PartyKind.ORGANISATION]

    for p in households:
        assert cccd_problem(p.id_number) is None, p.id_number
        assert p.id_number.startswith("001")
        assert 1 <= p.members <= 7
    for p in parties:
        assert re.fullmatch(r"0[93]\d{8}", p.phone)
    assert 1 <= len(organisations) <= 2
    for p in organisations:
        assert p.id_number is None and p.members == 0 and re.fullmatch(r"01\d{8}", p.tax_code)
    assert len({p.name for p in parties}) == len(parties)
    for flag in ("is_poor", "is_policy_family", "is_elderly_alone", "has_disabled_member"):
        assert any(getattr(p, flag) for p in households), flag
    assert all(p.members == 1 for p in households if p.is_elderly_alone)
    # A party belongs to the ward it lives in, which is the ward of its parcel.
    for case in db.session.scalars(sa.select(Case)):
        assert case.party.unit_id == case.holdings[0].parcel.ward_id


def test_land_prices_are_the_2026_draft_figures_in_whole_dong(db):
    load()
    rows = list(db.session.scalars(sa.select(LandPrice)))

    table: dict[tuple[str, str, str], dict[int, int]] = {}
    for row in rows:
        table.setdefault((row.street, row.segment, row.land_type), {})[row.position] = row.price_per_m2
    assert table == {
        key: {vt: thousand * 1000 for vt, thousand in enumerate(prices, start=1)} for key, prices in DRAFT_2026.items()
    }
    assert table[("Yết Kiêu", "", "residential")][1] == 296_601_000
    for row in rows:
        assert row.is_demo
        assert row.valid_from == date(2026, 1, 1)
        assert row.source == "Dự thảo bảng giá đất Hà Nội 2026, Phụ lục 5, khu vực 1 (dữ liệu mẫu)"
        assert row.province.code == "01"


def test_the_approved_budget_pays_for_the_recovered_land_at_2026_prices(db):
    load()
    vt1 = {
        (row.street, row.land_type): row.price_per_m2
        for row in db.session.scalars(sa.select(LandPrice).where(LandPrice.position == 1, LandPrice.segment == ""))
    }

    for code, street in (("BCA-YK44", "Yết Kiêu"), ("BCA-TBT30", "Trần Bình Trọng")):
        land = sum(
            p.recovered_area * vt1[(street, "commercial" if p.land_use_code == "TMD" else "residential")]
            for p in parcels_of(db, code)
        )
        budget = project(db, code).approved_budget
        assert land <= budget <= land * Decimal("1.2")
        assert budget % 1_000_000_000 == 0
        assert 10**10 <= budget < 10**12, "tens to hundreds of billions of đồng"


def test_case_statuses_follow_each_project_through_the_procedure(db):
    load()
    order = list(CaseStatus)

    approved = project(db, "BCA-YK44")
    assert approved.plan_approved_date == date(2026, 7, 20)
    statuses = [c.status for c in approved.cases]
    # Its plan is approved: every case is at least that far, and one household is being enforced.
    assert all(order.index(s) >= order.index(CaseStatus.PLAN_APPROVED) for s in statuses)
    assert statuses.count(CaseStatus.ENFORCEMENT) == 1
    enforced = next(c for c in approved.cases if c.status == CaseStatus.ENFORCEMENT)
    assert not enforced.party.is_vulnerable
    posting = project(db, "BCA-TBT30")
    assert posting.plan_approved_date is None
    assert all(order.index(c.status) <= order.index(CaseStatus.POSTED) for c in posting.cases)
    everything = {c.status for c in db.session.scalars(sa.select(Case))}
    assert len(everything) >= 9
    assert all(re.fullmatch(r"(YK|TBT)-\d{3}", c.code) for c in db.session.scalars(sa.select(Case)))
    for d in (approved.notice_date, approved.handover_deadline, posting.notice_date, posting.handover_deadline):
        assert d.year == 2026


def test_every_parcel_is_held_in_full_and_some_by_two_co_users(db):
    load()
    holdings = list(db.session.scalars(sa.select(CaseParcel)))

    held: dict[int, Decimal] = {}
    for h in holdings:
        held[h.parcel_id] = held.get(h.parcel_id, Decimal(0)) + h.share
    assert set(held) == set(db.session.scalars(sa.select(Parcel.id)))
    assert set(held.values()) == {Decimal(100)}
    shared = [h for h in holdings if h.tenure == Tenure.CO_USER]
    assert len(shared) >= 4
    assert all(h.share == Decimal(50) for h in shared)


def test_the_legal_basis_is_real_and_the_invented_notices_say_so(db):
    load()

    for code in ("BCA-YK44", "BCA-TBT30"):
        documents = {d.number: d for d in project(db, code).legal_documents}
        decision = documents["35/QĐ-TTg"]
        assert decision.issued_on == date(2023, 5, 9) and decision.issuer == "Thủ tướng Chính phủ"
        ward_documents = [d for n, d in documents.items() if n != "35/QĐ-TTg"]
        assert ward_documents
        for d in ward_documents:
            assert d.issuer.startswith("UBND phường")
            assert "(dữ liệu mẫu)" in d.summary
    assert "12/TB-UBND" in {d.number for d in project(db, "BCA-YK44").legal_documents}


def test_the_demo_records_are_in_the_history_as_made_by_the_demo(db):
    load()

    entries = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "project")))
    assert {e.action for e in entries} == {"create"}
    assert {e.actor for e in entries} == {"demo"}


@pytest.mark.parametrize(("username", "role"), [("canbo", "officer"), ("canbo_cuanam", "officer"), ("xem", "viewer")])
def test_a_demo_user_signs_in_with_the_demo_password_and_sees_both_projects(app, client, db, username, role):
    load()
    db.session.commit()  # releases the test's savepoint, as a request would see it
    user = db.session.scalar(sa.select(User).where(User.username == username))
    assert user.role == role

    assert sign_in(client, username, "not-the-demo-password").status_code == 401
    response = sign_in(client, username, app.config["DEMO_PASSWORD"])

    assert response.status_code == 302
    page = client.get("/projects/").get_data(as_text=True)
    assert "Trụ sở làm việc Bộ Công an tại số 44 Yết Kiêu" in page
    assert "Trụ sở làm việc Bộ Công an tại số 30 Trần Bình Trọng" in page


def test_the_demo_users_are_the_teams_of_the_two_wards(db):
    load()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}

    assert users["admin"].team is None and users["admin"].is_admin
    assert users["truongnhom"].full_name == "Trần Thị Lan (trưởng nhóm)"
    assert users["truongnhom"].team.name == "Tổ GPMB phường Hai Bà Trưng"
    assert users["truongnhom"].team.unit.code == HAI_BA_TRUNG
    assert users["canbo"].team.name == "Tổ GPMB phường Hai Bà Trưng"
    assert users["canbo_cuanam"].team.name == "Tổ GPMB phường Cửa Nam"
    assert users["canbo_cuanam"].team.unit.code == CUA_NAM
    assert users["xem"].team.unit.code == HAI_BA_TRUNG


def test_the_demo_plans_follow_their_cases_and_show_one_line_without_basis(db):
    from clearance.models import CompensationPlan, PolicySet
    from clearance.workflow.statuses import PlanStatus

    load()
    policy_set = db.session.scalar(sa.select(PolicySet).where(PolicySet.code == "HN-2026-MAU"))
    assert policy_set.is_demo and "(dữ liệu mẫu)" in policy_set.name
    rows = db.session.execute(
        sa.select(Case.code, Case.status, CompensationPlan.status, CompensationPlan.missing_basis, CompensationPlan.snapshot)
        .join(CompensationPlan, CompensationPlan.case_id == Case.id)
    ).all()
    expected = {CaseStatus.SURVEYED: PlanStatus.DRAFT, CaseStatus.PLAN_DRAFTED: PlanStatus.CHECKED, CaseStatus.POSTED: PlanStatus.FROZEN}
    assert rows and all(plan_status == expected[case_status] for _c, case_status, plan_status, missing, _s in rows if not missing)
    (unpriced,) = [(code, snapshot) for code, _cs, _ps, missing, snapshot in rows if missing]
    assert unpriced[0] == "TBT-012"
    assert [line["missing"] for line in unpriced[1]["lines"] if line["missing"]] == [
        "Tài sản khác chưa có đơn giá (chứng thư thẩm định giá hoặc căn cứ khác)"
    ]
    assert "Dữ liệu mẫu đã có đủ" in load()  # again: nothing new, not even a plan version
    assert db.session.scalar(sa.select(sa.func.count(CompensationPlan.id))) == len(rows)
