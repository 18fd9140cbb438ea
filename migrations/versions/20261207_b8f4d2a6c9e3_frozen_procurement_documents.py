"""frozen procurement documents

Revision ID: b8f4d2a6c9e3
Revises: d9b2f4a6c8e1
Create Date: 2026-12-07 18:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b8f4d2a6c9e3"
down_revision = "d9b2f4a6c8e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procurement_frozen_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_name", sa.String(length=120), nullable=False),
        sa.Column("issued_by_role", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('round', 'order', 'bast', 'invoice')",
            name=op.f("ck_procurement_frozen_documents_kind"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_procurement_frozen_documents_size_positive")),
        sa.CheckConstraint(
            "version >= 1", name=op.f("ck_procurement_frozen_documents_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_procurement_frozen_documents_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_frozen_documents")),
        sa.UniqueConstraint("kind", "object_id", "version", name="uq_procurement_frozen_version"),
        sa.UniqueConstraint("token", name="uq_procurement_frozen_token"),
    )
    with op.batch_alter_table("procurement_frozen_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_frozen_documents_issued_by_id"),
            ["issued_by_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("procurement_frozen_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_frozen_documents_issued_by_id"))

    op.drop_table("procurement_frozen_documents")
