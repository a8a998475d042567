"""The register of issued documents, on both databases: numbers that run per issuing body, year
and code and never repeat; a reprint that is the document as issued, byte for byte; cancelling
that keeps the document; a database that refuses to change or delete one; a draft plan refused.

``notice_world`` (also used by the other document tests) builds a ward of Hà Nội, a project, its
team and households whose plans are calculated by the plan service from an inventory and a
policy set, then checked and frozen — the first household's net is 1.234.567.890 đồng.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal as D
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError, IntegrityError

from clearance.extensions import db as _db
from clearance.models import AuditEntry, Inventory, InventoryItem, IssuedDocument, PolicyRate, PolicySet
from clearance.notices import register
from clearance.notices.documents import DocumentRefused
from clearance.services import plans
from clearance.services.records import add_holding
from clearance.workflow.statuses import AssetKind, DocumentType, RateCategory, Role
from tests import factories as f

pytestmark = pytest.mark.usefixtures("vietnamese_request")

HOUSEHOLDS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")
#: 10 m² × 123.456.789 đ/m², rounded to 10 đồng: the first household's net.
NET = 1_234_567_890
NET_DIGITS = "1.234.567.890"
NET_WORDS = "Một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi đồng"
CALCULATED_ON = date(2026, 11, 2)
ISSUED_ON = date(2026, 11, 20)
NOTICE_FIELDS: dict[str, Any] = {
    "payment_on": date(2026, 11, 25), "payment_time": time(8, 0),
    "payment_place": "Hội trường Ủy ban nhân dân phường Hai Bà Trưng", "handover_on": date(2026, 12, 15),
}


def notice_world(households: int = 1, frozen: int | None = None) -> dict[str, Any]:
    """A ward, a project, a lead, an officer, a viewer and ``households`` cases with a plan each,
    the first ``frozen`` of them (default all) checked and frozen, the others left as drafts."""
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK-44", [ward], name="Trụ sở làm việc số 44 Yết Kiêu", handover_deadline=date(2026, 12, 31))
    world: dict[str, Any] = {
        "ward": ward, "project": project, "lead": f.user("truongnhom", Role.LEAD, ward),
        "officer": f.user("canbo", Role.OFFICER, ward), "viewer": f.user("xem", Role.VIEWER, ward), "cases": [], "plans": [],
    }
    policy_set = PolicySet(
        province_id=ward.parent_id, code="HN-2026", name="Bộ chính sách Hà Nội 2026", valid_from=date(2026, 1, 1),
        rounding_step=10, legal_basis="Luật Đất đai 2024\nQuyết định số 10/2026/QĐ-UBND của UBND Thành phố Hà Nội",
    )
    policy_set.rates = [
        PolicyRate(category=RateCategory.LAND, item="Yết Kiêu", land_type="ODT", position=1, unit="m²",
                   unit_price=D("123456789"), basis_document="Bảng giá đất 2026, Phụ lục 5", basis_article="3"),
    ]
    _db.session.add(policy_set)
    _db.session.flush()
    for index, name in enumerate(HOUSEHOLDS[:households]):
        party = f.party(name, ward, address=f"Số {30 + 2 * index} phố Yết Kiêu, phường Hai Bà Trưng")
        case = f.case(project, party, f"YK-{index + 1:03d}")
        parcel = f.parcel(project, str(41 + index), lon=105.8560 + index * 0.0003)
        parcel.recovered_area = D(10 + index)
        add_holding(case, parcel, "land_user", D(100))
        inventory = Inventory(case_id=case.id, recorded_on=date(2026, 5, 4), signed_by="Tổ kiểm đếm", persons=4)
        inventory.items = [InventoryItem(
            case_id=case.id, line_no=1, kind=AssetKind.LAND, description="Đất ở", parcel_id=parcel.id, street="Yết Kiêu",
            land_type="ODT", land_position=1, quantity=D(10 + index), unit="m²",
        )]
        _db.session.add(inventory)
        _db.session.flush()
        plan = plans.recalculate_case(case, CALCULATED_ON)
        assert plan is not None
        if frozen is None or index < frozen:
            plans.take_step(plan, "check", world["lead"])
            plans.take_step(plan, "freeze", world["lead"])
        world["cases"].append(case)
        world["plans"].append(plan)
    return world


def issue_notice(world: dict[str, Any], case: Any = None, **overrides: Any) -> IssuedDocument:
    values = {"issued_on": ISSUED_ON, "signer_name": "Nguyễn Văn Hùng", "user": world["officer"], "today": ISSUED_ON, **NOTICE_FIELDS}
    values.update(overrides)
    return register.issue(DocumentType.COMPENSATION_NOTICE, case or world["cases"][0], **values)


@pytest.fixture()
def world(db: Any) -> dict[str, Any]:
    return notice_world(households=3)


def test_numbers_run_per_issuing_body_year_and_code(world, db):
    first = issue_notice(world, world["cases"][0])
    second = issue_notice(world, world["cases"][1])
    recovery = register.issue(
        DocumentType.RECOVERY_NOTICE, world["cases"][0], issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng",
        user=world["officer"], today=ISSUED_ON, survey_from=date(2026, 12, 1), survey_to=date(2026, 12, 10),
    )
    next_year = issue_notice(world, world["cases"][2], issued_on=date(2027, 1, 5), today=date(2027, 1, 5),
                             payment_on=date(2027, 1, 10), handover_on=date(2027, 2, 1))

    assert [first.number_code, second.number_code, recovery.number_code] == ["1/TB-UBND", "2/TB-UBND", "3/TB-UBND"]
    assert next_year.number_code == "1/TB-UBND" and next_year.year == 2027
    assert {d.issuing_unit_id for d in (first, second, recovery, next_year)} == {world["ward"].id}
    # Minutes have their own code (BB-UBND), so their numbers start again at 1.
    meeting = f.meeting(world["project"], [world["cases"][0]], user_=world["officer"])
    minutes = register.issue(DocumentType.MEETING_MINUTES, meeting, issued_on=ISSUED_ON, signer_name="Nguyễn Văn Hùng",
                             user=world["officer"], today=ISSUED_ON)
    assert minutes.number_code == "1/BB-UBND"
    assert "Số: 1/BB-UBND" in minutes.html


def test_the_number_is_printed_in_the_document_and_kept_with_its_hash(world):
    document = issue_notice(world)

    assert "Số: 1/TB-UBND" in document.html
    assert document.content_hash == register.sha256(document.html)
    # Self-contained: the stylesheet is inside, so a later change to it cannot change the copy.
    assert '<link rel="stylesheet"' not in document.html and "@page" in document.html
    assert document.plan_id == world["plans"][0].id and document.case_id == world["cases"][0].id
    assert document.summary.startswith("Về việc bồi thường, hỗ trợ, tái định cư")
    assert document.issued_by == world["officer"].display_name and document.signer_name == "Nguyễn Văn Hùng"
    entry = _db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "issued_document", AuditEntry.entity_id == document.id))
    assert entry is not None and entry.case_id == world["cases"][0].id and "1/TB-UBND" in entry.label


def test_a_number_someone_else_took_meanwhile_is_not_reused(world, db, monkeypatch):
    taken = issue_notice(world, world["cases"][0])
    real_next = register.next_number
    calls = []

    def stale_next(unit_id: int, year: int, code: str) -> int:
        # The first look happened before the other officer's notice was written.
        calls.append(code)
        return taken.number if len(calls) == 1 else real_next(unit_id, year, code)

    monkeypatch.setattr(register, "next_number", stale_next)
    document = issue_notice(world, world["cases"][1])

    assert len(calls) == 2
    assert document.number_code == "2/TB-UBND"
    numbers = db.session.scalars(sa.select(IssuedDocument.number).order_by(IssuedDocument.number)).all()
    assert numbers == [1, 2]


def test_a_number_asked_for_must_be_free(world):
    issue_notice(world, world["cases"][0], number=94)
    assert issue_notice(world, world["cases"][1]).number_code == "95/TB-UBND"
    with pytest.raises(DocumentRefused, match="94/TB-UBND năm 2026 đã được cấp"):
        issue_notice(world, world["cases"][2], number=94)


def test_a_reprint_is_the_document_as_issued_even_after_the_record_changes(world, db):
    document = issue_notice(world)
    html = document.html
    world["cases"][0].party.name = "Nguyễn Văn An (đã đổi tên)"
    db.session.flush()
    db.session.expire_all()

    again = db.session.get(IssuedDocument, document.id)
    assert register.reprint(again).encode() == html.encode()
    assert "Nguyễn Văn An (đã đổi tên)" not in register.reprint(again)
    assert "Hộ ông (bà) Nguyễn Văn An" in register.reprint(again)


def test_the_preview_is_an_unnumbered_draft_and_writes_nothing(world, db):
    html = register.preview(DocumentType.COMPENSATION_NOTICE, world["cases"][0], user=world["officer"])

    assert "Số:       /TB-UBND" in html
    assert "DỰ THẢO" in html
    assert "ngày ..... tháng ..... năm" in html
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 0


def test_cancelling_keeps_the_document_and_says_who_and_why(world, db):
    document = issue_notice(world)
    with pytest.raises(DocumentRefused, match="Chỉ trưởng nhóm"):
        register.cancel(document, "Ghi sai ngày chi trả", world["officer"])
    with pytest.raises(DocumentRefused, match="lý do"):
        register.cancel(document, "  ", world["lead"])

    register.cancel(document, "Ghi sai ngày chi trả", world["lead"])

    db.session.expire_all()
    kept = db.session.get(IssuedDocument, document.id)
    assert kept.cancelled_by == world["lead"].display_name and kept.cancel_reason == "Ghi sai ngày chi trả"
    assert kept.cancelled_at is not None
    assert register.reprint(kept) == document.html  # the cancellation is not printed into it
    with pytest.raises(DocumentRefused, match="đã bị hủy"):
        register.cancel(kept, "Lần nữa", world["lead"])
    # Once cancelled, a new notice may be issued for the same plan; it takes the next number.
    assert issue_notice(world).number_code == "2/TB-UBND"


def test_a_plan_with_a_current_notice_is_not_issued_twice(world):
    first = issue_notice(world)
    with pytest.raises(DocumentRefused, match=r"YK-001 \(Nguyễn Văn An\) đã có .* số 1/TB-UBND còn hiệu lực"):
        issue_notice(world)
    assert register.reprint(first) == first.html


def test_the_database_refuses_to_change_or_delete_an_issued_document(world, db):
    document = issue_notice(world)
    connection = db.session.connection()
    for statement in (
        sa.update(IssuedDocument).where(IssuedDocument.id == document.id).values(html="<p>sửa</p>"),
        sa.update(IssuedDocument).where(IssuedDocument.id == document.id).values(number=7),
        sa.delete(IssuedDocument).where(IssuedDocument.id == document.id),
    ):
        savepoint = connection.begin_nested()
        with pytest.raises((IntegrityError, DatabaseError)):
            connection.execute(statement)
        savepoint.rollback()
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).html == document.html


def test_a_draft_plan_gives_no_notice_and_the_message_names_the_case(db):
    world = notice_world(households=1, frozen=0)
    case = world["cases"][0]

    with pytest.raises(DocumentRefused, match=r"Phương án số 1 của hồ sơ YK-001 \(Nguyễn Văn An\) mới ở trạng thái “Dự thảo”"):
        register.issue(DocumentType.COMPENSATION_NOTICE, world["plans"][0], issued_on=ISSUED_ON, signer_name="X",
                       user=world["officer"], today=ISSUED_ON, **NOTICE_FIELDS)
    with pytest.raises(DocumentRefused, match=r"Hồ sơ YK-001 \(Nguyễn Văn An\) chưa có phương án đã chốt"):
        issue_notice(world, case)
    plans.take_step(world["plans"][0], "check", world["lead"])
    with pytest.raises(DocumentRefused, match="Đã kiểm tra"):
        register.preview(DocumentType.COMPENSATION_NOTICE, world["plans"][0])
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 0


def test_a_notice_must_state_payment_and_handover_and_be_issued_by_an_editor(world):
    with pytest.raises(DocumentRefused) as missing:
        issue_notice(world, payment_place="")
    assert missing.value.field == "payment_place"
    with pytest.raises(DocumentRefused) as early:
        issue_notice(world, handover_on=date(2026, 11, 21))
    assert early.value.field == "handover_on"
    with pytest.raises(DocumentRefused) as future:
        issue_notice(world, issued_on=date(2026, 11, 21), today=ISSUED_ON)
    assert future.value.field == "issued_on"
    with pytest.raises(DocumentRefused, match="chỉ xem"):
        issue_notice(world, user=world["viewer"])


def test_an_approved_plan_cites_its_decision_and_a_notice_issued_before_approval_gives_way(world, db):
    before = issue_notice(world)
    plan = world["plans"][0]
    plans.take_step(plan, "approve", world["lead"], approval_decision="1520/QĐ-UBND", approved_on=date(2026, 11, 22),
                    today=date(2026, 11, 22))

    after = issue_notice(world, issued_on=date(2026, 11, 23), today=date(2026, 11, 23), payment_on=date(2026, 11, 25))

    assert after.number_code == "2/TB-UBND" and before.cancelled_at is None
    assert "Căn cứ Quyết định số 1520/QĐ-UBND ngày 22 tháng 11 năm 2026 về việc phê duyệt phương án" in after.html
    assert "1520/QĐ-UBND" not in before.html
