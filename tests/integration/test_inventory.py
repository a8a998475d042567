"""The inventory of a case (biên bản kiểm đếm): every problem named by its line and field, nothing
saved on a refusal, a reason for every change of an existing record (kept in the audit trail), two
officers saving at once do not overwrite each other, and the plan calculation reads the facts of
a whole project in a fixed number of queries. Both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clearance.audit import acting_as
from clearance.models import AuditEntry, Inventory, InventoryItem, PlanAdjustment
from clearance.services import inventory as service
from clearance.services.errors import FieldError
from clearance.workflow import calculation
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.queries import counting_queries

pytestmark = pytest.mark.usefixtures("vietnamese_request")

DAY = date(2026, 3, 12)


@pytest.fixture()
def world(db):
    ward = f.unit("Phường Hai Bà Trưng")
    project = f.project("YK-44", [ward])
    officer = f.user("canbo", Role.OFFICER, ward)
    parcel = f.parcel(project, "41", address="Số 30 phố Yết Kiêu, phường Hai Bà Trưng", land_use_code="ODT")
    parcel.recovered_area = Decimal("50.50")
    other = f.parcel(project, "42", lon=105.857, address="Số 32 phố Yết Kiêu")
    case = f.case(project, f.party("Nguyễn Văn An", ward, members=5), "YK-001", CaseStatus.SURVEYED)
    f.records.add_holding(case, parcel, "land_user", Decimal(100))
    db.session.flush()
    return {"project": project, "officer": officer, "parcel": parcel, "other": other, "case": case, "ward": ward}


def header(**changes):
    values = {
        "recorded_on": DAY, "signed_by": "Trần Văn Cán (tổ GPMB); Nguyễn Văn An (chủ hộ)", "persons": 5,
        "relocates": True, "life_support_months": 0, "rent_months": 6, "early_handover": False,
        "resettlement_site": "", "resettlement_area": None, "land_debt": 0, "land_debt_basis": "", "notes": "",
    }
    values.update(changes)
    return values


def lines(world, **changes):
    land = {"kind": "land", "description": "Đất ở đô thị", "parcel_id": world["parcel"].id, "land_position": 1}
    house = {"kind": "structure", "description": "Nhà ở", "grade": "Nhà 2–3 tầng khung BTCT", "floors": 3,
             "quantity": Decimal("140.25"), "quality_pct": Decimal(75)}
    trees = {"kind": "crop", "species": "Cây bóng mát", "size": "Đường kính 20–30 cm", "quantity": Decimal(2)}
    items = [land, house, trees]
    for key, value in changes.items():
        number, name = key.split("__")
        items[int(number) - 1] = {**items[int(number) - 1], name: value}
    return items


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_inventory_is_recorded_with_its_land_line_completed_from_the_parcel(db, world):
    inventory = service.save_inventory(world["case"], header(), lines(world), expected_version=0)
    assert inventory.version == 1
    land, house, trees = inventory.items
    # The land line takes the parcel's land-use code, the street its address names and its
    # recovered area; the position is the officer's.
    assert (land.land_type, land.street, land.quantity, land.land_position) == ("ODT", "Yết Kiêu", Decimal("50.50"), 1)
    assert land.unit == "m²" and trees.unit == "cây"
    assert [i.line_no for i in inventory.items] == [1, 2, 3]
    assert all(i.case_id == world["case"].id for i in inventory.items)
    assert house.quality_pct == 75


def test_every_problem_is_named_by_its_line_and_field_and_nothing_is_saved(db, world):
    items = lines(world, **{"2__quality_pct": Decimal(120), "3__quantity": Decimal(-2)})
    items.append({"kind": "land", "description": "Phần đất không có thửa", "quantity": Decimal(10)})
    items.append({"kind": "grave", "quantity": Decimal(1), "parcel_id": world["other"].id})
    with pytest.raises(service.InventoryRejected) as refused:
        service.save_inventory(world["case"], header(persons=-1, life_support_months=40), items)
    texts = [p.text for p in refused.value.problems]
    assert "Dòng 2, “Chất lượng còn lại”: không quá 100 %" in texts
    assert "Dòng 3, “Số lượng”: không được âm" in texts
    assert "Dòng 4, “Tuyến phố”: dòng đất cần tuyến phố (theo bảng giá đất)" in texts
    assert "Dòng 4, “Loại đất”: dòng đất cần mã loại đất, ví dụ ODT, TMD" in texts
    assert "Dòng 4, “Vị trí”: dòng đất cần vị trí 1–4 (VT1–VT4)" in texts
    assert "Dòng 5, “Thửa đất”: thửa đất này không thuộc hồ sơ" in texts
    assert "“Số nhân khẩu”: không được âm" in texts
    assert "“Số tháng hỗ trợ ổn định đời sống”: từ 0 đến 36 tháng" in texts
    assert count(db, Inventory) == 0 and count(db, InventoryItem) == 0


def test_a_land_line_cannot_take_more_than_the_recovered_area_of_its_parcel(db, world):
    items = lines(world, **{"1__quantity": Decimal("60")})
    with pytest.raises(service.InventoryRejected) as refused:
        service.save_inventory(world["case"], header(), items)
    assert [p.text for p in refused.value.problems] == [
        "Dòng 1, “Số lượng”: 60,00 m² lớn hơn diện tích thu hồi của Thửa 41, tờ 12 (50,50 m²)"
    ]
    # Two land lines of one parcel (part residential, part commercial) count together.
    items = lines(world, **{"1__quantity": Decimal("30")}) + [
        {"kind": "land", "parcel_id": world["parcel"].id, "land_type": "TMD", "land_position": 1, "quantity": Decimal("25")}
    ]
    with pytest.raises(service.InventoryRejected) as refused:
        service.save_inventory(world["case"], header(), items)
    assert refused.value.problems[0].line == 4
    assert "cộng lại 55,00 m²" in refused.value.problems[0].message


def test_a_change_needs_a_reason_which_the_history_keeps_with_each_change(db, world):
    case = world["case"]
    with acting_as(world["officer"].id, "Canbo"):
        service.save_inventory(case, header(), lines(world), expected_version=0)
        with pytest.raises(service.InventoryRejected) as refused:
            service.save_inventory(case, header(persons=6), lines(world), expected_version=1)
        assert [p.field for p in refused.value.problems] == ["reason"]
        changed = lines(world, **{"2__quality_pct": Decimal(70)})[:2]  # the trees were cut down before the count
        inventory = service.save_inventory(case, header(persons=6), changed, expected_version=1, reason="Kiểm đếm bổ sung ngày 20/03")
    assert inventory.version == 2 and len(inventory.items) == 2
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.reason == "Kiểm đếm bổ sung ngày 20/03")
    ).all()
    by_entity = {(e.entity, e.action): e for e in entries}
    assert by_entity[("inventory", "update")].changes == {"persons": [5, 6]}
    item_change = by_entity[("inventory_item", "update")].changes
    assert list(item_change) == ["quality_pct"] and [Decimal(v) for v in item_change["quality_pct"]] == [75, 70]
    assert ("inventory_item", "delete") in by_entity
    assert all(e.actor == "Canbo" for e in entries)
    history = service.inventory_history(case)
    assert history[0].reason == "Kiểm đếm bổ sung ngày 20/03"


def test_saving_what_is_recorded_changes_nothing(db, world):
    service.save_inventory(world["case"], header(), lines(world))
    before = count(db, AuditEntry)
    again = service.save_inventory(world["case"], header(), lines(world), expected_version=1)
    assert again.version == 1 and count(db, AuditEntry) == before


def test_two_officers_saving_the_same_record_do_not_overwrite_each_other(db, world):
    case = world["case"]
    service.save_inventory(case, header(), lines(world), expected_version=0)
    service.save_inventory(case, header(persons=4), lines(world), expected_version=1, reason="Sửa số nhân khẩu")
    with pytest.raises(FieldError) as stale:
        service.save_inventory(case, header(persons=7), lines(world), expected_version=1, reason="Sửa lại")
    assert stale.value.field == "version"
    assert "vừa được người khác sửa" in stale.value.message
    assert service.inventory_of(case).persons == 4
    # A record created by someone else while this officer typed a new one.
    with pytest.raises(FieldError):
        service.save_inventory(case, header(), lines(world), expected_version=0)


def test_only_lines_changing_still_moves_the_version(db, world):
    case = world["case"]
    service.save_inventory(case, header(), lines(world))
    inventory = service.save_inventory(case, header(), lines(world, **{"3__quantity": Decimal(3)}), reason="Đếm lại cây")
    assert inventory.version == 2


def test_the_facts_of_a_project_match_the_records_in_three_queries(db, world):
    project, ward = world["project"], world["ward"]
    service.save_inventory(world["case"], header(), lines(world))
    db.session.add(PlanAdjustment(
        case_id=world["case"].id, category="support", amount=5_000_000, reason="Hộ có người khuyết tật",
        actor="Trần Thị Lan", role="lead", at=datetime(2026, 4, 1, 2, 0, tzinfo=UTC),
    ))
    db.session.add(PlanAdjustment(
        case_id=world["case"].id, category="support", amount=1_000_000, reason="Nhập nhầm", actor="Trần Thị Lan",
        role="lead", withdrawn_at=datetime(2026, 4, 2, tzinfo=UTC), withdrawn_reason="Nhầm hồ sơ",
    ))
    for n in range(2, 6):
        parcel = f.parcel(project, str(40 + n * 2), lon=105.856 + n * 0.0004)
        case = f.case(project, f.party(f"Hộ {n}", ward), f"YK-{n:03d}")
        f.records.add_holding(case, parcel, "land_user", Decimal(100))
        service.save_inventory(case, header(persons=n), [
            {"kind": "land", "parcel_id": parcel.id, "land_position": 2, "quantity": Decimal("48.2")},
            {"kind": "grave", "quantity": Decimal(n)},
        ])
    f.case(project, f.party("Hộ chưa kiểm đếm", ward), "YK-099")
    db.session.flush()
    with counting_queries() as statements:
        facts = service.inventory_facts_for_project(project.id)
    assert len(statements) <= 3
    assert len(facts) == 5
    one = facts[world["case"].id]
    assert one == service.inventory_facts(world["case"])
    assert (one.recorded_on, one.persons, one.relocates, one.rent_months) == (DAY, 5, True, 6)
    land, house, trees = one.items
    assert land == calculation.Item(
        line_no=1, kind="land", description="Đất ở đô thị", quantity=Decimal("50.50"), unit="m²", parcel="Thửa 41, tờ 12",
        street="Yết Kiêu", land_type="ODT", land_position=1,
    )
    assert (house.grade, house.floors, house.quality_pct, house.quantity) == ("Nhà 2–3 tầng khung BTCT", 3, Decimal(75), Decimal("140.25"))
    assert (trees.species, trees.size, trees.quantity) == ("Cây bóng mát", "Đường kính 20–30 cm", Decimal(2))
    assert one.adjustments == (
        calculation.Adjustment(
            id=one.adjustments[0].id, category="support", amount=5_000_000, reason="Hộ có người khuyết tật",
            actor="Trần Thị Lan", role="lead", at="2026-04-01T02:00:00+00:00",
        ),
    )
    # More cases, the same queries.
    with counting_queries() as again:
        service.inventory_facts_for_project(project.id)
    assert len(again) == len(statements)


def test_the_recorded_date_cannot_be_in_the_future_and_resettlement_needs_site_and_area(db, world):
    with pytest.raises(service.InventoryRejected) as refused:
        service.save_inventory(
            world["case"], header(recorded_on=service.today() + timedelta(days=1), resettlement_site="Mai Lâm, Đông Anh"),
            lines(world),
        )
    assert {p.text for p in refused.value.problems} == {
        "“Ngày kiểm đếm”: không được sau ngày hôm nay", "“Diện tích lô TĐC”: ghi diện tích lô tái định cư",
    }


def test_the_street_is_taken_from_an_address_only_when_it_names_one():
    assert service.street_from_address("Số 30 phố Yết Kiêu, phường Hai Bà Trưng") == "Yết Kiêu"
    assert service.street_from_address("Số 20 phố Trần Bình Trọng phường Cửa Nam") == "Trần Bình Trọng"
    assert service.street_from_address("12 đường Nguyễn Du") == "Nguyễn Du"
    assert service.street_from_address("Nhà bà Hoa, xóm Chợ") == ""
    assert service.is_street_front("Số 30 phố Yết Kiêu")
    assert not service.is_street_front("Số 5 ngõ 12 phố Yết Kiêu")


def test_the_demo_inventories_are_valid_records_and_load_once(db):
    from clearance.demo import load_demo
    from clearance.demo.inventory import GRADES, TREES, YARD, load_demo_inventories
    from clearance.models import Case, Project
    from clearance.workflow.statuses import PROGRESS_ORDER, PartyKind

    with acting_as(None, "demo"):
        load_demo()
        projects = db.session.scalars(sa.select(Project).order_by(Project.code)).all()
        for project in projects:
            load_demo_inventories(db.session, project)
        assert [load_demo_inventories(db.session, project) for project in projects] == [0, 0]
    surveyed = PROGRESS_ORDER.index(CaseStatus.SURVEYED)
    cases = db.session.scalars(sa.select(Case)).all()
    with_record = {i.case_id: i for i in db.session.scalars(sa.select(Inventory))}
    assert {c.id for c in cases if PROGRESS_ORDER.index(c.status) >= surveyed} == set(with_record)
    unpriced = []
    for case in cases:
        inventory = with_record.get(case.id)
        if inventory is None:
            continue
        items = [service.item_of(i) for i in inventory.items]
        assert service.check_inventory(case, service.header_of(inventory), items).problems == []
        assert inventory.life_support_months == 0
        if case.party.kind == PartyKind.ORGANISATION:
            assert inventory.persons == 0 and not inventory.relocates and inventory.rent_months == 0
        else:
            assert inventory.persons == case.party.members
        for item in inventory.items:
            if item.kind.value == "structure":
                assert item.grade in {g for g, _floors in GRADES} | {YARD}
            if item.kind.value == "crop":
                assert (item.species, item.size) in TREES
            if item.kind.value == "other" and item.unit_price is None:
                unpriced.append(case.code)
    assert len(unpriced) == 1 and unpriced[0].startswith("TBT-")
