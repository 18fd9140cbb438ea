"""signed scans of procurement documents

Revision ID: c7d9e3a5b1f2
Revises: e2a7c5b9d1f8
Create Date: 2026-12-07 15:58:15.963789

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d9e3a5b1f2'
down_revision = 'e2a7c5b9d1f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('procurement_signed_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('document_number', sa.String(length=24), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('side', sa.String(length=12), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('order', 'bast', 'invoice')", name=op.f('ck_procurement_signed_scans_kind')),
    sa.CheckConstraint("side IN ('agency', 'cooperative')", name=op.f('ck_procurement_signed_scans_side')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['procurement_purchase_orders.id'], name=op.f('fk_procurement_signed_scans_purchase_order_id_procurement_purchase_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_procurement_signed_scans_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_signed_scans'))
    )
    with op.batch_alter_table('procurement_signed_scans', schema=None) as batch_op:
        batch_op.create_index('ix_procurement_signed_scans_purchase_order_id', ['purchase_order_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_procurement_signed_scans_uploaded_by_id'), ['uploaded_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('procurement_signed_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_signed_scans_uploaded_by_id'))
        batch_op.drop_index('ix_procurement_signed_scans_purchase_order_id')

    op.drop_table('procurement_signed_scans')
