"""catalogue speed: products.in_stock flag and a (product_id, price) index on variants

``in_stock`` lets the in-stock facet and filter read the products row instead of joining the
variants; the application keeps it (catalogue.listing, inventory.stock), this fills it once.
The variants index serves the listing summary's lowest price per product.

On SQLite the column is added with a plain ALTER TABLE, never in batch mode: recreating the
products table would drop the full-text triggers (see the product_search migration).

Revision ID: 6e298a973044
Revises: 1ca4b58354e0
Create Date: 2026-11-30 02:57:32.326476

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e298a973044'
down_revision = '1ca4b58354e0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_product_variants_product_price', 'product_variants', ['product_id', 'price'])
    op.add_column(
        'products', sa.Column('in_stock', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.execute(
        'UPDATE products SET in_stock = EXISTS (SELECT 1 FROM product_variants v '
        'WHERE v.product_id = products.id AND v.is_active AND v.on_hand > v.reserved)'
    )


def downgrade():
    op.drop_column('products', 'in_stock')
    op.drop_index('ix_product_variants_product_price', table_name='product_variants')
