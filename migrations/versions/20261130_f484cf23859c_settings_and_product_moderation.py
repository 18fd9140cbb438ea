"""settings and product moderation: a key/value table for the city's switches; the city's hold
and last word on a product

The products columns are added with plain ADD COLUMN, never a batch: on SQLite a batch recreates
the table and drops its full-text triggers (see the product_search migration).

Revision ID: f484cf23859c
Revises: 9c47663d5398
Create Date: 2026-11-30 00:41:23.851522

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f484cf23859c'
down_revision = '9c47663d5398'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_index(op.f('ix_settings_updated_by_id'), 'settings', ['updated_by_id'], unique=False)

    op.add_column('products', sa.Column('hidden_by_city', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('products', sa.Column('status_reason', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('products', 'status_reason')
    op.drop_column('products', 'hidden_by_city')
    op.drop_index(op.f('ix_settings_updated_by_id'), table_name='settings')
    op.drop_table('settings')
