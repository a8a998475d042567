"""Plan versions on both databases: calculate from the inventory and the policy set, recalculate
only what changed, check → freeze → approve, frozen versions that never change, the approved plan
as the case's offer, manual adjustments, the diff, and the payment clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from clearance.models import CompensationOffer, CompensationPlan, Inventory, InventoryItem, Payment, PolicyRate
from clearance.services import plans
from clearance.services.balance import case_balances
from clearance.services.errors import FieldError
from clearance.workflow.statuses import AssetKind, PlanStatus, RateCategory, Role
from tests import factories as f
from tests.queries import counting_queries

TODAY = date(2026, 11, 29)

pytestmark = pytest.mark.usefixtures("vietnamese_request")


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK-44", [ward], approved_budget=30_000_000_000)
    lead = f.user("truongnhom", Role.LEAD, ward)
    officer = f.user("canbo", Role.OFFICER, ward)
    household = f.party("Nguyễn Văn An", ward)
    case = f.case(project, household, "YK-001")
    policy_set = f.policy_set(ward.parent)
    f.inventory(case)
    return {"ward": ward, "project": project, "lead": lead, "officer": officer, "case": case, "policy_set": policy_set}


# 50,50 m² × 296.601.000 = 14.978.350.500 → 14.978.351.000; 40 m² × 4.500.000 × 75 % = 135.000.000;
# relocation 6.000.000; rent 4 × 2.500.000 × 6 = 60.000.000.
EXPECTED_NET = 14_978_351_000 + 135_000_000 + 6_000_000 + 60_000_000


def test_the_first_calculation_is_version_1_a_draft_with_explained_lines(world):
    plan = plans.recalculate_case(world["case"], TODAY, "Lần đầu")
    assert (plan.number, plan.status, plan.net_amount) == (1, PlanStatus.DRAFT, EXPECTED_NET)
    assert (plan.land_total, plan.assets_total, plan.support_total) == (14_978_351_000, 135_000_000, 66_000_000)
    assert plan.missing_basis == 0
    land = plan.snapshot["lines"][0]
    assert (land["quantity"], land["unit_price"], land["amount"]) == ("50.5", "296601000", 14_978_351_000)
    assert land["basis"] == "Điều 3 Phụ lục 5"
    assert len(plan.content_hash) == 64


def test_recalculating_without_changes_keeps_the_version_and_a_change_makes_a_new_one(world, db):
    first = plans.recalculate_case(world["case"], TODAY)
    assert plans.recalculate_case(world["case"], TODAY) is None
    item = db.session.scalar(sa.select(InventoryItem).where(InventoryItem.line_no == 1))
    item.quantity = D("48.00")
    db.session.flush()
    second = plans.recalculate_case(world["case"], TODAY, "Đo đạc lại")
    assert (second.number, second.reason) == (2, "Đo đạc lại")
    assert second.content_hash != first.content_hash
    diff = plans.compare(first, second)
    assert [(c.after["code"], c.fields) for c in diff.lines] == [("land", ["quantity", "amount"])]
    # 48 m² × 296.601.000 = 14.236.848.000 (no rounding now) against 14.978.351.000 before.
    assert ("net_amount", EXPECTED_NET, EXPECTED_NET - 741_503_000) in diff.totals


def test_a_line_without_price_blocks_checking_and_freezing_and_says_why(world, db):
    from clearance.extensions import db as _db

    inventory = _db.session.scalar(sa.select(Inventory))
    inventory.items.append(InventoryItem(case_id=world["case"].id, line_no=3, kind=AssetKind.CROP, description="Cây nhãn",
                                         species="Nhãn", quantity=D("2"), unit="cây"))
    _db.session.flush()
    plan = plans.recalculate_case(world["case"], TODAY)
    assert plan.missing_basis == 1
    assert plan.net_amount == EXPECTED_NET  # the unpriced line adds nothing, and is not hidden as 0
    with pytest.raises(plans.PlanRefused, match="1 dòng thiếu căn cứ"):
        plans.take_step(plan, "check", world["lead"])
    assert plan.status == PlanStatus.DRAFT


def test_only_a_lead_checks_freezes_and_approves(world):
    plan = plans.recalculate_case(world["case"], TODAY)
    with pytest.raises(plans.PlanRefused, match="trưởng nhóm"):
        plans.take_step(plan, "check", world["officer"])
    assert [s.action for s in plans.allowed_steps(plan, world["officer"], [plan])] == []
    assert [s.action for s in plans.allowed_steps(plan, world["lead"], [plan])] == ["check"]


def test_a_frozen_version_never_changes_not_even_by_sql(world, db):
    plan = plans.recalculate_case(world["case"], TODAY)
    plans.take_step(plan, "check", world["lead"])
    plans.take_step(plan, "freeze", world["lead"])
    assert plan.frozen_by == world["lead"].display_name
    connection = db.session.connection()
    for statement in (
        sa.update(CompensationPlan).where(CompensationPlan.id == plan.id).values(net_amount=1),
        sa.update(CompensationPlan).where(CompensationPlan.id == plan.id).values(status="draft"),
        sa.delete(CompensationPlan).where(CompensationPlan.id == plan.id),
    ):
        savepoint = connection.begin_nested()
        with pytest.raises((IntegrityError, DBAPIError)):
            connection.execute(statement)
        savepoint.rollback()
    assert db.session.scalar(sa.select(CompensationPlan.net_amount).where(CompensationPlan.id == plan.id)) == EXPECTED_NET
    plans.take_step(plan, "approve", world["lead"], approval_decision="1520/QĐ-UBND", approved_on=TODAY, today=TODAY)
    for values in ({"approved_on": date(2026, 1, 1)}, {"status": "frozen"}, {"land_total": 0}, {"policy_set_id": None}):
        savepoint = connection.begin_nested()
        with pytest.raises((IntegrityError, DBAPIError)):
            connection.execute(sa.update(CompensationPlan).where(CompensationPlan.id == plan.id).values(**values))
        savepoint.rollback()


def test_editing_the_policy_set_after_freezing_changes_only_the_next_version(world, db):
    plan = plans.recalculate_case(world["case"], TODAY)
    plans.take_step(plan, "check", world["lead"])
    plans.take_step(plan, "freeze", world["lead"])
    rate = db.session.scalar(sa.select(PolicyRate).where(PolicyRate.category == RateCategory.STRUCTURE))
    rate.unit_price = D("5000000")
    db.session.flush()
    second = plans.recalculate_case(world["case"], TODAY, "Đơn giá nhà mới")
    db.session.refresh(plan)
    assert plan.net_amount == EXPECTED_NET
    assert next(r for r in plan.snapshot["rates"] if r["key"][0] == "structure")["unit_price"] == "4500000"
    assert second.number == 2 and second.net_amount == EXPECTED_NET + 15_000_000  # 40 × 500.000 × 75 %
    # The frozen version is the one submitted: a draft calculated since does not stop its approval.
    plans.take_step(plan, "approve", world["lead"], approval_decision="1/QĐ", approved_on=TODAY, today=TODAY)
    assert plan.status == PlanStatus.APPROVED


def test_a_version_whose_inputs_changed_since_it_was_calculated_cannot_be_checked_or_frozen(world, db):
    adjustment = plans.add_adjustment(world["case"], "support", 500_000_000, "Hỗ trợ đặc thù", world["lead"])
    plan = plans.recalculate_case(world["case"], TODAY)
    plans.take_step(plan, "check", world["lead"], today=TODAY)
    plans.withdraw_adjustment(adjustment, "Hội đồng không chấp thuận", world["lead"])
    with pytest.raises(plans.PlanRefused, match="đã thay đổi sau khi tính"):
        plans.take_step(plan, "freeze", world["lead"], today=TODAY)
    assert plan.status == PlanStatus.CHECKED
    second = plans.recalculate_case(world["case"], TODAY, "Bỏ điều chỉnh")
    assert second.net_amount == EXPECTED_NET


def test_a_household_owing_more_than_it_receives_is_approved_with_an_offer_of_nothing(world, db):
    from clearance.models import Inventory, PolicyRate
    from clearance.workflow.statuses import RateCategory

    db.session.add(PolicyRate(policy_set_id=world["policy_set"].id, category=RateCategory.RESETTLEMENT, item="Mai Lâm, Đông Anh",
                              unit="m²", unit_price=D("300000000"), basis_document="Giá đất tái định cư"))
    inventory = db.session.scalar(sa.select(Inventory))
    inventory.resettlement_site, inventory.resettlement_area = "Mai Lâm, Đông Anh", D("60")
    db.session.flush()
    plan = plans.recalculate_case(world["case"], TODAY)
    assert plan.net_amount == EXPECTED_NET - 18_000_000_000 < 0
    for action in ("check", "freeze"):
        plans.take_step(plan, action, world["lead"], today=TODAY)
    plans.take_step(plan, "approve", world["lead"], approval_decision="2/QĐ", approved_on=TODAY, today=TODAY)
    assert db.session.scalar(sa.select(CompensationOffer.amount).where(CompensationOffer.case_id == world["case"].id)) == 0


def test_approval_records_the_net_as_the_cases_offer_and_starts_the_payment_clock(world, db):
    plan = plans.recalculate_case(world["case"], TODAY)
    for action in ("check", "freeze"):
        plans.take_step(plan, action, world["lead"])
    with pytest.raises(FieldError, match="số quyết định"):
        plans.take_step(plan, "approve", world["lead"], approved_on=date(2026, 10, 1), today=TODAY)
    plans.take_step(plan, "approve", world["lead"], approval_decision="1520/QĐ-UBND", approved_on=date(2026, 10, 1), today=TODAY)
    offer = db.session.scalar(sa.select(CompensationOffer).where(CompensationOffer.case_id == world["case"].id))
    assert offer.amount == EXPECTED_NET and "Phương án số 1" in offer.basis and "1520/QĐ-UBND" in offer.basis
    balance = case_balances(world["project"], [world["case"].id])[world["case"].id]
    assert balance.offer == EXPECTED_NET
    db.session.add(Payment(case_id=world["case"].id, paid_on=date(2026, 11, 1), amount=5_000_000_000, actor="Kế toán"))
    db.session.flush()
    clock = plans.payment_clock(plan, TODAY)
    # Due 31/10/2026: 5.000.000.000 paid one day late, the rest unpaid 29 days, at 0,03 %/day.
    assert clock.due == date(2026, 10, 31)
    assert clock.days_late == 29
    assert clock.late_amount == 1_500_000 + round(D(EXPECTED_NET - 5_000_000_000) * D("0.0003") * 29)


def test_a_manual_adjustment_needs_a_lead_and_a_reason_and_shows_as_its_own_line(world):
    with pytest.raises(FieldError, match="trưởng nhóm"):
        plans.add_adjustment(world["case"], "support", 5_000_000, "Hộ nghèo", world["officer"])
    with pytest.raises(FieldError, match="lý do"):
        plans.add_adjustment(world["case"], "support", 5_000_000, "  ", world["lead"])
    plans.add_adjustment(world["case"], "support", 5_000_000, "Hỗ trợ thêm hộ nghèo", world["lead"])
    plan = plans.recalculate_case(world["case"], TODAY)
    manual = plan.snapshot["lines"][-1]
    assert manual["manual"]["actor"] == world["lead"].display_name and manual["manual"]["role"] == "lead"
    assert plan.net_amount == EXPECTED_NET + 5_000_000


def test_a_project_recalculation_costs_the_same_queries_for_more_households(world, db):
    project = world["project"]
    plans.recalculate_project(project, TODAY)
    for n in range(2, 8):
        party = f.party(f"Hộ {n}", world["ward"])
        f.inventory(f.case(project, party, f"YK-{n:03d}"), area=f"{40 + n}.00")
    with counting_queries() as few:
        plans.recalculate_project(project, TODAY, "Thêm hộ")
    for n in range(8, 20):
        f.inventory(f.case(project, f.party(f"Hộ {n}", world["ward"]), f"YK-{n:03d}"), area=f"{40 + n}.00")
    with counting_queries() as many:
        summary = plans.recalculate_project(project, TODAY, "Thêm hộ")
    assert summary.created_count == 12 and summary.unchanged == 7
    assert len(many) == len(few)
    rows = plans.project_plans(project.id)
    assert len(rows) == 19 and rows[0].case_code == "YK-001"
