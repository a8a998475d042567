"""The inventory in the browser's shoes: an officer records a case's inventory (biên bản kiểm đếm)
line by line, sees every problem next to its line with what was typed kept, changes it only with
a reason that the history shows, cannot overwrite a colleague's save, and imports a project's
inventories from Excel; a viewer reads but cannot change. Both databases."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from clearance.models import Inventory, InventoryItem
from clearance.services import inventory_excel as excel
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import csrf_token, post_form, sign_in


def setup(db, role: Role = Role.OFFICER):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", role, ward)
    project = f.project("YK-44", [ward])
    parcel = f.parcel(project, "41", address="Số 30 phố Yết Kiêu, phường Hai Bà Trưng")
    parcel.recovered_area = Decimal("50.50")
    case = f.case(project, f.party("Nguyễn Văn An", ward, members=5), "YK-001", CaseStatus.SURVEYED)
    f.records.add_holding(case, parcel, "land_user", Decimal(100))
    db.session.commit()
    return project, case, parcel


def url(case, tail: str = "") -> str:
    return f"/projects/YK-44/cases/{case.id}/inventory{tail}"


def typed(parcel, **changes):
    """What an officer types: the header and three lines (land, house, trees), then a blank line."""
    data = {
        "version": "0", "recorded_on": "12/03/2026", "signed_by": "Trần Văn Cán (tổ GPMB); Nguyễn Văn An (chủ hộ)",
        "persons": "5", "relocates": "y", "life_support_months": "", "rent_months": "6",
        "items-0-kind": "land", "items-0-description": "Đất ở đô thị", "items-0-parcel_id": str(parcel.id),
        "items-0-land_position": "1", "items-0-quantity": "",
        "items-1-kind": "structure", "items-1-description": "Nhà ở", "items-1-grade": "Nhà 2–3 tầng khung BTCT",
        "items-1-floors": "3", "items-1-quantity": "140,25", "items-1-quality_pct": "75",
        "items-2-kind": "crop", "items-2-species": "Cây bóng mát", "items-2-size": "Đường kính 20–30 cm", "items-2-quantity": "2",
        "items-3-kind": "", "items-3-description": "", "items-3-quantity": "",
    }
    data.update(changes)
    return data


def lines(db, case):
    return db.session.scalars(sa.select(InventoryItem).where(InventoryItem.case_id == case.id).order_by(InventoryItem.line_no)).all()


def test_an_officer_records_an_inventory_and_reads_it_back_by_kind(client, db):
    _project, case, parcel = setup(db)
    sign_in(client, "canbo")
    form = client.get(url(case, "/edit")).get_data(as_text=True)
    assert 'value="5"' in form  # the household's members are offered as persons
    response = post_form(client, url(case, "/edit"), typed(parcel))
    assert response.status_code == 302, response.get_data(as_text=True)
    land, house, trees = lines(db, case)
    assert (land.quantity, land.street, land.land_type) == (Decimal("50.50"), "Yết Kiêu", "ODT")
    page = client.get(url(case)).get_data(as_text=True)
    assert "Đã lập biên bản kiểm đếm (3 dòng)." in page
    assert "12/03/2026" in page and "50,50 m²" in page and "140,25 m²" in page and "2 cây" in page
    assert page.index('id="kind-land"') < page.index('id="kind-structure"') < page.index('id="kind-crop"')
    assert "Nhà 2–3 tầng khung BTCT" in page and "VT1" in page and "75 %" in page


def test_every_problem_shows_next_to_its_line_and_nothing_is_saved(client, db):
    _project, case, parcel = setup(db)
    sign_in(client, "canbo")
    response = post_form(client, url(case, "/edit"), typed(
        parcel, **{"items-1-quality_pct": "120", "items-2-quantity": "ba", "persons": "-1", "items-0-land_position": ""},
    ))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 2, “Chất lượng còn lại”: không quá 100 %" in page
    assert "Dòng 3, “Số lượng”: “ba” không phải là số" in page
    assert "Dòng 1, “Vị trí”: dòng đất cần vị trí 1–4 (VT1–VT4)" in page
    assert "“Số nhân khẩu”: không được âm" in page
    assert 'name="items-2-quantity" value="ba"' in page  # what was typed stays
    assert re.search(r'name="items-1-quality_pct" value="120"[^>]*aria-invalid="true"', page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inventory)) == 0


def test_a_change_needs_a_reason_and_the_history_shows_it(client, db):
    _project, case, parcel = setup(db)
    sign_in(client, "canbo")
    post_form(client, url(case, "/edit"), typed(parcel))
    changed = typed(parcel, **{"version": "1", "items-1-quality_pct": "70", "items-2-remove": "1"})
    refused = post_form(client, url(case, "/edit"), changed)
    assert refused.status_code == 422
    assert "ghi lý do sửa biên bản kiểm đếm" in refused.get_data(as_text=True)
    assert len(lines(db, case)) == 3
    saved = post_form(client, url(case, "/edit"), {**changed, "reason": "Kiểm đếm bổ sung: cây đã chặt trước ngày kiểm đếm"})
    assert saved.status_code == 302
    assert [i.kind.value for i in lines(db, case)] == ["land", "structure"]
    page = client.get(url(case)).get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert "Kiểm đếm bổ sung: cây đã chặt trước ngày kiểm đếm" in history
    assert "Chất lượng còn lại" in history and "<del>75,00</del>" in history and "<ins>70</ins>" in history
    assert "Xoá" in history and "Cây bóng mát" in history
    # The case page's history has it too.
    case_page = client.get(f"/projects/YK-44/cases/{case.id}").get_data(as_text=True)
    assert "Kiểm đếm bổ sung: cây đã chặt trước ngày kiểm đếm" in case_page


def test_two_officers_editing_at_once_do_not_overwrite_each_other(client, db):
    _project, case, parcel = setup(db)
    sign_in(client, "canbo")
    post_form(client, url(case, "/edit"), typed(parcel))
    post_form(client, url(case, "/edit"), typed(parcel, version="1", persons="4", reason="Sửa số nhân khẩu"))
    late = post_form(client, url(case, "/edit"), typed(parcel, version="1", persons="7", reason="Sửa lại"))
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Biên bản đã được sửa trong lúc bạn nhập" in page and 'name="version" value="2"' in page
    assert db.session.scalar(sa.select(Inventory.persons)) == 4


def test_without_javascript_more_blank_lines_come_from_the_server(client, db):
    _project, case, parcel = setup(db)
    sign_in(client, "canbo")
    page = client.get(url(case, "/edit")).get_data(as_text=True)
    assert 'name="items-2-kind"' in page and 'name="items-3-kind"' not in page.split('<template')[0]
    more = post_form(client, url(case, "/edit"), {**typed(parcel), "add_rows": "1"})
    body = more.get_data(as_text=True).split("<template")[0]
    assert more.status_code == 200 and 'name="items-6-kind"' in body and 'value="Nhà ở"' in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inventory)) == 0


def test_a_viewer_reads_the_inventory_but_cannot_change_or_import(client, db):
    _project, case, _parcel = setup(db, Role.VIEWER)
    sign_in(client, "canbo")
    assert client.get(url(case)).status_code == 200
    assert client.get(url(case, "/edit")).status_code == 403
    assert post_form(client, url(case, "/edit"), {"persons": "1"}, form_page=url(case)).status_code == 403
    assert client.get("/projects/YK-44/inventory/import").status_code == 403
    assert "Lập biên bản kiểm đếm" not in client.get(url(case)).get_data(as_text=True)


def test_another_ward_s_officer_does_not_see_the_case(client, db):
    _project, case, _parcel = setup(db)
    f.user("canbo_khac", Role.OFFICER, f.unit("Phường Cửa Nam"))
    db.session.commit()
    sign_in(client, "canbo_khac")
    assert client.get(url(case)).status_code == 404
    assert client.get(url(case, "/edit")).status_code == 404


def workbook_bytes(rows, households) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Kiểm đếm"
    sheet.append([c.header for c in excel.ITEM_COLUMNS])
    for row in rows:
        sheet.append([row.get(c.header) for c in excel.ITEM_COLUMNS])
    other = book.create_sheet("Hộ")
    other.append([c.header for c in excel.HOUSEHOLD_COLUMNS])
    for row in households:
        other.append([row.get(c.header) for c in excel.HOUSEHOLD_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, **fields):
    page = "/projects/YK-44/inventory/import"
    data = {"csrf_token": csrf_token(client, page), "file": (io.BytesIO(content), "kiem-dem.xlsx"), **fields}
    return client.post(page, data=data, content_type="multipart/form-data")


def test_an_officer_downloads_the_template_and_imports_a_project_s_inventories(client, db):
    _project, case, _parcel = setup(db)
    sign_in(client, "canbo")
    template = client.get("/projects/YK-44/inventory/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(template.data))
    assert book["Hộ"]["A2"].value == "YK-001"

    bad = workbook_bytes(
        [{"Mã hồ sơ": "YK-001", "Loại": "Đất", "Tờ bản đồ": "12", "Số thửa": "41", "Vị trí": 1},
         {"Mã hồ sơ": "YK-001", "Loại": "Cây trồng", "Loài cây": "Cây bóng mát", "Số lượng": "ba"}],
        [{"Mã hồ sơ": "YK-001", "Ngày kiểm đếm": "12/03/2026", "Số nhân khẩu": 5}],
    )
    refused = upload(client, bad)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Tệp có 1 lỗi: chưa nhập dòng nào" in page
    assert "<td data-label=\"Dòng\">3</td>" in page.replace('class="num" ', "")
    assert "“ba” không phải là số" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inventory)) == 0

    good = workbook_bytes(
        [{"Mã hồ sơ": "YK-001", "Loại": "Đất", "Tờ bản đồ": "12", "Số thửa": "41", "Vị trí": 1},
         {"Mã hồ sơ": "YK-001", "Loại": "Cây trồng", "Loài cây": "Cây bóng mát", "Số lượng": 3}],
        [{"Mã hồ sơ": "YK-001", "Ngày kiểm đếm": "12/03/2026", "Số nhân khẩu": 5}],
    )
    checked = upload(client, good, check_only="y")
    assert checked.status_code == 200 and "Tệp hợp lệ" in checked.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inventory)) == 0
    done = upload(client, good)
    assert done.status_code == 302
    assert [i.kind.value for i in lines(db, case)] == ["land", "crop"]
    assert "1 biên bản mới" in client.get(done.headers["Location"]).get_data(as_text=True)
    # Importing it again changes nothing; a different file replaces only with a reason.
    changed = workbook_bytes(
        [{"Mã hồ sơ": "YK-001", "Loại": "Đất", "Tờ bản đồ": "12", "Số thửa": "41", "Vị trí": 2}],
        [{"Mã hồ sơ": "YK-001", "Ngày kiểm đếm": "12/03/2026", "Số nhân khẩu": 5}],
    )
    asked = upload(client, changed)
    assert asked.status_code == 422 and "ghi lý do thay thế" in asked.get_data(as_text=True)
    assert upload(client, changed, reason="Xác định lại vị trí thửa").status_code == 302
    assert [i.land_position for i in lines(db, case)] == [2]


def test_a_record_created_by_a_colleague_meanwhile_is_a_conflict_not_a_request_for_a_reason(client, db):
    _project, case, parcel = setup(db)
    sign_in(client, "canbo")
    post_form(client, url(case, "/edit"), typed(parcel))
    late = post_form(client, url(case, "/edit"), typed(parcel, persons="7"))  # built when there was none
    assert late.status_code == 409 and "Biên bản đã được sửa trong lúc bạn nhập" in late.get_data(as_text=True)
    assert db.session.scalar(sa.select(Inventory.persons)) == 5
