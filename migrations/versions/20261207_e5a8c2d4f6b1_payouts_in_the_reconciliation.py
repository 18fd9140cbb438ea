"""payments: payouts to cooperatives in the daily reconciliation, with Xendit's fee on each

Revision ID: e5a8c2d4f6b1
Revises: 4f6b2d8e1a57
Create Date: 2026-12-07 05:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e5a8c2d4f6b1"
down_revision = "4f6b2d8e1a57"
branch_labels = None
depends_on = None

RUN_AMOUNTS = "gross >= 0 AND fees >= 0"
RUN_AMOUNTS_WITH_PAYOUTS = "gross >= 0 AND fees >= 0 AND payouts >= 0 AND payout_fees >= 0"


def upgrade():
    with op.batch_alter_table("cooperative_payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gateway_fee", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_cooperative_payouts_gateway_fee_non_negative"),
            "gateway_fee IS NULL OR gateway_fee >= 0",
        )
    with op.batch_alter_table("reconciliation_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payouts", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("payout_fees", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.drop_constraint(
            op.f("ck_reconciliation_runs_amounts_non_negative"), type_="check"
        )
        batch_op.create_check_constraint(
            op.f("ck_reconciliation_runs_amounts_non_negative"), RUN_AMOUNTS_WITH_PAYOUTS
        )
    with op.batch_alter_table("reconciliation_runs", schema=None) as batch_op:
        batch_op.alter_column("payouts", server_default=None)
        batch_op.alter_column("payout_fees", server_default=None)
    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payout_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reconciliation_differences_payout_id_cooperative_payouts"),
            "cooperative_payouts",
            ["payout_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_differences_payout_id"), ["payout_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("reconciliation_differences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_differences_payout_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_reconciliation_differences_payout_id_cooperative_payouts"),
            type_="foreignkey",
        )
        batch_op.drop_column("payout_id")
    with op.batch_alter_table("reconciliation_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_reconciliation_runs_amounts_non_negative"), type_="check"
        )
        batch_op.create_check_constraint(
            op.f("ck_reconciliation_runs_amounts_non_negative"), RUN_AMOUNTS
        )
        batch_op.drop_column("payout_fees")
        batch_op.drop_column("payouts")
    with op.batch_alter_table("cooperative_payouts", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_cooperative_payouts_gateway_fee_non_negative"), type_="check"
        )
        batch_op.drop_column("gateway_fee")
