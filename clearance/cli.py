"""Command line: ``flask --app wsgi users …``, ``flask --app wsgi demo load`` (``db upgrade`` comes
from Flask-Migrate)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from clearance.audit import acting_as
from clearance.extensions import db
from clearance.models import AdminUnit, ApiToken, Team, User
from clearance.workflow.statuses import Role

users_cli = AppGroup("users", help="Tài khoản người dùng và API token.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu: hai dự án của Bộ Công an tại Hà Nội.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", help="Mã đơn vị hành chính của nhóm (bắt buộc trừ admin).")
@click.option("--team", "team_name", help="Tên nhóm GPMB (mặc định: nhóm của đơn vị).")
@click.option("--full-name", default="")
@click.password_option(prompt="Mật khẩu", confirmation_prompt="Nhập lại mật khẩu")
def create_user(username: str, role: str, unit_code: str | None, team_name: str | None, full_name: str, password: str) -> None:
    """Create a user; everyone but an admin belongs to a team of a unit (--unit CODE)."""
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.ClickException(f"Tên đăng nhập '{username}' đã có.")
    team = None
    if unit_code:
        unit = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.code == unit_code))
        if unit is None:
            known = ", ".join(db.session.scalars(sa.select(AdminUnit.code).order_by(AdminUnit.code)))
            raise click.ClickException(f"Không có đơn vị hành chính mã '{unit_code}'. Các mã hiện có: {known or '(chưa có)'}")
        name = team_name or f"Tổ GPMB {unit.name}"
        team = db.session.scalar(sa.select(Team).where(Team.name == name)) or Team(name=name, unit=unit)
    elif role != Role.ADMIN:
        raise click.ClickException("Người dùng không phải admin cần --unit CODE (đơn vị của nhóm).")
    if len(password) < 8:
        raise click.ClickException("Mật khẩu cần ít nhất 8 ký tự.")
    user = User(username=username, role=Role(role), team=team, full_name=full_name)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Đã tạo người dùng {username} ({role}).")


@users_cli.command("token")
@click.argument("username")
def create_token(username: str) -> None:
    """Issue an API token for USERNAME and print it once."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"Không có người dùng '{username}'.")
    row, plain = ApiToken.issue(user)
    db.session.add(row)
    db.session.commit()
    click.echo(plain)


@demo_cli.command("load")
def load_demo_command() -> None:
    """Load (or refresh) the demo: units, teams, users, the two projects. Safe to run twice."""
    from clearance.demo import load_demo

    with acting_as(None, "demo"):
        report = load_demo()
    db.session.commit()
    click.echo(report)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
