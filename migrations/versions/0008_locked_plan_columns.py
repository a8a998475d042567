"""Frozen and approved plan versions: every column locked, not only the figures.

A frozen version may take one more step, to approved, with the approval's own columns; an
approved version changes no more. (0007 locked the snapshot, hash, net and status only.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:20:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

#: Columns that never change once a version is frozen.
LOCKED = (
    "case_id", "project_id", "number", "policy_set_id", "snapshot", "content_hash", "land_total", "assets_total",
    "support_total", "resettlement_total", "deductions_total", "net_amount", "missing_basis", "reason",
    "calculated_at", "calculated_by", "checked_at", "checked_by", "frozen_at", "frozen_by",
)
#: Written once, by the step frozen → approved.
APPROVAL = ("approved_at", "approved_by", "approval_decision", "approved_on")


def _sqlite() -> str:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in LOCKED)
    approval = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in APPROVAL)
    return f"""CREATE TRIGGER compensation_plan_locked_update BEFORE UPDATE ON compensation_plan
    WHEN OLD.status IN ('frozen', 'approved') AND (
        {changed}
        OR NOT (NEW.status = OLD.status OR (OLD.status = 'frozen' AND NEW.status = 'approved'))
        OR (({approval}) AND NOT (OLD.status = 'frozen' AND NEW.status = 'approved')))
    BEGIN SELECT RAISE(ABORT, 'compensation_plan is frozen'); END"""


def _postgres() -> str:
    def differs(column: str) -> str:
        value = "{}.snapshot::text" if column == "snapshot" else "{}." + column
        return f"{value.format('NEW')} IS DISTINCT FROM {value.format('OLD')}"

    changed = " OR ".join(differs(c) for c in LOCKED)
    approval = " OR ".join(differs(c) for c in APPROVAL)
    return f"""CREATE OR REPLACE FUNCTION compensation_plan_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('frozen', 'approved') THEN
          RAISE EXCEPTION 'compensation_plan is frozen' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
      END IF;
      IF OLD.status IN ('frozen', 'approved') AND (
          {changed}
          OR NOT (NEW.status = OLD.status OR (OLD.status = 'frozen' AND NEW.status = 'approved'))
          OR (({approval}) AND NOT (OLD.status = 'frozen' AND NEW.status = 'approved'))) THEN
        RAISE EXCEPTION 'compensation_plan is frozen' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres())
    else:
        op.execute("DROP TRIGGER IF EXISTS compensation_plan_locked_update")
        op.execute(_sqlite())


def downgrade():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("m0007", Path(__file__).with_name("0007_compensation.py"))
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(previous.POSTGRES_TRIGGERS[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    else:
        op.execute("DROP TRIGGER IF EXISTS compensation_plan_locked_update")
        op.execute(previous.SQLITE_TRIGGERS[0])
