"""messages: a thread per vendor-order part between its shopper and the cooperative
(order_messages), and the notice kind 'message'

Revision ID: e8c4a2f6b1d9
Revises: d2b8e6f1c3a7
Create Date: 2026-12-07 08:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e8c4a2f6b1d9"
down_revision = "d2b8e6f1c3a7"
branch_labels = None
depends_on = None

BEFORE = ("transfer_proof", "part_cancelled", "payout", "procurement", "review_answered")
AFTER = BEFORE + ("message",)
TABLES = ("notifications", "notification_preferences")


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _replace_check(kinds):
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind"), _kinds(kinds))


def upgrade():
    _replace_check(AFTER)
    op.create_table(
        "order_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_order_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("side IN ('shopper', 'cooperative')", name=op.f("ck_order_messages_side")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_order_messages_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vendor_order_id"],
            ["vendor_orders.id"],
            name=op.f("fk_order_messages_vendor_order_id_vendor_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_messages")),
    )
    with op.batch_alter_table("order_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_messages_vendor_order_id_id", ["vendor_order_id", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("order_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_order_messages_vendor_order_id_id")
    op.drop_table("order_messages")
    op.execute(f"DELETE FROM notifications WHERE NOT ({_kinds(BEFORE)})")
    op.execute(f"DELETE FROM notification_preferences WHERE NOT ({_kinds(BEFORE)})")
    _replace_check(BEFORE)
