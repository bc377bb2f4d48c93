"""integrity: keyed audit chain with checkpoints; re-draw kinds and re-locked manifests;
drawn reviewer replacements; leniency held for legal review

Revision ID: 0011
Revises: 0010
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
down_revision = "0010"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _rekey_audit_chain():
    from riskctl.core.audit.keys import keyring
    from riskctl.core.audit.rekey import rekey_legacy
    from riskctl.core import clock

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
            "at": clock.now(),
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
    # Before 0011 a repeat 轻微不罚 was refused, never held: held and refused-on-review
    # records have no status there, so they are closed with a note saying what they were.
    op.execute(
        "UPDATE leniency_records SET"
        " closing_note = COALESCE(closing_note || '；', '') || CASE status"
        " WHEN 'pending_review' THEN '待法制审核的记录，回退迁移 0011 时关闭'"
        " ELSE '法制审核未通过的记录，回退迁移 0011 时关闭' END"
        " || COALESCE('；审核意见：' || review_note, ''),"
        " closed_at = COALESCE(closed_at, reviewed_at, created_at),"
        " closed_by = COALESCE(closed_by, reviewed_by, 'migration'),"
        " status = 'closed'"
        " WHERE status IN ('pending_review', 'review_refused')"
    )
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


REDRAW_APPROVED_BEFORE = "round = 1 OR (redraw_reason IS NOT NULL AND approved_by IS NOT NULL)"
REDRAW_APPROVED = (
    "round = 1 OR (redraw_reason IS NOT NULL AND approved_by IS NOT NULL"
    " AND redraw_kind IS NOT NULL)"
)


def _draws_upgrade():
    """Re-draw kinds; a subject re-locked as new manifest versions."""
    with op.batch_alter_table("draw_manifests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_draw_manifests_kind_subject"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_draw_manifests_kind_subject_version"), ["kind", "subject", "version"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_draw_manifests_previous_id_draw_manifests"),
            "draw_manifests",
            ["previous_id"],
            ["id"],
        )
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redraw_kind", sa.String(length=20), nullable=True))
    # Every earlier re-draw re-ran the same manifest with new entropy.
    op.execute("UPDATE draws SET redraw_kind = 'entropy_failure' WHERE round > 1")
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_draws_redraw_approved"), type_="check")
        batch_op.create_check_constraint("redraw_approved", REDRAW_APPROVED)
        batch_op.create_check_constraint(
            "redraw_kind", "redraw_kind IS NULL OR redraw_kind IN ('entropy_failure', 'manifest_error')"
        )
    with op.batch_alter_table("inspection_redraws", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sa.String(length=20), server_default="entropy_failure", nullable=False
            )
        )
        batch_op.add_column(sa.Column("manifest_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_inspection_redraws_manifest_id_draw_manifests"),
            "draw_manifests",
            ["manifest_id"],
            ["id"],
        )
        batch_op.create_check_constraint("kind", "kind IN ('entropy_failure', 'manifest_error')")


def _draws_downgrade():
    with op.batch_alter_table("inspection_redraws", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_inspection_redraws_kind"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_inspection_redraws_manifest_id_draw_manifests"), type_="foreignkey"
        )
        batch_op.drop_column("manifest_id")
        batch_op.drop_column("kind")
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_draws_redraw_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_draws_redraw_approved"), type_="check")
        batch_op.create_check_constraint("redraw_approved", REDRAW_APPROVED_BEFORE)
        batch_op.drop_column("redraw_kind")
    with op.batch_alter_table("draw_manifests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_draw_manifests_previous_id_draw_manifests"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_draw_manifests_kind_subject_version"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_draw_manifests_kind_subject"), ["kind", "subject"]
        )
        batch_op.drop_column("changes")
        batch_op.drop_column("previous_id")
        batch_op.drop_column("version")


def _reviews_upgrade():
    """Campaign re-draws, drawn reviewer rounds, files per round, overturned vetoes."""
    op.create_table('review_redraws',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=60), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by', sa.String(length=60), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=True),
    sa.Column('new_draw_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('entropy_failure', 'manifest_error')", name=op.f('ck_review_redraws_kind')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused', 'used')", name=op.f('ck_review_redraws_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['review_campaigns.id'], name=op.f('fk_review_redraws_campaign_id_review_campaigns')),
    sa.ForeignKeyConstraint(['draw_id'], ['draws.id'], name=op.f('fk_review_redraws_draw_id_draws')),
    sa.ForeignKeyConstraint(['manifest_id'], ['draw_manifests.id'], name=op.f('fk_review_redraws_manifest_id_draw_manifests')),
    sa.ForeignKeyConstraint(['new_draw_id'], ['draws.id'], name=op.f('fk_review_redraws_new_draw_id_draws')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_redraws'))
    )
    with op.batch_alter_table('review_redraws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_redraws_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('review_reviewer_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_file_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('withdrawn_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('manifest_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=60), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('replace', 'third')", name=op.f('ck_review_reviewer_draws_purpose')),
    sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'], name=op.f('fk_review_reviewer_draws_assignment_id_review_assignments')),
    sa.ForeignKeyConstraint(['draw_id'], ['draws.id'], name=op.f('fk_review_reviewer_draws_draw_id_draws')),
    sa.ForeignKeyConstraint(['manifest_id'], ['draw_manifests.id'], name=op.f('fk_review_reviewer_draws_manifest_id_draw_manifests')),
    sa.ForeignKeyConstraint(['review_file_id'], ['review_files.id'], name=op.f('fk_review_reviewer_draws_review_file_id_review_files')),
    sa.ForeignKeyConstraint(['withdrawn_id'], ['review_assignments.id'], name=op.f('fk_review_reviewer_draws_withdrawn_id_review_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_reviewer_draws')),
    sa.UniqueConstraint('review_file_id', 'number', name=op.f('uq_review_reviewer_draws_review_file_id_number'))
    )
    with op.batch_alter_table('review_reviewer_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reviewer_draws_review_file_id'), ['review_file_id'], unique=False)

    with op.batch_alter_table("review_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draw_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("superseded", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("veto_overturned_by", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("veto_overturn_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE review_files SET draw_id = "
        "(SELECT draw_id FROM review_campaigns WHERE review_campaigns.id = review_files.campaign_id)"
    )
    with op.batch_alter_table("review_files", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_review_files_campaign_id_case_file_id"), type_="unique"
        )
        batch_op.drop_constraint(batch_op.f("uq_review_files_campaign_id_position"), type_="unique")
        batch_op.create_index(batch_op.f("ix_review_files_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_review_files_draw_id_case_file_id"), ["draw_id", "case_file_id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_review_files_draw_id_position"), ["draw_id", "position"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_files_draw_id_draws"), "draws", ["draw_id"], ["id"]
        )


def _reviews_downgrade():
    with op.batch_alter_table("review_files", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_review_files_draw_id_draws"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_review_files_draw_id_position"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("uq_review_files_draw_id_case_file_id"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_review_files_campaign_id"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_review_files_campaign_id_position"), ["campaign_id", "position"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_review_files_campaign_id_case_file_id"), ["campaign_id", "case_file_id"]
        )
        batch_op.drop_column("veto_overturn_reason")
        batch_op.drop_column("veto_overturned_by")
        batch_op.drop_column("superseded")
        batch_op.drop_column("draw_id")
    with op.batch_alter_table("review_reviewer_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_reviewer_draws_review_file_id"))
    op.drop_table("review_reviewer_draws")
    with op.batch_alter_table("review_redraws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_redraws_campaign_id"))
    op.drop_table("review_redraws")


def upgrade():
    _draws_upgrade()
    _reviews_upgrade()
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
    _reviews_downgrade()
    _draws_downgrade()
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_seq"))
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("key_id")
