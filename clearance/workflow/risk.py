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


def _labels() -> tuple[dict[str, object], dict[str, object]]:
    from flask_babel import lazy_gettext as _l

    # The same words as RISK_FACTORS, through gettext so the English catalogue shows them too.
    labels = {
        "gap": _l("Mức hộ đề nghị cao hơn giá trị bồi thường"),
        "stalled": _l("Nhiều cuộc gặp liên tiếp không tiến triển"),
        "no_contact": _l("Lâu không tiếp xúc với hộ"),
        "overdue_commitments": _l("Cam kết với hộ đã quá hạn"),
        "complaint_pending": _l("Đang có khiếu nại chưa giải quyết"),
        "vulnerable": _l("Hộ thuộc diện yếu thế"),
        "refused_inventory": _l("Hộ không hợp tác điều tra, kiểm đếm"),
    }
    units = {"%": "%", "cuộc gặp": _l("cuộc gặp"), "ngày": _l("ngày"), "cam kết": _l("cam kết")}
    return labels, units


FACTOR_LABELS, UNIT_LABELS = _labels()


def factor_label(code: str, stored: str) -> str:
    """A factor's name in the user's language: the translated default for the known factors,
    else the label stored with the row."""
    return str(FACTOR_LABELS.get(code, stored))


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))
