"""Statuses of projects and cases, with their Vietnamese labels (translated through gettext).

The case statuses follow the order of the procedure in the Land Law 2024 (Art. 85–89, 91, 94);
the transitions and their guards come with the workflow issue.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ProjectStatus(StrEnum):
    PREPARING = "preparing"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SUSPENDED = "suspended"


class CaseStatus(StrEnum):
    """Trạng thái hồ sơ, in procedural order."""

    NEW = "new"
    NOTIFIED = "notified"
    SURVEYED = "surveyed"
    PLAN_DRAFTED = "plan_drafted"
    POSTED = "posted"
    PLAN_APPROVED = "plan_approved"
    DECIDED = "decided"
    PAID = "paid"
    HANDED_OVER = "handed_over"
    ENFORCEMENT = "enforcement"


#: How far a case is towards a cleared site, least first. Enforcement (cưỡng chế) means the land
#: has not been handed over: it ranks just below handed over, so a parcel shared by a household
#: that handed over and one under enforcement is not counted as cleared.
PROGRESS_ORDER: tuple[CaseStatus, ...] = (
    CaseStatus.NEW,
    CaseStatus.NOTIFIED,
    CaseStatus.SURVEYED,
    CaseStatus.PLAN_DRAFTED,
    CaseStatus.POSTED,
    CaseStatus.PLAN_APPROVED,
    CaseStatus.DECIDED,
    CaseStatus.PAID,
    CaseStatus.ENFORCEMENT,
    CaseStatus.HANDED_OVER,
)


class PartyKind(StrEnum):
    HOUSEHOLD = "household"
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


class Tenure(StrEnum):
    """Quan hệ của bên bị ảnh hưởng với thửa đất."""

    LAND_USER = "land_user"
    CO_USER = "co_user"
    ASSET_OWNER = "asset_owner"
    TENANT = "tenant"
    OCCUPANT = "occupant"


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    OFFICER = "officer"
    VIEWER = "viewer"


class UnitLevel(StrEnum):
    PROVINCE = "province"
    WARD = "ward"
    COMMUNE = "commune"


class GrievanceKind(StrEnum):
    COMPLAINT = "complaint"  # khiếu nại: against an administrative decision or act
    PETITION = "petition"  # kiến nghị, phản ánh


class GrievanceLevel(StrEnum):
    FIRST = "first"  # giải quyết lần đầu
    SECOND = "second"  # giải quyết lần hai


class GrievanceStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


LABELS = {
    ProjectStatus.PREPARING: _l("Chuẩn bị"),
    ProjectStatus.IN_PROGRESS: _l("Đang thực hiện"),
    ProjectStatus.COMPLETED: _l("Hoàn thành"),
    ProjectStatus.SUSPENDED: _l("Tạm dừng"),
    CaseStatus.NEW: _l("Mới lập"),
    CaseStatus.NOTIFIED: _l("Đã thông báo thu hồi"),
    CaseStatus.SURVEYED: _l("Đã điều tra, kiểm đếm"),
    CaseStatus.PLAN_DRAFTED: _l("Đã lập phương án"),
    CaseStatus.POSTED: _l("Đang niêm yết"),
    CaseStatus.PLAN_APPROVED: _l("Phương án đã duyệt"),
    CaseStatus.DECIDED: _l("Đã có quyết định thu hồi"),
    CaseStatus.PAID: _l("Đã chi trả"),
    CaseStatus.HANDED_OVER: _l("Đã bàn giao mặt bằng"),
    CaseStatus.ENFORCEMENT: _l("Cưỡng chế"),
    PartyKind.HOUSEHOLD: _l("Hộ gia đình"),
    PartyKind.INDIVIDUAL: _l("Cá nhân"),
    PartyKind.ORGANISATION: _l("Tổ chức"),
    Tenure.LAND_USER: _l("Người sử dụng đất"),
    Tenure.CO_USER: _l("Đồng sử dụng"),
    Tenure.ASSET_OWNER: _l("Chủ sở hữu tài sản"),
    Tenure.TENANT: _l("Người thuê"),
    Tenure.OCCUPANT: _l("Sử dụng không có giấy tờ"),
    Role.ADMIN: _l("Quản trị"),
    Role.LEAD: _l("Trưởng nhóm (phê duyệt)"),
    Role.OFFICER: _l("Cán bộ"),
    Role.VIEWER: _l("Chỉ xem"),
    GrievanceKind.COMPLAINT: _l("Khiếu nại"),
    GrievanceKind.PETITION: _l("Kiến nghị, phản ánh"),
    GrievanceLevel.FIRST: _l("Giải quyết lần đầu"),
    GrievanceLevel.SECOND: _l("Giải quyết lần hai"),
    GrievanceStatus.OPEN: _l("Đang giải quyết"),
    GrievanceStatus.RESOLVED: _l("Đã giải quyết"),
    GrievanceStatus.WITHDRAWN: _l("Đã rút"),
    UnitLevel.PROVINCE: _l("Tỉnh/Thành phố"),
    UnitLevel.WARD: _l("Phường"),
    UnitLevel.COMMUNE: _l("Xã"),
}


def label(value: StrEnum | str | None) -> str:
    """The user-facing label of a status or kind; unknown values are shown as they are."""
    if value is None:
        return ""
    return str(LABELS.get(value, value))  # type: ignore[call-overload]


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum]
