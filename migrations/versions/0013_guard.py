"""guard: the auditor role, session versions and forced password change, token hints and
revocation stamps, and the throttle counters shared by every worker

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'discipline', 'legal', 'officer', 'leader')"
NEW_ROLES = "role IN ('admin', 'discipline', 'legal', 'officer', 'leader', 'auditor')"


def upgrade():
    op.create_table('throttle_counters',
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('used', sa.BigInteger(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('rule', 'subject', name=op.f('pk_throttle_counters'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), NEW_ROLES)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hint', sa.String(length=12), server_default='', nullable=False))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('hint')
    op.execute("UPDATE users SET active = false WHERE role = 'auditor'")
    op.execute("UPDATE users SET role = 'discipline' WHERE role = 'auditor'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), OLD_ROLES)
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_version')
    op.drop_table('throttle_counters')
