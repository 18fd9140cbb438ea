"""payments: payouts to cooperatives through the gateway; when a bank account last changed

A city administrator pays a cooperative's available balance to its bank account through Xendit's
payout API (cooperative_payouts, one idempotency key each); a failed payout returns its amount to
the balance as a ledger entry of its own kind (returned). A cooperative's bank account records
when it last changed, so payouts to a new account wait.

Revision ID: 4f6b2d8e1a57
Revises: b7d3f1a9c2e4
Create Date: 2026-12-07 05:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4f6b2d8e1a57"
down_revision = "b7d3f1a9c2e4"
branch_labels = None
depends_on = None

KINDS = "'earning', 'commission', 'collected', 'refund', 'payout'"
PAYOUT_ALONE = "(kind = 'payout') = (vendor_order_id IS NULL AND invoice_id IS NULL)"
PAYOUT_OR_RETURN_ALONE = (
    "(kind IN ('payout', 'returned')) = (vendor_order_id IS NULL AND invoice_id IS NULL)"
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
    _ledger_checks(f"{KINDS}, 'returned'", PAYOUT_OR_RETURN_ALONE)
    # Plain ALTER TABLE, not a batch: on SQLite a batch rebuilds the table, which the search
    # words' triggers on cooperatives (20261207_c4e1a9b7d2f3) do not survive.
    op.add_column(
        "cooperatives",
        sa.Column("bank_account_changed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "cooperative_payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("bank_name", sa.String(length=60), nullable=True),
        sa.Column("channel_code", sa.String(length=30), nullable=True),
        sa.Column("account_number", sa.String(length=30), nullable=True),
        sa.Column("account_holder", sa.String(length=120), nullable=True),
        sa.Column("gateway_id", sa.String(length=255), nullable=True),
        sa.Column("gateway_status", sa.String(length=30), nullable=True),
        sa.Column("failure_code", sa.String(length=80), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("returned_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('awaiting_approval', 'requested', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_cooperative_payouts_status"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_cooperative_payouts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_cooperative_payouts_cooperative_id_cooperatives"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_cooperative_payouts_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["users.id"],
            name=op.f("fk_cooperative_payouts_approved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["settlement_entries.id"],
            name=op.f("fk_cooperative_payouts_entry_id_settlement_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["returned_entry_id"],
            ["settlement_entries.id"],
            name=op.f("fk_cooperative_payouts_returned_entry_id_settlement_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperative_payouts")),
        sa.UniqueConstraint("reference", name="uq_cooperative_payouts_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_cooperative_payouts_idempotency_key"),
        sa.UniqueConstraint("gateway_id", name="uq_cooperative_payouts_gateway_id"),
        sa.UniqueConstraint(
            "returned_entry_id", name="uq_cooperative_payouts_returned_entry_id"
        ),
    )
    with op.batch_alter_table("cooperative_payouts", schema=None) as batch_op:
        batch_op.create_index("ix_cooperative_payouts_status", ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cooperative_payouts_cooperative_id"), ["cooperative_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("cooperative_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cooperative_payouts_cooperative_id"))
        batch_op.drop_index("ix_cooperative_payouts_status")
    op.drop_table("cooperative_payouts")
    op.drop_column("cooperatives", "bank_account_changed_at")
    # A ledger with returned payouts cannot be described without them: refuse rather than
    # lose them.
    _ledger_checks(KINDS, PAYOUT_ALONE)
