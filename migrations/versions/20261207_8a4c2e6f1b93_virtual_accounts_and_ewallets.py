"""payments: virtual accounts and e-wallets as payment methods; the gateway channel a payment uses

A whole order can be paid by a bank's virtual account or an e-wallet through Xendit, like QRIS;
the payment keeps the channel the shopper chose (QRIS, BCA, ..., OVO, ...).

Revision ID: 8a4c2e6f1b93
Revises: 5d1e8a3c7f20
Create Date: 2026-12-07 04:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8a4c2e6f1b93"
down_revision = "5d1e8a3c7f20"
branch_labels = None
depends_on = None

WITH_ONLINE = (
    "'qris', 'virtual_account', 'ewallet', 'card', 'bank_transfer', 'pay_at_pickup'"
)
WITH_QRIS_ONLY = "'qris', 'card', 'bank_transfer', 'pay_at_pickup'"


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
    _method_checks(WITH_ONLINE)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
    op.execute("UPDATE payments SET channel = 'QRIS' WHERE method = 'qris'")


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("channel")
    # Orders and payments by virtual account or e-wallet cannot be described without them:
    # refuse rather than lose them.
    _method_checks(WITH_QRIS_ONLY)
