"""A project that crosses a ward line (like 44 Yết Kiêu, in Cửa Nam and Hai Bà Trưng): each
ward's team works on all of it, but attaches new things only to its own ward."""

from __future__ import annotations

import sqlalchemy as sa

from clearance.models import Party, Project
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import post_form, sign_in


def project_across_two_wards(db):  # type: ignore[no-untyped-def]
    hbt = f.unit("Phường Hai Bà Trưng")
    cua_nam = f.unit("Phường Cửa Nam")
    hoan_kiem = f.unit("Phường Hoàn Kiếm")
    f.user("canbo_hbt", Role.OFFICER, hbt)
    project = f.project("YK44", [cua_nam, hbt])
    household = f.party("Hộ ở phía Cửa Nam", cua_nam, id_number="001090012345")
    f.case(project, household, "YK-001")
    f.party("Hộ ở Hoàn Kiếm, không có hồ sơ trong dự án", hoan_kiem)
    db.session.commit()
    return project, household, cua_nam, hbt, hoan_kiem


def project_values(project, unit_ids):  # type: ignore[no-untyped-def]
    return {"code": project.code, "name": "Trụ sở 44 Yết Kiêu", "investor": project.investor,
            "status": "in_progress", "unit_ids": unit_ids}


def test_an_officer_of_one_ward_edits_the_project_without_losing_the_other_ward(client, db):
    project, _, cua_nam, hbt, _ = project_across_two_wards(db)
    sign_in(client, "canbo_hbt")
    response = post_form(client, "/projects/YK44/edit", project_values(project, [cua_nam.id, hbt.id]))
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.session.scalar(sa.select(Project).where(Project.code == "YK44"))
    db.session.refresh(saved)
    assert {u.name for u in saved.units} == {"Phường Cửa Nam", "Phường Hai Bà Trưng"}


def test_but_cannot_attach_it_to_a_ward_that_is_not_theirs(client, db):
    project, _, cua_nam, hbt, hoan_kiem = project_across_two_wards(db)
    sign_in(client, "canbo_hbt")
    response = post_form(client, "/projects/YK44/edit", project_values(project, [cua_nam.id, hbt.id, hoan_kiem.id]))
    assert response.status_code == 422
    assert "Phường Hoàn Kiếm" not in {u.name for u in project.units}


def test_the_households_of_the_project_are_visible_and_editable_from_either_ward(client, db):
    _, household, _, _, _ = project_across_two_wards(db)
    sign_in(client, "canbo_hbt")
    listing = client.get("/households/").get_data(as_text=True)
    assert "Hộ ở phía Cửa Nam" in listing
    assert "Hộ ở Hoàn Kiếm" not in listing  # no case in a project this team sees
    response = post_form(client, f"/households/{household.id}/edit", {
        "kind": "household", "name": "Hộ ở phía Cửa Nam", "id_number": "001090012345", "members": "5",
        "unit_id": household.unit_id, "phone": "0912345678",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Party.members).where(Party.id == household.id)) == 5
