"""JSON API resources under /api/v1: projects, their parcels and cases, and households.

Views are thin: a schema parses the input, the scope rules of the UI pick what the token's user may
see (another unit's record is a 404), a ``clearance.services.records`` function writes, and the view
commits once. Lists are paged with ``?page=`` and ``?page_size=``; the X-Pagination header tells
the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, Page
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.exc import StaleDataError

from clearance.api.auth import api_user, authenticate, forget_user
from clearance.api.errors import ApiParser, fail
from clearance.api.schemas import (
    MAX_ID,
    CaseCreateSchema,
    CaseEventSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseUpdateSchema,
    GrievanceCloseSchema,
    GrievanceCreateSchema,
    GrievanceSchema,
    HoldingCreateSchema,
    LegalDocumentCreateSchema,
    LegalDocumentSchema,
    ParcelCreateSchema,
    ParcelQuerySchema,
    ParcelSchema,
    ParcelUpdateSchema,
    PartyCreateSchema,
    PartyQuerySchema,
    PartySchema,
    PartyUpdateSchema,
    ProjectCreateSchema,
    ProjectQuerySchema,
    ProjectSchema,
    ProjectUpdateSchema,
    TransitionCreateSchema,
)
from clearance.extensions import db
from clearance.models import Case, CaseParcel, Grievance, LegalDocument, Parcel, Party, Project
from clearance.services import grievances, records, transitions
from clearance.services.errors import FieldError
from clearance.services.scope import (
    case_or_404,
    parcel_or_404,
    parties_query,
    party_or_404,
    project_or_404,
    projects_query,
    visible_unit_ids,
)
from clearance.views.common import like

T = TypeVar("T")

#: A row id in a URL (larger numbers are no row: 404, never an overflow in the database driver).
ID = "int(max=2147483647)"
PAGING = {"page_size": 25, "max_page_size": 100}


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


class SelectPage(Page):
    """Pages a SQLAlchemy select: one COUNT and one LIMIT/OFFSET query."""

    @property
    def items(self) -> list[Any]:
        first = self.page_params.first_item
        if first > MAX_ID:  # no list is that long; an OFFSET that large overflows the driver
            return []
        query = self.collection.limit(self.page_params.page_size).offset(first)
        return list(db.session.scalars(query))

    @property
    def item_count(self) -> int:
        counted = sa.select(sa.func.count()).select_from(self.collection.order_by(None).subquery())
        return int(db.session.scalar(counted) or 0)


@contextmanager
def one_write() -> Iterator[None]:
    """One unit of work: commit at the end; a broken rule rolls back and answers 422 naming the
    field (409 for a case saved by someone else in between)."""
    try:
        yield
        db.session.flush()
    except FieldError as error:
        db.session.rollback()
        fail(409 if error.field == "version" else 422, error.message, error.field)
    except (sa.exc.IntegrityError, StaleDataError):
        db.session.rollback()  # a concurrent save got there first
        fail(409, _("Dữ liệu vừa bị thay đổi hoặc trùng với bản ghi khác. Tải lại rồi thử lại."))
    db.session.commit()


def saved(write: Callable[[], T]) -> T:
    with one_write():
        result = write()
    return result


def _search(term: str | None, exact: tuple[Any, ...], partial: tuple[Any, ...]) -> Any:
    pattern = like(term or "")
    return sa.or_(*(column == term for column in exact), *(column.ilike(pattern, escape="\\") for column in partial))


projects = ApiBlueprint("api_projects", __name__, url_prefix="/projects",
                        description="Projects (dự án) of the user's units.")
parcels = ApiBlueprint("api_parcels", __name__, url_prefix="/projects/<code>/parcels",
                       description="Parcels (thửa đất) of a project.")
households = ApiBlueprint("api_households", __name__, url_prefix="/households",
                          description="Households, individuals and organisations (bên bị ảnh hưởng).")
cases = ApiBlueprint("api_cases", __name__, url_prefix="/projects/<code>/cases",
                     description="Cases (hồ sơ) of a project, with the parcels they hold.")

BLUEPRINTS: list[Blueprint] = [projects, parcels, households, cases]

for _blueprint in BLUEPRINTS:
    _blueprint.before_request(authenticate)
    _blueprint.teardown_request(forget_user)


# --- projects -----------------------------------------------------------------------------------


@projects.route("")
class Projects(MethodView):
    @projects.arguments(ProjectQuerySchema, location="query")
    @projects.response(200, ProjectSchema(many=True))
    @projects.paginate(SelectPage, **PAGING)
    def get(self, filters: dict[str, Any]) -> sa.Select[tuple[Project]]:
        """List the projects the user may see

        ``q`` searches code, name and investor; ``status`` filters."""
        query = projects_query(api_user()).options(selectinload(Project.units), selectinload(Project.legal_documents))
        if filters.get("q"):
            query = query.where(_search(filters["q"], (), (Project.code, Project.name, Project.investor)))
        if "status" in filters:
            query = query.where(Project.status == filters["status"])
        return query.order_by(Project.code)

    @projects.arguments(ProjectCreateSchema)
    @projects.response(201, ProjectSchema)
    def post(self, values: dict[str, Any]) -> Project:
        """Create a project

        Its units (``unit_ids``) must be among the user's."""
        return saved(lambda: records.save_project(None, values, visible_unit_ids(api_user())))


@projects.route("/<code>")
class ProjectResource(MethodView):
    @projects.response(200, ProjectSchema)
    def get(self, code: str) -> Project:
        """Get a project by its code"""
        return project_or_404(api_user(), code)

    @projects.arguments(ProjectUpdateSchema(partial=True))
    @projects.response(200, ProjectSchema)
    def patch(self, values: dict[str, Any], code: str) -> Project:
        """Change some fields of a project"""
        project = project_or_404(api_user(), code)
        return saved(lambda: records.save_project(project, values, visible_unit_ids(api_user())))


# --- parcels ------------------------------------------------------------------------------------


@parcels.route("")
class Parcels(MethodView):
    @parcels.arguments(ParcelQuerySchema, location="query")
    @parcels.response(200, ParcelSchema(many=True))
    @parcels.paginate(SelectPage, **PAGING)
    def get(self, filters: dict[str, Any], code: str) -> sa.Select[tuple[Parcel]]:
        """List the parcels of a project

        ``q`` matches the parcel number or map sheet exactly, or part of the address."""
        project = project_or_404(api_user(), code)
        query = sa.select(Parcel).where(Parcel.project_id == project.id)
        if filters.get("q"):
            query = query.where(_search(filters["q"], (Parcel.parcel_no, Parcel.map_sheet), (Parcel.address,)))
        if filters.get("map_sheet"):
            query = query.where(Parcel.map_sheet == filters["map_sheet"])
        if filters.get("land_use"):
            query = query.where(Parcel.land_use_code == filters["land_use"])
        return query.order_by(
            sa.func.length(Parcel.map_sheet), Parcel.map_sheet, sa.func.length(Parcel.parcel_no), Parcel.parcel_no,
            Parcel.id,
        )

    @parcels.arguments(ParcelCreateSchema)
    @parcels.response(201, ParcelSchema)
    def post(self, values: dict[str, Any], code: str) -> Parcel:
        """Add a parcel to a project

        Without ``measured_area`` the area is computed from ``geom``."""
        project = project_or_404(api_user(), code)
        return saved(lambda: records.save_parcel(project, None, values))


@parcels.route(f"/<{ID}:parcel_id>")
class ParcelResource(MethodView):
    @parcels.response(200, ParcelSchema)
    def get(self, code: str, parcel_id: int) -> Parcel:
        """Get a parcel"""
        return parcel_or_404(project_or_404(api_user(), code), parcel_id)

    @parcels.arguments(ParcelUpdateSchema(partial=True))
    @parcels.response(200, ParcelSchema)
    def patch(self, values: dict[str, Any], code: str, parcel_id: int) -> Parcel:
        """Change some fields of a parcel"""
        project = project_or_404(api_user(), code)
        parcel = parcel_or_404(project, parcel_id)
        return saved(lambda: records.save_parcel(project, parcel, values))


# --- households (parties) -----------------------------------------------------------------------

VULNERABILITY_COLUMNS = {
    "poor": Party.is_poor,
    "policy": Party.is_policy_family,
    "elderly": Party.is_elderly_alone,
    "disabled": Party.has_disabled_member,
}


@households.route("")
class Households(MethodView):
    @households.arguments(PartyQuerySchema, location="query")
    @households.response(200, PartySchema(many=True))
    @households.paginate(SelectPage, **PAGING)
    def get(self, filters: dict[str, Any]) -> sa.Select[tuple[Party]]:
        """List the households and organisations of the user's units

        ``q`` matches part of the name, phone or address, or the exact CCCD; ``flag`` picks the
        vulnerable (poor, policy, elderly, disabled)."""
        query = parties_query(api_user())
        if filters.get("q"):
            query = query.where(_search(filters["q"], (Party.id_number,), (Party.name, Party.phone, Party.address)))
        if "kind" in filters:
            query = query.where(Party.kind == filters["kind"])
        if "flag" in filters:
            query = query.where(VULNERABILITY_COLUMNS[filters["flag"]].is_(True))
        if "unit_id" in filters:
            query = query.where(Party.unit_id == filters["unit_id"])
        return query.order_by(Party.name, Party.id)

    @households.arguments(PartyCreateSchema)
    @households.response(201, PartySchema)
    def post(self, values: dict[str, Any]) -> Party:
        """Record a household, individual or organisation

        ``unit_id`` must be one of the user's units."""
        return saved(lambda: records.save_party(None, values, visible_unit_ids(api_user())))


@households.route(f"/<{ID}:party_id>")
class HouseholdResource(MethodView):
    @households.response(200, PartySchema)
    def get(self, party_id: int) -> Party:
        """Get a household or organisation"""
        return party_or_404(api_user(), party_id)

    @households.arguments(PartyUpdateSchema(partial=True))
    @households.response(200, PartySchema)
    def patch(self, values: dict[str, Any], party_id: int) -> Party:
        """Change some fields of a household or organisation"""
        party = party_or_404(api_user(), party_id)
        return saved(lambda: records.save_party(party, values, visible_unit_ids(api_user())))


# --- cases --------------------------------------------------------------------------------------


def _visible_party(party_id: int | None) -> None:
    """A case may only name a party the user sees (FieldError otherwise, like an unknown one)."""
    if party_id is not None and db.session.scalar(parties_query(api_user()).where(Party.id == party_id)) is None:
        raise FieldError("party_id", _("Không có hộ/tổ chức mã số %(id)s.", id=party_id))


def _save_case(project: Project, case: Case | None, values: dict[str, Any]) -> Case:
    _visible_party(values.get("party_id"))
    expected = values.pop("version", None)
    return records.save_case(project, case, values, expected_version=expected)


def _add_holding(case: Case, values: dict[str, Any]) -> Case:
    parcel = db.session.get(Parcel, values["parcel_id"])
    if parcel is None:
        raise FieldError("parcel_id", _("Không có thửa đất này."))
    records.add_holding(case, parcel, values["tenure"], values["share"])
    return case


@cases.route("")
class Cases(MethodView):
    @cases.arguments(CaseQuerySchema, location="query")
    @cases.response(200, CaseSchema(many=True))
    @cases.paginate(SelectPage, **PAGING)
    def get(self, filters: dict[str, Any], code: str) -> sa.Select[tuple[Case]]:
        """List the cases of a project

        ``q`` matches part of the case code or of the party's name; ``status`` and ``party_id``
        filter."""
        project = project_or_404(api_user(), code)
        query = (
            sa.select(Case)
            .join(Case.party)
            .where(Case.project_id == project.id)
            .options(contains_eager(Case.party), selectinload(Case.holdings).selectinload(CaseParcel.parcel))
        )
        if filters.get("q"):
            query = query.where(_search(filters["q"], (), (Case.code, Party.name)))
        if "status" in filters:
            query = query.where(Case.status == filters["status"])
        if "party_id" in filters:
            query = query.where(Case.party_id == filters["party_id"])
        return query.order_by(Case.code)

    @cases.arguments(CaseCreateSchema)
    @cases.response(201, CaseSchema)
    def post(self, values: dict[str, Any], code: str) -> Case:
        """Open a case for a household in a project"""
        project = project_or_404(api_user(), code)
        return saved(lambda: _save_case(project, None, values))


@cases.route(f"/<{ID}:case_id>")
class CaseResource(MethodView):
    @cases.response(200, CaseSchema)
    def get(self, code: str, case_id: int) -> Case:
        """Get a case with its parcels (holdings)"""
        return case_or_404(project_or_404(api_user(), code), case_id)

    @cases.arguments(CaseUpdateSchema(partial=True))
    @cases.response(200, CaseSchema)
    @cases.alt_response(409, response="CONFLICT")
    def patch(self, values: dict[str, Any], code: str, case_id: int) -> Case:
        """Change some fields of a case"""
        project = project_or_404(api_user(), code)
        case = case_or_404(project, case_id)
        return saved(lambda: _save_case(project, case, values))


@cases.route(f"/<{ID}:case_id>/holdings")
class CaseHoldings(MethodView):
    @cases.arguments(HoldingCreateSchema)
    @cases.response(201, CaseSchema)
    def post(self, values: dict[str, Any], code: str, case_id: int) -> Case:
        """Add a parcel of the project to a case

        The shares of one parcel across cases may not pass 100 %. Answers the whole case."""
        project = project_or_404(api_user(), code)
        case = case_or_404(project, case_id)
        return saved(lambda: _add_holding(case, values))


@cases.route(f"/<{ID}:case_id>/holdings/<{ID}:holding_id>")
class CaseHolding(MethodView):
    @cases.response(200, CaseSchema)
    def delete(self, code: str, case_id: int, holding_id: int) -> Case:
        """Take a parcel out of a case (recorded in the case's history). Answers the whole case."""
        case = case_or_404(project_or_404(api_user(), code), case_id)
        holding = next((h for h in case.holdings if h.id == holding_id), None)
        if holding is None:
            fail(404, _("Hồ sơ không có thửa này."))
        saved(lambda: records.remove_holding(holding))
        return case


@projects.route("/<code>/documents")
class ProjectDocuments(MethodView):
    @projects.response(200, LegalDocumentSchema(many=True))
    def get(self, code: str) -> list[LegalDocument]:
        """List the legal basis documents (căn cứ pháp lý) of a project"""
        return project_or_404(api_user(), code).legal_documents

    @projects.arguments(LegalDocumentCreateSchema)
    @projects.response(201, LegalDocumentSchema)
    def post(self, values: dict[str, Any], code: str) -> LegalDocument:
        """Record a legal basis document of a project (a decision, a notice)"""
        project = project_or_404(api_user(), code)
        return saved(lambda: records.add_legal_document(project, values))


@cases.route(f"/<{ID}:case_id>/transitions")
class CaseTransitions(MethodView):
    @cases.response(200, CaseEventSchema(many=True))
    def get(self, code: str, case_id: int) -> list[Any]:
        """The case's timeline: every step taken, oldest first"""
        return transitions.timeline(case_or_404(project_or_404(api_user(), code), case_id))

    @cases.arguments(TransitionCreateSchema)
    @cases.response(201, CaseEventSchema)
    @cases.alt_response(409, response="CONFLICT")
    def post(self, values: dict[str, Any], code: str, case_id: int) -> Any:
        """Move a case to its next step

        Only along the procedure's transition table, by the roles it names, when every guard
        passes (e.g. no payment before the plan is approved; no enforcement at night, on public
        holidays or within 15 days of Tết). A refusal answers 422 with the reason and changes
        nothing."""
        user = api_user()
        project = project_or_404(user, code)
        case = case_or_404(project, case_id)
        moment = transitions.Moment(values["occurred_on"], values.get("occurred_at"))

        def move() -> Any:
            try:
                return transitions.transition_case(
                    case, values["target"], user, moment, document=values.get("document", ""),
                    note=values.get("note", ""), expected_version=values.get("version"),
                )
            except transitions.TransitionRefused as refused:
                raise FieldError("target", str(refused)) from refused

        return saved(move)


def _local_today() -> date:
    from clearance.formatting import LOCAL_TZ

    return datetime.now(LOCAL_TZ).date()


@cases.route(f"/<{ID}:case_id>/grievances")
class CaseGrievances(MethodView):
    @cases.response(200, GrievanceSchema(many=True))
    def get(self, code: str, case_id: int) -> list[Any]:
        """The case's complaints and petitions, newest first"""
        return grievances.grievances_of(case_or_404(project_or_404(api_user(), code), case_id))

    @cases.arguments(GrievanceCreateSchema)
    @cases.response(201, GrievanceSchema)
    def post(self, values: dict[str, Any], code: str, case_id: int) -> Any:
        """Record a complaint or petition

        It does not suspend the procedure (Decree 102/2024, Art. 40)."""
        case = case_or_404(project_or_404(api_user(), code), case_id)
        return saved(lambda: grievances.file_grievance(case, values, _local_today()))


@cases.route(f"/<{ID}:case_id>/grievances/<{ID}:grievance_id>/close")
class CaseGrievanceClose(MethodView):
    @cases.arguments(GrievanceCloseSchema)
    @cases.response(200, GrievanceSchema)
    def post(self, values: dict[str, Any], code: str, case_id: int, grievance_id: int) -> Any:
        """Close a complaint or petition: resolved (with the resolution) or withdrawn"""
        case = case_or_404(project_or_404(api_user(), code), case_id)
        grievance = db.session.get(Grievance, grievance_id)
        if grievance is None or grievance.case_id != case.id:
            fail(404, _("Không có đơn này."))
        return saved(lambda: grievances.close_grievance(
            grievance, values["status"], values["resolved_on"], values.get("resolution", ""), _local_today()
        ))
