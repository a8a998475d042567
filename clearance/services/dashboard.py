"""Figures for the project list and the project dashboard, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from clearance.extensions import db
from clearance.models import Case, Parcel, Party, Project
from clearance.workflow.statuses import CaseStatus


@dataclass
class ProjectCounts:
    parcels: int = 0
    cases: int = 0


@dataclass
class Dashboard:
    parcels: int = 0
    parcel_area: Decimal = Decimal(0)
    recovered_area: Decimal = Decimal(0)
    partial_parcels: int = 0
    households: int = 0
    organisations: int = 0
    vulnerable: int = 0
    cases: int = 0
    cases_by_status: list[tuple[CaseStatus, int]] = field(default_factory=list)
    handed_over_area: Decimal = Decimal(0)


def project_counts(project_ids: list[int]) -> dict[int, ProjectCounts]:
    counts = {pid: ProjectCounts() for pid in project_ids}
    if not project_ids:
        return counts
    for pid, n in db.session.execute(
        sa.select(Parcel.project_id, sa.func.count()).where(Parcel.project_id.in_(project_ids)).group_by(Parcel.project_id)
    ):
        counts[pid].parcels = n
    for pid, n in db.session.execute(
        sa.select(Case.project_id, sa.func.count()).where(Case.project_id.in_(project_ids)).group_by(Case.project_id)
    ):
        counts[pid].cases = n
    return counts


def project_dashboard(project: Project) -> Dashboard:
    """Counts of parcels, households and cases by status, and areas, for one project."""
    d = Dashboard()
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Parcel.measured_area), 0),
            sa.func.coalesce(sa.func.sum(Parcel.recovered_area), 0),
            sa.func.count().filter(Parcel.recovered_area < Parcel.measured_area),
        ).where(Parcel.project_id == project.id)
    ).one()
    d.parcels, d.parcel_area, d.recovered_area, d.partial_parcels = row[0], Decimal(row[1]), Decimal(row[2]), row[3]
    by_status = dict(
        db.session.execute(
            sa.select(Case.status, sa.func.count()).where(Case.project_id == project.id).group_by(Case.status)
        ).all()
    )
    d.cases_by_status = [(status, by_status.get(status, 0)) for status in CaseStatus]
    d.cases = sum(by_status.values())
    vulnerable = sa.or_(Party.is_poor, Party.is_policy_family, Party.is_elderly_alone, Party.has_disabled_member)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(Party.kind != "organisation"),
            sa.func.count().filter(Party.kind == "organisation"),
            sa.func.count().filter(vulnerable),
        )
        .select_from(Case)
        .join(Party, Case.party_id == Party.id)
        .where(Case.project_id == project.id)
    ).one()
    d.households, d.organisations, d.vulnerable = row
    d.handed_over_area = Decimal(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Parcel.recovered_area), 0)).where(
                Parcel.id.in_(
                    sa.select(Parcel.id)
                    .join(Parcel.holdings)
                    .join(Case)
                    .where(Case.project_id == project.id, Case.status == CaseStatus.HANDED_OVER)
                )
            )
        )
    )
    return d
