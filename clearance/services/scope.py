"""Who sees what: a user sees the projects of their team's unit (and the units under it)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from clearance.extensions import db
from clearance.models import AdminUnit, Case, Parcel, Party, Project, User, project_units


def visible_unit_ids(user: User) -> set[int] | None:
    """The unit ids the user works in; None means every unit (admins)."""
    if user.is_admin:
        return None
    if user.team is None:
        return set()
    root = user.team.unit_id
    children = db.session.scalars(sa.select(AdminUnit.id).where(AdminUnit.parent_id == root)).all()
    return {root, *children}


def projects_query(user: User) -> sa.Select[tuple[Project]]:
    query = sa.select(Project)
    units = visible_unit_ids(user)
    if units is not None:
        query = query.where(
            Project.id.in_(sa.select(project_units.c.project_id).where(project_units.c.unit_id.in_(units)))
        )
    return query


def parties_query(user: User) -> sa.Select[tuple[Party]]:
    """Parties registered in the user's units, and the parties of cases in projects they see
    (a project crossing a ward line has households of both wards)."""
    query = sa.select(Party)
    units = visible_unit_ids(user)
    if units is not None:
        in_visible_projects = sa.select(Case.party_id).where(
            Case.project_id.in_(projects_query(user).with_only_columns(Project.id))
        )
        query = query.where(sa.or_(Party.unit_id.in_(units), Party.id.in_(in_visible_projects)))
    return query


def visible_project_ids(user: User) -> set[int]:
    """Ids of the projects the user sees (one query), e.g. to show only those of a party's cases."""
    return set(db.session.scalars(projects_query(user).with_only_columns(Project.id)))


def project_or_404(user: User, code: str) -> Project:
    """The project with this code if the user may see it; 404 otherwise (no existence leak)."""
    project = db.session.scalar(projects_query(user).where(Project.code == code))
    if project is None:
        abort(404)
    return project


def party_or_404(user: User, party_id: int) -> Party:
    party = db.session.scalar(parties_query(user).where(Party.id == party_id))
    if party is None:
        abort(404)
    return party


def parcel_or_404(project: Project, parcel_id: int) -> Parcel:
    parcel = db.session.get(Parcel, parcel_id)
    if parcel is None or parcel.project_id != project.id:
        abort(404)
    return parcel


def case_or_404(project: Project, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or case.project_id != project.id:
        abort(404)
    return case


def require_editor(user: User) -> None:
    """Viewers read; everyone else edits (403 for a viewer)."""
    if not user.can_edit:
        abort(403)


def units_for(user: User, keep: list[AdminUnit] | None = None) -> list[AdminUnit]:
    """Units the user may attach records to (form choices), plus ``keep``: the units a record
    already has, which the user may leave in place even when they are another team's."""
    query = sa.select(AdminUnit).order_by(AdminUnit.level, AdminUnit.name)
    units = visible_unit_ids(user)
    if units is not None:
        kept = [u.id for u in keep or []]
        query = query.where(sa.or_(AdminUnit.id.in_(units), AdminUnit.id.in_(kept)))
    return list(db.session.scalars(query))
