"""The explained calculation against hand-worked examples, to the đồng."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from clearance.workflow.calculation import (
    Adjustment,
    Facts,
    Item,
    Policy,
    Rate,
    calculate,
    content_hash,
    diff_lines,
    late_payment,
    late_payment_owed,
    rate_key,
    rates_used,
    round_amount,
    snapshot,
)

BASIS = "Điều 3 Quyết định 10/2026/QĐ-UBND"
RATES = {
    rate_key("land", "Yết Kiêu", "", "ODT", 1): Rate("Yết Kiêu VT1", "m²", D("296601000"), "Phụ lục 5 bảng giá đất 2026"),
    rate_key("land", "Nguyễn Du", "Quang Trung – Trần Bình Trọng", "ODT", 1): Rate("Nguyễn Du VT1", "m²", D("379950000"), "Phụ lục 5"),
    rate_key("land", "Đường làng", "", "LUC", 1): Rate("Đất lúa", "m²", D("250000"), "Phụ lục 1"),
    rate_key("structure", "Nhà 2–3 tầng khung BTCT"): Rate("Nhà 2–3 tầng", "m²", D("7200000"), BASIS),
    rate_key("crop", "Cây bóng mát", size="Đường kính 20–30 cm"): Rate("Cây", "cây", D("850000"), BASIS),
    rate_key("support", "rent"): Rate("Thuê nhà", "người/tháng", D("2500000"), BASIS, cap=D("15000000")),
    rate_key("support", "rent_single"): Rate("Thuê nhà 1 người", "tháng", D("5000000"), BASIS),
    rate_key("support", "relocation"): Rate("Di chuyển", "hộ", D("6000000"), BASIS),
    rate_key("support", "grave_relocation"): Rate("Mộ", "ngôi mộ", D("15000000"), BASIS),
    rate_key("support", "job_conversion"): Rate("Chuyển đổi nghề", "lần", D("5"), BASIS),
    rate_key("support", "early_handover"): Rate("Thưởng", "hộ", D("20000000"), BASIS),
    rate_key("support", "life_stabilisation"): Rate("Ổn định đời sống", "người/tháng", D("450000"), BASIS),
    rate_key("resettlement", "Mai Lâm, Đông Anh"): Rate("TĐC Mai Lâm", "m²", D("30000000"), BASIS),
}
POLICY = Policy("HN-2026", "Hà Nội 2026", "", D(1), 1000, "half_up", 30, D("0.03"), RATES)


def household(*items: Item, **facts: object) -> Facts:
    base = Facts(
        recorded_on=date(2026, 5, 4), signed_by="Tổ kiểm đếm", persons=4, relocates=False, life_support_months=0,
        rent_months=0, early_handover=False, resettlement_site="", resettlement_area=None, land_debt=0,
        land_debt_basis="", items=items,
    )
    return replace(base, **facts)  # type: ignore[arg-type]


def land(area: str, street: str = "Yết Kiêu", position: int = 1, land_type: str = "ODT", segment: str = "") -> Item:
    return Item(1, "land", "Đất ở", D(area), parcel="Thửa 12, tờ 5", street=street, segment=segment, land_type=land_type, land_position=position)


def test_land_line_is_area_times_price_times_coefficient_rounded_half_up_to_the_thousand():
    result = calculate(household(land("50.50")), POLICY)
    (line,) = result.lines
    # 50,50 m² × 296.601.000 đ/m² × 1 = 14.978.350.500 đ → 14.978.351.000 đ
    assert line.raw == D("14978350500.00")
    assert line.amount == 14_978_351_000
    assert line.basis == "Phụ lục 5 bảng giá đất 2026"
    assert result.totals["land"] == 14_978_351_000
    assert result.net == 14_978_351_000


@pytest.mark.parametrize(
    ("step", "mode", "expected"),
    [(1000, "half_up", 14_978_351_000), (1000, "down", 14_978_350_000), (1000, "up", 14_978_351_000), (1, "half_up", 14_978_350_500)],
)
def test_the_rounding_rule_is_the_policy_sets(step, mode, expected):
    policy = replace(POLICY, rounding_step=step, rounding_mode=mode)
    assert calculate(household(land("50.50")), policy).net == expected


def test_a_segment_without_its_own_price_takes_the_streets_whole_length_price_and_a_segment_with_one_takes_its_own():
    on_yet_kieu = calculate(household(land("10", segment="Đoạn bất kỳ")), POLICY).lines[0]
    on_nguyen_du = calculate(household(land("10", street="Nguyễn Du", segment="Quang Trung – Trần Bình Trọng")), POLICY).lines[0]
    assert on_yet_kieu.amount == 2_966_010_000
    assert on_nguyen_du.amount == 3_799_500_000


def test_a_street_typed_with_decomposed_accents_or_other_case_finds_its_price():
    import unicodedata

    typed = unicodedata.normalize("NFD", "yết kiêu ")
    assert calculate(household(land("10", street=typed)), POLICY).lines[0].amount == 2_966_010_000


def test_a_house_is_floor_area_times_grade_price_times_remaining_quality():
    house = Item(2, "structure", "Nhà ở", D("80"), grade="Nhà 2–3 tầng khung BTCT", floors=2, quality_pct=D("62.5"))
    (line,) = calculate(household(house), POLICY).lines
    # 80 m² × 7.200.000 đ/m² × 62,5 % = 360.000.000 đ
    assert (line.amount, line.category, line.quality_pct) == (360_000_000, "assets", D("62.5"))


def test_rent_support_is_per_person_per_month_with_the_cap_per_plot_and_the_one_person_rate():
    four = calculate(household(persons=4, relocates=True, rent_months=6), POLICY)
    seven = calculate(household(persons=7, relocates=True, rent_months=6), POLICY)
    alone = calculate(household(persons=1, relocates=True, rent_months=6), POLICY)

    def rent(result):
        return next(line for line in result.lines if line.code == "rent")

    assert rent(four).amount == 60_000_000  # 4 × 2.500.000 = 10.000.000 / tháng × 6
    assert rent(seven).amount == 90_000_000  # 17.500.000 capped at 15.000.000 / tháng × 6
    assert "tối đa 15.000.000 đ/tháng" in rent(seven).detail
    assert rent(alone).amount == 30_000_000  # hộ một nhân khẩu: 5.000.000 / tháng × 6
    assert four.totals["support"] == 60_000_000 + 6_000_000  # and the relocation support


def test_crops_graves_job_conversion_life_support_early_handover():
    result = calculate(
        household(
            Item(1, "land", "Đất lúa", D("1000"), street="Đường làng", land_type="LUC", land_position=1),
            Item(2, "crop", "Cây", D("3"), species="Cây bóng mát", size="Đường kính 20–30 cm"),
            Item(3, "grave", "Mộ đất", D("2")),
            life_support_months=6, early_handover=True,
        ),
        POLICY,
    )
    amounts = {line.code: line.amount for line in result.lines}
    assert amounts == {
        "land": 250_000_000,  # 1.000 m² × 250.000
        "job_conversion": 1_250_000_000,  # 1.000 m² × 250.000 × 5 lần
        "crop": 2_550_000,  # 3 cây × 850.000
        "grave_relocation": 30_000_000,  # 2 ngôi mộ × 15.000.000
        "life_stabilisation": 10_800_000,  # 4 người × 6 tháng × 450.000
        "early_handover": 20_000_000,
    }
    assert result.net == sum(amounts.values())


def test_resettlement_fee_and_unpaid_land_obligations_are_deducted():
    result = calculate(
        household(land("50.50"), resettlement_site="Mai Lâm, Đông Anh", resettlement_area=D("60"), land_debt=12_000_000),
        POLICY,
    )
    assert result.totals["resettlement"] == -1_800_000_000  # 60 m² × 30.000.000, set off
    assert result.totals["deduction"] == -12_000_000
    assert result.net == 14_978_351_000 - 1_800_000_000 - 12_000_000
    debt = next(line for line in result.lines if line.code == "land_debt")
    assert debt.basis == "Điều 94 Luật Đất đai 2024"


def test_a_missing_price_is_marked_thieu_can_cu_never_zero_and_counted():
    result = calculate(
        household(
            land("50.50"),
            Item(2, "crop", "Cây nhãn", D("3"), species="Nhãn"),
            Item(3, "other", "Bể nước", D("1"), unit="cái"),
            Item(4, "land", "Đất ở", D("20"), street="Yết Kiêu", land_type="ODT", land_position=None),
        ),
        POLICY,
    )
    missing = [line for line in result.lines if line.missing]
    assert [line.item_no for line in missing] == [2, 3, 4]
    assert all(line.amount is None for line in missing)
    assert "Nhãn" in missing[0].missing and "HN-2026" in missing[0].missing
    assert "đơn giá" in missing[1].missing
    assert "vị trí" in missing[2].missing
    assert result.missing == 3
    assert result.net == 14_978_351_000  # the priced line only: nothing was invented for the others


def test_other_assets_need_their_own_price_and_its_basis():
    priced = Item(1, "other", "Bể nước", D("2"), unit="cái", unit_price=D("3500000"), price_basis="Chứng thư thẩm định giá số 12/2026")
    no_basis = replace(priced, price_basis="")
    assert calculate(household(priced), POLICY).net == 7_000_000
    assert calculate(household(no_basis), POLICY).lines[0].missing == "Đơn giá tài sản khác chưa ghi căn cứ"


def test_a_manual_adjustment_is_its_own_line_with_who_and_why():
    adjustment = Adjustment(1, "support", 5_000_000, "Hỗ trợ thêm hộ nghèo theo ý kiến Hội đồng", "Trần Thị Lan", "lead", "2026-06-01T08:00:00")
    result = calculate(household(land("10"), adjustments=(adjustment,)), POLICY)
    line = result.lines[-1]
    assert (line.code, line.amount, line.category) == ("adjustment", 5_000_000, "support")
    assert line.manual == {"actor": "Trần Thị Lan", "role": "lead", "reason": "Hỗ trợ thêm hộ nghèo theo ý kiến Hội đồng", "at": "2026-06-01T08:00:00"}
    assert result.net == 2_966_010_000 + 5_000_000


def test_late_payment_is_the_rate_per_day_on_the_unpaid_sum():
    assert late_payment(1_000_000_000, date(2026, 3, 1), date(2026, 3, 11), D("0.03")) == (10, 3_000_000)
    assert late_payment(1_000_000_000, date(2026, 3, 1), date(2026, 3, 1), D("0.03")) == (0, 0)
    assert late_payment(333_333, date(2026, 3, 1), date(2026, 3, 2), D("0.03")) == (1, 100)  # 99,9999 → 100


def test_money_paid_late_owes_its_own_days_and_the_unpaid_rest_its_days_to_today():
    due, rate = date(2026, 3, 1), D("0.03")
    # 600.000.000 paid 10 days late, 400.000.000 still unpaid 20 days after the deadline.
    assert late_payment_owed(1_000_000_000, due, [(date(2026, 3, 11), 600_000_000)], date(2026, 3, 21), rate) == (20, 1_800_000 + 2_400_000)
    # All paid in time: nothing owed, whatever today is.
    assert late_payment_owed(1_000_000_000, due, [(date(2026, 2, 20), 1_000_000_000)], date(2026, 6, 1), rate) == (0, 0)
    # All paid 50 days late: owed for those days even though nothing is unpaid today.
    assert late_payment_owed(1_000_000_000, due, [(date(2026, 4, 20), 1_000_000_000)], date(2026, 6, 1), rate) == (50, 15_000_000)


def test_round_amount_never_uses_floats():
    assert round_amount(D("0.5"), 1, "half_up") == 1
    assert round_amount(D("1499.999"), 1000, "half_up") == 1000
    assert round_amount(D("-1500"), 1000, "half_up") == -2000
    assert round_amount(D("-12469135.285"), 1000, "down") == -12_469_000  # a fee rounded down gets smaller


def test_only_the_rates_a_household_uses_are_in_its_version():
    facts = household(land("50.50"), persons=4, relocates=True, rent_months=6)
    used = {key for key, _rate in rates_used(facts, POLICY, calculate(facts, POLICY))}
    assert rate_key("support", "rent") in used and rate_key("support", "relocation") in used
    assert rate_key("support", "early_handover") not in used and rate_key("support", "grave_relocation") not in used


def test_an_organisation_gets_no_per_person_rent():
    result = calculate(household(persons=0, relocates=True, rent_months=6), POLICY)
    assert [line.code for line in result.lines] == ["relocation"]


def test_the_snapshot_hash_is_stable_and_changes_with_any_input():
    facts = household(land("50.50"))
    first = snapshot(facts, POLICY, calculate(facts, POLICY), rates_used(facts, POLICY, calculate(facts, POLICY)))
    again = snapshot(facts, POLICY, calculate(facts, POLICY), rates_used(facts, POLICY, calculate(facts, POLICY)))
    changed_facts = household(land("50.51"))
    changed = snapshot(changed_facts, POLICY, calculate(changed_facts, POLICY), rates_used(changed_facts, POLICY, calculate(changed_facts, POLICY)))
    assert content_hash(first) == content_hash(again)
    assert content_hash(first) != content_hash(changed)
    assert first["rates"][0]["unit_price"] == "296601000"  # the rate used is kept with the version
    assert first["lines"][0]["amount"] == 14_978_351_000


def test_the_diff_names_each_changed_added_and_removed_line():
    before = snapshot(f := household(land("50.50")), POLICY, calculate(f, POLICY), [])["lines"]
    after_facts = household(land("50.00"), Item(2, "crop", "Cây", D("1"), species="Cây bóng mát", size="Đường kính 20–30 cm"))
    after = snapshot(after_facts, POLICY, calculate(after_facts, POLICY), [])["lines"]
    changes = diff_lines(before, after)
    changed = next(c for c in changes if c.before and c.after)
    added = next(c for c in changes if c.before is None)
    assert changed.fields == ["quantity", "amount"]
    assert added.after["code"] == "crop"
    assert diff_lines(after, before)[-1].after is None  # and the other way round it is removed
