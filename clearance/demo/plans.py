"""Demo plans: the demo policy set, the inventories, the plans calculated from them, and a few
versions moved along (checked, frozen, approved) so every state shows. Flushes only.

Idempotent: a recalculation writes nothing where nothing changed, and a step is taken only on a
plan still in the state the demo left it in.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from clearance.demo.facts import DEMO_TODAY
from clearance.extensions import db
from clearance.models import AdminUnit, Case, CompensationOffer, CompensationPlan, Project, User
from clearance.workflow.statuses import PlanStatus, UnitLevel

#: Cases whose plans the demo's team lead has checked, frozen or approved (the rest stay drafts).
CHECKED = ("YK-003",)
FROZEN = ("YK-001", "YK-002", "TBT-002", "TBT-003")
#: Approved cases: ones without hand-recorded offers in the dialogue story, so the story's gaps
#: stay as told; approval writes the plan's net as their first offer version.
APPROVED = ("TBT-001",)
APPROVAL_DECISION = "1520/QĐ-UBND (mẫu)"
APPROVED_ON = date(2026, 10, 15)


def load_plans(tally: object) -> None:
    from clearance.demo.inventory import load_demo_inventories
    from clearance.demo.policy import load_demo_policy_set
    from clearance.services import plans

    province = db.session.scalar(sa.select(AdminUnit).where(AdminUnit.level == UnitLevel.PROVINCE, AdminUnit.code == "01"))
    if province is None:
        return
    load_demo_policy_set(db.session, province)
    lead = db.session.scalar(sa.select(User).where(User.username == "truongnhom"))
    for project in db.session.scalars(sa.select(Project).where(Project.code.in_(("BCA-YK44", "BCA-TBT30")))):
        load_demo_inventories(db.session, project)
        db.session.flush()
        plans.recalculate_project(project, DEMO_TODAY, "Tính theo biên bản kiểm đếm (dữ liệu mẫu)")
        db.session.flush()
        if lead is None:
            continue
        offered = set(db.session.scalars(sa.select(CompensationOffer.case_id).distinct()))
        for case, plan in db.session.execute(
            sa.select(Case, CompensationPlan).join(CompensationPlan, CompensationPlan.case_id == Case.id)
            .where(Case.project_id == project.id, CompensationPlan.number == 1, CompensationPlan.status == PlanStatus.DRAFT)
        ):
            if plan.missing_basis:
                continue
            steps = []
            if case.code in CHECKED:
                steps = ["check"]
            elif case.code in FROZEN:
                steps = ["check", "freeze"]
            elif case.code in APPROVED and case.id not in offered:
                steps = ["check", "freeze", "approve"]
            for action in steps:
                plans.take_step(plan, action, lead, approval_decision=APPROVAL_DECISION, approved_on=APPROVED_ON, today=DEMO_TODAY)
