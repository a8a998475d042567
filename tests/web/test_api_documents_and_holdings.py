"""The API records a project's legal basis and takes parcels out of cases, both audited."""

from __future__ import annotations

import json

import sqlalchemy as sa

from clearance.models import ApiToken, AuditEntry
from clearance.services.records import add_holding
from clearance.workflow.statuses import Role
from tests import factories as f


def officer_with_case(db):  # type: ignore[no-untyped-def]
    ward = f.unit("Phường Hai Bà Trưng")
    officer = f.user("canbo", Role.OFFICER, ward)
    project = f.project("YK44", [ward])
    case = f.case(project, f.party("Hộ A", ward), "YK-001")
    from decimal import Decimal

    holding = add_holding(case, f.parcel(project, "45"), "land_user", Decimal(100))
    row, token = ApiToken.issue(officer)
    db.session.add(row)
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, case, holding


def test_a_legal_document_is_added_and_listed_with_the_project(client, db):
    headers, _, _ = officer_with_case(db)
    body = {"number": "35/QĐ-TTg", "issued_on": "2023-05-09", "issuer": "Thủ tướng Chính phủ",
            "summary": "Quyết định chủ trương đầu tư dự án trụ sở làm việc"}
    response = client.post("/api/v1/projects/YK44/documents", data=json.dumps(body), headers=headers)
    assert response.status_code == 201, response.get_json()
    listed = client.get("/api/v1/projects/YK44/documents", headers=headers).get_json()
    assert [d["number"] for d in listed] == ["35/QĐ-TTg"]
    project = client.get("/api/v1/projects/YK44", headers=headers).get_json()
    assert project["legal_documents"][0]["issued_on"] == "2023-05-09"
    again = client.post("/api/v1/projects/YK44/documents", data=json.dumps(body), headers=headers)
    assert again.status_code == 422 and again.get_json()["error"]["field"] == "number"


def test_a_parcel_is_taken_out_of_a_case_and_the_history_says_so(client, db):
    headers, case, holding = officer_with_case(db)
    response = client.delete(f"/api/v1/projects/YK44/cases/{case.id}/holdings/{holding.id}", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["holdings"] == []
    deleted = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == "case_parcel", AuditEntry.action == "delete")
    ).one()
    assert deleted.case_id == case.id and deleted.actor == "Canbo"
    missing = client.delete(f"/api/v1/projects/YK44/cases/{case.id}/holdings/{holding.id}", headers=headers)
    assert missing.status_code == 404
