"""integrity: keyed audit chain with checkpoints; re-draw kinds and re-locked manifests;
drawn reviewer replacements; leniency held for legal review

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-22 10:00:00

The audit chain becomes an HMAC chain under RISKCTL_AUDIT_KEY. The key is not in the
database, so this migration reads it from the configuration of the app that runs
``flask db upgrade`` (production refuses to start without it) and re-signs the
existing chain, oldest entry first, as long as it still checks out under the old
unkeyed hash; see riskctl/core/audit/rekey.py and the README.
"""
import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _rekey_audit_chain():
    from riskctl.core.audit.keys import keyring
    from riskctl.core.audit.rekey import rekey_legacy
    from riskctl.core.db import utcnow

    connection = op.get_bind()
    result = rekey_legacy(connection, keyring())
    if result.broken_at is not None:
        log.warning(
            "audit chain: the old chain breaks at entry %s; entries from there on stay "
            "unsigned and `audit verify` will name it",
            result.broken_at,
        )
    if result.new_head is None:
        return
    seq, digest = result.new_head.split(":")
    connection.execute(
        sa.text(
            "INSERT INTO audit_checkpoints (seq, hash, recorded_at, source) "
            "VALUES (:seq, :hash, :at, :source)"
        ),
        {
            "seq": int(seq),
            "hash": digest,
            "at": utcnow(),
            "source": f"审计链改为密钥签名（原链尾 {result.old_head}）"[:200],
        },
    )
    log.info("audit chain: %s entries re-signed with the audit key", result.signed)


LENIENCY_STATUSES_BEFORE = ("recorded", "committed", "corrected", "failed", "referred", "closed")
LENIENCY_STATUSES = ("pending_review", *LENIENCY_STATUSES_BEFORE, "review_refused")


def _in(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _leniency_upgrade():
    with op.batch_alter_table("leniency_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_prior_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_leniency_records_review_prior_id_leniency_records"),
            "leniency_records",
            ["review_prior_id"],
            ["id"],
        )
        batch_op.drop_constraint(op.f("ck_leniency_records_status"), type_="check")
        batch_op.create_check_constraint("status", _in(LENIENCY_STATUSES))
        batch_op.create_check_constraint(
            "held_names_prior", "status != 'pending_review' OR review_prior_id IS NOT NULL"
        )


def _leniency_downgrade():
    with op.batch_alter_table("leniency_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_leniency_records_held_names_prior"), type_="check")
        batch_op.drop_constraint(op.f("ck_leniency_records_status"), type_="check")
        batch_op.create_check_constraint("status", _in(LENIENCY_STATUSES_BEFORE))
        batch_op.drop_constraint(
            batch_op.f("fk_leniency_records_review_prior_id_leniency_records"), type_="foreignkey"
        )
        batch_op.drop_column("review_note")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_prior_id")


def upgrade():
    _leniency_upgrade()
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoints_seq"), ["seq"], unique=False)
    _rekey_audit_chain()


def downgrade():
    _leniency_downgrade()
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_seq"))
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("key_id")
