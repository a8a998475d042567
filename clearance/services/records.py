"""Create and update projects, parcels, parties and cases. Flush, never commit.

Each function takes plain values (from a form or the API), checks the rules the database would
otherwise reject with a bare IntegrityError, and raises FieldError naming the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry

from clearance.extensions import db
from clearance.formatting import percent
from clearance.models import AdminUnit, Case, CaseParcel, LegalDocument, Parcel, Party, Project
from clearance.services.errors import FieldError
from geodata.geometry import as_multipolygon
from geodata.measure import area_m2, recovered_area_m2

PROJECT_FIELDS = (
    "code", "name", "investor", "description", "status", "approved_budget", "notice_date",
    "plan_approved_date", "recovery_decision_date", "handover_deadline",
)
PARCEL_FIELDS = (
    "map_sheet", "parcel_no", "address", "former_address", "land_use_code", "legal_area", "measured_area",
)
PARTY_FIELDS = (
    "kind", "name", "id_number", "tax_code", "phone", "address", "former_address", "members", "unit_id",
    "is_poor", "is_policy_family", "is_elderly_alone", "has_disabled_member",
)
CASE_FIELDS = ("code", "party_id", "status", "notes")


def _assign(record: Any, values: dict[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in values:
            setattr(record, name, values[name])


def _geometry(geom: BaseGeometry | None) -> Any:
    """Shapely → a MULTIPOLYGON column value (the columns hold one type: polygons are promoted)."""
    return from_shape(as_multipolygon(geom), srid=4326) if geom is not None else None


def save_project(project: Project | None, values: dict[str, Any], allowed_unit_ids: set[int] | None) -> Project:
    """Create (project=None) or update a project. ``values['unit_ids']``: its wards/communes."""
    project = project or Project()
    code = values.get("code", project.code)
    clash = db.session.scalar(sa.select(Project.id).where(Project.code == code, Project.id != project.id))
    if clash is not None:
        raise FieldError("code", _("Mã dự án %(code)s đã được dùng cho dự án khác.", code=code))
    if "unit_ids" in values:
        unit_ids = set(values["unit_ids"])
        if not unit_ids:
            raise FieldError("unit_ids", _("Chọn ít nhất một phường/xã."))
        units = list(db.session.scalars(sa.select(AdminUnit).where(AdminUnit.id.in_(unit_ids))))
        unknown = unit_ids - {u.id for u in units}
        if unknown:
            raise FieldError("unit_ids", _("Không có đơn vị hành chính mã số %(ids)s.", ids=", ".join(map(str, sorted(unknown)))))
        # A team adds or removes its own units only: it can neither claim another ward's
        # project nor cut the other ward's team out of a project they share.
        changed = unit_ids ^ {u.id for u in project.units}
        if allowed_unit_ids is not None and not changed <= allowed_unit_ids:
            raise FieldError("unit_ids", _("Bạn chỉ được thêm hoặc bỏ phường/xã của nhóm mình."))
        project.units = units
    _assign(project, values, PROJECT_FIELDS)
    db.session.add(project)
    if "boundary" in values:
        old = to_shape(project.boundary) if project.boundary is not None else None
        new = values["boundary"]
        project.boundary = _geometry(new)
        if project.id is not None and not _same_shape(old, new):
            recompute_recovered_areas(project, new)
    db.session.flush()
    return project


def _recovered(parcel: Parcel, geom: BaseGeometry | None, boundary: BaseGeometry | None) -> Decimal | None:
    """Recovered area of a parcel; a parcel wholly inside keeps its measured area (which may be
    the surveyor's figure rather than the drawing's)."""
    if geom is None:
        return None
    recovered = recovered_area_m2(geom, boundary)
    if recovered is not None and parcel.measured_area is not None and recovered == area_m2(geom):
        return parcel.measured_area
    return recovered


def _same_shape(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.equals_exact(b, 1e-9))


def recompute_recovered_areas(project: Project, boundary: BaseGeometry | None) -> int:
    """A new recovery boundary changes every parcel's recovered area: recompute them all
    (each change goes into the audit trail). Returns how many parcels changed."""
    changed = 0
    for parcel in db.session.scalars(sa.select(Parcel).where(Parcel.project_id == project.id, Parcel.geom.is_not(None))):
        area = _recovered(parcel, to_shape(parcel.geom), boundary)
        if area != parcel.recovered_area:
            parcel.recovered_area = area
            changed += 1
    return changed


def add_legal_document(project: Project, values: dict[str, Any]) -> LegalDocument:
    number = values["number"]
    if any(doc.number == number for doc in project.legal_documents):
        raise FieldError("number", _("Dự án đã có văn bản số %(number)s.", number=number))
    document = LegalDocument(project=project, **values)
    db.session.add(document)
    db.session.flush()
    return document


def save_parcel(project: Project, parcel: Parcel | None, values: dict[str, Any]) -> Parcel:
    """Create or update a parcel; the measured area defaults to the geometry's geodesic area."""
    parcel = parcel or Parcel(project_id=project.id)
    sheet = values.get("map_sheet", parcel.map_sheet)
    number = values.get("parcel_no", parcel.parcel_no)
    clash = db.session.scalar(
        sa.select(Parcel.id).where(
            Parcel.project_id == project.id,
            Parcel.map_sheet == sheet,
            Parcel.parcel_no == number,
            Parcel.id != parcel.id,
        )
    )
    if clash is not None:
        raise FieldError(
            "parcel_no",
            _("Dự án đã có thửa số %(number)s, tờ bản đồ số %(sheet)s.", number=number, sheet=sheet),
        )
    _assign(parcel, values, PARCEL_FIELDS)
    if "geom" in values:
        geom = values["geom"]
        parcel.geom = _geometry(geom)
        if geom is not None and values.get("measured_area") is None:
            parcel.measured_area = area_m2(geom)
        parcel.ward_id = ward_of(geom) if geom is not None else None
        boundary = to_shape(project.boundary) if project.boundary is not None else None
        if "recovered_area" not in values:
            parcel.recovered_area = _recovered(parcel, geom, boundary)
    db.session.add(parcel)
    db.session.flush()
    return parcel


def ward_of(geom: BaseGeometry) -> int | None:
    """The 2025 ward or commune whose boundary holds the parcel's representative point."""
    from shapely import wkt

    point = wkt.dumps(geom.representative_point())
    return db.session.scalar(
        sa.select(AdminUnit.id)
        .where(AdminUnit.boundary.is_not(None))
        .where(sa.func.ST_Contains(AdminUnit.boundary, sa.func.ST_GeomFromText(point, 4326)))
        .limit(1)
    )


def save_party(party: Party | None, values: dict[str, Any], allowed_unit_ids: set[int] | None) -> Party:
    """Create or update a party; only the fields present in ``values`` change."""
    party = party or Party()
    if "id_number" in values:
        id_number = values["id_number"] or None  # an empty field means "no ID number"
        values = {**values, "id_number": id_number}
        clash = id_number and db.session.scalar(
            sa.select(Party).where(Party.id_number == id_number, Party.id != party.id)
        )
        if clash:
            if allowed_unit_ids is None or clash.unit_id in allowed_unit_ids:
                message = _("Số CCCD %(number)s đã có trong hồ sơ của %(name)s.", number=id_number, name=clash.name)
            else:  # a party of another unit: say it exists, not whose it is
                message = _("Số CCCD %(number)s đã được ghi cho một hộ ở đơn vị khác.", number=id_number)
            raise FieldError("id_number", message)
    unit_id = values.get("unit_id", party.unit_id)
    if unit_id is None or db.session.get(AdminUnit, unit_id) is None:
        raise FieldError("unit_id", _("Không có đơn vị hành chính này."))
    # Registering a party in a unit, or moving it between units, needs both units to be the team's.
    if party.id is None:
        touched = {unit_id}
    elif unit_id != party.unit_id:
        touched = {unit_id, party.unit_id}
    else:
        touched = set()
    if allowed_unit_ids is not None and not touched <= allowed_unit_ids:
        raise FieldError("unit_id", _("Bạn chỉ được ghi hồ sơ cho phường/xã của nhóm mình."))
    if values.get("kind", party.kind) != "organisation" and values.get("members", party.members or 1) < 1:
        raise FieldError("members", _("Hộ gia đình hoặc cá nhân có ít nhất 1 nhân khẩu."))
    _assign(party, values, PARTY_FIELDS)
    db.session.add(party)
    db.session.flush()
    return party


def save_case(project: Project, case: Case | None, values: dict[str, Any], expected_version: int | None = None) -> Case:
    """Create or update a case. ``expected_version``: the version the user's form was built from;
    a different current version means someone else saved in between (raises FieldError). A new
    case may start at any status (a case entered mid-procedure); afterwards the status moves only
    through ``clearance.services.transitions``."""
    case = case or Case(project_id=project.id)
    if expected_version is not None and case.id is not None and case.version != expected_version:
        raise FieldError(
            "version",
            _("Hồ sơ vừa được người khác cập nhật. Tải lại trang để xem thay đổi rồi nhập lại."),
        )
    if case.id is not None and "status" in values and values["status"] is not None and values["status"] != case.status:
        raise FieldError(
            "status",
            _("Trạng thái hồ sơ chỉ đổi qua các bước của quy trình (mục “Quy trình” trên trang hồ sơ)."),
        )
    code = values.get("code", case.code)
    party_id = values.get("party_id", case.party_id)
    if db.session.scalar(sa.select(Case.id).where(Case.project_id == project.id, Case.code == code, Case.id != case.id)):
        raise FieldError("code", _("Dự án đã có hồ sơ số %(code)s.", code=code))
    if db.session.scalar(
        sa.select(Case.id).where(Case.project_id == project.id, Case.party_id == party_id, Case.id != case.id)
    ):
        raise FieldError("party_id", _("Hộ/tổ chức này đã có hồ sơ trong dự án."))
    _assign(case, values, CASE_FIELDS)
    db.session.add(case)
    db.session.flush()
    return case


def add_holding(case: Case, parcel: Parcel, tenure: str, share: Decimal) -> CaseParcel:
    """Attach a parcel to a case; the shares of one parcel across cases may not pass 100 %."""
    if parcel.project_id != case.project_id:
        raise FieldError("parcel_id", _("Không có thửa đất này trong dự án."))
    if any(h.parcel_id == parcel.id for h in case.holdings):
        raise FieldError("parcel_id", _("Hồ sơ đã có %(parcel)s.", parcel=str(parcel)))
    held = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CaseParcel.share), 0)).where(CaseParcel.parcel_id == parcel.id)
    )
    if Decimal(held) + share > 100:
        raise FieldError(
            "share",
            _("%(parcel)s đã được ghi %(held)s%% cho hồ sơ khác; tổng phần quyền không quá 100%%.", parcel=str(parcel), held=percent(Decimal(held))),
        )
    holding = CaseParcel(case=case, parcel=parcel, tenure=tenure, share=share)
    db.session.add(holding)
    db.session.flush()
    return holding


def remove_holding(holding: CaseParcel) -> None:
    db.session.delete(holding)
    db.session.flush()
