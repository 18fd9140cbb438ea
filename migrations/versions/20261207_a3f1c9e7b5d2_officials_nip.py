"""agencies: officials' NIP (civil servant number) on agency members and their invitations

Revision ID: a3f1c9e7b5d2
Revises: c4e7a9b2d6f3
Create Date: 2026-12-07 12:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3f1c9e7b5d2"
down_revision = "c4e7a9b2d6f3"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column is added in place on both databases (no table rebuild on SQLite).
    op.add_column("agency_members", sa.Column("nip", sa.String(length=18), nullable=True))
    op.add_column("agency_invitations", sa.Column("nip", sa.String(length=18), nullable=True))


def downgrade():
    with op.batch_alter_table("agency_invitations", schema=None) as batch_op:
        batch_op.drop_column("nip")
    with op.batch_alter_table("agency_members", schema=None) as batch_op:
        batch_op.drop_column("nip")
