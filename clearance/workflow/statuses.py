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


class MeetingKind(StrEnum):
    """Loại cuộc gặp."""

    PRE_NOTICE = "pre_notice"  # họp phổ biến trước thông báo thu hồi
    PERSUASION = "persuasion"  # vận động, thuyết phục tại nhà
    CONSULTATION = "consultation"  # họp lấy ý kiến về phương án
    DIALOGUE = "dialogue"  # đối thoại
    MEDIATION = "mediation"  # hòa giải


class AttendeeSide(StrEnum):
    """Who a participant speaks for."""

    OFFICIAL = "official"  # cán bộ, tổ GPMB
    HOUSEHOLD = "household"  # thành viên hộ
    WARD = "ward"  # UBND phường, xã
    FATHERLAND_FRONT = "fatherland_front"  # Mặt trận Tổ quốc
    INVESTOR = "investor"  # chủ đầu tư
    OTHER = "other"


class ConcernCategory(StrEnum):
    """Nhóm tâm tư, nguyện vọng."""

    PRICE = "price"
    AREA = "area"
    LAND_ORIGIN = "land_origin"
    RESETTLEMENT = "resettlement"
    SUPPORT = "support"
    TIMING = "timing"
    PROCEDURE = "procedure"
    OTHER = "other"


class Position(StrEnum):
    """Ý kiến của hộ sau cuộc gặp."""

    AGREES = "agrees"
    PARTLY = "partly"
    DISAGREES = "disagrees"
    NO_ANSWER = "no_answer"


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class DisputeStatus(StrEnum):
    """Tình trạng vướng mắc of a case, derived from its record or set by a team lead."""

    NO_CONCERNS = "no_concerns"
    OPEN_CONCERNS = "open_concerns"
    DISAGREES = "disagrees"
    COMPLAINT_PENDING = "complaint_pending"
    ENFORCEMENT = "enforcement"
    RESOLVED = "resolved"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RateCategory(StrEnum):
    """Nhóm đơn giá trong bộ chính sách."""

    LAND = "land"  # giá đất theo tuyến phố, đoạn, loại đất, vị trí
    STRUCTURE = "structure"  # đơn giá nhà, công trình theo cấp nhà, đồng/m²
    CROP = "crop"  # cây trồng, vật nuôi
    SUPPORT = "support"  # các khoản hỗ trợ
    RESETTLEMENT = "resettlement"  # giá đất tái định cư (tiền sử dụng đất phải nộp)


class AssetKind(StrEnum):
    """Loại dòng kiểm đếm."""

    LAND = "land"
    STRUCTURE = "structure"
    CROP = "crop"
    GRAVE = "grave"
    OTHER = "other"


class PlanStatus(StrEnum):
    """Trạng thái phiên bản phương án."""

    DRAFT = "draft"  # dự thảo
    CHECKED = "checked"  # đã kiểm tra
    FROZEN = "frozen"  # đã chốt, trình duyệt
    APPROVED = "approved"  # đã phê duyệt


class DocumentType(StrEnum):
    """Loại văn bản in."""

    COMPENSATION_NOTICE = "compensation_notice"  # thông báo bồi thường, hỗ trợ, tái định cư
    RECOVERY_NOTICE = "recovery_notice"  # thông báo thu hồi đất
    MEETING_MINUTES = "meeting_minutes"  # biên bản đối thoại
    PLAN_SUMMARY = "plan_summary"  # bảng tổng hợp phương án


class PrintJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: Labels by member. Different enums share values ("open", "resolved", "other"), so labels are
#: looked up by (enum, value); a bare string (e.g. in the audit history) takes the first match.
_LABELLED = (
    (ProjectStatus.PREPARING, _l("Chuẩn bị")),
    (ProjectStatus.IN_PROGRESS, _l("Đang thực hiện")),
    (ProjectStatus.COMPLETED, _l("Hoàn thành")),
    (ProjectStatus.SUSPENDED, _l("Tạm dừng")),
    (CaseStatus.NEW, _l("Mới lập")),
    (CaseStatus.NOTIFIED, _l("Đã thông báo thu hồi")),
    (CaseStatus.SURVEYED, _l("Đã điều tra, kiểm đếm")),
    (CaseStatus.PLAN_DRAFTED, _l("Đã lập phương án")),
    (CaseStatus.POSTED, _l("Đang niêm yết")),
    (CaseStatus.PLAN_APPROVED, _l("Phương án đã duyệt")),
    (CaseStatus.DECIDED, _l("Đã có quyết định thu hồi")),
    (CaseStatus.PAID, _l("Đã chi trả")),
    (CaseStatus.HANDED_OVER, _l("Đã bàn giao mặt bằng")),
    (CaseStatus.ENFORCEMENT, _l("Cưỡng chế")),
    (PartyKind.HOUSEHOLD, _l("Hộ gia đình")),
    (PartyKind.INDIVIDUAL, _l("Cá nhân")),
    (PartyKind.ORGANISATION, _l("Tổ chức")),
    (Tenure.LAND_USER, _l("Người sử dụng đất")),
    (Tenure.CO_USER, _l("Đồng sử dụng")),
    (Tenure.ASSET_OWNER, _l("Chủ sở hữu tài sản")),
    (Tenure.TENANT, _l("Người thuê")),
    (Tenure.OCCUPANT, _l("Sử dụng không có giấy tờ")),
    (Role.ADMIN, _l("Quản trị")),
    (Role.LEAD, _l("Trưởng nhóm (phê duyệt)")),
    (Role.OFFICER, _l("Cán bộ")),
    (Role.VIEWER, _l("Chỉ xem")),
    (GrievanceKind.COMPLAINT, _l("Khiếu nại")),
    (GrievanceKind.PETITION, _l("Kiến nghị, phản ánh")),
    (GrievanceLevel.FIRST, _l("Giải quyết lần đầu")),
    (GrievanceLevel.SECOND, _l("Giải quyết lần hai")),
    (GrievanceStatus.OPEN, _l("Đang giải quyết")),
    (GrievanceStatus.RESOLVED, _l("Đã giải quyết")),
    (GrievanceStatus.WITHDRAWN, _l("Đã rút")),
    (MeetingKind.PRE_NOTICE, _l("Họp phổ biến chủ trương")),
    (MeetingKind.PERSUASION, _l("Vận động, thuyết phục tại nhà")),
    (MeetingKind.CONSULTATION, _l("Họp lấy ý kiến phương án")),
    (MeetingKind.DIALOGUE, _l("Đối thoại")),
    (MeetingKind.MEDIATION, _l("Hòa giải")),
    (AttendeeSide.OFFICIAL, _l("Cán bộ, tổ GPMB")),
    (AttendeeSide.HOUSEHOLD, _l("Thành viên hộ")),
    (AttendeeSide.WARD, _l("UBND phường, xã")),
    (AttendeeSide.FATHERLAND_FRONT, _l("Mặt trận Tổ quốc")),
    (AttendeeSide.INVESTOR, _l("Chủ đầu tư")),
    (AttendeeSide.OTHER, _l("Khác")),
    (ConcernCategory.PRICE, _l("Giá bồi thường")),
    (ConcernCategory.AREA, _l("Diện tích đo đạc")),
    (ConcernCategory.LAND_ORIGIN, _l("Nguồn gốc, pháp lý đất")),
    (ConcernCategory.RESETTLEMENT, _l("Tái định cư")),
    (ConcernCategory.SUPPORT, _l("Hỗ trợ")),
    (ConcernCategory.TIMING, _l("Thời gian, tiến độ")),
    (ConcernCategory.PROCEDURE, _l("Thủ tục")),
    (ConcernCategory.OTHER, _l("Khác")),
    (Position.AGREES, _l("Đồng ý")),
    (Position.PARTLY, _l("Đồng ý một phần")),
    (Position.DISAGREES, _l("Không đồng ý")),
    (Position.NO_ANSWER, _l("Chưa trả lời")),
    (CommitmentStatus.OPEN, _l("Đang thực hiện")),
    (CommitmentStatus.DONE, _l("Đã thực hiện")),
    (CommitmentStatus.CANCELLED, _l("Đã hủy")),
    (DisputeStatus.NO_CONCERNS, _l("Chưa có vướng mắc")),
    (DisputeStatus.OPEN_CONCERNS, _l("Còn vướng mắc")),
    (DisputeStatus.DISAGREES, _l("Không đồng ý phương án")),
    (DisputeStatus.COMPLAINT_PENDING, _l("Đang khiếu nại")),
    (DisputeStatus.ENFORCEMENT, _l("Cưỡng chế")),
    (DisputeStatus.RESOLVED, _l("Đã giải quyết xong")),
    (RiskLevel.LOW, _l("Thấp")),
    (RiskLevel.MEDIUM, _l("Cần theo dõi")),
    (RiskLevel.HIGH, _l("Điểm nóng")),
    (UnitLevel.PROVINCE, _l("Tỉnh/Thành phố")),
    (UnitLevel.WARD, _l("Phường")),
    (UnitLevel.COMMUNE, _l("Xã")),
    (AssetKind.LAND, _l("Đất")),
    (AssetKind.STRUCTURE, _l("Nhà, công trình")),
    (AssetKind.CROP, _l("Cây trồng")),
    (AssetKind.GRAVE, _l("Mộ")),
    (AssetKind.OTHER, _l("Tài sản khác")),
    (RateCategory.LAND, _l("Giá đất")),
    (RateCategory.STRUCTURE, _l("Nhà, công trình")),
    (RateCategory.CROP, _l("Cây trồng, vật nuôi")),
    (RateCategory.SUPPORT, _l("Hỗ trợ")),
    (RateCategory.RESETTLEMENT, _l("Tái định cư")),
    (PlanStatus.DRAFT, _l("Dự thảo")),
    (PlanStatus.CHECKED, _l("Đã kiểm tra")),
    (PlanStatus.FROZEN, _l("Đã chốt, trình duyệt")),
    (PlanStatus.APPROVED, _l("Đã phê duyệt")),
    (DocumentType.COMPENSATION_NOTICE, _l("Thông báo bồi thường, hỗ trợ, tái định cư")),
    (DocumentType.RECOVERY_NOTICE, _l("Thông báo thu hồi đất")),
    (DocumentType.MEETING_MINUTES, _l("Biên bản đối thoại")),
    (DocumentType.PLAN_SUMMARY, _l("Bảng tổng hợp phương án")),
    (PrintJobStatus.QUEUED, _l("Đang chờ")),
    (PrintJobStatus.RUNNING, _l("Đang in")),
    (PrintJobStatus.DONE, _l("Đã xong")),
    (PrintJobStatus.FAILED, _l("Lỗi")),
)
TYPED_LABELS = {(type(member), member.value): text for member, text in _LABELLED}
LABELS: dict[str, object] = {}
for _member, _text in _LABELLED:
    LABELS.setdefault(_member.value, _text)


def label(value: StrEnum | str | None) -> str:
    """The user-facing label of a status or kind; unknown values are shown as they are."""
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        return str(TYPED_LABELS.get((type(value), value.value), value))
    return str(LABELS.get(value, value))


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum]
