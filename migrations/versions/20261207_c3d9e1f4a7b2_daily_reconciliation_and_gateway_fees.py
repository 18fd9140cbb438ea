"""payments: the daily reconciliation with Xendit (runs, differences) and each payment's fee

Revision ID: c3d9e1f4a7b2
Revises: 8a4c2e6f1b93
Create Date: 2026-12-07 04:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3d9e1f4a7b2"
down_revision = "8a4c2e6f1b93"
branch_labels = None
depends_on = None

KINDS = "'paid_not_recorded', 'recorded_not_paid', 'amount_differs', 'payout_missing'"


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gateway_transaction_id", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("gateway_fee", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_payments_gateway_fee_non_negative"),
            "gateway_fee IS NULL OR gateway_fee >= 0",
        )
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transactions", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("differences", sa.Integer(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("fees", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "gross >= 0 AND fees >= 0", name=op.f("ck_reconciliation_runs_amounts_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
        sa.UniqueConstraint("day", name="uq_reconciliation_runs_day"),
    )
    op.create_table(
        "reconciliation_differences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("gateway_id", sa.String(length=80), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("gateway_amount", sa.BigInteger(), nullable=True),
        sa.Column("our_amount", sa.BigInteger(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_reconciliation_differences_kind")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_reconciliation_differences_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_reconciliation_differences_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_differences")),
        sa.UniqueConstraint("dedup_key", name="uq_reconciliation_differences_dedup_key"),
    )
    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reconciliation_differences_open", ["resolved_at", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_differences_payment_id"), ["payment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_differences_payment_id"))
        batch_op.drop_index("ix_reconciliation_differences_open")
    op.drop_table("reconciliation_differences")
    op.drop_table("reconciliation_runs")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payments_gateway_fee_non_negative"), type_="check")
        batch_op.drop_column("gateway_fee")
        batch_op.drop_column("gateway_transaction_id")
