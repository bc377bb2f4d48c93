"""clock: rectification_items.closed_on, the bureau's date of 销号

"Closed by the deadline" compared SQL date(closed_at) -- a UTC date -- with the
deadline, a date of the bureau; the bureau's date of closing is now kept with
the item. Existing rows get it from closed_at in RISKCTL_TIMEZONE (default
Asia/Shanghai).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 19:30:00

"""
import os
from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rectification_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))

    zone = ZoneInfo(os.environ.get("RISKCTL_TIMEZONE") or "Asia/Shanghai")
    items = sa.table(
        "rectification_items",
        sa.column("id", sa.Integer()),
        sa.column("closed_at", sa.DateTime(timezone=True)),
        sa.column("closed_on", sa.Date()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(items.c.id, items.c.closed_at).where(items.c.closed_at.is_not(None))
    ).all()
    for item_id, closed_at in rows:
        # Stored in UTC; SQLite hands the value back without its zone.
        aware = closed_at if closed_at.tzinfo else closed_at.replace(tzinfo=UTC)
        connection.execute(
            items.update()
            .where(items.c.id == item_id)
            .values(closed_on=aware.astimezone(zone).date())
        )


def downgrade():
    with op.batch_alter_table("rectification_items", schema=None) as batch_op:
        batch_op.drop_column("closed_on")
