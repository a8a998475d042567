"""The demo policy set (bộ chính sách mẫu) of Hà Nội for 2026.

Real: the land prices (the 2026 draft table, ``facts.LAND_PRICES``), the rent support and its
cap, the grave relocation support (Decision 10/2026/QĐ-UBND), the 5× job-conversion ceiling
(Land Law 2024, Art. 109). Invented, and marked "(dữ liệu mẫu)" on each line: the structure,
crop and resettlement prices, the relocation and life-stabilisation figures, the early-handover
bonus, and the article and clause numbers of the Hanoi decisions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clearance.demo.facts import DEMO_MARK, LAND_PRICES
from clearance.models import AdminUnit, PolicyRate, PolicySet
from clearance.services.policies import check_rate, key_of
from clearance.workflow.statuses import RateCategory

CODE = "HN-2026-MAU"
NAME = f"Bộ chính sách mẫu Hà Nội 2026 {DEMO_MARK}"
VALID_FROM = date(2026, 1, 1)
LEGAL_BASIS = "\n".join((
    "Luật Đất đai số 31/2024/QH15 ngày 18/01/2024",
    "Nghị định số 88/2024/NĐ-CP ngày 15/7/2024 của Chính phủ quy định về bồi thường, hỗ trợ, tái định cư "
    "khi Nhà nước thu hồi đất",
    "Quyết định số 56/2024/QĐ-UBND của UBND Thành phố Hà Nội về bồi thường, hỗ trợ, tái định cư trên địa bàn "
    "Thành phố (sửa đổi, bổ sung bởi Quyết định số 38/2025/QĐ-UBND và Quyết định số 10/2026/QĐ-UBND)",
    "Dự thảo Bảng giá đất Thành phố Hà Nội áp dụng từ ngày 01/01/2026 (Phụ lục 5, khu vực 1)",
    f"Đơn giá nhà, công trình, cây trồng, giá đất tái định cư, mức hỗ trợ di chuyển, ổn định đời sống và "
    f"thưởng bàn giao sớm trong bộ này là {DEMO_MARK}, không dùng để lập phương án thật.",
))

LAW = "Luật Đất đai 2024"
DECREE = "Nghị định 88/2024/NĐ-CP"
HANOI = "Quyết định 56/2024/QĐ-UBND"
HANOI_2026 = "Quyết định 10/2026/QĐ-UBND"
PRICE_TABLE = "Dự thảo Bảng giá đất Hà Nội 2026, Phụ lục 5"
#: The land-use codes of the table's two kinds of land.
LAND_CODES = {"residential": "ODT", "commercial": "TMD"}
INVENTED = f"Mức mẫu {DEMO_MARK}"


def _rate(category: RateCategory, item: str, unit: str, price: int | str, document: str, article: str, clause: str,
          note: str = "", **key: Any) -> tuple[RateCategory, dict[str, Any]]:
    return category, {
        "item": item, "unit": unit, "unit_price": Decimal(price), "basis_document": document,
        "basis_article": article, "basis_clause": clause, "note": note, **key,
    }


def demo_rates() -> list[tuple[RateCategory, dict[str, Any]]]:
    """Every rate of the demo set, as (category, values)."""
    rates = []
    for street, segment, kind, thousands in LAND_PRICES:
        for position, thousand in enumerate(thousands, start=1):
            rates.append(_rate(
                RateCategory.LAND, street, "m²", thousand * 1000, PRICE_TABLE, "1", "",
                f"Khu vực 1 {DEMO_MARK}", segment=segment, land_type=LAND_CODES[kind], position=position,
            ))
    for grade, price in (
        ("Nhà cấp 4", 4_500_000),
        ("Nhà 2–3 tầng khung BTCT", 7_200_000),
        ("Nhà 4–5 tầng khung BTCT", 8_400_000),
        ("Nhà tạm, vật kiến trúc", 1_500_000),
        ("Sân, tường rào", 650_000),
    ):
        rates.append(_rate(RateCategory.STRUCTURE, grade, "m²", price, LAW, "102", "1", INVENTED))
    for species, size, unit, price in (
        ("Bưởi", "Đường kính gốc dưới 5 cm", "cây", 150_000),
        ("Bưởi", "Đường kính gốc 5–10 cm", "cây", 450_000),
        ("Bưởi", "Đường kính gốc trên 10 cm", "cây", 900_000),
        ("Cây ăn quả", "Đường kính 10–20 cm", "cây", 700_000),
        ("Cây ăn quả", "Đường kính trên 20 cm", "cây", 1_100_000),
        ("Cây bóng mát", "Đường kính 20–30 cm", "cây", 1_200_000),
        ("Cây bóng mát", "Đường kính trên 30 cm", "cây", 2_000_000),
        ("Rau màu các loại", "", "m²", 15_000),
    ):
        rates.append(_rate(RateCategory.CROP, species, unit, price, LAW, "103", "1", INVENTED, size=size))
    rates += [
        _rate(RateCategory.SUPPORT, "life_stabilisation", "người/tháng", 450_000, DECREE, "19", "1",
              f"Tương đương 30 kg gạo × 15.000 đ/kg {DEMO_MARK}"),
        _rate(RateCategory.SUPPORT, "relocation", "hộ", 6_000_000, HANOI, "12", "1", INVENTED),
        _rate(RateCategory.SUPPORT, "rent", "người/tháng", 2_500_000, HANOI_2026, "1", "3",
              "Tối đa 15.000.000 đ/thửa/tháng", cap=Decimal(15_000_000)),
        _rate(RateCategory.SUPPORT, "rent_single", "tháng", 5_000_000, HANOI_2026, "1", "3", "Hộ một nhân khẩu"),
        _rate(RateCategory.SUPPORT, "job_conversion", "lần", 5, LAW, "109", "1",
              "Bằng 5 lần giá đất nông nghiệp cùng loại, trên diện tích đất nông nghiệp thu hồi"),
        _rate(RateCategory.SUPPORT, "grave_relocation", "ngôi mộ", 15_000_000, HANOI_2026, "1", "4"),
        _rate(RateCategory.SUPPORT, "early_handover", "hộ", 20_000_000, HANOI, "20", "1", INVENTED),
        _rate(RateCategory.RESETTLEMENT, "Mai Lâm, Đông Anh", "m²", 12_500_000, LAW, "111", "1",
              f"Giá đất ở tái định cư {DEMO_MARK}"),
    ]
    return rates


def load_demo_policy_set(session: Session, province: AdminUnit) -> PolicySet:
    """The demo policy set of ``province``, created or completed (a rate already there is left as
    it is, even if someone edited it). Safe to run again. Flushes, never commits."""
    policy_set = session.scalar(sa.select(PolicySet).where(PolicySet.province_id == province.id, PolicySet.code == CODE))
    if policy_set is None:
        policy_set = PolicySet(
            province_id=province.id, code=CODE, name=NAME, legal_basis=LEGAL_BASIS, valid_from=VALID_FROM,
            land_coefficient=Decimal(1), rounding_step=1000, rounding_mode="half_up", payment_days=30,
            late_payment_rate=Decimal("0.03"), is_demo=True,
        )
        session.add(policy_set)
        session.flush()
    present = {key_of(rate.category, _values(rate)) for rate in policy_set.rates}
    for category, values in demo_rates():
        clean, errors = check_rate(category, values)
        if errors:  # the figures above are fixed: a broken one is a bug here, not bad input
            raise ValueError(f"{values['item']}: {errors[0].message}")
        if key_of(category, clean) not in present:
            session.add(PolicyRate(policy_set=policy_set, category=category, **clean))
            present.add(key_of(category, clean))
    session.flush()
    return policy_set


def _values(rate: PolicyRate) -> dict[str, Any]:
    return {"item": rate.item, "segment": rate.segment, "land_type": rate.land_type, "position": rate.position, "size": rate.size}
