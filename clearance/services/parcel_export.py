"""Xuất dữ liệu thửa đất: a project's parcels with their case status, land users and areas, as
GeoJSON, GeoPackage or a zipped Shapefile (the files themselves are written by geodata.export).

Two queries whatever the number of parcels: the parcels with their ward, then every holding of
the project's cases with the case and its party. A parcel's status (trạng thái) is the least
advanced status, in ``PROGRESS_ORDER`` (as on the map), among the cases holding it; ``no_case`` (chưa có
hồ sơ) when none does. Labels are written in Vietnamese whatever the interface language.
Reads only: nothing here writes to the database.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from geoalchemy2.shape import to_shape

from clearance.extensions import db
from clearance.formatting import LOCAL_TZ
from clearance.models import AdminUnit, Case, CaseParcel, Parcel, Party, Project
from clearance.services.parcel_map import NO_CASE, STATUS_RANK
from clearance.workflow.statuses import CaseStatus, label
from geodata.export import EXTENSIONS, FORMATS, MIMETYPES, Format, ParcelRecord, write_parcels

#: Status of a parcel that no case holds.
_RANK = {CaseStatus(status): rank for status, rank in STATUS_RANK.items()}


def export_parcels(project: Project, fmt: Format) -> tuple[Path, str, str]:
    """Write the project's parcels as ``fmt`` into a new temporary directory.

    Returns the file's path, the name to download it under (``BCA-YK44-thua-dat-2026-11-29.gpkg``,
    the date in Hanoi time) and its MIME type. The caller removes ``path.parent`` with
    ``remove_export`` (on POSIX as soon as it has opened the file).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt!r}")
    today = datetime.now(LOCAL_TZ).date().isoformat()
    download_name = f"{project.code}-thua-dat-{today}.{EXTENSIONS[fmt]}"
    records = parcel_records(project)
    folder = Path(tempfile.mkdtemp(prefix="gpmb-export-"))
    try:
        path = write_parcels(folder / download_name, fmt, records)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, download_name, MIMETYPES[fmt]


def remove_export(path: Path) -> None:
    """Delete an exported file's temporary directory."""
    shutil.rmtree(path.parent, ignore_errors=True)


def parcel_records(project: Project) -> list[ParcelRecord]:
    """Every parcel of the project, ordered by map sheet and number, ready to export."""
    parcels = db.session.execute(
        sa.select(Parcel, AdminUnit.name)
        .outerjoin(AdminUnit, Parcel.ward_id == AdminUnit.id)
        .where(Parcel.project_id == project.id)
        .order_by(
            sa.func.length(Parcel.map_sheet), Parcel.map_sheet, sa.func.length(Parcel.parcel_no), Parcel.parcel_no
        )
    ).all()
    holdings = db.session.execute(
        sa.select(CaseParcel.parcel_id, Case.code, Case.status, Party.name)
        .join(Case, CaseParcel.case_id == Case.id)
        .join(Party, Case.party_id == Party.id)
        .where(Case.project_id == project.id)
        .order_by(CaseParcel.parcel_id, Case.code)
    ).all()
    cases: dict[int, list[tuple[str, CaseStatus, str]]] = defaultdict(list)
    for parcel_id, code, status, holder in holdings:
        cases[parcel_id].append((code, CaseStatus(status), holder))
    with force_locale("vi"):
        no_case_label = _("Chưa có hồ sơ")
        labels = {status: label(status) for status in CaseStatus}
    records = []
    for parcel, ward in parcels:
        held = cases.get(parcel.id, [])
        status = min((s for _code, s, _holder in held), key=_RANK.__getitem__, default=None)
        records.append(
            ParcelRecord(
                id=parcel.id,
                map_sheet=parcel.map_sheet,
                parcel_no=parcel.parcel_no,
                address=parcel.address,
                land_use=parcel.land_use_code,
                legal_area=parcel.legal_area,
                measured_area=parcel.measured_area,
                recovered_area=parcel.recovered_area,
                remaining_area=_remaining(parcel),
                partial=parcel.is_partial_recovery,
                ward=ward,
                status=status.value if status is not None else NO_CASE,
                status_label=labels[status] if status is not None else no_case_label,
                case_codes="; ".join(_unique(code for code, _s, _h in held)),
                holders="; ".join(_unique(holder for _c, _s, holder in held)),
                geom=to_shape(parcel.geom) if parcel.geom is not None else None,
            )
        )
    return records


def _remaining(parcel: Parcel) -> Decimal | None:
    """Diện tích còn lại: measured area less the recovered area (None until both are known)."""
    if parcel.measured_area is None or parcel.recovered_area is None:
        return None
    return parcel.measured_area - parcel.recovered_area


def _unique(values: object) -> list[str]:
    return list(dict.fromkeys(values))  # type: ignore[call-overload]
