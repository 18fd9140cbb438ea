"""payments: refunds through the Indonesian gateway (its Refund API) or as a payout to the
shopper's bank account

A refund's method may now be ``gateway`` (Xendit's Refund API, to the e-wallet or QRIS source)
or ``payout`` (a payout to the bank account the shopper gives: a virtual account cannot be
refunded); a payout's destination is kept on the refund, and ``gateway_round`` numbers the
attempts after one the gateway settled as failed (each gets its own idempotency key).
A payment may be flagged ``refund_returned``: a refund's payout the bank sent back after it
completed.

Revision ID: b7d3f1a9c2e4
Revises: c4e1a9b7d2f3
Create Date: 2026-12-07 05:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d3f1a9c2e4"
down_revision = "c4e1a9b7d2f3"
branch_labels = None
depends_on = None

WITH_GATEWAY = "'card', 'transfer', 'gateway', 'payout'"
CARD_AND_TRANSFER = "'card', 'transfer'"
FLAGS = "'amount_mismatch', 'paid_after_cancel', 'duplicate', 'refunded_outside'"
WITH_RETURNED = FLAGS + ", 'refund_returned'"


def _method_check(values):
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_refunds_method"), type_="check")
        batch_op.create_check_constraint(op.f("ck_refunds_method"), f"method IN ({values})")


def _flag_check(values):
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payments_flag"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_payments_flag"), f"flag IS NULL OR flag IN ({values})"
        )


def upgrade():
    _method_check(WITH_GATEWAY)
    _flag_check(WITH_RETURNED)
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payout_channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("payout_account_number", sa.String(length=30), nullable=True))
        batch_op.add_column(
            sa.Column("payout_account_holder", sa.String(length=120), nullable=True)
        )
        batch_op.add_column(
            sa.Column("gateway_round", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_refunds_gateway_round_non_negative"), "gateway_round >= 0"
        )
        batch_op.create_index("ix_refunds_provider_reference", ["provider_reference"], unique=False)


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_provider_reference")
        batch_op.drop_constraint(op.f("ck_refunds_gateway_round_non_negative"), type_="check")
        batch_op.drop_column("gateway_round")
        batch_op.drop_column("payout_account_holder")
        batch_op.drop_column("payout_account_number")
        batch_op.drop_column("payout_channel")
    # Refunds through the gateway cannot be described without their methods: refuse (the
    # CHECK fails) rather than lose them.
    _method_check(CARD_AND_TRANSFER)
    _flag_check(FLAGS)
