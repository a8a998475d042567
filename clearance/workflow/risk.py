"""Hotspot risk factors (yếu tố nguy cơ điểm nóng) and their default weights.

The weights and thresholds live in the ``risk_factor`` table, seeded from these defaults, so a
team can tune them without a release; the scoring in ``clearance.services.hotspots`` reads the
table. A case's score is the sum of the weights of the factors that apply to it.
"""

from __future__ import annotations

from typing import NamedTuple


class FactorDefault(NamedTuple):
    code: str
    label: str
    weight: int
    threshold: int | None = None
    unit: str = ""


RISK_FACTORS: tuple[FactorDefault, ...] = (
    FactorDefault("gap", "Mức hộ đề nghị cao hơn giá trị bồi thường", 30, 15, "%"),
    FactorDefault("stalled", "Nhiều cuộc gặp liên tiếp không tiến triển", 20, 3, "cuộc gặp"),
    FactorDefault("no_contact", "Lâu không tiếp xúc với hộ", 15, 30, "ngày"),
    FactorDefault("overdue_commitments", "Cam kết với hộ đã quá hạn", 20, 1, "cam kết"),
    FactorDefault("complaint_pending", "Đang có khiếu nại chưa giải quyết", 25),
    FactorDefault("vulnerable", "Hộ thuộc diện yếu thế", 10),
    FactorDefault("refused_inventory", "Hộ không hợp tác điều tra, kiểm đếm", 25),
)
