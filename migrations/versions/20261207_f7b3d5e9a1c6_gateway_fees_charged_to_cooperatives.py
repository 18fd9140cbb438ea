"""payments: the ledger may charge Xendit's fees to cooperatives (a part's share of a payment's
fee, a payout's fee), when the city's setting says so; a refund keeps Xendit's fee on it

Revision ID: f7b3d5e9a1c6
Revises: e5a8c2d4f6b1
Create Date: 2026-12-07 05:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f7b3d5e9a1c6"
down_revision = "e5a8c2d4f6b1"
branch_labels = None
depends_on = None

KINDS = "'earning', 'commission', 'collected', 'refund', 'payout', 'returned'"
WITH_FEES = f"{KINDS}, 'gateway_fee', 'payout_fee'"
ALONE = "(kind IN ('payout', 'returned')) = (vendor_order_id IS NULL AND invoice_id IS NULL)"
ALONE_WITH_FEE = (
    "(kind IN ('payout', 'returned', 'payout_fee'))"
    " = (vendor_order_id IS NULL AND invoice_id IS NULL)"
)


def _ledger_checks(kinds, alone):
    with op.batch_alter_table("settlement_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_settlement_entries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_settlement_entries_kind"), f"kind IN ({kinds})")
        batch_op.drop_constraint(
            op.f("ck_settlement_entries_payout_has_no_vendor_order"), type_="check"
        )
        batch_op.create_check_constraint(
            op.f("ck_settlement_entries_payout_has_no_vendor_order"), alone
        )


def upgrade():
    _ledger_checks(WITH_FEES, ALONE_WITH_FEE)
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gateway_fee", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_refunds_gateway_fee_non_negative"), "gateway_fee IS NULL OR gateway_fee >= 0"
        )


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_refunds_gateway_fee_non_negative"), type_="check")
        batch_op.drop_column("gateway_fee")
    # A ledger with fees charged cannot be described without them: refuse rather than lose them.
    _ledger_checks(KINDS, ALONE)
