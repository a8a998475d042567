"""procedure

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:33:52.326379

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# The defaults of clearance.workflow.procedure.STEPS and clearance.workflow.holidays.HOLIDAYS as they
# were when this migration was written: later edits are data changes, not migrations.
STEPS = [
    {'code': 'pre_notice_meeting', 'position': 1, 'label': 'Họp dân trước khi thông báo thu hồi', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 1', 'period_days': None, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'deadline'},
    {'code': 'recovery_notice', 'position': 2, 'label': 'Thông báo thu hồi đất', 'legal_basis': 'Luật Đất đai 2024, Điều 85', 'period_days': 365, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'validity'},
    {'code': 'survey', 'position': 3, 'label': 'Điều tra, đo đạc, kiểm đếm', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 2', 'period_days': None, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'deadline'},
    {'code': 'plan_drafted', 'position': 4, 'label': 'Lập phương án bồi thường, hỗ trợ, tái định cư', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 3', 'period_days': None, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'deadline'},
    {'code': 'public_posting', 'position': 5, 'label': 'Niêm yết công khai phương án', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 3 điểm a', 'period_days': 30, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'duration'},
    {'code': 'consultation', 'position': 6, 'label': 'Họp lấy ý kiến về phương án', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 3 điểm a', 'period_days': None, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'deadline'},
    {'code': 'dialogue', 'position': 7, 'label': 'Đối thoại với người còn ý kiến khác', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 3 điểm a', 'period_days': 60, 'period_kind': 'calendar', 'period_from': 'consultation', 'period_meaning': 'deadline'},
    {'code': 'plan_approved', 'position': 8, 'label': 'Phê duyệt phương án', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 3; Nghị định 88/2024', 'period_days': 30, 'period_kind': 'calendar', 'period_from': 'public_posting', 'period_meaning': 'deadline'},
    {'code': 'recovery_decision', 'position': 9, 'label': 'Quyết định thu hồi đất', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 5–6', 'period_days': 10, 'period_kind': 'calendar', 'period_from': 'plan_approved', 'period_meaning': 'deadline'},
    {'code': 'payment', 'position': 10, 'label': 'Chi trả tiền bồi thường, hỗ trợ', 'legal_basis': 'Luật Đất đai 2024, Điều 94', 'period_days': 30, 'period_kind': 'calendar', 'period_from': 'plan_approved', 'period_meaning': 'deadline'},
    {'code': 'handover', 'position': 11, 'label': 'Bàn giao mặt bằng', 'legal_basis': 'Luật Đất đai 2024, Điều 87 khoản 7', 'period_days': 20, 'period_kind': 'calendar', 'period_from': 'payment', 'period_meaning': 'deadline'},
    {'code': 'enforcement', 'position': 12, 'label': 'Cưỡng chế thu hồi đất', 'legal_basis': 'Luật Đất đai 2024, Điều 89', 'period_days': None, 'period_kind': 'calendar', 'period_from': '', 'period_meaning': 'deadline'},
]
HOLIDAYS = [
    ('2025-01-01', 'Tết Dương lịch', False),
    ('2025-01-27', 'Tết Nguyên đán Ất Tỵ', True),
    ('2025-01-28', 'Tết Nguyên đán Ất Tỵ', True),
    ('2025-01-29', 'Tết Nguyên đán Ất Tỵ', True),
    ('2025-01-30', 'Tết Nguyên đán Ất Tỵ', True),
    ('2025-01-31', 'Tết Nguyên đán Ất Tỵ', True),
    ('2025-04-07', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', False),
    ('2025-04-30', 'Ngày Chiến thắng (30/4)', False),
    ('2025-05-01', 'Ngày Quốc tế lao động (1/5)', False),
    ('2025-09-01', 'Quốc khánh (ngày liền kề)', False),
    ('2025-09-02', 'Quốc khánh (2/9)', False),
    ('2026-01-01', 'Tết Dương lịch', False),
    ('2026-02-16', 'Tết Nguyên đán Bính Ngọ', True),
    ('2026-02-17', 'Tết Nguyên đán Bính Ngọ', True),
    ('2026-02-18', 'Tết Nguyên đán Bính Ngọ', True),
    ('2026-02-19', 'Tết Nguyên đán Bính Ngọ', True),
    ('2026-02-20', 'Tết Nguyên đán Bính Ngọ', True),
    ('2026-04-26', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', False),
    ('2026-04-27', 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)', False),
    ('2026-04-30', 'Ngày Chiến thắng (30/4)', False),
    ('2026-05-01', 'Ngày Quốc tế lao động (1/5)', False),
    ('2026-09-01', 'Quốc khánh (ngày liền kề)', False),
    ('2026-09-02', 'Quốc khánh (2/9)', False),
    ('2027-01-01', 'Tết Dương lịch', False),
    ('2027-02-04', 'Tết Nguyên đán Đinh Mùi', True),
    ('2027-02-05', 'Tết Nguyên đán Đinh Mùi', True),
    ('2027-02-08', 'Tết Nguyên đán Đinh Mùi', True),
    ('2027-02-09', 'Tết Nguyên đán Đinh Mùi', True),
    ('2027-02-10', 'Tết Nguyên đán Đinh Mùi', True),
    ('2027-04-16', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', False),
    ('2027-04-30', 'Ngày Chiến thắng (30/4)', False),
    ('2027-05-01', 'Ngày Quốc tế lao động (1/5)', False),
    ('2027-05-03', 'Nghỉ bù Ngày Quốc tế lao động (1/5)', False),
    ('2027-09-02', 'Quốc khánh (2/9)', False),
    ('2027-09-03', 'Quốc khánh (ngày liền kề)', False),
]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('procedure_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('period_days', sa.Integer(), nullable=True),
    sa.Column('period_kind', sa.Enum('calendar', 'working', name='period_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('period_from', sa.String(length=40), nullable=False),
    sa.Column('period_meaning', sa.String(length=20), nullable=False),
    sa.CheckConstraint('period_days IS NULL OR period_days > 0', name=op.f('ck_procedure_step_period_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_step')),
    sa.UniqueConstraint('code', name=op.f('uq_procedure_step_code'))
    )
    op.create_table('public_holiday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_tet', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_public_holiday'))
    )
    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step_code', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.Enum('new', 'notified', 'surveyed', 'plan_drafted', 'posted', 'plan_approved', 'decided', 'paid', 'handed_over', 'enforcement', name='from_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('to_status', sa.Enum('new', 'notified', 'surveyed', 'plan_drafted', 'posted', 'plan_approved', 'decided', 'paid', 'handed_over', 'enforcement', name='to_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('document', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('is_correction', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['clearance_case.id'], name=op.f('fk_case_event_case_id_clearance_case')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_case_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_case_day', ['case_id', 'occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    # ### end Alembic commands ###
    steps = sa.table(
        "procedure_step", sa.column("code", sa.String), sa.column("position", sa.Integer), sa.column("label", sa.String),
        sa.column("legal_basis", sa.String), sa.column("period_days", sa.Integer), sa.column("period_kind", sa.String),
        sa.column("period_from", sa.String), sa.column("period_meaning", sa.String),
    )
    op.bulk_insert(steps, STEPS)
    holidays = sa.table("public_holiday", sa.column("day", sa.Date), sa.column("name", sa.String), sa.column("is_tet", sa.Boolean))
    op.bulk_insert(holidays, [{"day": date.fromisoformat(day), "name": name, "is_tet": tet} for day, name, tet in HOLIDAYS])


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))
        batch_op.drop_index('ix_case_event_case_day')

    op.drop_table('case_event')
    op.drop_table('public_holiday')
    op.drop_table('procedure_step')
    # ### end Alembic commands ###
