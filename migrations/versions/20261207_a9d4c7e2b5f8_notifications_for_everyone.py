"""notifications: procurement's notices become everyone's (procurement_notifications moves to
notifications, its rows kept as kind 'procurement'), with a kind, a wa.me link, and each
person's choice of email per kind (notification_preferences)

The request a procurement notice was about is not kept: nothing read it, and the shared table
does not point into procurement.

Revision ID: a9d4c7e2b5f8
Revises: 9dc622f6e4e5
Create Date: 2026-12-07 07:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a9d4c7e2b5f8"
down_revision = "9dc622f6e4e5"
branch_labels = None
depends_on = None

KINDS = "kind IN ('transfer_proof', 'part_cancelled', 'payout', 'procurement')"


def _restart_ids(table):
    """PostgreSQL: the id sequence continues after the rows copied with their ids."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("whatsapp_url", sa.String(length=500), nullable=True),
        sa.CheckConstraint(KINDS, name=op.f("ck_notifications_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index(
            "ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )
    op.execute(
        "INSERT INTO notifications (id, user_id, kind, created_at, read_at, message, link) "
        "SELECT id, user_id, 'procurement', created_at, read_at, message, link "
        "FROM procurement_notifications"
    )
    _restart_ids("notifications")
    with op.batch_alter_table("procurement_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_procurement_notifications_user_id_read_at")
        batch_op.drop_index("ix_procurement_notifications_user_id_id")
        batch_op.drop_index(batch_op.f("ix_procurement_notifications_request_id"))
    op.drop_table("procurement_notifications")
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_notification_preferences_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preferences")),
    )


def downgrade():
    op.drop_table("notification_preferences")
    op.create_table(
        "procurement_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["procurement_requests.id"],
            name=op.f("fk_procurement_notifications_request_id_procurement_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_procurement_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_notifications")),
    )
    with op.batch_alter_table("procurement_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_notifications_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_procurement_notifications_user_id_id", ["user_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_procurement_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )
    # Only procurement's notices had a place before; the others go with the table.
    op.execute(
        "INSERT INTO procurement_notifications (id, user_id, created_at, read_at, message, link) "
        "SELECT id, user_id, created_at, read_at, message, link FROM notifications "
        "WHERE kind = 'procurement'"
    )
    _restart_ids("procurement_notifications")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")
        batch_op.drop_index("ix_notifications_user_id_id")
    op.drop_table("notifications")
