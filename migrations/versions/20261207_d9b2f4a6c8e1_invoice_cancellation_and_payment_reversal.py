"""procurement corrections: an invoice cancelled by its cooperative (who, when, why) and the
invoice that replaces it, one current invoice per BAST; a payment reversed by the treasurer
(who, when, why), one standing payment per invoice; the settlement ledger posts and reverses
per payment ('earn_rev', 'comm_rev', 'coll_rev')

Revision ID: d9b2f4a6c8e1
Revises: a3c7e1f5b9d2
Create Date: 2026-12-07 18:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d9b2f4a6c8e1"
down_revision = "a3c7e1f5b9d2"
branch_labels = None
depends_on = None

LEDGER = (
    "'earning', 'commission', 'collected', 'refund', 'payout', 'returned', 'gateway_fee', "
    "'payout_fee', 'comm_refund'"
)
LEDGER_AFTER = LEDGER + ", 'earn_rev', 'comm_rev', 'coll_rev'"


def upgrade():
    with op.batch_alter_table("procurement_invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_procurement_invoices_replaces_id_procurement_invoices"),
            "procurement_invoices",
            ["replaces_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_procurement_invoices_cancelled_by_id_users"),
            "users",
            ["cancelled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_procurement_invoices_replaces_id"), ["replaces_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_invoices_cancelled_by_id"), ["cancelled_by_id"], unique=False
        )
        batch_op.drop_constraint(batch_op.f("uq_procurement_invoices_bast_id"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_procurement_invoices_bast_id"), ["bast_id"], unique=False
        )
        batch_op.create_index(
            "uq_procurement_invoices_bast_id_current",
            ["bast_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        )
        batch_op.drop_constraint(batch_op.f("ck_procurement_invoices_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_procurement_invoices_status"),
            "status IN ('issued', 'paid', 'cancelled')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_procurement_invoices_cancellation"),
            "(status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)",
        )

    with op.batch_alter_table("procurement_payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reversed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reversal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_procurement_payments_reversed_by_id_users"),
            "users",
            ["reversed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_payments_reversed_by_id"), ["reversed_by_id"], unique=False
        )
        batch_op.drop_constraint(batch_op.f("uq_procurement_payments_invoice_id"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_procurement_payments_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            "uq_procurement_payments_invoice_id_current",
            ["invoice_id"],
            unique=True,
            sqlite_where=sa.text("reversed_at IS NULL"),
            postgresql_where=sa.text("reversed_at IS NULL"),
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_procurement_payments_reversal_reason"),
            "(reversed_at IS NULL) = (reversal_reason IS NULL)",
        )

    with op.batch_alter_table("settlement_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invoice_payment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_settlement_entries_invoice_payment_id_procurement_payments"),
            "procurement_payments",
            ["invoice_payment_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    # Until now an invoice had at most one payment: each invoice entry belongs to it.
    op.execute(
        "UPDATE settlement_entries SET invoice_payment_id = (SELECT p.id FROM "
        "procurement_payments p WHERE p.invoice_id = settlement_entries.invoice_id) "
        "WHERE invoice_id IS NOT NULL"
    )
    with op.batch_alter_table("settlement_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_settlement_entries_invoice_id_kind", type_="unique")
        batch_op.create_unique_constraint(
            "uq_settlement_entries_invoice_payment_id_kind", ["invoice_payment_id", "kind"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_settlement_entries_invoice_payment"),
            "(invoice_id IS NULL) = (invoice_payment_id IS NULL)",
        )
        batch_op.drop_constraint(batch_op.f("ck_settlement_entries_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_settlement_entries_kind"), f"kind IN ({LEDGER_AFTER})"
        )


def downgrade():
    # Cancelled invoices and reversed payments cannot be described without their columns, and
    # the uniques they relax would refuse them: refuse rather than lose them.
    connection = op.get_bind()
    corrected = connection.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM procurement_invoices WHERE status = 'cancelled')"
            " + (SELECT COUNT(*) FROM procurement_payments WHERE reversed_at IS NOT NULL)"
        )
    ).scalar()
    if corrected:
        raise RuntimeError(
            "cancelled invoices or reversed payments exist; downgrading would lose them"
        )
    with op.batch_alter_table("settlement_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_settlement_entries_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_settlement_entries_kind"), f"kind IN ({LEDGER})"
        )
        batch_op.drop_constraint(batch_op.f("ck_settlement_entries_invoice_payment"), type_="check")
        batch_op.drop_constraint("uq_settlement_entries_invoice_payment_id_kind", type_="unique")
        batch_op.create_unique_constraint(
            "uq_settlement_entries_invoice_id_kind", ["invoice_id", "kind"]
        )
        batch_op.drop_constraint(
            batch_op.f("fk_settlement_entries_invoice_payment_id_procurement_payments"),
            type_="foreignkey",
        )
        batch_op.drop_column("invoice_payment_id")

    with op.batch_alter_table("procurement_payments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_procurement_payments_reversal_reason"), type_="check"
        )
        batch_op.drop_index("uq_procurement_payments_invoice_id_current")
        batch_op.drop_index(batch_op.f("ix_procurement_payments_invoice_id"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_procurement_payments_invoice_id"), ["invoice_id"]
        )
        batch_op.drop_index(batch_op.f("ix_procurement_payments_reversed_by_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_procurement_payments_reversed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("reversal_reason")
        batch_op.drop_column("reversed_by_id")
        batch_op.drop_column("reversed_at")

    with op.batch_alter_table("procurement_invoices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_procurement_invoices_cancellation"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_procurement_invoices_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_procurement_invoices_status"), "status IN ('issued', 'paid')"
        )
        batch_op.drop_index("uq_procurement_invoices_bast_id_current")
        batch_op.drop_index(batch_op.f("ix_procurement_invoices_bast_id"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_procurement_invoices_bast_id"), ["bast_id"]
        )
        batch_op.drop_index(batch_op.f("ix_procurement_invoices_cancelled_by_id"))
        batch_op.drop_constraint(
            batch_op.f("uq_procurement_invoices_replaces_id"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_procurement_invoices_cancelled_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_procurement_invoices_replaces_id_procurement_invoices"),
            type_="foreignkey",
        )
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("replaces_id")
