"""Command line: ``flask --app wsgi users …``, ``demo load``, ``parcels import``, ``meetings
refresh``, ``plans recalculate``, ``notices print`` (``db upgrade`` comes from Flask-Migrate)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from clearance.audit import acting_as
from clearance.extensions import db
from clearance.models import AdminUnit, ApiToken, Project, Team, User
from clearance.workflow.statuses import Role

users_cli = AppGroup("users", help="Tài khoản người dùng và API token.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu: hai dự án của Bộ Công an tại Hà Nội.")
parcels_cli = AppGroup("parcels", help="Thửa đất: nhập từ file bản đồ địa chính, xuất file.")
meetings_cli = AppGroup("meetings", help="Nhật ký đối thoại: tóm tắt theo hồ sơ.")
plans_cli = AppGroup("plans", help="Phương án bồi thường, hỗ trợ, tái định cư.")


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


@parcels_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "project_code", required=True, help="Mã dự án, ví dụ BCA-YK44.")
@click.option("--crs", "crs_text", help="Hệ toạ độ của số liệu khi file khai báo sai hoặc không khai báo, ví dụ EPSG:5897.")
@click.option("--layer", help="Tên lớp (GeoPackage nhiều lớp, lớp CAD của DXF).")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=ATTR",
              help="Ánh xạ trường: map_sheet, parcel_no, land_use_code, area, holder, address = tên trường trong file.")
@click.option("--sheet", help="Số tờ bản đồ cho file không có trường số tờ (mặc định: số trong tên file).")
@click.option("--create-cases", is_flag=True, help="Tạo hộ và hồ sơ từ trường chủ sử dụng.")
@click.option("--area-tolerance", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="Lệch diện tích (tỷ lệ) so với trường diện tích của file thì cảnh báo.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo, không ghi gì.")
@click.option("--as", "actor", default="", help="Tên người nhập, ghi vào nhật ký (mặc định: tài khoản hệ điều hành).")
def import_parcels(files: tuple[Path, ...], project_code: str, crs_text: str | None, layer: str | None,
                   mappings: tuple[str, ...], sheet: str | None, create_cases: bool, area_tolerance: float,
                   dry_run: bool, actor: str) -> None:
    """Import parcels from FILES (GeoJSON, zipped Shapefile, GeoPackage, DXF) into a project.

    All files go in one transaction: any error and nothing is written. Parcels already in the
    project (same sheet and parcel number) are updated.
    """
    import getpass

    from clearance.services.parcel_import import (
        ImportOptions,
        ImportRejected,
        apply_import,
        preview_import,
        read_sources,
    )
    from geodata.cadastre import MappingError
    from geodata.crs import CrsError, crs_label, parse_epsg
    from geodata.sources import SourceError

    project = db.session.scalar(sa.select(Project).where(Project.code == project_code))
    if project is None:
        raise click.ClickException(f"Không có dự án mã '{project_code}'.")
    overrides = {}
    for item in mappings:
        target, sep, source = item.partition("=")
        if not sep:
            raise click.ClickException(f"--map cần dạng FIELD=ATTR, ví dụ parcel_no=SO_THUA (nhận: {item})")
        overrides[target.strip()] = source.strip()
    try:
        crs = parse_epsg(crs_text) if crs_text else None
        options = ImportOptions(crs=crs, layer=layer, overrides=overrides, sheet=sheet,
                                create_cases=create_cases, area_tolerance=area_tolerance)
        click.echo(f"Đọc {len(files)} file…", err=True)
        layers = read_sources(list(files), layer)
        preview = preview_import(project, layers, options)
    except (SourceError, MappingError, CrsError) as exc:
        raise click.ClickException(str(exc)) from exc
    features = sum(len(item) for item in layers)
    click.echo(f"Dự án {project.code}: {len(files)} file, {features} đối tượng.")
    click.echo(f"Hệ toạ độ: {crs_label(preview.crs_epsg) if preview.crs_epsg else 'không xác định'}"
               f" (file khai báo: {preview.declared_crs}{'; chọn bằng --crs' if crs else ''}).")
    click.echo("Ánh xạ trường: " + ", ".join(f"{k}={v or '—'}" for k, v in preview.mapping.items()))
    click.echo(f"Thửa mới: {preview.count('create')} · cập nhật: {preview.count('update')}"
               f" · không đổi: {preview.count('unchanged')}"
               + (f" · hộ/hồ sơ mới: {len(preview.new_holders)}" if create_cases else ""))
    _echo_problems(preview.problems)
    if preview.errors:
        if preview.crs_suggestion:
            click.echo(f"Gợi ý: chạy lại với --crs EPSG:{preview.crs_suggestion}", err=True)
        raise click.ClickException(f"{len(preview.errors)} lỗi: chưa nhập thửa nào.")
    if dry_run:
        click.echo("Chạy thử (--dry-run): không ghi gì.")
        return
    name = actor or f"CLI ({getpass.getuser()})"
    total = preview.count("create") + preview.count("update")
    with acting_as(None, name), click.progressbar(length=total, label="Ghi thửa đất", file=sys.stderr) as bar:
        shown = [0]

        def advance(stage: str, done: int, _total: int) -> None:
            if stage == "write":
                bar.update(done - shown[0])
                shown[0] = done

        try:
            record = apply_import(project, preview, progress=advance)
        except ImportRejected as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
    click.echo(f"Đã nhập (lần nhập #{record.id}): {record.created_count} thửa mới, {record.updated_count} thửa cập nhật"
               + (f", {record.cases_created} hồ sơ mới." if create_cases else "."))


def _echo_problems(problems: list, limit: int = 20) -> None:
    from collections import Counter

    if not problems:
        click.echo("Không có lỗi hay cảnh báo.")
        return
    errors = [p for p in problems if p.level == "error"]
    counts = Counter((p.level, p.code) for p in problems)
    click.echo("Vấn đề: " + ", ".join(f"{n} {'lỗi' if level == 'error' else 'cảnh báo'} {code}" for (level, code), n in counts.most_common()))
    for problem in (errors or problems)[:limit]:
        click.echo(f"  {'LỖI' if problem.level == 'error' else 'Cảnh báo'} · {problem.describe()}")
    rest = len(errors or problems) - limit
    if rest > 0:
        click.echo(f"  … và {rest} mục nữa")


@meetings_cli.command("refresh")
@click.option("--project", "project_code", default=None, help="Mã dự án; bỏ trống: mọi dự án.")
def refresh_meetings(project_code: str | None) -> None:
    """Rebuild each case's dialogue summary (latest position, demand, meetings by month) from its
    meetings: after meetings were loaded in bulk, outside the app."""
    from clearance.services.meetings import refresh_project_dialogue

    query = sa.select(Project).order_by(Project.code)
    if project_code:
        query = query.where(Project.code == project_code)
    projects = db.session.scalars(query).all()
    if project_code and not projects:
        raise click.ClickException(f"Không có dự án '{project_code}'.")
    for project in projects:
        cases = refresh_project_dialogue(project)
        click.echo(f"{project.code}: đã tính lại {cases} hồ sơ.")
    db.session.commit()


@plans_cli.command("recalculate")
@click.option("--project", "project_code", required=True, help="Mã dự án.")
@click.option("--reason", default="", help="Lý do tính lại (ghi vào phiên bản mới).")
@click.option("--as", "actor", default="cli", show_default=True, help="Tên người thực hiện, ghi vào lịch sử.")
def recalculate_plans(project_code: str, reason: str, actor: str) -> None:
    """Recalculate every case of a project that has an inventory: a new draft version where the
    figures changed, none where they did not. Frozen and approved versions are never touched."""
    from datetime import datetime

    from clearance.formatting import LOCAL_TZ, money
    from clearance.services.errors import FieldError
    from clearance.services.plans import recalculate_project

    project = db.session.scalar(sa.select(Project).where(Project.code == project_code))
    if project is None:
        raise click.ClickException(f"Không có dự án '{project_code}'.")
    with acting_as(None, actor):
        try:
            summary = recalculate_project(project, datetime.now(LOCAL_TZ).date(), reason)
        except FieldError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(
        f"{project.code}: {summary.created_count} phiên bản mới, {summary.unchanged} không đổi, "
        f"{summary.without_inventory} hồ sơ chưa có kiểm đếm, {summary.missing_basis} hồ sơ còn dòng thiếu căn cứ; "
        f"tổng số tiền {money(summary.net_total)}."
    )


def register_cli(app: Flask) -> None:
    from clearance.notices.cli import notices_cli

    app.cli.add_command(notices_cli)
    app.cli.add_command(plans_cli)
    app.cli.add_command(meetings_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(parcels_cli)
