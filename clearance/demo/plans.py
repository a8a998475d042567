"""Demo plans: the demo policy set, the inventories, and the plans of the cases at the plan stage,
moved along as far as their case is (checked, frozen before posting). Flushes only.

Idempotent: a recalculation writes nothing where nothing changed, and a step is taken only on a
plan still in the state the demo left it in.
"""

from __future__ import annotations

import sqlalchemy as sa

from clearance.demo.facts import DEMO_TODAY
from clearance.extensions import db
from clearance.models import AdminUnit, Case, CompensationPlan, Project, User
from clearance.workflow.statuses import CaseStatus, PlanStatus, UnitLevel

#: The plan stage of the procedure: the demo calculates plans for cases at these steps. Cases
#: past approval carry the offers the dialogue story recorded from their paper plans, made before
#: this app; their inventories are on record, their plans are not recalculated here.
PLAN_STAGE = (CaseStatus.SURVEYED, CaseStatus.PLAN_DRAFTED, CaseStatus.POSTED)
#: How far the team lead has taken each case's first version: a posted plan was frozen before
#: posting (Art. 87(3)(a)); a drafted one has been checked; a surveyed one is still a draft.
STEPS = {
    CaseStatus.SURVEYED: (),
    CaseStatus.PLAN_DRAFTED: ("check",),
    CaseStatus.POSTED: ("check", "freeze"),
}


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
        at_plan_stage = set(
            db.session.scalars(sa.select(Case.id).where(Case.project_id == project.id, Case.status.in_(PLAN_STAGE)))
        )
        plans.recalculate_project(
            project, DEMO_TODAY, "Tính theo biên bản kiểm đếm (dữ liệu mẫu)", case_ids=at_plan_stage
        )
        db.session.flush()
        if lead is None:
            continue
        for case, plan in db.session.execute(
            sa.select(Case, CompensationPlan).join(CompensationPlan, CompensationPlan.case_id == Case.id)
            .where(Case.project_id == project.id, CompensationPlan.number == 1, CompensationPlan.status == PlanStatus.DRAFT)
        ):
            if plan.missing_basis:
                continue
            for action in STEPS.get(case.status, ()):
                plans.take_step(plan, action, lead, today=DEMO_TODAY)
