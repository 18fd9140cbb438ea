"""orders: vendor_order_events.kind, so a transfer proof's steps join the part's timeline

A part paid by bank transfer stays "awaiting payment" while its proof is checked; the shopper
was told only that it would be cancelled, while its deadline moved silently. Sending and
rejecting a proof are now timeline entries ('proof_sent', 'proof_rejected') that leave the status
as it is; every existing entry is a move of the status machine ('moved').

Revision ID: 7b2e9c41d5a8
Revises: 3c1f2a7d9b40
Create Date: 2026-12-02 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7b2e9c41d5a8"
down_revision = "3c1f2a7d9b40"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("vendor_order_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="moved", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_vendor_order_events_kind"), "kind IN ('moved', 'proof_sent', 'proof_rejected')"
        )


def downgrade():
    # The proof's steps leave the timeline; the payments keep their own log of them.
    op.execute("DELETE FROM vendor_order_events WHERE kind <> 'moved'")
    with op.batch_alter_table("vendor_order_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_vendor_order_events_kind"), type_="check")
        batch_op.drop_column("kind")
