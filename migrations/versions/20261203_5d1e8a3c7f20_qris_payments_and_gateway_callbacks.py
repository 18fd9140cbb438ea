"""payments: QRIS as a payment method (orders and payments), gateway_callbacks kept once

QRIS pays a whole order through Xendit; its callbacks are stored once each, under Xendit's
webhook id where sent (else the payment and its status), like stripe_events.

Revision ID: 5d1e8a3c7f20
Revises: 7b2e9c41d5a8
Create Date: 2026-12-03 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5d1e8a3c7f20"
down_revision = "7b2e9c41d5a8"
branch_labels = None
depends_on = None

WITH_QRIS = "'qris', 'card', 'bank_transfer', 'pay_at_pickup'"
WITHOUT_QRIS = "'card', 'bank_transfer', 'pay_at_pickup'"


def _method_checks(values):
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_payment_method"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_orders_payment_method"), f"payment_method IN ({values})"
        )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payments_method"), type_="check")
        batch_op.create_check_constraint(op.f("ck_payments_method"), f"method IN ({values})")


def upgrade():
    _method_checks(WITH_QRIS)
    op.create_table(
        "gateway_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_gateway_callbacks_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_callbacks")),
        sa.UniqueConstraint("dedup_key", name="uq_gateway_callbacks_dedup_key"),
    )
    with op.batch_alter_table("gateway_callbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_callbacks_event"), ["event"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_gateway_callbacks_payment_id"), ["payment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("gateway_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gateway_callbacks_payment_id"))
        batch_op.drop_index(batch_op.f("ix_gateway_callbacks_event"))
    op.drop_table("gateway_callbacks")
    # Orders and payments by QRIS cannot be described without it: refuse rather than lose them.
    _method_checks(WITHOUT_QRIS)
