"""Reading the audit trail back: the history of a case."""

from __future__ import annotations

import sqlalchemy as sa

from clearance.extensions import db
from clearance.models import AuditEntry, Case, CaseParcel


def case_history(case: Case, limit: int = 200) -> list[AuditEntry]:
    """Changes to the case, its holdings, its party and its parcels, newest first."""
    parcel_ids = sa.select(CaseParcel.parcel_id).where(CaseParcel.case_id == case.id)
    query = (
        sa.select(AuditEntry)
        .where(
            sa.or_(
                AuditEntry.case_id == case.id,
                sa.and_(AuditEntry.entity == "party", AuditEntry.entity_id == case.party_id),
                sa.and_(AuditEntry.entity == "parcel", AuditEntry.entity_id.in_(parcel_ids)),
            )
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def record_history(entity: str, entity_id: int, limit: int = 100) -> list[AuditEntry]:
    """Changes to one record (e.g. a party or a parcel), newest first."""
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
