"""Policy sets (bộ chính sách) on both databases: the rules a rate and a set keep, a new version,
the set that applies on a day, what the calculation reads, the demo set, the history."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clearance.audit import acting_as
from clearance.demo.policy import CODE as DEMO_CODE
from clearance.demo.policy import load_demo_policy_set
from clearance.models import CompensationPlan, PolicyRate, PolicySet
from clearance.services import policies
from clearance.services.errors import FieldError
from clearance.workflow import calculation
from clearance.workflow.statuses import PlanStatus
from tests import factories as f
from tests.queries import counting_queries

pytestmark = pytest.mark.usefixtures("vietnamese_request")

BASIS = {"basis_document": "Quyết định 10/2026/QĐ-UBND", "basis_article": "3", "basis_clause": "2"}


def hanoi():  # type: ignore[no-untyped-def]
    ward = f.unit("Phường Hai Bà Trưng")
    return ward.parent, ward


def a_set(province, code: str = "HN-2026", **values):  # type: ignore[no-untyped-def]
    return policies.create_policy_set(province, {"code": code, "name": f"Bộ chính sách {code}",
                                                 "valid_from": date(2026, 1, 1), **values})


def land(street: str = "Yết Kiêu", position: int = 1, price: int = 296_601_000, **values):  # type: ignore[no-untyped-def]
    return {"item": street, "land_type": "ODT", "position": position, "unit": "m²", "unit_price": Decimal(price), **BASIS, **values}


def refused(call, *args, **kwargs) -> FieldError:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- a rate's rules -----------------------------------------------------------------------------


def test_a_land_price_needs_a_street_a_land_type_and_a_position_from_1_to_4(db):
    province, _ = hanoi()
    policy_set = a_set(province)
    error = refused(policies.add_rate, policy_set, "land", land(position=5))
    assert (error.field, error.message) == ("position", "Vị trí (VT): phải là 1, 2, 3 hoặc 4.")
    assert refused(policies.add_rate, policy_set, "land", land(street=" ")).field == "item"
    assert "Tuyến phố" in refused(policies.add_rate, policy_set, "land", land(street="")).message
    error = refused(policies.add_rate, policy_set, "land", land(land_type=""))
    assert error.field == "land_type" and "ODT" in error.message
    rate = policies.add_rate(policy_set, "land", land(land_type="odt"))
    assert (rate.land_type, rate.position, str(rate)) == ("ODT", 1, "Yết Kiêu · ODT · VT1")


def test_a_negative_price_a_missing_basis_and_an_unknown_support_item_are_refused_by_name(db):
    province, _ = hanoi()
    policy_set = a_set(province)
    error = refused(policies.add_rate, policy_set, "structure",
                    {"item": "Nhà cấp 4", "unit": "m²", "unit_price": Decimal(-1), **BASIS})
    assert (error.field, error.message) == ("unit_price", "Đơn giá: không được âm.")
    error = refused(policies.add_rate, policy_set, "structure",
                    {"item": "Nhà cấp 4", "unit": "m²", "unit_price": Decimal(4_500_000)})
    assert error.field == "basis_document"
    error = refused(policies.add_rate, policy_set, "support",
                    {"item": "tien_an_trua", "unit": "hộ", "unit_price": Decimal(1), **BASIS})
    assert error.field == "item" and "rent, rent_single" in error.message
    error = refused(policies.add_rate, policy_set, "land", land(cap=Decimal(10)))
    assert (error.field, error.message) == ("cap", "Mức tối đa chỉ dùng cho các khoản hỗ trợ.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRate)) == 0


def test_the_same_rate_twice_is_refused_even_written_differently(db):
    province, _ = hanoi()
    policy_set = a_set(province)
    policies.add_rate(policy_set, "land", land())
    error = refused(policies.add_rate, policy_set, "land", land(street="yết kiêu ", price=1))
    assert error.field == "item"
    assert error.message == "Bộ chính sách đã có đơn giá “yết kiêu · ODT · VT1” trong nhóm Giá đất."
    other = policies.add_rate(policy_set, "land", land(position=2, price=145_334_000))
    # Editing a rate into another one's key is refused too; editing its price is not.
    assert refused(policies.update_rate, other, {"position": 1}).field == "item"
    policies.update_rate(other, {"unit_price": Decimal(145_000_000)})
    assert other.unit_price == Decimal(145_000_000)


def test_a_sets_period_code_and_parameters_are_checked(db):
    province, ward = hanoi()
    a_set(province)
    assert refused(a_set, province, "HN-2026").message == "Mã HN-2026 đã được dùng cho bộ chính sách khác của Thành phố Hà Nội."
    error = refused(a_set, province, "HN-2027", valid_to=date(2025, 12, 31))
    assert error.field == "valid_to"
    assert refused(a_set, province, "HN-2027", land_coefficient=Decimal(0)).field == "land_coefficient"
    assert refused(a_set, province, "HN 2027").field == "code"
    assert refused(a_set, ward, "HBT-2026").field == "province_id"
    other_province = f.unit("Tỉnh Bắc Ninh", "27")
    other_ward = f.unit("Phường Kinh Bắc", parent=other_province)
    assert refused(a_set, province, "HN-2027", unit_id=other_ward.id).field == "unit_id"
    policy_set = a_set(province, "HBT-2026", unit_id=ward.id, late_payment_rate=Decimal("0.05"))
    assert (policy_set.unit_id, policy_set.rounding_step, policy_set.late_payment_rate) == (ward.id, 1000, Decimal("0.05"))
    edited = policies.update_policy_set(policy_set, {"payment_days": 45, "rounding_mode": "down"}, expected_version=1)
    assert (edited.payment_days, edited.rounding_mode, edited.version) == (45, "down", 2)
    assert refused(policies.update_policy_set, policy_set, {"payment_days": 30}, 1).field == "version"


# --- a new version ------------------------------------------------------------------------------


def test_a_copy_as_a_new_version_has_a_new_code_and_every_rate(db):
    province, _ = hanoi()
    original = load_demo_policy_set(db.session, province)
    count = len(original.rates)
    assert policies.next_code(original) == "HN-2026-MAU-2"
    copy = policies.copy_as_new_version(original, "HN-2026-MAU-2", date(2026, 7, 1), "Bộ chính sách từ 01/07/2026")
    assert (copy.code, copy.valid_from, copy.name, copy.is_demo) == ("HN-2026-MAU-2", date(2026, 7, 1), "Bộ chính sách từ 01/07/2026", True)
    assert len(copy.rates) == count and count > 40
    assert policies.policy_facts(copy).rates == policies.policy_facts(original).rates
    assert len(db.session.scalars(sa.select(PolicyRate).where(PolicyRate.policy_set_id == original.id)).all()) == count
    assert policies.next_code(original) == "HN-2026-MAU-3"
    assert policies.next_code(copy) == "HN-2026-MAU-3"
    assert refused(policies.copy_as_new_version, original, "HN-2026-MAU-2", date(2026, 8, 1)).field == "code"
    # The copy's history says where it came from.
    entries = policies.history(copy, limit=500)
    assert entries[-1].entity == "policy_set" and entries[-1].reason == "Sao chép thành phiên bản mới từ bộ chính sách HN-2026-MAU"
    assert sum(1 for e in entries if e.entity == "policy_rate") == count


# --- which set applies --------------------------------------------------------------------------


def test_the_set_in_force_for_a_ward_before_the_one_for_the_province(db):
    province, ward = hanoi()
    other_ward = f.unit("Phường Cửa Nam")
    assert policies.applicable_policy_set(province.id, ward.id, date(2026, 3, 1)) is None
    city_2026 = a_set(province, "HN-2026", valid_to=date(2026, 12, 31))
    city_mid = a_set(province, "HN-2026-2", valid_from=date(2026, 7, 1))
    ward_set = a_set(province, "HBT-2026", unit_id=ward.id, valid_from=date(2026, 3, 1), valid_to=date(2026, 5, 31))
    demo = a_set(province, "HN-2026-MAU", valid_from=date(2026, 8, 1), is_demo=True)

    def applies(unit, day):  # type: ignore[no-untyped-def]
        found = policies.applicable_policy_set(province.id, unit.id if unit else None, day)
        return found.code if found else None

    assert applies(ward, date(2025, 12, 31)) is None
    assert applies(ward, date(2026, 2, 28)) == city_2026.code
    assert applies(ward, date(2026, 3, 1)) == ward_set.code
    assert applies(other_ward, date(2026, 3, 1)) == city_2026.code
    assert applies(None, date(2026, 3, 1)) == city_2026.code
    assert applies(ward, date(2026, 6, 1)) == city_2026.code  # the ward's set has run out
    assert applies(ward, date(2026, 7, 1)) == city_mid.code  # the later start wins
    assert applies(ward, date(2026, 9, 1)) == city_mid.code  # a real table before a demo one
    assert applies(ward, date(2027, 1, 1)) == city_mid.code
    assert demo.id is not None


# --- what the calculation reads -----------------------------------------------------------------


def test_the_calculation_reads_the_demo_prices_in_one_query(db):
    province, _ = hanoi()
    policy_set = load_demo_policy_set(db.session, province)
    with counting_queries() as queries:
        policy = policies.policy_facts(policy_set)
    assert len(queries) == 1
    assert (policy.code, policy.rounding_step, policy.rounding_mode, policy.payment_days) == (DEMO_CODE, 1000, "half_up", 30)
    assert policy.land_coefficient == 1 and policy.late_payment_rate == Decimal("0.03")
    yet_kieu = policy.rate("land", "Yết Kiêu", land_type="ODT", position=1)
    assert yet_kieu is not None and yet_kieu.unit_price == 296_601_000 and yet_kieu.unit == "m²"
    assert yet_kieu.label == "Yết Kiêu · ODT · VT1"
    assert yet_kieu.basis == "Điều 1 Dự thảo Bảng giá đất Hà Nội 2026, Phụ lục 5"
    assert policy.rate("land", "Trần Bình Trọng", land_type="TMD", position=4).unit_price == 33_999_000
    assert policy.rate("land", "Nguyễn Du", "Quang Trung – Trần Bình Trọng", "ODT", 1).unit_price == 379_950_000
    assert policy.rate("land", "Hàng Khay", "Đoạn bất kỳ", "ODT", 2).unit_price == 316_016_000  # the whole street
    rent = policy.rate("support", "rent")
    assert (rent.unit_price, rent.cap) == (2_500_000, 15_000_000)
    assert rent.basis == "Điều 1 khoản 3 Quyết định 10/2026/QĐ-UBND"
    assert policy.rate("support", "rent_single").unit_price == 5_000_000
    assert policy.rate("support", "grave_relocation").unit_price == 15_000_000
    assert policy.rate("support", "job_conversion").unit_price == 5
    assert policy.rate("structure", "Nhà cấp 4").unit_price == 4_500_000
    assert policy.rate("crop", "Bưởi", size="Đường kính gốc 5–10 cm").unit_price == 450_000
    assert policy.rate("crop", "Cây bóng mát", size="Đường kính 20–30 cm").unit_price == 1_200_000
    assert policy.rate("resettlement", "Mai Lâm, Đông Anh") is not None
    assert set(calculation.SUPPORT_ITEMS) <= {key[1] for key in policy.rates if key[0] == "support"}


def test_a_plan_line_priced_from_the_demo_set_names_its_basis(db):
    province, _ = hanoi()
    policy = policies.policy_facts(load_demo_policy_set(db.session, province))
    facts = calculation.Facts(
        recorded_on=date(2026, 5, 4), signed_by="Tổ kiểm đếm", persons=4, relocates=True, life_support_months=0,
        rent_months=6, early_handover=False, resettlement_site="", resettlement_area=None, land_debt=0,
        land_debt_basis="", items=(calculation.Item(1, "land", "Đất ở", Decimal("52.5"), street="Yết Kiêu",
                                                     land_type="ODT", land_position=1),),
    )
    result = calculation.calculate(facts, policy)
    land_line, relocation, rent = result.lines
    assert land_line.raw == 15_571_552_500  # 52,5 m² × 296.601.000 đ
    assert land_line.amount == 15_571_553_000  # to the thousand, half up
    assert land_line.basis.endswith("Dự thảo Bảng giá đất Hà Nội 2026, Phụ lục 5")
    assert relocation.amount == 6_000_000
    assert rent.amount == 60_000_000 and "tối đa" not in rent.detail  # 4 × 2.500.000 = 10.000.000 ≤ 15.000.000


def test_the_demo_set_loads_once_and_is_marked(db):
    province, _ = hanoi()
    with acting_as(None, "demo"):
        first = load_demo_policy_set(db.session, province)
        count = len(first.rates)
        again = load_demo_policy_set(db.session, province)
    assert again.id == first.id and len(again.rates) == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicySet)) == 1
    assert first.is_demo and first.name == "Bộ chính sách mẫu Hà Nội 2026 (dữ liệu mẫu)"
    assert first.valid_from == date(2026, 1, 1) and first.valid_to is None
    assert "Nghị định số 88/2024/NĐ-CP" in first.legal_basis and "38/2025/QĐ-UBND" in first.legal_basis
    assert "10/2026/QĐ-UBND" in first.legal_basis and "Bảng giá đất" in first.legal_basis
    # 8 streets × 4 positions, 5 structure grades, 8 crops, 7 support items, 1 resettlement site
    assert count == 32 + 5 + 8 + 7 + 1
    assert all(rate.basis_document and rate.basis_article for rate in first.rates)
    # A rate someone removed comes back; one someone edited is left as it is.
    structure = next(r for r in first.rates if r.item == "Nhà cấp 4")
    policies.update_rate(structure, {"unit_price": Decimal(4_800_000)})
    policies.remove_rate(next(r for r in first.rates if r.item == "Sân, tường rào"))
    db.session.expire(first)
    load_demo_policy_set(db.session, province)
    assert len(first.rates) == count
    assert structure.unit_price == 4_800_000


# --- counts and history -------------------------------------------------------------------------

PLANS = itertools.count(1)


def frozen_plan(db, policy_set, status=PlanStatus.FROZEN):  # type: ignore[no-untyped-def]
    """A plan version of a new case in a new project, written as the plans service leaves it."""
    number = next(PLANS)
    ward = f.unit(f"Phường {number}")
    project = f.project(f"P-{number}", [ward])
    case = f.case(project, f.party("Nguyễn Văn Chốt", ward), "C-001")
    plan = CompensationPlan(
        case_id=case.id, project_id=project.id, number=1, status=status, policy_set_id=policy_set.id, snapshot={},
        content_hash="0" * 64, land_total=1, assets_total=0, support_total=0, resettlement_total=0,
        deductions_total=0, net_amount=1, calculated_by="test",
        approved_on=date(2026, 6, 1) if status == PlanStatus.APPROVED else None,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def test_frozen_and_approved_plans_are_counted_per_set(db):
    province, _ = hanoi()
    used, unused = a_set(province, "HN-2026"), a_set(province, "HN-2026-2")
    frozen_plan(db, used)
    frozen_plan(db, used, PlanStatus.APPROVED)
    frozen_plan(db, unused, PlanStatus.DRAFT)
    assert policies.frozen_plan_counts([used.id, unused.id]) == {used.id: 2}
    assert (policies.frozen_plan_count(used), policies.frozen_plan_count(unused)) == (2, 0)
    # Editing the set stays allowed: the frozen plans keep their own copy of the rates.
    policies.update_policy_set(used, {"land_coefficient": Decimal("1.1")})
    assert used.land_coefficient == Decimal("1.1")


def test_the_history_of_a_set_holds_its_rates_even_removed_ones(db):
    province, _ = hanoi()
    policy_set, other = a_set(province, "HN-2026"), a_set(province, "HN-2026-2")
    rate = policies.add_rate(policy_set, "land", land())
    policies.add_rate(other, "land", land())
    policies.update_rate(rate, {"unit_price": Decimal(300_000_000)})
    policies.remove_rate(rate)
    entries = policies.history(policy_set)
    assert [(e.entity, e.action) for e in entries] == [
        ("policy_rate", "delete"), ("policy_rate", "update"), ("policy_rate", "create"), ("policy_set", "create"),
    ]
    assert [Decimal(v) for v in entries[1].changes["unit_price"]] == [296_601_000, 300_000_000]
    assert len(policies.history(other)) == 2


def test_a_land_coefficient_typed_as_1_100_is_refused_as_too_large(db):
    """1.100 read the Vietnamese way (dots group thousands) is 1100: a typo for 1,100."""
    from clearance.services.policies import check_set

    _clean, errors = check_set({"code": "HN-2026", "name": "Hà Nội 2026", "valid_from": date(2026, 1, 1), "land_coefficient": Decimal(1100)})
    assert [(e.field, e.message) for e in errors] == [("land_coefficient", "Hệ số điều chỉnh giá đất (K): quá lớn.")]
    _clean, errors = check_set({"code": "HN-2026", "name": "Hà Nội 2026", "valid_from": date(2026, 1, 1), "land_coefficient": Decimal("1.1")})
    assert errors == []
