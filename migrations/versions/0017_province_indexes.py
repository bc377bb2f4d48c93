"""province indexes: the lists at 1M rows answer from an index in their own order

Revision ID: 0017_province_indexes
Revises: 0016_staged_imports
Create Date: 2026-12-04 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0017_province_indexes"
down_revision = "0016_staged_imports"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_inspection_targets_unit_active_code', table_name='inspection_targets')
    op.create_index('ix_inspection_targets_unit_status_code', 'inspection_targets', ['unit_id', 'active', 'closed', 'code'], unique=False)
    op.create_index('ix_leniency_records_status_occurred', 'leniency_records', ['status', 'occurred_on', 'id'], unique=False)
    op.create_index('ix_audit_entries_actor_seq', 'audit_entries', ['actor', 'seq'], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # LIKE 'prefix%' as an index range
        op.drop_index('ix_audit_entries_action_seq', table_name='audit_entries')
        op.create_index('ix_audit_entries_action_seq', 'audit_entries', ['action', 'seq'], unique=False, postgresql_ops={'action': 'varchar_pattern_ops'})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_audit_entries_action_seq', table_name='audit_entries')
        op.create_index('ix_audit_entries_action_seq', 'audit_entries', ['action', 'seq'], unique=False)
    op.drop_index('ix_audit_entries_actor_seq', table_name='audit_entries')
    op.drop_index('ix_leniency_records_status_occurred', table_name='leniency_records')
    op.drop_index('ix_inspection_targets_unit_status_code', table_name='inspection_targets')
    op.create_index('ix_inspection_targets_unit_active_code', 'inspection_targets', ['unit_id', 'active', 'code'], unique=False)
