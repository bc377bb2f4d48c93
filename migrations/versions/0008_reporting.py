"""reporting: issued quarterly reports (季度报告)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 00:32:41.658084

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quarterly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('data_filename', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('font_embedded', sa.Boolean(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=60), nullable=False),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_quarterly_reports_quarter')),
    sa.CheckConstraint('size > 0', name=op.f('ck_quarterly_reports_size')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_quarterly_reports_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarterly_reports')),
    sa.UniqueConstraint('year', 'quarter', 'version', name=op.f('uq_quarterly_reports_year_quarter_version'))
    )


def downgrade():
    op.drop_table('quarterly_reports')
