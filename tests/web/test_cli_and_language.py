"""Command-line user management, and the English catalogue."""

from __future__ import annotations

import sqlalchemy as sa

from clearance.models import ApiToken, User
from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import sign_in


def test_users_are_created_from_the_command_line_and_get_a_token(app, db):
    ward = f.unit("Phường Hai Bà Trưng", code="HN-HBT-T")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "lan", "--role", "lead", "--unit", ward.code, "--password", "mot-hai-ba-4"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "lan"))
    assert user.role == Role.LEAD and user.team.unit_id == ward.id
    assert user.check_password("mot-hai-ba-4")

    result = runner.invoke(args=["users", "token", "lan"])
    token = result.output.strip()
    assert token.startswith("gpmb_")
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != token  # only the hash is kept


def test_an_unknown_unit_code_is_named_in_the_error(app, db):
    f.unit("Phường Cửa Nam", code="HN-CN-T")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "create", "minh", "--role", "officer", "--unit", "XX-99", "--password", "mot-hai-ba-4"])
    assert result.exit_code != 0
    assert "Không có đơn vị hành chính mã 'XX-99'" in result.output
    assert "HN-CN-T" in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "minh")) is None


def test_a_user_switches_the_interface_to_english_and_back(client, db):
    ward = f.unit("Phường Hai Bà Trưng")
    f.user("canbo", Role.OFFICER, ward)
    db.session.commit()
    sign_in(client, "canbo")
    assert "Dự án" in client.get("/projects/").get_data(as_text=True)
    page = client.get("/projects/?lang=en").get_data(as_text=True)
    assert "Projects" in page and '<html lang="en">' in page
    assert "Projects" in client.get("/households/").get_data(as_text=True)  # the choice is kept
    assert "Hộ dân, tổ chức" in client.get("/households/?lang=vi").get_data(as_text=True)
