"""search: drop the products' own full-text and title trigram indexes (PostgreSQL only)

Since revisions ea0d5effe65a and a82d5f718b26 every text search reads ``product_search_rows``
(with its own GIN index) and typos are corrected against ``search_words``; nothing searches
``products.search_vector`` or ``products.search_title`` any more. Their GIN indexes were still
updated on every product write (stock flags, sold counts, edits). The columns stay: the search
rows' trigger copies from them.

Revision ID: ec4436fa9e63
Revises: a82d5f718b26
Create Date: 2026-11-30 07:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ec4436fa9e63'
down_revision = 'a82d5f718b26'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX IF EXISTS ix_products_search_vector')
    op.execute('DROP INDEX IF EXISTS ix_products_search_title_trgm')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)')
    op.execute(
        'CREATE INDEX ix_products_search_title_trgm ON products '
        'USING gin (search_title gin_trgm_ops)'
    )
