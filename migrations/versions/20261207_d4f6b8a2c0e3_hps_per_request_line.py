"""procurement: the owner's estimate (HPS) per request line (procurement_request_lines
.hps_unit_price, at least Rp1 when set)

Revision ID: d4f6b8a2c0e3
Revises: c9e5a3b7d1f4
Create Date: 2026-12-07 13:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4f6b8a2c0e3"
down_revision = "c9e5a3b7d1f4"
branch_labels = None
depends_on = None


def upgrade():
    # procurement_request_lines is small and not one of the tables never to rebuild on SQLite.
    with op.batch_alter_table("procurement_request_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hps_unit_price", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_procurement_request_lines_hps_unit_price_positive"),
            "hps_unit_price IS NULL OR hps_unit_price >= 1",
        )


def downgrade():
    with op.batch_alter_table("procurement_request_lines", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_procurement_request_lines_hps_unit_price_positive"), type_="check"
        )
        batch_op.drop_column("hps_unit_price")
