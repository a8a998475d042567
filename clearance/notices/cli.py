"""``flask --app wsgi notices print``: a project's notices in one PDF from the command line.

    flask --app wsgi notices print --project BCA-YK44 --out thong-bao.pdf \\
        --issued-on 27/11/2026 --signer "Nguyễn Văn Hùng" \\
        --payment-on 03/12/2026 --payment-time 08:00 --payment-place "Hội trường UBND phường" \\
        --handover-on 20/12/2026 [--type recovery_notice --survey-from … --survey-to …] \\
        [--case YK-001 --case 42 …] [--workers 2]

Notices already issued (and not cancelled) are reprinted as they were; the others are issued and
numbered, and committed, before the PDF is written. Progress goes to stderr, then a summary.
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from clearance.audit import acting_as
from clearance.extensions import db
from clearance.models import Case, Project
from clearance.notices.documents import CASE_TYPES, IssueFields
from clearance.services.errors import FieldError

notices_cli = AppGroup("notices", help="Văn bản: in hàng loạt thông báo của một dự án.")


def _day(value: str | None) -> date | None:
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise click.BadParameter(f"ngày '{value}' không hợp lệ: ghi dd/mm/yyyy")


def _case_ids(project: Project, values: tuple[str, ...]) -> list[int] | None:
    """--case takes a case id or a case code."""
    if not values:
        return None
    ids: list[int] = []
    for value in values:
        query = sa.select(Case.id).where(Case.project_id == project.id)
        query = query.where(Case.id == int(value)) if value.isdigit() else query.where(Case.code == value)
        found = db.session.scalar(query)
        if found is None:
            raise click.ClickException(f"Không có hồ sơ '{value}' trong dự án {project.code}.")
        ids.append(found)
    return list(dict.fromkeys(ids))


@notices_cli.command("print")
@click.option("--project", "project_code", required=True, help="Mã dự án.")
@click.option("--type", "doc_type", type=click.Choice([t.value for t in CASE_TYPES]), default="compensation_notice",
              show_default=True, help="Loại thông báo.")
@click.option("--case", "cases", multiple=True, help="Mã hoặc số hồ sơ (nhắc lại để chọn nhiều); bỏ trống: tất cả.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File PDF ghi ra.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Số tiến trình dựng PDF (mặc định PRINT_WORKERS).")
@click.option("--issued-on", default=None, help="Ngày ban hành các thông báo mới (dd/mm/yyyy; mặc định hôm nay).")
@click.option("--signer", default="", help="Họ tên người ký.")
@click.option("--deputy", is_flag=True, help="Phó Chủ tịch ký thay (KT. Chủ tịch).")
@click.option("--payment-on", default=None, help="Ngày bắt đầu chi trả (dd/mm/yyyy).")
@click.option("--payment-time", default=None, help="Giờ chi trả (hh:mm).")
@click.option("--payment-place", default="", help="Địa điểm chi trả.")
@click.option("--handover-on", default=None, help="Hạn bàn giao mặt bằng (dd/mm/yyyy).")
@click.option("--survey-from", default=None, help="Điều tra, kiểm đếm từ ngày (thông báo thu hồi).")
@click.option("--survey-to", default=None, help="Điều tra, kiểm đếm đến ngày (thông báo thu hồi).")
@click.option("--as", "actor", default="cli", show_default=True, help="Tên người ban hành, ghi vào sổ.")
def print_notices(
    project_code: str, doc_type: str, cases: tuple[str, ...], out: Path, workers: int | None, issued_on: str | None,
    signer: str, deputy: bool, payment_on: str | None, payment_time: str | None, payment_place: str,
    handover_on: str | None, survey_from: str | None, survey_to: str | None, actor: str,
) -> None:
    """Issue what is not issued yet and print a project's notices into one PDF."""
    from datetime import time as clock

    from pypdf import PdfReader

    from clearance.formatting import LOCAL_TZ
    from clearance.notices.jobs import print_batch, workers_setting

    project = db.session.scalar(sa.select(Project).where(Project.code == project_code))
    if project is None:
        raise click.ClickException(f"Không có dự án '{project_code}'.")
    try:
        at = clock.fromisoformat(payment_time) if payment_time else None
    except ValueError as error:
        raise click.BadParameter(f"giờ '{payment_time}' không hợp lệ: ghi hh:mm") from error
    fields_ = IssueFields(
        issued_on=_day(issued_on) or datetime.now(LOCAL_TZ).date(), signer_name=signer.strip(), deputy=deputy,
        payment_on=_day(payment_on), payment_time=at, payment_place=payment_place.strip(), handover_on=_day(handover_on),
        survey_from=_day(survey_from), survey_to=_day(survey_to),
    )
    workers = workers or workers_setting()
    started = time.monotonic()
    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        step = max(1, total // 20)
        if done == total or done - shown.get(stage, 0) >= step:
            shown[stage] = done
            what = "Lập, cấp số" if stage == "issue" else "Dựng PDF"
            click.echo(f"{what}: {done}/{total} ({time.monotonic() - started:.1f} s)", err=True)

    with acting_as(None, actor):
        try:
            batch = print_batch(project, doc_type, _case_ids(project, cases), fields_, workers=workers, progress=progress)
        except FieldError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
    db.session.commit()
    out.write_bytes(batch.pdf)
    pages = len(PdfReader(BytesIO(batch.pdf)).pages)
    seconds = time.monotonic() - started
    click.echo(
        f"{project.code}: {len(batch.documents)} văn bản ({batch.issued} ban hành mới, {batch.reused} in lại), "
        f"{pages} trang, {seconds:.1f} giây, {workers} tiến trình → {out}",
    )
    sys.stdout.flush()
