"""Typed SQLAlchemy models, one module per aggregate."""

from clearance.models.admin import AdminUnit, AdminUnitFormerName, Team
from clearance.models.audit import AuditEntry
from clearance.models.balance import CompensationOffer, DisputeRuling, Payment, RiskFactor
from clearance.models.case import Case, CaseParcel
from clearance.models.compensation import (
    CompensationPlan,
    Inventory,
    InventoryItem,
    IssuedDocument,
    PlanAdjustment,
    PolicyRate,
    PolicySet,
    PrintJob,
)
from clearance.models.grievance import Grievance
from clearance.models.imports import ParcelImport
from clearance.models.meeting import (
    CaseDialogue,
    CaseDialogueMonth,
    Commitment,
    Concern,
    Meeting,
    MeetingAttachment,
    MeetingAttendee,
    MeetingCase,
    MeetingRevision,
)
from clearance.models.parcel import Parcel
from clearance.models.party import Party
from clearance.models.price import LandPrice
from clearance.models.procedure import CaseEvent, ProcedureStep, PublicHoliday
from clearance.models.project import LegalDocument, Project, project_units
from clearance.models.user import ApiToken, User

__all__ = [
    "PrintJob",
    "PolicySet",
    "PolicyRate",
    "PlanAdjustment",
    "IssuedDocument",
    "InventoryItem",
    "Inventory",
    "CompensationPlan",
    "AdminUnit",
    "AdminUnitFormerName",
    "ApiToken",
    "AuditEntry",
    "Case",
    "CaseEvent",
    "CaseDialogue",
    "CaseDialogueMonth",
    "CaseParcel",
    "Commitment",
    "CompensationOffer",
    "Concern",
    "DisputeRuling",
    "Grievance",
    "LandPrice",
    "LegalDocument",
    "Meeting",
    "MeetingAttachment",
    "MeetingAttendee",
    "MeetingCase",
    "MeetingRevision",
    "Parcel",
    "ParcelImport",
    "Party",
    "Payment",
    "ProcedureStep",
    "Project",
    "PublicHoliday",
    "RiskFactor",
    "Team",
    "User",
    "project_units",
]
