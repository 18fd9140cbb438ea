"""procurement_payments: the transfer's SPP and SPM numbers beside its SP2D, and the
treasurer's remittance of each tax withheld (PPN and PPh 22 apart): the billing code, the NTPN
and the day remitted, all three or none, and only for a tax that was withheld

Revision ID: c6e1a9d3f7b2
Revises: b4d8e2f6a9c3
Create Date: 2026-12-07 15:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c6e1a9d3f7b2"
down_revision = "b4d8e2f6a9c3"
branch_labels = None
depends_on = None


def remittance_check(tax):
    columns = (f"{tax}_billing_code", f"{tax}_ntpn", f"{tax}_remitted_on")
    empty = " AND ".join(f"{c} IS NULL" for c in columns)
    filled = " AND ".join(f"{c} IS NOT NULL" for c in columns)
    return f"({empty}) OR ({filled} AND {tax}_withheld > 0)"


def upgrade():
    with op.batch_alter_table("procurement_payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spp_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("spm_number", sa.String(length=60), nullable=True))
        for tax in ("ppn", "pph22"):
            batch_op.add_column(
                sa.Column(f"{tax}_billing_code", sa.String(length=15), nullable=True)
            )
            batch_op.add_column(sa.Column(f"{tax}_ntpn", sa.String(length=16), nullable=True))
            batch_op.add_column(sa.Column(f"{tax}_remitted_on", sa.Date(), nullable=True))
            batch_op.create_check_constraint(
                op.f(f"ck_procurement_payments_{tax}_remittance"), remittance_check(tax)
            )


def downgrade():
    with op.batch_alter_table("procurement_payments", schema=None) as batch_op:
        for tax in ("pph22", "ppn"):
            batch_op.drop_constraint(
                op.f(f"ck_procurement_payments_{tax}_remittance"), type_="check"
            )
            batch_op.drop_column(f"{tax}_remitted_on")
            batch_op.drop_column(f"{tax}_ntpn")
            batch_op.drop_column(f"{tax}_billing_code")
        batch_op.drop_column("spm_number")
        batch_op.drop_column("spp_number")
