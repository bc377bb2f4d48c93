"""staged imports: kept a week, listed for confirmation, discarded (audited)

Revision ID: 0016_staged_imports
Revises: 0015_unit_active
Create Date: 2026-12-04 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0016_staged_imports"
down_revision = "0015_unit_active"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("storage_staged_uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("storage_staged_uploads", schema=None) as batch_op:
        batch_op.drop_column("discarded_at")
        batch_op.drop_column("summary")
