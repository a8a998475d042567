"""Importing parcels from cadastral files (nhập thửa đất từ bản đồ địa chính).

Two steps, as the user sees them: ``preview_import`` reads and checks everything and writes
nothing; ``apply_import`` writes the previewed parcels in the caller's transaction (the caller
commits once, so a failure anywhere leaves the database as it was). Parcels are matched on
(map sheet, parcel number): importing the same file again updates them instead of duplicating,
and every created or changed parcel gets an audit entry naming the import.

New parcels and their audit entries are written through the database's bulk path
(``clearance.db.bulk_insert``: COPY on PostgreSQL, executemany on SQLite) rather than the ORM,
so a 100,000-parcel file imports in seconds; the audit entries the ORM flush hook would write
are written here in bulk instead.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely
import sqlalchemy as sa
from flask_babel import gettext as _
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry

from clearance.audit import GEOMETRY_CHANGED, current_actor
from clearance.db import bulk_insert
from clearance.extensions import db
from clearance.models import AdminUnit, AuditEntry, Case, CaseParcel, Parcel, ParcelImport, Party, Project
from clearance.models.types import utcnow
from clearance.workflow.statuses import CaseStatus, PartyKind, Tenure
from geodata.cadastre import PreparedImport, PreparedParcel, Problem, locate, prepare_import, recovered_areas
from geodata.crs import crs_label
from geodata.sources import SourceLayer, read_layer

Progress = Callable[[str, int, int], None]
#: Rows per multi-row INSERT/UPDATE.
CHUNK = 1000
#: Problems kept in full in a preview; the rest are counted.
REPORT_LIMIT = 500
#: Names that mark a land user as an organisation rather than a household.
ORGANISATION_PREFIXES = (
    "ubnd", "ủy ban", "uỷ ban", "htx", "hợp tác xã", "công ty", "cty", "doanh nghiệp", "trường", "bệnh viện",
    "trạm", "đình", "chùa", "đền", "nhà thờ", "nhà văn hóa", "nhà văn hoá", "ban quản lý", "tổng công ty", "cục",
)


class ImportRejected(ValueError):
    """The files have errors; nothing was written. ``problems`` lists them."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class ImportOptions:
    """What the user chose: CRS override, layer, field mapping overrides (target → field),
    a sheet number for files that lack one, whether to create households and cases."""

    crs: int | None = None
    layer: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    create_cases: bool = False
    area_tolerance: float = 0.01
    overlap_tolerance_m2: float = 1.0


@dataclass
class PlannedParcel:
    prepared: PreparedParcel
    existing_id: int | None
    ward_id: int | None
    recovered_area: Decimal | None
    #: For an existing parcel: field → [before, after] of what the import changes.
    changes: dict[str, list[Any]] = field(default_factory=dict)
    #: For an existing parcel: its stored values (what an empty value in the file keeps).
    before: dict[str, Any] | None = None
    #: The id of the parcel once written (set by apply_import for a new parcel).
    written_id: int | None = None

    @property
    def parcel_id(self) -> int | None:
        return self.existing_id or self.written_id

    @property
    def action(self) -> str:
        if self.existing_id is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class ImportPreview:
    """Everything the import would do, and every problem found; nothing written yet."""

    project_id: int
    files: list[str]
    sha256: str
    options: ImportOptions
    checked: PreparedImport
    planned: list[PlannedParcel]
    problems: list[Problem]
    new_holders: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def can_import(self) -> bool:
        return not self.errors and bool(self.planned)

    def count(self, action: str) -> int:
        return sum(1 for p in self.planned if p.action == action)

    @property
    def problem_counts(self) -> Counter[tuple[str, str]]:
        return Counter((p.level, p.code) for p in self.problems)

    @property
    def crs_epsg(self) -> int | None:
        used = {layer.epsg for layer in self.checked.layers}
        return used.pop() if len(used) == 1 else None

    @property
    def declared_crs(self) -> str:
        names = {
            f"EPSG:{layer.layer.declared_epsg}" if layer.layer.declared_epsg else (layer.layer.declared_crs_text or "không khai báo")
            for layer in self.checked.layers
        }
        return ", ".join(sorted(names))

    @property
    def mapping(self) -> dict[str, str | None]:
        return self.checked.layers[0].mapping if self.checked.layers else {}

    @property
    def crs_suggestion(self) -> int | None:
        for layer in self.checked.layers:
            if layer.crs is not None and layer.crs.suggested is not None:
                return layer.crs.suggested.epsg
        return None

    def bounds(self) -> tuple[float, float, float, float] | None:
        if not self.planned:
            return None
        return tuple(shapely.total_bounds([p.prepared.geometry for p in self.planned]).tolist())  # type: ignore[return-value]

    def feature_collection(self, precision: int = 7) -> dict[str, Any]:
        """The parcels to import as GeoJSON, each with what will happen to it (for the preview map)."""
        flagged = {(p.source, p.index) for p in self.problems if p.index is not None}
        features = []
        for planned in self.planned:
            parcel = planned.prepared
            features.append(
                {
                    "type": "Feature",
                    "geometry": shapely.geometry.mapping(shapely.set_precision(parcel.geometry, 10**-precision)),
                    "properties": {
                        "label": parcel.ref,
                        "action": planned.action,
                        "flagged": (parcel.source, parcel.index) in flagged,
                        "area": str(parcel.measured_area),
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features}


def read_sources(paths: Sequence[Path], layer: str | None = None) -> list[SourceLayer]:
    """Read every file (raises geodata.sources.SourceError naming the file that fails)."""
    return [read_layer(path, layer) for path in paths]


def file_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def preview_import(
    project: Project,
    layers: Sequence[SourceLayer],
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportPreview:
    """Check the files against the project and work out what the import would change.

    Raises geodata.cadastre.MappingError for a mapping naming a missing field.
    """
    step = progress or (lambda _stage, _done, _total: None)
    units = _units_with_boundaries()
    boundary = to_shape(project.boundary) if project.boundary is not None else None
    step("check", 0, 1)
    checked = prepare_import(
        layers,
        crs=options.crs,
        overrides=options.overrides,
        sheet=options.sheet,
        area_tolerance=options.area_tolerance,
        overlap_tolerance_m2=options.overlap_tolerance_m2,
        reference=_project_area(project, units, boundary),
    )
    step("check", 1, 1)
    parcels = checked.parcels
    geometries = [p.geometry for p in parcels]
    wards = locate(geometries, ((unit_id, geom) for unit_id, (_name, geom) in units.items()))
    recovered = recovered_areas(geometries, [p.measured_area for p in parcels], boundary)
    existing = _existing_parcels(project.id)
    problems = list(checked.problems)
    project_units = {unit.id for unit in project.units}
    bounded_units = project_units & set(units)
    planned = []
    for parcel, ward_id, area in zip(parcels, wards, recovered, strict=True):
        if bounded_units and ward_id not in project_units:
            where = units[ward_id][0] if ward_id is not None else "ngoài mọi phường, xã đã có ranh giới"
            problems.append(
                Problem("warning", "outside_units", f"nằm ngoài địa bàn dự án ({where})", parcel.source, parcel.index, parcel.ref)
            )
        before = existing.get(parcel.key)
        plan = PlannedParcel(parcel, before["id"] if before else None, ward_id, area)
        if before is not None:
            plan.before = {k: v for k, v in before.items() if k != "wkb"}
            plan.changes = _changes(before, parcel, ward_id, area, units)
        planned.append(plan)
    new_holders: list[str] = []
    if options.create_cases:
        new_holders = _holders_without_case(project, planned)
    return ImportPreview(
        project_id=project.id,
        files=[layer.path.name for layer in layers],
        sha256=file_digest([layer.path for layer in layers]),
        options=options,
        checked=checked,
        planned=planned,
        problems=problems,
        new_holders=new_holders,
    )


def apply_import(project: Project, preview: ImportPreview, progress: Progress | None = None) -> ParcelImport:
    """Write the previewed import in the current transaction (the caller commits).

    Raises ImportRejected, writing nothing, when the preview has errors.
    """
    if preview.errors:
        raise ImportRejected(_("File có %(n)s lỗi; chưa nhập thửa nào.", n=len(preview.errors)), preview.errors)
    if not preview.planned:
        raise ImportRejected(_("File không có thửa đất nào để nhập."))
    step = progress or (lambda _stage, _done, _total: None)
    user_id, actor = current_actor()
    created = [p for p in preview.planned if p.action == "create"]
    updated = [p for p in preview.planned if p.action == "update"]
    record = ParcelImport(
        project_id=project.id,
        files="; ".join(preview.files)[:1000],
        sha256=preview.sha256,
        crs_epsg=preview.crs_epsg or 0,
        declared_crs=preview.declared_crs[:200],
        crs_overridden=preview.options.crs is not None,
        created_count=len(created),
        updated_count=len(updated),
        unchanged_count=preview.count("unchanged"),
        warning_count=len(preview.warnings),
        details={
            "mapping": preview.mapping,
            "sheet": preview.options.sheet,
            "warnings": {code: n for (level, code), n in preview.problem_counts.items() if level == "warning"},
            "crs": crs_label(preview.crs_epsg) if preview.crs_epsg else "",
        },
        user_id=user_id,
        actor=actor,
    )
    db.session.add(record)
    db.session.flush()
    reason = f"Nhập từ file {record.files[:200]} (lần nhập #{record.id})"
    connection = db.session.connection()
    now = utcnow()
    total = len(created) + len(updated)
    done = 0
    table = Parcel.__table__
    audit_rows: list[dict[str, Any]] = []
    for start in range(0, len(created), CHUNK * 10):
        chunk = created[start : start + CHUNK * 10]
        bulk_insert(connection, table, _insert_rows(project.id, record.id, chunk))
        done += len(chunk)
        step("write", done, total)
    if created:
        ids = {
            (sheet, number): parcel_id
            for parcel_id, sheet, number in connection.execute(
                sa.select(table.c.id, table.c.map_sheet, table.c.parcel_no).where(table.c.import_id == record.id)
            )
        }
        for plan in created:
            plan.written_id = ids[plan.prepared.key]
            audit_rows.append(_audit_row("create", plan.written_id, plan, project.id, _created_changes(plan)))
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in UPDATABLE})
    )
    for start in range(0, len(updated), CHUNK):
        chunk = updated[start : start + CHUNK]
        connection.execute(update, [_update_row(record.id, plan) for plan in chunk])
        audit_rows.extend(_audit_row("update", plan.existing_id, plan, project.id, plan.changes) for plan in chunk)
        done += len(chunk)
        step("write", done, total)
    bulk_insert(
        connection,
        AuditEntry.__table__,
        [{**row, "user_id": user_id, "actor": actor, "reason": reason, "at": now} for row in audit_rows],
    )
    if preview.options.create_cases:
        record.cases_created = _create_cases(project, preview.planned)
    db.session.flush()
    return record


# --- reading the project ---------------------------------------------------------------------

UPDATABLE = ("land_use_code", "address", "legal_area", "measured_area", "recovered_area", "ward_id", "geom", "import_id")


def _units_with_boundaries() -> dict[int, tuple[str, BaseGeometry]]:
    rows = db.session.execute(
        sa.select(AdminUnit.id, AdminUnit.name, sa.func.ST_AsBinary(AdminUnit.boundary)).where(AdminUnit.boundary.is_not(None))
    )
    return {unit_id: (name, shapely.from_wkb(bytes(wkb))) for unit_id, name, wkb in rows}


def _project_area(project: Project, units: dict[int, tuple[str, BaseGeometry]], boundary: BaseGeometry | None) -> BaseGeometry | None:
    """Where the project's parcels should lie: its units' boundaries and its recovery boundary."""
    parts = [units[unit.id][1] for unit in project.units if unit.id in units]
    if boundary is not None:
        parts.append(boundary)
    return shapely.union_all(parts) if parts else None


def _existing_parcels(project_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows = db.session.execute(
        sa.select(
            Parcel.id,
            Parcel.map_sheet,
            Parcel.parcel_no,
            Parcel.land_use_code,
            Parcel.address,
            Parcel.legal_area,
            Parcel.measured_area,
            Parcel.recovered_area,
            Parcel.ward_id,
            sa.func.ST_AsBinary(Parcel.geom).label("wkb"),
        ).where(Parcel.project_id == project_id)
    ).mappings()
    return {(row["map_sheet"], row["parcel_no"]): dict(row) for row in rows}


def _changes(
    before: dict[str, Any],
    parcel: PreparedParcel,
    ward_id: int | None,
    recovered: Decimal | None,
    units: dict[int, tuple[str, BaseGeometry]],
) -> dict[str, list[Any]]:
    """What re-importing changes on an existing parcel. An empty value in the file keeps what
    the parcel has (a file without addresses does not erase the addresses typed in)."""
    changes: dict[str, list[Any]] = {}

    def differ(name: str, old: Any, new: Any) -> None:
        if old != new:
            changes[name] = [_plain(old), _plain(new)]

    if parcel.land_use_code:
        differ("land_use_code", before["land_use_code"], parcel.land_use_code)
    if parcel.address:
        differ("address", before["address"], parcel.address)
    if parcel.stated_area is not None:
        differ("legal_area", before["legal_area"], parcel.stated_area)
    differ("measured_area", before["measured_area"], parcel.measured_area)
    if before["recovered_area"] != recovered:
        changes["recovered_area"] = [_plain(before["recovered_area"]), _plain(recovered)]
    if before["ward_id"] != ward_id:
        changes["ward_id"] = [_unit_label(before["ward_id"], units), _unit_label(ward_id, units)]
    old_geom = shapely.from_wkb(bytes(before["wkb"])) if before["wkb"] is not None else None
    if old_geom is None or not shapely.equals_exact(old_geom, parcel.geometry, tolerance=1e-9):
        changes["geom"] = [GEOMETRY_CHANGED if old_geom is not None else None, GEOMETRY_CHANGED]
    return changes


def _unit_label(unit_id: int | None, units: dict[int, tuple[str, BaseGeometry]]) -> str | None:
    if unit_id is None:
        return None
    return f"{unit_id} · {units[unit_id][0]}" if unit_id in units else str(unit_id)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- writing ---------------------------------------------------------------------------------


def _insert_rows(project_id: int, import_id: int, chunk: Sequence[PlannedParcel]) -> list[dict[str, Any]]:
    return [
        {
            "project_id": project_id,
            "map_sheet": plan.prepared.map_sheet,
            "parcel_no": plan.prepared.parcel_no,
            "address": plan.prepared.address,
            "former_address": "",
            "land_use_code": plan.prepared.land_use_code,
            "legal_area": plan.prepared.stated_area,
            "measured_area": plan.prepared.measured_area,
            "recovered_area": plan.recovered_area,
            "ward_id": plan.ward_id,
            "geom": plan.prepared.geometry,
            "import_id": import_id,
        }
        for plan in chunk
    ]


def _update_row(import_id: int, plan: PlannedParcel) -> dict[str, Any]:
    parcel, kept = plan.prepared, plan.before or {}
    return {
        "b_id": plan.existing_id,
        "b_land_use_code": parcel.land_use_code or kept.get("land_use_code", ""),
        "b_address": parcel.address or kept.get("address", ""),
        "b_legal_area": parcel.stated_area if parcel.stated_area is not None else kept.get("legal_area"),
        "b_measured_area": parcel.measured_area,
        "b_recovered_area": plan.recovered_area,
        "b_ward_id": plan.ward_id,
        "b_geom": WKBElement(shapely.to_wkb(parcel.geometry), srid=4326),
        "b_import_id": import_id,
    }


def _created_changes(plan: PlannedParcel) -> dict[str, list[Any]]:
    parcel = plan.prepared
    changes: dict[str, list[Any]] = {"map_sheet": [None, parcel.map_sheet], "parcel_no": [None, parcel.parcel_no]}
    if parcel.address:
        changes["address"] = [None, parcel.address]
    if parcel.land_use_code:
        changes["land_use_code"] = [None, parcel.land_use_code]
    if parcel.stated_area is not None:
        changes["legal_area"] = [None, str(parcel.stated_area)]
    changes["measured_area"] = [None, str(parcel.measured_area)]
    if plan.recovered_area is not None:
        changes["recovered_area"] = [None, str(plan.recovered_area)]
    if plan.ward_id is not None:
        changes["ward_id"] = [None, plan.ward_id]
    changes["geom"] = [None, GEOMETRY_CHANGED]
    return changes


def _audit_row(action: str, parcel_id: int | None, plan: PlannedParcel, project_id: int, changes: dict[str, list[Any]]) -> dict[str, Any]:
    parcel = plan.prepared
    return {
        "action": action,
        "entity": "parcel",
        "entity_id": parcel_id,
        "label": f"Thửa {parcel.parcel_no}, tờ {parcel.map_sheet}",
        "project_id": project_id,
        "case_id": None,
        "changes": changes,
    }


# --- households and cases from the land-user field ----------------------------------------------


def _holders_without_case(project: Project, planned: Sequence[PlannedParcel]) -> list[str]:
    existing = {name.casefold() for name in _case_party_names(project.id)}
    names: dict[str, str] = {}
    for plan in planned:
        holder = plan.prepared.holder
        if holder and holder.casefold() not in existing:
            names.setdefault(holder.casefold(), holder)
    return sorted(names.values())


def _case_party_names(project_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(Party.name).join(Case, Case.party_id == Party.id).where(Case.project_id == project_id)))


def party_kind(name: str) -> PartyKind:
    """An organisation (UBND xã, HTX, công ty…) or a household, from the land user's name."""
    lowered = name.casefold()
    return PartyKind.ORGANISATION if lowered.startswith(ORGANISATION_PREFIXES) else PartyKind.HOUSEHOLD


def _create_cases(project: Project, planned: Sequence[PlannedParcel]) -> int:
    """One case per land user named in the file (reusing a case the user already has in the
    project), holding the imported parcels that nobody holds yet. Returns the cases created."""
    cases = {
        party_name.casefold(): case
        for case, party_name in db.session.execute(
            sa.select(Case, Party.name).join(Party, Case.party_id == Party.id).where(Case.project_id == project.id)
        )
    }
    held = set(db.session.scalars(sa.select(CaseParcel.parcel_id).join(Parcel).where(Parcel.project_id == project.id)))
    fallback_unit = project.units[0].id if project.units else None
    numbers = [int(m.group(1)) for code in db.session.scalars(sa.select(Case.code).where(Case.project_id == project.id)) if (m := re.fullmatch(r"HS-(\d+)", code))]
    next_number = max(numbers, default=0) + 1
    created = 0
    for plan in planned:
        holder = plan.prepared.holder
        if not holder or plan.parcel_id is None or plan.parcel_id in held:
            continue
        case = cases.get(holder.casefold())
        if case is None:
            unit_id = plan.ward_id or fallback_unit
            if unit_id is None:
                continue
            party = Party(kind=party_kind(holder), name=holder, address=plan.prepared.address, unit_id=unit_id)
            case = Case(project_id=project.id, party=party, code=f"HS-{next_number:04d}", status=CaseStatus.NEW)
            next_number += 1
            created += 1
            db.session.add(case)
            cases[holder.casefold()] = case
        case.holdings.append(CaseParcel(parcel_id=plan.parcel_id, tenure=Tenure.LAND_USER, share=Decimal(100)))
        held.add(plan.parcel_id)
    return created
