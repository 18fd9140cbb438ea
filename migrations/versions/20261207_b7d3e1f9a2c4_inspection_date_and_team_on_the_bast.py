"""procurement: the BAST's inspection date (procurement_basts.inspected_on, earlier BASTs get
their issue day in WIB) and its inspection team (procurement_bast_inspectors)

Revision ID: b7d3e1f9a2c4
Revises: a3f1c9e7b5d2
Create Date: 2026-12-07 12:50:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d3e1f9a2c4"
down_revision = "a3f1c9e7b5d2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("procurement_basts", sa.Column("inspected_on", sa.Date(), nullable=True))
    # The day the BAST was issued, on Mojokerto's calendar (WIB, UTC+7, no daylight saving).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE procurement_basts SET inspected_on = "
            "(issued_at AT TIME ZONE 'Asia/Jakarta')::date"
        )
    else:
        op.execute("UPDATE procurement_basts SET inspected_on = date(issued_at, '+7 hours')")
    op.create_table(
        "procurement_bast_inspectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bast_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=True),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["bast_id"],
            ["procurement_basts.id"],
            name=op.f("fk_procurement_bast_inspectors_bast_id_procurement_basts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_procurement_bast_inspectors_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_bast_inspectors")),
        sa.UniqueConstraint(
            "bast_id", "position", name="uq_procurement_bast_inspectors_position"
        ),
    )
    with op.batch_alter_table("procurement_bast_inspectors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_bast_inspectors_bast_id"), ["bast_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_bast_inspectors_user_id"), ["user_id"], unique=False
        )


def downgrade():
    op.drop_table("procurement_bast_inspectors")
    with op.batch_alter_table("procurement_basts", schema=None) as batch_op:
        batch_op.drop_column("inspected_on")
