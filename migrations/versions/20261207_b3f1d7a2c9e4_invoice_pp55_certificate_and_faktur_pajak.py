"""procurement_invoices: the PP 55/2022 certificate (number and validity) the 0.5% final PPh 22
rate was granted on, copied when the invoice is issued so a later renewal changes nothing; the
faktur pajak's number and date, recorded by a PKP cooperative

Revision ID: b3f1d7a2c9e4
Revises: a9d4c7e2b5f8
Create Date: 2026-12-07 08:05:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b3f1d7a2c9e4"
down_revision = "a9d4c7e2b5f8"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "procurement_invoices",
        sa.Column("pp55_certificate_number", sa.String(length=60), nullable=True),
    )
    op.add_column(
        "procurement_invoices", sa.Column("pp55_valid_until", sa.Date(), nullable=True)
    )
    op.add_column(
        "procurement_invoices",
        sa.Column("faktur_pajak_number", sa.String(length=17), nullable=True),
    )
    op.add_column(
        "procurement_invoices", sa.Column("faktur_pajak_date", sa.Date(), nullable=True)
    )


def downgrade():
    with op.batch_alter_table("procurement_invoices") as batch_op:
        batch_op.drop_column("faktur_pajak_date")
        batch_op.drop_column("faktur_pajak_number")
        batch_op.drop_column("pp55_valid_until")
        batch_op.drop_column("pp55_certificate_number")
