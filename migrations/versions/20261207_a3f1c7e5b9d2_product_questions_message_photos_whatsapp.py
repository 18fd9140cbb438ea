"""messages: questions about a product before buying (product_threads), photos of messages
(message_photos), the cooperative's reply time on its first answer; notifications: the
WhatsApp opt-in per kind and the WhatsApp deliveries

Revision ID: a3f1c7e5b9d2
Revises: d4f6b8a2c0e3
Create Date: 2026-12-07 12:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3f1c7e5b9d2"
down_revision = "d4f6b8a2c0e3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("shopper_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_product_threads_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_threads_product_id_products"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shopper_id"], ["users.id"], name=op.f("fk_product_threads_shopper_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_threads")),
        sa.UniqueConstraint("shopper_id", "product_id", name="uq_product_threads_shopper_product"),
    )
    with op.batch_alter_table("product_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_product_threads_cooperative_last", ["cooperative_id", "last_message_at"], unique=False
        )

    # order_messages is rebuilt on SQLite (its own table only): a message belongs to a part's
    # thread or to a product question, exactly one of the two.
    with op.batch_alter_table("order_messages", schema=None) as batch_op:
        batch_op.alter_column("vendor_order_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("product_thread_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reply_seconds", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_order_messages_product_thread_id_product_threads"),
            "product_threads",
            ["product_thread_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            op.f("ck_order_messages_one_thread"), "(vendor_order_id IS NULL) <> (product_thread_id IS NULL)"
        )
        batch_op.create_check_constraint(
            op.f("ck_order_messages_reply_seconds"), "reply_seconds IS NULL OR reply_seconds >= 0"
        )
        batch_op.create_index(
            "ix_order_messages_product_thread_id_id", ["product_thread_id", "id"], unique=False
        )

    op.create_table(
        "message_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["order_messages.id"],
            name=op.f("fk_message_photos_message_id_order_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_photos")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_message_photos_storage_key")),
    )
    with op.batch_alter_table("message_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_photos_message_id"), ["message_id"], unique=False)

    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("whatsapp", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "whatsapp_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_whatsapp_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_whatsapp_deliveries_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_deliveries")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_whatsapp_deliveries_notification_id")),
    )
    with op.batch_alter_table("whatsapp_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_whatsapp_deliveries_status_next", ["status", "next_attempt_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("whatsapp_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_deliveries_status_next")
    op.drop_table("whatsapp_deliveries")
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_column("whatsapp")
    with op.batch_alter_table("message_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_photos_message_id"))
    op.drop_table("message_photos")
    # Questions about products have no part to belong to: they go with their table.
    op.execute("DELETE FROM order_messages WHERE vendor_order_id IS NULL")
    with op.batch_alter_table("order_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_order_messages_product_thread_id_id")
        batch_op.drop_constraint(op.f("ck_order_messages_reply_seconds"), type_="check")
        batch_op.drop_constraint(op.f("ck_order_messages_one_thread"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_order_messages_product_thread_id_product_threads"), type_="foreignkey"
        )
        batch_op.drop_column("reply_seconds")
        batch_op.drop_column("product_thread_id")
        batch_op.alter_column("vendor_order_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("product_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_product_threads_cooperative_last")
    op.drop_table("product_threads")
