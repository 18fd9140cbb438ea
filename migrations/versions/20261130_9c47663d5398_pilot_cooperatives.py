"""pilot cooperatives: the city marks the OPOP pilot cooperatives it reports on

A plain ADD COLUMN (no batch): on SQLite a batch operation recreates the table, and dropping the
old cooperatives table would cascade into every table that references it.

Revision ID: 9c47663d5398
Revises: fdf754f06e89
Create Date: 2026-11-30 00:32:40.955346

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c47663d5398'
down_revision = 'fdf754f06e89'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'cooperatives',
        sa.Column('is_pilot', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # The demo's nine fictional cooperatives are the demo pilot.
    op.execute(sa.text('UPDATE cooperatives SET is_pilot = is_demo'))


def downgrade():
    op.drop_column('cooperatives', 'is_pilot')
