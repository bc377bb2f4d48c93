"""units: deactivation (已停用单位 keep their history, take nothing new)

Revision ID: 0015_unit_active
Revises: 0014_perf
Create Date: 2026-12-04 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0015_unit_active"
down_revision = "0014_perf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table("units") as batch:
        batch.drop_column("active")
