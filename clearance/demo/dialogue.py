"""The demo's dialogue log and money (nhật ký đối thoại, cân đối lợi ích), all invented.

For both projects: the meetings held with the households — the briefing before the recovery
notice, visits to persuade at home, the group consultation right after the posting of the draft
plan, dialogues with those who disagreed, a mediation between co-users — with who attended, what
each household raised in its own words, what was answered and promised, and where it stood
afterwards; the offer to each case by version; the payments; a complaint and a petition; one
team lead's ruling on a dispute status.

The dates follow each case's timeline (``clearance.demo._timeline``): no consultation before the
posting, no visit after a handover, nothing after ``DEMO_TODAY``. The story the product brief
tells — the family at 44 Yết Kiêu, an offer revised after the dialogue, a gap of 18,8 %, a promise
to send back the survey record by 15/12 — is case YK-012, at the prices of this demo (the 2026
draft land table puts the land itself at about 300 million đồng per m²).

Everything goes through the services (``record_meeting``, ``close_commitment``, ``record_offer``,
``record_payment``, ``file_grievance``, ``set_dispute_status``) and is looked up by its natural
key first, so loading twice adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from clearance.demo.facts import DEMO_TODAY, price_per_m2
from clearance.extensions import db
from clearance.formatting import LOCAL_TZ, area
from clearance.models import (
    Case,
    CompensationOffer,
    DisputeRuling,
    Grievance,
    Meeting,
    MeetingCase,
    Party,
    Payment,
    Project,
    User,
)
from clearance.services import case_balance, disputes, grievances, meetings
from clearance.services.balance import case_balances
from clearance.workflow.statuses import (
    AttendeeSide,
    CaseStatus,
    CommitmentStatus,
    ConcernCategory,
    DisputeStatus,
    GrievanceKind,
    GrievanceLevel,
    MeetingKind,
    PartyKind,
    Position,
)

if TYPE_CHECKING:
    from clearance.demo import Tally

A, P, D, N = Position.AGREES, Position.PARTLY, Position.DISAGREES, Position.NO_ANSWER
PRICE, AREA, ORIGIN = ConcernCategory.PRICE, ConcernCategory.AREA, ConcernCategory.LAND_ORIGIN
RESETTLE, SUPPORT, TIMING = ConcernCategory.RESETTLEMENT, ConcernCategory.SUPPORT, ConcernCategory.TIMING
PROCEDURE, OTHER = ConcernCategory.PROCEDURE, ConcernCategory.OTHER

# --- who speaks for whom (invented people) -------------------------------------------------------

Person = tuple[AttendeeSide, str, str]

LAN: Person = (AttendeeSide.OFFICIAL, "Trần Thị Lan", "Tổ trưởng tổ GPMB phường Hai Bà Trưng")
HUNG: Person = (AttendeeSide.OFFICIAL, "Nguyễn Văn Hùng", "Cán bộ tổ GPMB phường Hai Bà Trưng")
TUAN: Person = (AttendeeSide.OFFICIAL, "Lê Minh Tuấn", "Cán bộ tổ GPMB phường Cửa Nam")
THINH: Person = (AttendeeSide.OFFICIAL, "Hoàng Văn Thịnh", "Công chức địa chính – xây dựng phường Hai Bà Trưng")
PC_HBT: Person = (AttendeeSide.WARD, "Đỗ Quang Minh", "Phó Chủ tịch UBND phường Hai Bà Trưng")
PC_CN: Person = (AttendeeSide.WARD, "Vũ Thị Thu Hà", "Phó Chủ tịch UBND phường Cửa Nam")
MTTQ_HBT: Person = (AttendeeSide.FATHERLAND_FRONT, "Nguyễn Thị Bích Ngọc", "Chủ tịch Ủy ban MTTQ Việt Nam phường Hai Bà Trưng")
MTTQ_CN: Person = (AttendeeSide.FATHERLAND_FRONT, "Phan Văn Lực", "Phó Chủ tịch Ủy ban MTTQ Việt Nam phường Cửa Nam")
MTTQ_TDP: Person = (AttendeeSide.FATHERLAND_FRONT, "Bùi Văn Tâm", "Trưởng ban công tác Mặt trận tổ dân phố số 7")
INVESTOR: Person = (
    AttendeeSide.INVESTOR, "Thượng tá Phạm Quốc Việt", "Đại diện Cục Quản lý xây dựng và doanh trại, Bộ Công an",
)
LAWYER: Person = (AttendeeSide.OTHER, "Luật sư Trịnh Văn Khoa", "Người đại diện theo ủy quyền của hộ, Đoàn Luật sư TP Hà Nội")
TDP: Person = (AttendeeSide.OTHER, "Ngô Thị Hồng", "Tổ trưởng tổ dân phố số 7")

#: Who speaks for an organisation at a meeting (case code → name, title).
ORG_REPRESENTATIVES = {
    "YK-006": ("Hoàng Quang Vinh", "Giám đốc"),
    "TBT-004": ("Vũ Thị Ngọc Anh", "Phó Giám đốc"),
}

HALL_HBT = "Hội trường UBND phường Hai Bà Trưng"
HALL_CN = "Hội trường UBND phường Cửa Nam"
CULTURE_HOUSE = "Nhà văn hóa tổ dân phố số 7, phố Yết Kiêu"
AT_HOME = "at home"  # the place is the household's address


# --- the minutes, as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """Tâm tư, nguyện vọng: a concern in the household's words, and the answer given."""

    category: ConcernCategory
    words: str
    answer: str = ""


@dataclass(frozen=True)
class Household:
    """One household at a meeting."""

    case: str
    position: Position = N
    demand: int | None = None
    refused_inventory: bool = False
    said: tuple[Said, ...] = ()
    #: Members besides the head (name, relation).
    family: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Promise:
    """Cam kết, and whether it was kept (``done_on``) by ``DEMO_TODAY``."""

    what: str
    responsible: str
    due_on: date
    case: str | None = None
    done_on: date | None = None
    outcome: str = ""


@dataclass(frozen=True)
class Minutes:
    project: str
    kind: MeetingKind
    held_at: datetime
    place: str
    #: Case codes, or "*" for every case of the project (with ``positions`` for the exceptions).
    households: tuple[Household, ...]
    officials: tuple[Person, ...]
    answers: str
    next_step: str = ""
    group_said: tuple[Said, ...] = ()
    promises: tuple[Promise, ...] = ()
    notes: str = ""
    everyone: bool = False
    #: When ``everyone``: the position of those not listed in ``households``.
    others: Position = N


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


# The family at 44 Yết Kiêu (YK-012): offered 20.000.000.000 đ in the posted draft, revised to
# 21.050.000.000 đ after the dialogue; the family asked 26,5 → 25,5 → 25 tỷ; paid nothing yet.
YK012_FIRST, YK012_REVISED = 20_000_000_000, 21_050_000_000

MINUTES: tuple[Minutes, ...] = (
    # --- BCA-YK44: notice 15/01, posting 10/06, approval 20/07, decision 28/07, payment 15/08 ---
    Minutes(
        "BCA-YK44", MeetingKind.PRE_NOTICE, at(date(2026, 1, 8), 19, 30), CULTURE_HOUSE,
        households=(), everyone=True, others=N,
        officials=(PC_HBT, PC_CN, MTTQ_HBT, LAN, HUNG, TUAN, INVESTOR, TDP),
        group_said=(
            Said(TIMING, "Bao giờ thì có giá bồi thường cụ thể cho từng nhà, và phải di dời trong bao lâu?",
                 "Sau thông báo thu hồi đất sẽ điều tra, kiểm đếm; dự thảo phương án được niêm yết công khai 30 ngày "
                 "để các hộ góp ý trước khi phê duyệt."),
            Said(RESETTLE, "Tái định cư ở đâu? Các cụ già ở phố này cả đời rồi, đi xa không quen.",
                 "Khu tái định cư Mai Lâm, Đông Anh; hộ nào có nhu cầu khác thì ghi vào phiếu để tổ tổng hợp, báo cáo thành phố."),
            Said(PRICE, "Giá đất nhà nước thấp hơn giá mua bán ngoài thị trường nhiều lắm.",
                 "Giá bồi thường tính theo giá đất cụ thể do UBND thành phố quyết định tại thời điểm thu hồi."),
        ),
        answers="Phó Chủ tịch UBND phường phổ biến chủ trương thu hồi đất thực hiện dự án Trụ sở làm việc Bộ Công an "
                "(Quyết định 35/QĐ-TTg), phạm vi, trình tự thu hồi, bồi thường, hỗ trợ, tái định cư theo Luật Đất đai 2024.",
        next_step="Ban hành thông báo thu hồi đất; lập kế hoạch điều tra, kiểm đếm.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.CONSULTATION, at(date(2026, 6, 16), 8, 0), HALL_HBT,
        everyone=True, others=A,
        households=(
            Household("YK-001", D, 19_500_000_000, said=(
                Said(PRICE, "Nhà tôi mặt phố, buôn bán được; giá này không mua nổi căn nhà nào trong phố cổ.",
                     "Giá đất cụ thể theo vị trí 1 đường Yết Kiêu; tổ sẽ tính lại lợi thế kinh doanh nếu có giấy phép."),
                Said(RESETTLE, "Không đi Đông Anh. Đề nghị bố trí nhà trong quận cũ."),
            )),
            Household("YK-003", P, said=(
                Said(OTHER, "Thửa 42 đồng sử dụng với nhà anh Hiếu, nhưng ngôi nhà ba tầng là nhà tôi xây năm 2010, "
                            "tiền tài sản phải tính riêng cho tôi.",
                     "Tổ GPMB sẽ tách giá trị tài sản theo phần xây dựng của từng hộ."),
            )),
            Household("YK-006", P, said=(
                Said(SUPPORT, "Công ty có 14 lao động, đề nghị hỗ trợ ngừng sản xuất kinh doanh và hỗ trợ người lao động mất việc.",
                     "Tổ hướng dẫn công ty nộp báo cáo tài chính 3 năm và danh sách lao động có hợp đồng."),
            )),
            Household("YK-009", D, 48_000_000_000, said=(
                Said(AREA, "Diện tích thu hồi thiếu phần đất phía sau nhà gia đình sử dụng ổn định từ năm 1994.",
                     "Phần đất này chưa có trong hồ sơ địa chính; tổ sẽ đối chiếu bản đồ 1994 và xác minh với tổ dân phố."),
            )),
            Household("YK-011", P, said=(
                Said(SUPPORT, "Hai vợ chồng tôi đã nghỉ hưu, sống bằng tiền cho thuê tầng một; mất nhà là mất thu nhập.",
                     "Hộ được hỗ trợ ổn định đời sống; tổ đề xuất xem xét thêm hỗ trợ do ngừng cho thuê."),
            )),
            Household("YK-012", D, 26_500_000_000, said=(
                Said(PRICE, "Giá đền bù thấp hơn giá thị trường; nhà mặt phố Yết Kiêu đang rao bán 400–450 triệu một mét vuông.",
                     "Giá bồi thường là giá đất cụ thể theo bảng giá 2026 và hệ số điều chỉnh; tổ sẽ giải thích cách tính tại buổi đối thoại."),
                Said(RESETTLE, "Muốn tái định cư tại chỗ hoặc trong quận cũ; Mai Lâm – Đông Anh xa quá, các cháu đi học ở Hoàn Kiếm.",
                     "Ghi nhận; báo cáo UBND phường và thành phố."),
            )),
            Household("YK-015", P, said=(
                Said(ORIGIN, "Phần 12 mét vuông phía sau nhà gia đình mua giấy tay năm 1993, chưa được tính bồi thường về đất.",
                     "Phường sẽ xác minh nguồn gốc, thời điểm sử dụng phần đất này."),
            )),
            Household("YK-016", P, said=(
                Said(RESETTLE, "Gia đình dùng hai thửa liền kề, hai hộ con cùng sinh sống, đề nghị được bố trí hai suất tái định cư.",
                     "Tổ đối chiếu hộ khẩu, điều kiện tách hộ để đề xuất."),
            )),
            Household("YK-019", P, said=(
                Said(AREA, "Phần đất còn lại sau thu hồi méo mó, không đủ điều kiện xây dựng; đề nghị thu hồi hết.",
                     "Tổ ghi nhận, báo cáo UBND phường xem xét thu hồi phần còn lại theo đề nghị của hộ."),
            )),
            Household("YK-007", A, said=(
                Said(ORIGIN, "Nhà mua giấy tay năm 1992, sổ đỏ vẫn mang tên chủ cũ; xin hướng dẫn thủ tục để được bồi thường.",
                     "Hộ bổ sung giấy tờ mua bán, xác nhận của tổ dân phố; phường xác nhận nguồn gốc đất."),
            )),
        ),
        officials=(PC_HBT, PC_CN, MTTQ_HBT, MTTQ_CN, LAN, HUNG, TUAN, THINH, INVESTOR),
        promises=(
            Promise("Xác minh nguồn gốc, thời điểm sử dụng phần đất 12 m² phía sau nhà", "Vũ Thị Thu Hà", date(2026, 9, 30),
                    "YK-015", date(2026, 9, 25),
                    "Đã xác minh: sử dụng ổn định từ năm 1993, đủ điều kiện bồi thường về đất (biên bản ngày 25/09/2026)."),
            Promise("Công ty nộp báo cáo tài chính 3 năm và danh sách lao động có hợp đồng", "Hoàng Quang Vinh",
                    date(2026, 6, 30), "YK-006", date(2026, 6, 26), "Công ty đã nộp đủ hồ sơ."),
        ),
        group_said=(
            Said(TIMING, "Đề nghị cho các hộ ít nhất ba tháng sau khi nhận tiền để tìm chỗ ở.",
                 "Thời hạn bàn giao ghi trong quyết định; tổ đề xuất hỗ trợ thuê nhà trong thời gian chờ bố trí tái định cư."),
        ),
        answers="Tổ GPMB trình bày dự thảo phương án bồi thường, hỗ trợ, tái định cư đã niêm yết từ 10/06/2026: cách tính "
                "giá đất cụ thể, tài sản trên đất, các khoản hỗ trợ và tái định cư tại Mai Lâm, Đông Anh.",
        next_step="Tổng hợp ý kiến; tổ chức đối thoại với các hộ chưa đồng ý trong 60 ngày.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.DIALOGUE, at(date(2026, 7, 2), 8, 30), HALL_HBT,
        households=(
            Household("YK-012", P, 25_500_000_000, family=(("Nguyễn Đức Anh", "Con trai chủ hộ"),), said=(
                Said(AREA, "Diện tích đo đạc thiếu 2,3 mét vuông so với sổ đỏ cấp năm 2003, chưa tính phần tum và bếp.",
                     "Tổ đo đạc bổ sung phần công trình phụ có mặt hộ."),
                Said(SUPPORT, "Xin hỗ trợ tiền thuê nhà trong thời gian chờ căn hộ tái định cư.",
                     "Tổ báo cáo UBND phường đề xuất hỗ trợ thuê nhà 12 tháng."),
            )),
        ),
        officials=(PC_HBT, MTTQ_HBT, LAN, HUNG, THINH, INVESTOR),
        promises=(
            Promise("Đo đạc bổ sung phần công trình phụ (tum, bếp) có mặt hộ", "Hoàng Văn Thịnh", date(2026, 7, 10), "YK-012",
                    date(2026, 7, 8), "Đã đo ngày 08/07/2026; biên bản đo đạc bổ sung gửi hộ."),
            Promise("Báo cáo UBND phường đề xuất hỗ trợ thuê nhà 12 tháng cho hộ", "Trần Thị Lan", date(2026, 7, 15), "YK-012",
                    date(2026, 7, 10), "Đã trình; phương án điều chỉnh ngày 10/07/2026 có khoản hỗ trợ thuê nhà."),
        ),
        answers="Giải thích cách xác định giá đất cụ thể vị trí 1 đường Yết Kiêu; tiếp thu đề nghị về diện tích và hỗ trợ thuê nhà.",
        next_step="Điều chỉnh dự thảo phương án sau khi đo đạc bổ sung.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.DIALOGUE, at(date(2026, 7, 3), 8, 30), HALL_CN,
        households=(
            Household("YK-001", D, 19_500_000_000, family=(("Đinh Văn Sơn", "Chồng chủ hộ"),), said=(
                Said(PRICE, "Giữ nguyên ý kiến: giá này không đủ mua chỗ ở mới trong nội thành.",
                     "Giá đất cụ thể đã được Hội đồng thẩm định giá đất thành phố thẩm định."),
                Said(RESETTLE, "Gia đình sáu người, một suất căn hộ ở Đông Anh không đủ.", "Ghi nhận, báo cáo thành phố."),
            )),
        ),
        officials=(PC_CN, MTTQ_CN, LAN, TUAN, INVESTOR),
        answers="Đối thoại theo Điều 87 Luật Đất đai 2024; hộ giữ nguyên ý kiến không đồng ý.",
        next_step="Vận động tiếp; trình phê duyệt phương án.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.DIALOGUE, at(date(2026, 7, 3), 14, 0), HALL_CN,
        households=(
            Household("YK-009", D, 48_000_000_000, said=(
                Said(AREA, "Đề nghị đo đạc lại ranh giới phía sau; bản đồ năm 1994 không đúng hiện trạng.",
                     "Tổ sẽ đo lại khi có đủ chữ ký của các hộ liền kề."),
            )),
        ),
        officials=(PC_CN, MTTQ_CN, LAN, TUAN, THINH),
        answers="Đối chiếu bản đồ địa chính năm 1994 và hồ sơ kê khai; hộ chưa đồng ý.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 7, 30), 15, 0), AT_HOME,
        households=(Household("YK-006", A, said=(
            Said(SUPPORT, "Công ty đồng ý phương án khi đã có khoản hỗ trợ người lao động.",
                 "Khoản hỗ trợ ngừng kinh doanh và người lao động đã có trong phương án được duyệt."),
        )),),
        officials=(TUAN, LAN),
        answers="Giải thích các khoản hỗ trợ trong phương án được phê duyệt theo Quyết định 85/QĐ-UBND.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 8, 5), 9, 0), AT_HOME,
        households=(Household("YK-019", A, family=(("Khúc Minh Đức", "Con trai chủ hộ"),), said=(
            Said(AREA, "Gia đình nhận tiền để bàn giao đúng hạn, nhưng vẫn đề nghị thu hồi nốt phần đất còn lại.",
                 "Tổ đã báo cáo; UBND phường sẽ trả lời bằng văn bản."),
        )),),
        officials=(HUNG, MTTQ_TDP),
        promises=(
            Promise("Báo cáo UBND phường xem xét thu hồi phần đất còn lại theo đề nghị của hộ", "Trần Thị Lan",
                    date(2026, 9, 30), "YK-019", date(2026, 9, 28), "Đã trình Tờ trình 52/TTr-GPMB ngày 28/09/2026."),
        ),
        answers="Hộ đồng ý nhận tiền bồi thường theo phương án được duyệt.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 8, 20), 9, 0), AT_HOME,
        households=(Household("YK-001", D, 19_500_000_000, said=(
            Said(PRICE, "Gia đình không nhận tiền, không bàn giao khi chưa được tính lại giá.",
                 "Tiền bồi thường hộ không nhận sẽ được gửi vào tài khoản tạm giữ tại Kho bạc; tiền lãi thuộc về hộ."),
        )),),
        officials=(TUAN, MTTQ_CN),
        answers="Giải thích quyết định thu hồi đất 91/QĐ-UBND và thời hạn bàn giao.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.MEDIATION, at(date(2026, 8, 20), 14, 30), HALL_CN,
        households=(
            Household("YK-002", A),
            Household("YK-003", P, said=(
                Said(OTHER, "Đồng ý chia đôi tiền đất, nhưng giá trị ngôi nhà ba tầng phải trả cho người xây.",
                     "Tổ tách giá trị nhà theo phần xây dựng của từng hộ, gửi hai hộ."),
            )),
        ),
        officials=(PC_CN, MTTQ_CN, TUAN, TDP),
        promises=(
            Promise("Tách giá trị ngôi nhà ba tầng theo phần xây dựng của từng hộ, gửi hai hộ", "Lê Minh Tuấn",
                    date(2026, 9, 4), "YK-003", date(2026, 9, 3), "Đã gửi bảng tách giá trị cho hai hộ."),
        ),
        answers="Hòa giải việc phân chia tiền bồi thường giữa hai hộ đồng sử dụng thửa 42.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 8, 25), 16, 0), AT_HOME,
        households=(Household("YK-004", A, said=(
            Said(SUPPORT, "Tôi ở một mình, tuổi cao, không tự chuyển đồ đạc được.",
                 "Tổ GPMB và Đoàn thanh niên phường giúp bà chuyển đồ."),
        )),),
        officials=(TUAN,),
        promises=(
            Promise("Giúp bà chuyển đồ đạc sang nhà thuê trước ngày bàn giao", "Lê Minh Tuấn", date(2026, 9, 5), "YK-004",
                    date(2026, 9, 5), "Tổ GPMB và Đoàn thanh niên phường đã chuyển đồ ngày 05/09/2026."),
        ),
        answers="Hướng dẫn thủ tục bàn giao mặt bằng.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 9, 25), 9, 0), AT_HOME,
        households=(Household("YK-001", D, said=(
            Said(PROCEDURE, "Gia đình sẽ khiếu nại nếu bị cưỡng chế.",
                 "Khiếu nại không làm dừng việc cưỡng chế (Nghị định 102/2024/NĐ-CP, Điều 40); tổ hướng dẫn cách gửi đơn."),
        )),),
        officials=(PC_CN, MTTQ_CN, TUAN, LAN),
        promises=(
            Promise("Thông báo bằng văn bản lịch cưỡng chế và phương án hỗ trợ di chuyển tài sản", "Lê Minh Tuấn",
                    date(2026, 9, 30), "YK-001", date(2026, 9, 29), "Đã giao thông báo ngày 29/09/2026, hộ không ký nhận."),
        ),
        answers="Vận động lần cuối trước khi tổ chức cưỡng chế.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 9, 25), 15, 0), AT_HOME,
        households=(Household("YK-012", P, said=(
            Said(TIMING, "Chưa biết căn hộ tái định cư ở tầng nào, tòa nào thì chưa thể chuyển đi.",
                 "Tổ đề nghị Ban quản lý dự án bố trí căn hộ và báo cho hộ."),
        )),),
        officials=(HUNG, MTTQ_TDP),
        promises=(
            Promise("Đề nghị Ban quản lý khu tái định cư Mai Lâm bố trí căn hộ, thông báo vị trí cho hộ", "Nguyễn Văn Hùng",
                    date(2026, 10, 30), "YK-012", date(2026, 10, 28), "Đã thông báo căn hộ tầng 3, tòa CT2, khu Mai Lâm."),
        ),
        answers="Nhắc hộ nhận tiền bồi thường theo quyết định.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 10, 15), 9, 0), AT_HOME,
        households=(Household("YK-011", A, said=(
            Said(SUPPORT, "Đã có khoản hỗ trợ do ngừng cho thuê nhà thì gia đình đồng ý.", ""),
        )),),
        officials=(HUNG,),
        answers="Phương án được duyệt có hỗ trợ ổn định đời sống 6 tháng và hỗ trợ do ngừng cho thuê.",
        next_step="Hẹn lịch nhận tiền.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 10, 15), 15, 0), AT_HOME,
        households=(Household("YK-015", A, said=(
            Said(ORIGIN, "Phần 12 mét vuông đã được tính, gia đình đồng ý.", ""),
        )),),
        officials=(HUNG, THINH),
        answers="Thông báo kết quả xác minh nguồn gốc đất và phương án điều chỉnh.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 10, 28), 9, 0), AT_HOME,
        households=(Household("YK-007", A),),
        officials=(TUAN,),
        promises=(
            Promise("Phường xác nhận nguồn gốc, thời điểm sử dụng đất để hoàn thiện hồ sơ bồi thường", "Vũ Thị Thu Hà",
                    date(2026, 11, 30), "YK-007"),
        ),
        answers="Hướng dẫn hộ nộp giấy tờ mua bán năm 1992 và xác nhận của tổ dân phố.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 11, 5), 19, 0), AT_HOME,
        households=(Household("YK-016", N, said=(
            Said(RESETTLE, "Gia đình xin thêm thời gian bàn với các con về việc ở chung một căn hộ.", ""),
        )),),
        officials=(HUNG, MTTQ_TDP),
        answers="Hai hộ con chưa đủ điều kiện tách hộ trước thời điểm thông báo thu hồi đất; hộ được một suất tái định cư.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 11, 12), 9, 0), AT_HOME,
        households=(Household("YK-009", D, 48_000_000_000, said=(
            Said(AREA, "Gia đình đã gửi đơn khiếu nại quyết định thu hồi đất; đề nghị đo lại trước khi giải quyết.",
                 "Tổ thống nhất đo lại ranh giới phía sau có mặt các hộ liền kề."),
        )),),
        officials=(TUAN, THINH, LAWYER),
        promises=(
            Promise("Đo đạc lại ranh giới phía sau thửa với sự chứng kiến của các hộ liền kề", "Hoàng Văn Thịnh",
                    date(2026, 11, 25), "YK-009"),
        ),
        answers="Giải thích trình tự giải quyết khiếu nại lần đầu.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 11, 12), 15, 0), AT_HOME,
        households=(Household("YK-003", P, 16_800_000_000, said=(
            Said(OTHER, "Bảng tách giá trị nhà chưa đúng phần tầng ba tôi xây thêm năm 2015.",
                 "Tổ đề nghị phường hòa giải lần hai giữa hai hộ."),
        )),),
        officials=(TUAN,),
        promises=(
            Promise("UBND phường tổ chức hòa giải lần hai giữa hai hộ đồng sử dụng thửa 42", "Vũ Thị Thu Hà",
                    date(2026, 11, 27), "YK-003"),
        ),
        answers="Hộ chưa nhận tiền bồi thường.",
    ),
    Minutes(
        "BCA-YK44", MeetingKind.PERSUASION, at(date(2026, 11, 23), 10, 0), AT_HOME,
        households=(
            Household("YK-012", P, 25_000_000_000, family=(("Nguyễn Đức Anh", "Con trai chủ hộ"),), said=(
                Said(PRICE, "Giá đền bù thấp hơn giá thị trường.", "Giá đã điều chỉnh theo kết quả đối thoại; không có căn cứ tăng thêm."),
                Said(RESETTLE, "Muốn tái định cư tại chỗ.", "Dự án không có quỹ nhà tại chỗ; căn hộ Mai Lâm đã được giữ cho hộ."),
            )),
        ),
        officials=(HUNG, MTTQ_TDP),
        promises=(
            Promise("Gửi lại biên bản đo đạc (bản có chữ ký các bên) cho hộ", "Nguyễn Văn Hùng", date(2026, 12, 15), "YK-012"),
        ),
        answers="Giải thích lại cách tính giá trị bồi thường 21.050.000.000 đ sau điều chỉnh; hộ hạ mức đề nghị còn 25 tỷ đồng.",
        next_step="Báo cáo trưởng nhóm; hẹn gặp lại sau khi gửi biên bản đo đạc.",
        notes="Ảnh biên bản có chữ ký lưu tại tổ GPMB.",
    ),
    # --- BCA-TBT30: notice 10/02, survey from 17/03, draft plan posted 05/11/2026 ---
    Minutes(
        "BCA-TBT30", MeetingKind.PRE_NOTICE, at(date(2026, 2, 3), 19, 30), HALL_CN,
        households=(), everyone=True, others=N,
        officials=(PC_CN, PC_HBT, MTTQ_CN, LAN, TUAN, INVESTOR),
        group_said=(
            Said(TIMING, "Sắp Tết rồi, xin đừng kiểm đếm trong tháng Giêng.",
                 "Kế hoạch điều tra, kiểm đếm bắt đầu từ giữa tháng 3/2026."),
            Said(RESETTLE, "Có được chọn căn hộ tái định cư không, hay bốc thăm?",
                 "Bốc thăm công khai theo quy chế của thành phố; hộ có người khuyết tật, người cao tuổi được ưu tiên tầng thấp."),
        ),
        answers="Phổ biến chủ trương thu hồi đất dự án Trụ sở làm việc Bộ Công an tại số 30 Trần Bình Trọng.",
        next_step="Ban hành thông báo thu hồi đất ngày 10/02/2026.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 3, 17), 9, 0), AT_HOME,
        households=(Household("TBT-011", D, refused_inventory=True, family=(("Lại Thị Hương", "Con gái chủ hộ"),), said=(
            Said(ORIGIN, "Nhà này Nhà nước phân cho bố tôi năm 1985, gia đình đã hóa giá năm 1998; phải công nhận là đất ở hợp pháp.",
                 "Hồ sơ hóa giá là căn cứ để bồi thường về đất; tổ cần kiểm đếm để lập hồ sơ."),
            Said(RESETTLE, "Gia đình có công với cách mạng, đề nghị tái định cư tại chỗ trong nội thành, không đi Đông Anh.",
                 "Ghi nhận, báo cáo UBND phường."),
            Said(PROCEDURE, "Chưa thấy văn bản nào nói rõ chính sách cho gia đình người có công thì gia đình không cho kiểm đếm.", ""),
        )),),
        officials=(TUAN, THINH),
        promises=(
            Promise("Gửi hộ bản sao Thông báo thu hồi đất 33/TB-UBND và chính sách hỗ trợ người có công", "Lê Minh Tuấn",
                    date(2026, 3, 24), "TBT-011", date(2026, 3, 23), "Đã gửi qua con gái chủ hộ."),
        ),
        answers="Giải thích quyền và nghĩa vụ của người có đất thu hồi trong điều tra, kiểm đếm (Điều 88 Luật Đất đai 2024).",
        notes="Hộ không cho vào nhà để kiểm đếm.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 4, 14), 9, 0), AT_HOME,
        households=(Household("TBT-011", D, refused_inventory=True, said=(
            Said(SUPPORT, "Đề nghị hỗ trợ thêm cho gia đình người có công theo Pháp lệnh ưu đãi người có công.",
                 "Chế độ ưu đãi do ngành lao động – thương binh và xã hội xác nhận; tổ sẽ hỏi phường."),
        )),),
        officials=(TUAN, MTTQ_CN),
        answers="Vận động hộ phối hợp điều tra, kiểm đếm.",
        notes="Hộ vẫn không cho kiểm đếm.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 9, 9), 9, 0), AT_HOME,
        households=(Household("TBT-015", A, said=(
            Said(SUPPORT, "Tôi sống một mình, tuổi cao, không tự chuyển đồ được khi phải dọn đi.",
                 "Tổ GPMB và Đoàn thanh niên phường sẽ giúp bà khi bàn giao."),
        )),),
        officials=(HUNG, MTTQ_HBT),
        promises=(
            Promise("Tổ GPMB và Đoàn thanh niên phường giúp bà chuyển đồ khi bàn giao mặt bằng", "Nguyễn Văn Hùng",
                    date(2026, 12, 31), "TBT-015"),
        ),
        answers="Giải thích khoản hỗ trợ di chuyển và ưu tiên căn hộ tầng thấp cho người cao tuổi.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 9, 10), 9, 0), AT_HOME,
        households=(Household("TBT-018", P, said=(
            Said(SUPPORT, "Nhà tôi là hộ nghèo, xin mức hỗ trợ ổn định đời sống cao nhất và cho con học nghề.",
                 "Hộ nghèo được hỗ trợ ổn định đời sống và đào tạo nghề, chuyển đổi việc làm."),
        )),),
        officials=(HUNG,),
        promises=(
            Promise("Lập danh sách đề nghị hỗ trợ đào tạo nghề, chuyển đổi việc làm cho con của hộ", "Nguyễn Văn Hùng",
                    date(2026, 9, 30), "TBT-018", date(2026, 9, 28), "Đã gửi Phòng Văn hóa – Xã hội phường."),
        ),
        answers="Hướng dẫn hồ sơ hỗ trợ hộ nghèo.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 10, 22), 9, 0), AT_HOME,
        households=(Household("TBT-011", D, refused_inventory=True, said=(
            Said(PROCEDURE, "Gia đình không ký biên bản khi chưa có văn bản trả lời về chế độ người có công.",
                 "Phường sẽ xác minh và trả lời bằng văn bản trước 12/11/2026."),
        )),),
        officials=(PC_CN, MTTQ_CN, TUAN),
        promises=(
            Promise("Phòng Văn hóa – Xã hội phường Cửa Nam xác minh chế độ người có công của hộ, trả lời bằng văn bản",
                    "Vũ Thị Thu Hà", date(2026, 11, 12), "TBT-011"),
        ),
        answers="Thông báo nếu hộ không phối hợp, UBND phường sẽ ban hành quyết định kiểm đếm bắt buộc (Điều 88).",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.CONSULTATION, at(date(2026, 11, 12), 8, 0), HALL_CN,
        households=(
            Household("TBT-001", P, said=(
                Said(AREA, "Phần đất còn lại sau thu hồi vẫn ở được nhưng phải sửa lại mặt tiền; xin hỗ trợ chi phí cải tạo.",
                     "Hộ được bồi thường phần công trình bị cắt xén; tổ tính thêm chi phí sửa chữa."),
            )),
            Household("TBT-003", A),
            Household("TBT-005", A),
            Household("TBT-007", P, said=(
                Said(OTHER, "Đồng ý chia đôi tiền đất với nhà bà Phương, nhưng tầng ba là nhà tôi xây.", ""),
            )),
            Household("TBT-008", D, said=(
                Said(OTHER, "Phần nhà xây thêm năm 2015 là của hộ tôi, phải được tính riêng.",
                     "Phường sẽ tổ chức hòa giải giữa hai hộ đồng sử dụng."),
            )),
            Household("TBT-009", P, said=(
                Said(RESETTLE, "Nhà có con bị khuyết tật vận động, xin căn hộ tầng một hoặc tầng hai.",
                     "Ưu tiên theo quy chế; tổ có văn bản đề nghị Ban quản lý khu tái định cư."),
            )),
            Household("TBT-010", D, 58_000_000_000, family=(("Đào Minh Khang", "Con trai chủ hộ"),), said=(
                Said(PRICE, "Giá 296 triệu một mét vuông chỉ bằng hai phần ba giá giao dịch thực tế trên phố Trần Bình Trọng.",
                     "Giá đất cụ thể đang được thẩm định; tổ sẽ cung cấp chứng thư khi có."),
            )),
            Household("TBT-020", P, said=(
                Said(SUPPORT, "Cửa hàng tạp hóa là nguồn thu chính của cả nhà; xin hỗ trợ ngừng kinh doanh 12 tháng.",
                     "Hỗ trợ theo thu nhập sau thuế bình quân 3 năm; hộ nộp sổ sách, biên lai thuế."),
            )),
        ),
        officials=(PC_CN, PC_HBT, MTTQ_CN, LAN, TUAN, HUNG, INVESTOR),
        group_said=(
            Said(TIMING, "Đề nghị không bàn giao trong tháng Tết.", "Ghi nhận; thời hạn bàn giao sẽ tính đến Tết Nguyên đán."),
        ),
        answers="Tổ GPMB trình bày dự thảo phương án niêm yết từ 05/11/2026 (Thông báo 146/TB-UBND); thời hạn góp ý 30 ngày.",
        next_step="Đối thoại với các hộ không đồng ý; hòa giải giữa hai hộ đồng sử dụng thửa 124.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 11, 19), 9, 0), AT_HOME,
        households=(Household("TBT-011", D, refused_inventory=True, said=(
            Said(PROCEDURE, "Phường hứa trả lời trước 12/11 mà đến nay vẫn chưa có văn bản.",
                 "Tổ xin lỗi hộ, báo cáo lãnh đạo phường đôn đốc."),
        )),),
        officials=(TUAN, MTTQ_CN),
        answers="Hộ vẫn chưa đồng ý cho kiểm đếm.",
        next_step="Báo cáo UBND phường; xem xét quyết định kiểm đếm bắt buộc.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.DIALOGUE, at(date(2026, 11, 20), 9, 0), HALL_CN,
        households=(Household("TBT-010", D, 55_000_000_000, family=(("Đào Minh Khang", "Con trai chủ hộ"),), said=(
            Said(PRICE, "Gia đình bảy người, nhà mặt phố đang kinh doanh; mức này không mua lại được nhà tương tự.",
                 "Giải thích cách tính giá đất cụ thể; hộ được tính hỗ trợ ổn định sản xuất kinh doanh."),
            Said(AREA, "Phần thu hồi cắt qua cầu thang, phần còn lại không dùng được.",
                 "Tổ kiểm tra hiện trạng; nếu không sử dụng được, đề xuất thu hồi hết."),
        )),),
        officials=(PC_CN, MTTQ_CN, LAN, TUAN, INVESTOR),
        promises=(
            Promise("Cung cấp cho hộ chứng thư thẩm định giá đất cụ thể và bảng tính chi tiết", "Trần Thị Lan",
                    date(2026, 12, 4), "TBT-010"),
        ),
        answers="Đối thoại theo Điều 87 Luật Đất đai 2024; hộ hạ mức đề nghị từ 58 xuống 55 tỷ đồng nhưng chưa đồng ý.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.MEDIATION, at(date(2026, 11, 24), 14, 0), HALL_CN,
        households=(
            Household("TBT-007", P, said=(
                Said(OTHER, "Đồng ý chia đôi tiền đất; tiền tầng ba phải trả cho gia đình tôi.", ""),
            )),
            Household("TBT-008", D, said=(
                Said(OTHER, "Không đồng ý chia như vậy khi chưa có bản vẽ hiện trạng phần xây dựng của từng nhà.",
                     "Tổ đo vẽ hiện trạng, gửi hai hộ trước buổi hòa giải lần hai."),
            )),
        ),
        officials=(PC_CN, MTTQ_CN, TUAN, THINH),
        promises=(
            Promise("Đo vẽ hiện trạng phần xây dựng của từng hộ trên thửa 124", "Hoàng Văn Thịnh", date(2026, 11, 27), "TBT-008",
                    date(2026, 11, 27), "Đã đo vẽ, gửi hai hộ bản vẽ hiện trạng."),
            Promise("UBND phường tổ chức hòa giải lần hai giữa hai hộ đồng sử dụng thửa 124", "Vũ Thị Thu Hà",
                    date(2026, 12, 8), "TBT-008"),
        ),
        answers="Hòa giải tại UBND phường Cửa Nam; hai hộ chưa thống nhất.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 11, 25), 15, 0), AT_HOME,
        households=(Household("TBT-020", A, said=(
            Said(SUPPORT, "Đã hiểu cách tính hỗ trợ ngừng kinh doanh; gia đình đồng ý.", ""),
        )),),
        officials=(HUNG,),
        answers="Giải thích khoản hỗ trợ ổn định sản xuất, kinh doanh theo thu nhập sau thuế.",
    ),
    Minutes(
        "BCA-TBT30", MeetingKind.PERSUASION, at(date(2026, 11, 26), 9, 0), AT_HOME,
        households=(Household("TBT-009", A),),
        officials=(TUAN, MTTQ_CN),
        promises=(
            Promise("Đề nghị Ban quản lý khu tái định cư Mai Lâm bố trí căn hộ tầng 1 hoặc 2 cho hộ", "Lê Minh Tuấn",
                    date(2026, 12, 15), "TBT-009"),
        ),
        answers="Hộ đồng ý phương án khi được ưu tiên căn hộ tầng thấp.",
    ),
)


# --- offers, payments, complaints, the ruling ----------------------------------------------------

#: Seed of the offer each case gets in its draft plan (a share of its budget share).
OFFER_SEED = 2611

#: Explicit offer versions (case → (amount or None for the drafted one, day, basis)).
OFFER_HISTORY: dict[str, tuple[tuple[int | str, date, str], ...]] = {
    "YK-012": (
        (YK012_FIRST, date(2026, 6, 10), "Dự thảo phương án niêm yết công khai từ 10/06/2026."),
        (YK012_REVISED, date(2026, 7, 10),
         "Theo kết quả đối thoại ngày 02/07/2026: bổ sung hỗ trợ thuê nhà ở tạm 12 tháng (360.000.000 đ) và hỗ trợ "
         "di chuyển (30.000.000 đ); tính thêm công trình phụ (tum, bếp) theo biên bản đo đạc bổ sung ngày 08/07/2026 "
         "(660.000.000 đ)."),
    ),
    # 12 m² behind the house, bought in 1993 and found to qualify: added at the VT1 residential price.
    "YK-015": (
        ("draft", date(2026, 6, 10), "Dự thảo phương án niêm yết công khai từ 10/06/2026."),
        ("+12", date(2026, 10, 12),
         "Phương án điều chỉnh: bồi thường thêm 12,00 m² đất ở phía sau nhà sau khi xác minh nguồn gốc (sử dụng ổn định "
         "từ năm 1993), đơn giá vị trí 1 đường Yết Kiêu."),
    ),
    "YK-011": (
        ("draft", date(2026, 6, 10), "Dự thảo phương án niêm yết công khai từ 10/06/2026."),
        ("+support", date(2026, 7, 20),
         "Phương án được phê duyệt (Quyết định 85/QĐ-UBND): bổ sung hỗ trợ do ngừng cho thuê nhà 6 tháng."),
    ),
}
#: The support added to YK-011's approved plan (6 months of lost rent).
YK011_SUPPORT = 180_000_000

GRIEVANCES: tuple[tuple[str, dict], ...] = (
    ("YK-009", {
        "kind": GrievanceKind.COMPLAINT, "level": GrievanceLevel.FIRST, "filed_on": date(2026, 11, 10),
        "against": "Quyết định 91/QĐ-UBND ngày 28/07/2026 về thu hồi đất",
        "content": "Không đồng ý diện tích đất thu hồi và bồi thường; đề nghị đo đạc lại phần đất phía sau nhà gia đình "
                   "đã sử dụng ổn định từ năm 1994 và tính bồi thường cho phần diện tích này.",
    }),
    ("YK-016", {
        "kind": GrievanceKind.PETITION, "level": GrievanceLevel.FIRST, "filed_on": date(2026, 11, 18),
        "against": "",
        "content": "Đề nghị lùi thời hạn bàn giao mặt bằng đến hết tháng 02/2027 để gia đình kịp thuê nhà và chuyển trường "
                   "cho hai cháu đang học tại phường.",
    }),
)

#: The team lead's ruling: YK-019 was paid (derived: resolved), but the household keeps asking.
RULING_CASE = "YK-019"
RULING_AT = at(date(2026, 11, 25), 16, 30)


def _ruling_reason(remaining: str) -> str:
    return (
        "Hộ đã nhận tiền bồi thường nhưng ngày 24/11/2026 gọi điện cho tổ, tiếp tục đề nghị thu hồi nốt "
        f"{remaining} đất còn lại không đủ điều kiện xây dựng; UBND phường chưa trả lời Tờ trình 52/TTr-GPMB. "
        "Theo dõi đến khi có văn bản trả lời."
    )


# --- loading -------------------------------------------------------------------------------------


@dataclass
class _Context:
    cases: dict[str, Case]
    parties: dict[str, Party]
    users: dict[str, User]
    projects: dict[str, Project]
    now: datetime
    known: set[tuple[int, str, datetime]] = field(default_factory=set)


def load_dialogue(tally: Tally) -> None:
    """Meetings, offers, payments, a complaint and a petition, and one ruling. Flushes only."""
    projects = {p.code: p for p in db.session.scalars(sa.select(Project).where(Project.code.in_(("BCA-YK44", "BCA-TBT30"))))}
    rows = db.session.execute(
        sa.select(Case, Party).join(Party, Party.id == Case.party_id).where(Case.project_id.in_([p.id for p in projects.values()]))
    ).all()
    context = _Context(
        cases={case.code: case for case, _party in rows},
        parties={case.code: party for case, party in rows},
        users={u.username: u for u in db.session.scalars(sa.select(User))},
        projects=projects,
        # Minutes may not be dated after the clock; the demo's own "today" is DEMO_TODAY.
        now=datetime.now(UTC),
    )
    context.known = {
        (row.project_id, row.kind.value, row.held_at.astimezone(UTC))
        for row in db.session.execute(sa.select(Meeting.project_id, Meeting.kind, Meeting.held_at))
    }
    for minutes in MINUTES:
        _meeting(minutes, context, tally)
    _offers(context, tally)
    _payments(context, tally)
    for code, values in GRIEVANCES:
        _grievance(context.cases[code], context.parties[code], values, tally)
    _ruling(context, tally)
    _amendment(context, tally)
    db.session.flush()


#: A correction of minutes, so the demo shows an amendment beside its original: the Fatherland
#: Front's representative attended YK-012's visit of 25/09/2026 but was left off the minutes.
AMENDED_CASE, AMENDED_AT = "YK-012", datetime(2026, 9, 25, 15, 0, tzinfo=LOCAL_TZ)
AMENDMENT_REASON = "Bổ sung thành phần tham dự: đại diện Mặt trận Tổ quốc phường có mặt nhưng biên bản ghi sót."


def _amendment(context: _Context, tally: Tally) -> None:
    case = context.cases.get(AMENDED_CASE)
    if case is None:
        return
    meeting = db.session.scalar(
        sa.select(Meeting)
        .join(MeetingCase, MeetingCase.meeting_id == Meeting.id)
        .where(MeetingCase.case_id == case.id, Meeting.held_at == AMENDED_AT.astimezone(UTC))
    )
    if meeting is None:
        return
    tally.note("amendments", meeting.revision == 1)
    if meeting.revision > 1:
        return
    values = {
        "kind": meeting.kind.value, "held_at": meeting.held_at, "place": meeting.place, "answers": meeting.answers,
        "next_step": meeting.next_step, "notes": meeting.notes,
        "households": [
            {"case_id": h.case_id, "position": h.position.value, "demand": h.demand, "refused_inventory": h.refused_inventory}
            for h in meeting.households
        ],
        "attendees": [{"side": a.side.value, "name": a.name, "role": a.role} for a in meeting.attendees]
        + [{"side": AttendeeSide.FATHERLAND_FRONT.value, "name": "Nguyễn Thị Hậu", "role": "Phó Chủ tịch Ủy ban MTTQ phường"}],
        "concerns": [
            {"case_id": c.case_id, "category": c.category.value, "words": c.words, "answer": c.answer} for c in meeting.concerns
        ],
        "commitments": [
            {"id": c.id, "case_id": c.case_id, "what": c.what, "responsible": c.responsible, "due_on": c.due_on}
            for c in meeting.commitments
        ],
    }
    meetings.amend_meeting(meeting, values, AMENDMENT_REASON, context.users["canbo"], context.now)


def _place(minutes: Minutes, party: Party) -> str:
    if minutes.place != AT_HOME:
        return minutes.place
    street = party.address.split(",")[0]
    return f"Tại nhà hộ {party.name}, {street[:1].lower()}{street[1:]}"


def _head(code: str, party: Party) -> tuple[str, str, str]:
    if party.kind == PartyKind.ORGANISATION:
        name, title = ORG_REPRESENTATIVES[code]
        return (AttendeeSide.HOUSEHOLD.value, name, f"{title}, đại diện {party.name}")
    return (AttendeeSide.HOUSEHOLD.value, party.name, f"Chủ hộ (hồ sơ {code})")


def _meeting(minutes: Minutes, context: _Context, tally: Tally) -> None:
    project = context.projects[minutes.project]
    held_at = minutes.held_at.astimezone(UTC)
    if held_at > context.now:
        return  # the clock is behind the demo's story: the later minutes wait for it
    if (project.id, minutes.kind.value, held_at) in context.known:
        tally.note("meetings", False)
        return
    listed = {h.case: h for h in minutes.households}
    codes = [c for c in context.cases if context.cases[c].project_id == project.id] if minutes.everyone else list(listed)
    codes.sort(key=lambda c: (c.split("-")[0], int(c.split("-")[1])))
    households = [listed.get(code) or Household(code, minutes.others) for code in codes]
    ids = {code: context.cases[code].id for code in codes}

    attendees = [{"side": side.value, "name": name, "role": role} for side, name, role in minutes.officials]
    for household in households:
        party = context.parties[household.case]
        side, name, role = _head(household.case, party)
        attendees.append({"side": side, "name": name, "role": role})
        attendees += [{"side": AttendeeSide.HOUSEHOLD.value, "name": n, "role": r} for n, r in household.family]
    concerns = [
        {"case_id": ids[h.case], "category": s.category.value, "words": s.words, "answer": s.answer}
        for h in households for s in h.said
    ] + [{"case_id": None, "category": s.category.value, "words": s.words, "answer": s.answer} for s in minutes.group_said]
    notes = minutes.notes
    if len(households) > 1:
        tally_line = ", ".join(
            f"{sum(h.position == p for h in households)} {word}"
            for p, word in ((A, "đồng ý"), (P, "đồng ý một phần"), (D, "không đồng ý"), (N, "chưa trả lời"))
            if any(h.position == p for h in households)
        )
        notes = (notes + "\n" if notes else "") + f"Ý kiến của {len(households)} hộ dự họp: {tally_line}."
    first = context.parties[codes[0]]
    # Households of Cửa Nam only: that ward's officer writes the minutes.
    cua_nam = all("phường Cửa Nam" in context.parties[code].address for code in codes)
    recorder = context.users["canbo_cuanam" if cua_nam else "canbo"]
    meeting = meetings.record_meeting(
        project,
        {
            "kind": minutes.kind.value, "held_at": minutes.held_at,
            "place": _place(minutes, first) if len(codes) == 1 else minutes.place,
            "households": [
                {"case_id": ids[h.case], "position": h.position.value, "demand": h.demand, "refused_inventory": h.refused_inventory}
                for h in households
            ],
            "attendees": attendees, "concerns": concerns,
            "commitments": [
                {"case_id": ids.get(p.case) if p.case else None, "what": p.what, "responsible": p.responsible, "due_on": p.due_on}
                for p in minutes.promises
            ],
            "answers": minutes.answers, "next_step": minutes.next_step, "notes": notes,
        },
        recorder,
        context.now,
    )
    for promise, commitment in zip(minutes.promises, meeting.commitments, strict=True):
        if promise.done_on is not None and promise.done_on <= DEMO_TODAY:
            meetings.close_commitment(commitment, CommitmentStatus.DONE, promise.done_on, promise.outcome, DEMO_TODAY)
    tally.note("meetings", True)


def _drafted_offer(share: int | None, rng: random.Random) -> int | None:
    """What the draft plan offers a case: 84–95 % of its budget share, to the million."""
    if share is None:
        return None
    fraction = Decimal(str(round(rng.uniform(0.84, 0.95), 4)))
    return int((Decimal(share) * fraction / 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 1_000_000


#: When each project's draft plan was put to the households (its posting), and what it says.
DRAFT = {
    "BCA-YK44": (date(2026, 6, 10), "Dự thảo phương án niêm yết công khai từ 10/06/2026."),
    "BCA-TBT30": (date(2026, 11, 5), "Dự thảo phương án niêm yết công khai theo Thông báo 146/TB-UBND ngày 05/11/2026."),
}
#: Cases whose draft plan was posted: only they have an offer.
_OFFERED_FROM = (CaseStatus.POSTED, CaseStatus.PLAN_APPROVED, CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.HANDED_OVER,
                 CaseStatus.ENFORCEMENT)


def _offers(context: _Context, tally: Tally) -> None:
    rng = random.Random(OFFER_SEED)
    officer = context.users["canbo"]
    have = dict(
        db.session.execute(
            sa.select(CompensationOffer.case_id, sa.func.count()).group_by(CompensationOffer.case_id)
        ).all()
    )
    for code, project in sorted(context.projects.items()):
        balances = case_balances(project)
        day, basis = DRAFT[code]
        cases = sorted((c for c in context.cases.values() if c.project_id == project.id), key=lambda c: c.id)
        for case in cases:
            # Drawn for every case in order, so a case's figure does not depend on the others' history.
            drafted = _drafted_offer(balances[case.id].budget_share, rng)
            if case.status not in _OFFERED_FROM or drafted is None:
                continue
            versions: list[tuple[int, date, str]] = []
            for amount, when, why in OFFER_HISTORY.get(case.code, ((drafted, day, basis),)):
                if amount == "draft":
                    amount = drafted
                elif amount == "+12":
                    amount = versions[-1][0] + 12 * price_per_m2("Yết Kiêu", "residential")
                elif amount == "+support":
                    amount = versions[-1][0] + YK011_SUPPORT
                versions.append((int(amount), when, why))
            for number, (amount, when, why) in enumerate(versions, start=1):
                present = have.get(case.id, 0) >= number
                tally.note("offers", not present)
                if not present:
                    case_balance.record_offer(case, amount, when, why, officer, DEMO_TODAY)


def _payments(context: _Context, tally: Tally) -> None:
    """The YK cases that were paid (paid, handed over) received their latest offer on the day of
    the payment step; one payment was entered twice and reversed."""
    officer = context.users["canbo"]
    existing = {
        (row.case_id, row.document, row.amount)
        for row in db.session.execute(sa.select(Payment.case_id, Payment.document, Payment.amount))
    }
    project = context.projects["BCA-YK44"]
    balances = case_balances(project)
    paid_day = date(2026, 8, 15)  # the payment step of the YK timeline (decision + 18 days)
    voucher = 0
    for case in sorted((c for c in context.cases.values() if c.project_id == project.id), key=lambda c: c.id):
        if case.status not in (CaseStatus.PAID, CaseStatus.HANDED_OVER) or balances[case.id].offer is None:
            continue
        amount = balances[case.id].offer
        voucher += 1
        entries = [(amount, f"UNC {voucher:03d}/2026-BCA", "", paid_day)]
        if case.code == "YK-008":
            # Paid twice by mistake, and the second transfer recovered four days later.
            voucher += 1
            duplicate = f"UNC {voucher:03d}/2026-BCA"
            entries += [
                (amount, duplicate, "", paid_day),
                (-amount, "GNT 004/2026-BCA", f"Chi trùng: ủy nhiệm chi {duplicate} lặp lại khoản {entries[0][1]}; "
                 "hộ đã nộp trả, Kho bạc thu hồi ngày 19/08/2026.", date(2026, 8, 19)),
            ]
        for value, document, note, day in entries:
            present = (case.id, document, value) in existing
            tally.note("payments", not present)
            if not present:
                case_balance.record_payment(case, value, day, document, note, officer, DEMO_TODAY)


def _grievance(case: Case, party: Party, values: dict, tally: Tally) -> None:
    present = db.session.scalar(
        sa.select(Grievance.id).where(
            Grievance.case_id == case.id, Grievance.kind == values["kind"], Grievance.filed_on == values["filed_on"]
        )
    ) is not None
    tally.note("grievances", not present)
    if not present:
        grievances.file_grievance(case, {**values, "filed_by": party.name}, DEMO_TODAY)


def _ruling(context: _Context, tally: Tally) -> None:
    case = context.cases[RULING_CASE]
    holding = case.holdings[0]
    remaining = holding.parcel.measured_area - holding.parcel.recovered_area
    reason = _ruling_reason(area(remaining))
    present = db.session.scalar(sa.select(DisputeRuling.id).where(DisputeRuling.case_id == case.id)) is not None
    tally.note("rulings", not present)
    if not present:
        disputes.set_dispute_status(case, DisputeStatus.OPEN_CONCERNS, reason, context.users["truongnhom"], at=RULING_AT)


__all__ = ["MINUTES", "load_dialogue"]
