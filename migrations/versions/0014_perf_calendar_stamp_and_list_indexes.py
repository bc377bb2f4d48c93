"""perf: the calendar stamp (every worker rebuilds its working-day index when a
schedule is loaded) and indexes for the lists at province scale

Revision ID: 0014_perf
Revises: 0013
Create Date: 2026-12-03 23:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0014_perf"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_stamp',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_stamp'))
    )
    op.execute("INSERT INTO calendar_stamp (id, version) VALUES (1, 0)")
    op.create_index('ix_leniency_records_unit_status_occurred', 'leniency_records', ['unit_id', 'status', 'occurred_on'], unique=False)
    op.create_index('ix_inspection_targets_unit_active_code', 'inspection_targets', ['unit_id', 'active', 'code'], unique=False)
    op.create_index('ix_inspection_tasks_plan_position', 'inspection_tasks', ['plan_id', 'superseded', 'position'], unique=False)
    op.create_index('ix_audit_entries_action_seq', 'audit_entries', ['action', 'seq'], unique=False)


def downgrade():
    op.drop_index('ix_audit_entries_action_seq', table_name='audit_entries')
    op.drop_index('ix_inspection_tasks_plan_position', table_name='inspection_tasks')
    op.drop_index('ix_inspection_targets_unit_active_code', table_name='inspection_targets')
    op.drop_index('ix_leniency_records_unit_status_occurred', table_name='leniency_records')
    op.drop_table('calendar_stamp')
