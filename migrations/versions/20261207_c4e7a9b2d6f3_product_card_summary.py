"""catalogue speed: what a product card shows, kept on the products row

``price_to``, ``variants_on_sale``, ``quick_add_variant_id`` and ``cover_image_id`` let a page of
product cards load in one query (the cooperative and the cover photo joined) instead of one per
kind of child; the application keeps them (catalogue.listing, inventory.stock), this fills them
once. The two ids are plain integers: a foreign key on SQLite would rebuild the products table
and drop its full-text triggers (see the product_search migration).

Revision ID: c4e7a9b2d6f3
Revises: e8c4a2f6b1d9
Create Date: 2026-12-07 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a9b2d6f3'
down_revision = 'e8c4a2f6b1d9'
branch_labels = None
depends_on = None

ON_SALE = 'FROM product_variants v WHERE v.product_id = products.id AND v.is_active'


def upgrade():
    op.add_column(
        'products', sa.Column('price_to', sa.BigInteger(), server_default='0', nullable=False)
    )
    op.add_column(
        'products',
        sa.Column('variants_on_sale', sa.Integer(), server_default='0', nullable=False),
    )
    op.add_column('products', sa.Column('quick_add_variant_id', sa.Integer(), nullable=True))
    op.add_column('products', sa.Column('cover_image_id', sa.Integer(), nullable=True))
    op.execute(
        f'UPDATE products SET price_to = (SELECT coalesce(max(v.price), 0) {ON_SALE}), '
        f'variants_on_sale = (SELECT count(v.id) {ON_SALE}), '
        f'quick_add_variant_id = CASE WHEN (SELECT count(v.id) {ON_SALE}) = 1 THEN '
        f'(SELECT max(v.id) {ON_SALE} AND v.on_hand - v.reserved >= products.min_order_qty) '
        'END, '
        'cover_image_id = (SELECT i.id FROM product_images i WHERE i.product_id = products.id '
        'ORDER BY i.position, i.id LIMIT 1)'
    )


def downgrade():
    op.drop_column('products', 'cover_image_id')
    op.drop_column('products', 'quick_add_variant_id')
    op.drop_column('products', 'variants_on_sale')
    op.drop_column('products', 'price_to')
