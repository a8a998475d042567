"""The JSON API under /api/v1: bearer tokens, the UI's scope rules, records, errors, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from clearance.models import ApiToken, AuditEntry, Case, Parcel, Party, Project, User
from clearance.workflow.statuses import CaseStatus, Role
from tests import factories as f
from tests.conftest import sign_in

VALID_CCCD = "001090012345"  # Hà Nội, born 1990
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[105.8560, 21.0185], [105.8562, 21.0185], [105.8562, 21.0186], [105.8560, 21.0186],
                     [105.8560, 21.0185]]],
}


def bearer(db: Any, user: User) -> dict[str, str]:
    row, plain = ApiToken.issue(user)
    db.session.add(row)
    db.session.flush()
    return {"Authorization": f"Bearer {plain}"}


def two_wards(db: Any) -> dict[str, Any]:
    """Hai Bà Trưng with project YK44 (two parcels, one household with a case) and Cửa Nam with
    project TBT30; an officer, a viewer and a token for each user."""
    hbt = f.unit("Phường Hai Bà Trưng")
    cn = f.unit("Phường Cửa Nam")
    officer = f.user("canbo_hbt", Role.OFFICER, hbt)
    viewer = f.user("xem_hbt", Role.VIEWER, hbt)
    other = f.user("canbo_cn", Role.OFFICER, cn)
    yk44 = f.project("YK44", [hbt], name="Trụ sở 44 Yết Kiêu", approved_budget=12_500_000_000)
    tbt30 = f.project("TBT30", [cn], name="Mở rộng phố Trần Bình Trọng")
    parcel = f.parcel(yk44, "7")
    f.parcel(yk44, "8", land_use_code="TMD", lon=105.8570)
    household = f.party("Nguyễn Văn An", hbt, id_number=VALID_CCCD, is_poor=True)
    case = f.case(yk44, household, "YK-001", CaseStatus.SURVEYED)
    other_household = f.party("Trần Thị Bình", cn)
    other_parcel = f.parcel(tbt30, "30", lon=105.8500)
    other_case = f.case(tbt30, other_household, "TBT-001")
    world = {
        "hbt": hbt, "cn": cn, "officer": officer, "viewer": viewer, "other": other,
        "yk44": yk44, "tbt30": tbt30, "parcel": parcel, "household": household, "case": case,
        "other_household": other_household, "other_parcel": other_parcel, "other_case": other_case,
        "as_officer": bearer(db, officer), "as_viewer": bearer(db, viewer), "as_other": bearer(db, other),
    }
    db.session.commit()
    return world


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


# --- authentication and the OpenAPI document ----------------------------------------------------


def test_the_openapi_document_is_public_and_describes_every_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    from openapi_spec_validator import validate

    validate(spec)  # raises on anything OpenAPI 3 does not allow
    assert {"/api/v1/projects", "/api/v1/projects/{code}", "/api/v1/projects/{code}/parcels",
            "/api/v1/households", "/api/v1/projects/{code}/cases/{case_id}/holdings"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"Project", "ProjectCreate", "Parcel", "Party", "Case", "Holding", "ApiError"} <= set(schemas)
    assert schemas["Project"]["properties"]["approved_budget"]["type"] == "integer"
    assert schemas["Parcel"]["properties"]["legal_area"]["type"] == "string"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                assert operation["responses"], (path, method)
                assert operation["summary"], (path, method)


def test_without_a_valid_token_the_api_answers_401_in_json(client, db):
    world = two_wards(db)
    world["officer"].tokens[0].revoked = True
    inactive = f.user("nghi_viec", Role.OFFICER, world["hbt"])
    inactive.is_active_account = False
    as_inactive = bearer(db, inactive)
    db.session.commit()
    for headers in ({}, {"Authorization": "Bearer gpmb_khong-ton-tai"}, {"Authorization": "Basic YWJjOmRlZg=="},
                    world["as_officer"], as_inactive):
        response = client.get("/api/v1/projects", headers=headers)
        error = error_of(response, 401)
        assert error["status"] == 401 and error["field"] is None
        assert "Authorization: Bearer" in error["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in response.headers


def test_a_token_stands_for_its_user_and_records_its_last_use(client, db):
    world = two_wards(db)
    response = client.get("/api/v1/projects", headers=world["as_officer"])
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    token = world["officer"].tokens[0]
    db.session.refresh(token)
    assert token.last_used_at is not None


# --- projects -----------------------------------------------------------------------------------


def test_an_officer_lists_searches_and_reads_the_projects_of_their_ward(client, db):
    world = two_wards(db)
    f.project("YK46", [world["hbt"]], name="Nhà khách 46 Yết Kiêu", status="in_progress")
    db.session.commit()
    headers = world["as_officer"]

    listed = client.get("/api/v1/projects", headers=headers)
    assert [p["code"] for p in listed.get_json()] == ["YK44", "YK46"]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 2
    assert [p["code"] for p in client.get("/api/v1/projects?q=nhà khách", headers=headers).get_json()] == ["YK46"]
    assert [p["code"] for p in client.get("/api/v1/projects?status=in_progress", headers=headers).get_json()] == ["YK46"]
    paged = client.get("/api/v1/projects?page=2&page_size=1", headers=headers)
    assert [p["code"] for p in paged.get_json()] == ["YK46"]
    assert json.loads(paged.headers["X-Pagination"])["total_pages"] == 2

    project = client.get("/api/v1/projects/YK44", headers=headers).get_json()
    assert project["name"] == "Trụ sở 44 Yết Kiêu"
    assert project["approved_budget"] == 12_500_000_000  # whole đồng, an integer
    assert project["unit_ids"] == [world["hbt"].id]
    assert project["units"][0]["name"] == "Phường Hai Bà Trưng"
    assert project["status"] == "preparing"
    assert project["boundary"] is None


def test_an_officer_creates_and_updates_a_project_and_the_audit_names_the_token_user(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    response = client.post("/api/v1/projects", headers=headers, json={
        "code": "YK50", "name": "Trường học 50 Yết Kiêu", "investor": "UBND phường",
        "unit_ids": [world["hbt"].id], "approved_budget": 4_210_000_000, "notice_date": "2026-03-20",
        "boundary": SQUARE,
    })
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["code"] == "YK50" and created["notice_date"] == "2026-03-20"
    assert created["boundary"]["type"] == "MultiPolygon"

    response = client.patch("/api/v1/projects/YK50", headers=headers,
                            json={"status": "in_progress", "approved_budget": 5_000_000_000})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "in_progress"
    assert response.get_json()["name"] == "Trường học 50 Yết Kiêu"  # left alone

    project = db.session.scalar(sa.select(Project).where(Project.code == "YK50"))
    assert project.approved_budget == 5_000_000_000
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.project_id == project.id).order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert {e.user_id for e in entries} == {world["officer"].id}
    assert entries[0].actor == world["officer"].display_name
    assert entries[1].changes["approved_budget"] == [4_210_000_000, 5_000_000_000]


def test_a_project_cannot_be_attached_to_an_unknown_or_foreign_unit(client, db):
    world = two_wards(db)
    body = {"code": "YK60", "name": "Dự án mới", "investor": "UBND phường"}
    error = error_of(client.post("/api/v1/projects", headers=world["as_officer"], json={**body, "unit_ids": [999999]}), 422)
    assert error["field"] == "unit_ids" and "999999" in error["message"]
    error = error_of(client.post("/api/v1/projects", headers=world["as_officer"],
                                 json={**body, "unit_ids": [world["cn"].id]}), 422)
    assert error["field"] == "unit_ids"
    assert db.session.scalar(sa.select(Project).where(Project.code == "YK60")) is None


# --- scope and roles ----------------------------------------------------------------------------


def test_another_units_project_its_parcels_and_cases_are_not_found(client, db):
    world = two_wards(db)
    headers = world["as_other"]  # an officer of Cửa Nam
    parcel_id, case_id = world["parcel"].id, world["case"].id
    for url in ("/api/v1/projects/YK44", "/api/v1/projects/YK44/parcels", f"/api/v1/projects/YK44/parcels/{parcel_id}",
                "/api/v1/projects/YK44/cases", f"/api/v1/projects/YK44/cases/{case_id}",
                f"/api/v1/households/{world['household'].id}"):
        assert error_of(client.get(url, headers=headers), 404)["status"] == 404, url
    assert error_of(client.patch("/api/v1/projects/YK44", headers=headers, json={"name": "Đổi tên"}), 404)
    assert error_of(client.post("/api/v1/projects/YK44/parcels", headers=headers,
                                json={"map_sheet": "1", "parcel_no": "1"}), 404)
    # a parcel of one's own project, asked for under another project, is not found either
    other_parcel = world["other_parcel"].id
    assert error_of(client.get(f"/api/v1/projects/YK44/parcels/{other_parcel}", headers=world["as_officer"]), 404)
    assert [p["code"] for p in client.get("/api/v1/projects", headers=headers).get_json()] == ["TBT30"]
    assert [h["name"] for h in client.get("/api/v1/households", headers=headers).get_json()] == ["Trần Thị Bình"]
    assert db.session.scalar(sa.select(Project.name).where(Project.code == "YK44")) == "Trụ sở 44 Yết Kiêu"


def test_an_admin_sees_every_unit(client, db):
    world = two_wards(db)
    admin = f.user("quantri", Role.ADMIN)
    headers = bearer(db, admin)
    db.session.commit()
    assert [p["code"] for p in client.get("/api/v1/projects", headers=headers).get_json()] == ["TBT30", "YK44"]
    assert client.get(f"/api/v1/projects/TBT30/cases/{world['other_case'].id}", headers=headers).status_code == 200


def test_a_viewer_reads_but_every_write_is_forbidden(client, db):
    world = two_wards(db)
    headers = world["as_viewer"]
    case_url = f"/api/v1/projects/YK44/cases/{world['case'].id}"
    for url in ("/api/v1/projects/YK44", "/api/v1/projects/YK44/parcels", "/api/v1/households", case_url):
        assert client.get(url, headers=headers).status_code == 200, url
    writes = [
        ("post", "/api/v1/projects", {"code": "X1", "name": "X", "investor": "X", "unit_ids": [world["hbt"].id]}),
        ("patch", "/api/v1/projects/YK44", {"name": "Đổi tên"}),
        ("post", "/api/v1/projects/YK44/parcels", {"map_sheet": "12", "parcel_no": "99"}),
        ("patch", f"/api/v1/projects/YK44/parcels/{world['parcel'].id}", {"address": "Khác"}),
        ("post", "/api/v1/households", {"name": "Lê Văn Cường", "unit_id": world["hbt"].id}),
        ("patch", f"/api/v1/households/{world['household'].id}", {"phone": "0912345678"}),
        ("post", "/api/v1/projects/YK44/cases", {"code": "YK-002", "party_id": world["household"].id}),
        ("patch", case_url, {"status": "posted"}),
        ("post", f"{case_url}/holdings", {"parcel_id": world["parcel"].id}),
    ]
    for method, url, body in writes:
        error = error_of(getattr(client, method)(url, headers=headers, json=body), 403)
        assert "chỉ xem" in error["message"], url
    assert db.session.scalar(sa.select(Project.name).where(Project.code == "YK44")) == "Trụ sở 44 Yết Kiêu"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 2


# --- parcels ------------------------------------------------------------------------------------


def test_an_officer_records_a_parcel_with_its_geometry_and_lists_filters_and_edits_parcels(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    response = client.post("/api/v1/projects/YK44/parcels", headers=headers, json={
        "map_sheet": "12", "parcel_no": "9", "address": "Số 9 phố Yết Kiêu", "land_use_code": "ODT",
        "legal_area": "180.5", "geom": SQUARE,
    })
    assert response.status_code == 201, response.get_data(as_text=True)
    parcel = response.get_json()
    assert parcel["legal_area"] == "180.50"  # a decimal string, never a float
    assert parcel["measured_area"] is not None and parcel["measured_area"].count(".") == 1
    assert float(parcel["measured_area"]) > 200  # about 20.8 m × 11.1 m, computed from the geometry
    assert parcel["geom"]["type"] == "MultiPolygon"
    assert [105.8562, 21.0186] in parcel["geom"]["coordinates"][0][0]  # WGS84 lon, lat

    listed = client.get("/api/v1/projects/YK44/parcels", headers=headers).get_json()
    assert [p["parcel_no"] for p in listed] == ["7", "8", "9"]
    assert [p["parcel_no"] for p in client.get("/api/v1/projects/YK44/parcels?land_use=TMD", headers=headers).get_json()] == ["8"]
    assert [p["parcel_no"] for p in client.get("/api/v1/projects/YK44/parcels?q=9", headers=headers).get_json()] == ["9"]

    url = f"/api/v1/projects/YK44/parcels/{parcel['id']}"
    response = client.patch(url, headers=headers, json={"legal_area": 175.25, "former_address": "Phường Nguyễn Du"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.get(url, headers=headers).get_json()["legal_area"] == "175.25"
    assert client.get(url, headers=headers).get_json()["geom"]["type"] == "MultiPolygon"  # kept


def test_a_duplicate_parcel_number_or_a_geometry_that_is_not_a_polygon_is_refused_naming_the_field(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    error = error_of(client.post("/api/v1/projects/YK44/parcels", headers=headers,
                                 json={"map_sheet": "12", "parcel_no": "7"}), 422)
    assert error["field"] == "parcel_no"
    assert "thửa số 7" in error["message"]
    point = {"type": "Point", "coordinates": [105.856, 21.0185]}
    error = error_of(client.post("/api/v1/projects/YK44/parcels", headers=headers,
                                 json={"map_sheet": "12", "parcel_no": "10", "geom": point}), 422)
    assert error["field"] == "geom"
    assert "Polygon" in error["message"] and "Point" in error["message"]
    metres = {"type": "Polygon", "coordinates": [[[585000, 2324000], [585020, 2324000], [585020, 2324010],
                                                  [585000, 2324000]]]}
    error = error_of(client.post("/api/v1/projects/YK44/parcels", headers=headers,
                                 json={"map_sheet": "12", "parcel_no": "10", "geom": metres}), 422)
    assert error["field"] == "geom" and "WGS84" in error["message"]
    error = error_of(client.patch(f"/api/v1/projects/YK44/parcels/{world['parcel'].id}", headers=headers,
                                  json={"legal_area": "12.345"}), 422)
    assert error["field"] == "legal_area"
    error = error_of(client.patch(f"/api/v1/projects/YK44/parcels/{world['parcel'].id}", headers=headers,
                                  json={"legal_area": "-1"}), 422)
    assert error["field"] == "legal_area"
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Parcel).where(Parcel.project_id == world["yk44"].id))
    assert count == 2


# --- households ---------------------------------------------------------------------------------


def test_an_officer_records_finds_and_edits_a_household(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    response = client.post("/api/v1/households", headers=headers, json={
        "name": "Lê Văn Cường", "kind": "household", "id_number": "001185000777", "phone": "0912 345 678",
        "members": 5, "unit_id": world["hbt"].id, "is_elderly_alone": False, "has_disabled_member": True,
    })
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["is_vulnerable"] is True and created["members"] == 5

    names = [h["name"] for h in client.get("/api/v1/households", headers=headers).get_json()]
    assert names == ["Lê Văn Cường", "Nguyễn Văn An"]
    assert [h["name"] for h in client.get("/api/v1/households?flag=poor", headers=headers).get_json()] == ["Nguyễn Văn An"]
    found = client.get(f"/api/v1/households?q={VALID_CCCD}", headers=headers).get_json()
    assert [h["name"] for h in found] == ["Nguyễn Văn An"]

    url = f"/api/v1/households/{world['household'].id}"
    response = client.patch(url, headers=headers, json={"phone": "0987654321", "members": 6})
    assert response.status_code == 200, response.get_data(as_text=True)
    updated = client.get(url, headers=headers).get_json()
    assert updated["phone"] == "0987654321" and updated["members"] == 6
    assert updated["id_number"] == VALID_CCCD  # not sent, so kept


def test_an_invalid_cccd_or_an_unknown_unit_is_refused_naming_the_field(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    body = {"name": "Phạm Văn Dũng", "unit_id": world["hbt"].id}
    error = error_of(client.post("/api/v1/households", headers=headers, json={**body, "id_number": "999090012345"}), 422)
    assert error["field"] == "id_number" and "999" in error["message"]
    error = error_of(client.post("/api/v1/households", headers=headers, json={**body, "id_number": "12345"}), 422)
    assert error["field"] == "id_number" and "12 chữ số" in error["message"]
    error = error_of(client.post("/api/v1/households", headers=headers, json={**body, "id_number": VALID_CCCD}), 422)
    assert error["field"] == "id_number" and "Nguyễn Văn An" in error["message"]  # already recorded
    error = error_of(client.post("/api/v1/households", headers=headers, json={**body, "unit_id": 999999}), 422)
    assert error["field"] == "unit_id"
    error = error_of(client.post("/api/v1/households", headers=headers, json={**body, "unit_id": world["cn"].id}), 422)
    assert error["field"] == "unit_id"
    error = error_of(client.post("/api/v1/households", headers=headers, json={"name": "Thiếu phường"}), 422)
    assert error["field"] == "unit_id" and "bắt buộc" in error["message"]
    assert db.session.scalar(sa.select(Party).where(Party.name == "Phạm Văn Dũng")) is None


# --- cases --------------------------------------------------------------------------------------


def test_an_officer_opens_a_case_adds_parcels_and_moves_it_on(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    household = f.party("Hoàng Thị Em", world["hbt"])
    db.session.commit()
    response = client.post("/api/v1/projects/YK44/cases", headers=headers,
                           json={"code": "YK-002", "party_id": household.id, "notes": "Chủ hộ đi vắng"})
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert case["status"] == "new" and case["party"]["name"] == "Hoàng Thị Em" and case["holdings"] == []

    url = f"/api/v1/projects/YK44/cases/{case['id']}"
    response = client.post(f"{url}/holdings", headers=headers,
                           json={"parcel_id": world["parcel"].id, "tenure": "co_user", "share": "50"})
    assert response.status_code == 201, response.get_data(as_text=True)
    holdings = client.get(url, headers=headers).get_json()["holdings"]
    assert holdings == [{"id": holdings[0]["id"], "parcel_id": world["parcel"].id, "map_sheet": "12", "parcel_no": "7",
                         "tenure": "co_user", "share": "50.00"}]

    version = client.get(url, headers=headers).get_json()["version"]
    response = client.post(f"{url}/transitions", headers=headers,
                           json={"target": "notified", "occurred_on": "2026-11-20", "document": "12/TB-UBND", "version": version})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["to_status"] == "notified"
    assert client.get(url, headers=headers).get_json()["status"] == "notified"
    error = error_of(client.post(f"{url}/transitions", headers=headers,
                                 json={"target": "surveyed", "occurred_on": "2026-11-21", "version": version}), 409)
    assert error["field"] == "version"

    listed = client.get("/api/v1/projects/YK44/cases?status=notified", headers=headers).get_json()
    assert [c["code"] for c in listed] == ["YK-002"]
    assert [c["code"] for c in client.get("/api/v1/projects/YK44/cases?q=an", headers=headers).get_json()] == ["YK-001"]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "case_parcel", AuditEntry.case_id == case["id"])
    ).one()
    assert entry.user_id == world["officer"].id


def test_case_rules_are_answered_with_the_field_to_blame(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    url = f"/api/v1/projects/YK44/cases/{world['case'].id}"
    error = error_of(client.post("/api/v1/projects/YK44/cases", headers=headers,
                                 json={"code": "YK-001", "party_id": world["household"].id}), 422)
    assert error["field"] == "code"
    error = error_of(client.post("/api/v1/projects/YK44/cases", headers=headers,
                                 json={"code": "YK-009", "party_id": world["other_household"].id}), 422)
    assert error["field"] == "party_id"  # a household of another unit is not the user's to name
    error = error_of(client.post(f"{url}/holdings", headers=headers, json={"parcel_id": world["other_parcel"].id}), 422)
    assert error["field"] == "parcel_id"
    assert client.post(f"{url}/holdings", headers=headers, json={"parcel_id": world["parcel"].id, "share": 60}).status_code == 201
    second = f.party("Đỗ Văn Giang", world["hbt"])
    second_case = f.case(world["yk44"], second, "YK-003")
    db.session.commit()
    error = error_of(client.post(f"/api/v1/projects/YK44/cases/{second_case.id}/holdings", headers=headers,
                                 json={"parcel_id": world["parcel"].id, "share": "50"}), 422)
    assert error["field"] == "share" and "100%" in error["message"]
    error = error_of(client.post(f"{url}/holdings", headers=headers,
                                 json={"parcel_id": world["parcel"].id, "share": "0"}), 422)
    assert error["field"] == "share"


# --- bad input ----------------------------------------------------------------------------------


def test_bad_input_is_a_json_4xx_naming_the_field_never_a_500(client, db):
    world = two_wards(db)
    headers = world["as_officer"]
    response = client.post("/api/v1/projects", headers={**headers, "Content-Type": "application/json"},
                           data='{"code": "YK70", "name": ')
    error = error_of(response, 400)
    assert "JSON" in error["message"] and error["field"] is None

    error = error_of(client.post("/api/v1/projects", headers=headers, data="code=YK70"), 415)
    assert "application/json" in error["message"]

    error = error_of(client.post("/api/v1/projects", headers=headers, json=["YK70"]), 422)
    assert error["field"] is None and "đối tượng JSON" in error["message"]

    body = {"code": "YK70", "name": "Dự án", "investor": "UBND", "unit_ids": [world["hbt"].id]}
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "budget": 1}), 422)
    assert error["field"] == "budget" and error["message"].startswith("budget: ")
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "approved_budget": "4 tỷ"}), 422)
    assert error["field"] == "approved_budget" and "số nguyên" in error["message"]
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "approved_budget": 1.5}), 422)
    assert error["field"] == "approved_budget"
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "notice_date": "20/03/2026"}), 422)
    assert error["field"] == "notice_date" and "yyyy-mm-dd" in error["message"]
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "status": "done"}), 422)
    assert error["field"] == "status" and "in_progress" in error["message"]
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "code": "YK 70"}), 422)
    assert error["field"] == "code"
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "name": "   "}), 422)
    assert error["field"] == "name"
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "unit_ids": ["x"]}), 422)
    assert error["field"] == "unit_ids"
    error = error_of(client.post("/api/v1/projects", headers=headers, json={**body, "code": "YK44"}), 422)
    assert error["field"] == "code" and "YK44" in error["message"]
    error = error_of(client.patch("/api/v1/projects/YK44", headers=headers, json={"name": None}), 422)
    assert error["field"] == "name"
    error = error_of(client.get("/api/v1/projects?status=xong", headers=headers), 422)
    assert error["field"] == "status"
    error = error_of(client.get("/api/v1/projects?page=0", headers=headers), 422)
    assert error["field"] == "page"
    assert error_of(client.get("/api/v1/projects/YK44/cases/99999999999999999999", headers=headers), 404)
    assert error_of(client.delete("/api/v1/projects/YK44", headers=headers), 405)["status"] == 405
    assert error_of(client.get("/api/v1/khong-co", headers=headers), 404)["status"] == 404
    assert db.session.scalar(sa.select(Project).where(Project.code == "YK70")) is None


def test_errors_outside_the_api_still_render_html_pages(client, db):
    two_wards(db)
    sign_in(client, "canbo_hbt")
    response = client.get("/projects/TBT30")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and response.mimetype == "text/html"
