"""procurement_budget_lines and procurement_budget_revisions: an agency's DPA accounts per year
(kode rekening belanja, sub-activity, amount) and their revisions (pergeseran) as rows of their
own; requests and Surat Pesanan name the line they are charged to

Revision ID: a3c7e1f5b9d2
Revises: a1f3c5e7b9d2
Create Date: 2026-12-07 18:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3c7e1f5b9d2"
down_revision = "a1f3c5e7b9d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procurement_budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=30), nullable=False),
        sa.Column("account_name", sa.String(length=255), nullable=False),
        sa.Column("sub_activity_code", sa.String(length=30), nullable=False),
        sa.Column("sub_activity_name", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_procurement_budget_lines_amount_non_negative")
        ),
        sa.CheckConstraint(
            "year >= 2000 AND year <= 2100", name=op.f("ck_procurement_budget_lines_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_procurement_budget_lines_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_procurement_budget_lines_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_budget_lines")),
        sa.UniqueConstraint(
            "agency_id",
            "year",
            "sub_activity_code",
            "account_code",
            name="uq_procurement_budget_lines_agency_year_accounts",
        ),
    )
    with op.batch_alter_table("procurement_budget_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_budget_lines_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_procurement_budget_lines_year_account_code", ["year", "account_code"], unique=False
        )

    op.create_table(
        "procurement_budget_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("revised_on", sa.Date(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "change <> 0", name=op.f("ck_procurement_budget_revisions_change_not_zero")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_procurement_budget_revisions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["procurement_budget_lines.id"],
            name=op.f("fk_procurement_budget_revisions_line_id_procurement_budget_lines"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_budget_revisions")),
    )
    with op.batch_alter_table("procurement_budget_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_budget_revisions_created_by_id"),
            ["created_by_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_procurement_budget_revisions_line_id_id", ["line_id", "id"], unique=False
        )

    with op.batch_alter_table("procurement_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_line_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_procurement_requests_budget_line_id"), ["budget_line_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_procurement_requests_budget_line_id_procurement_budget_lines"),
            "procurement_budget_lines",
            ["budget_line_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("procurement_purchase_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_line_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_procurement_purchase_orders_budget_line_id_status",
            ["budget_line_id", "status"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_procurement_purchase_orders_budget_line_id_procurement_budget_lines"),
            "procurement_budget_lines",
            ["budget_line_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade():
    with op.batch_alter_table("procurement_purchase_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_procurement_purchase_orders_budget_line_id_procurement_budget_lines"),
            type_="foreignkey",
        )
        batch_op.drop_index("ix_procurement_purchase_orders_budget_line_id_status")
        batch_op.drop_column("budget_line_id")

    with op.batch_alter_table("procurement_requests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_procurement_requests_budget_line_id_procurement_budget_lines"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_procurement_requests_budget_line_id"))
        batch_op.drop_column("budget_line_id")

    with op.batch_alter_table("procurement_budget_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_procurement_budget_revisions_line_id_id")
        batch_op.drop_index(batch_op.f("ix_procurement_budget_revisions_created_by_id"))
    op.drop_table("procurement_budget_revisions")

    with op.batch_alter_table("procurement_budget_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_procurement_budget_lines_year_account_code")
        batch_op.drop_index(batch_op.f("ix_procurement_budget_lines_created_by_id"))
    op.drop_table("procurement_budget_lines")
