"""product listing summary and full-text search

Adds the derived listing columns (price_from, search_title, search_text), image renditions, and
the full-text index: on PostgreSQL a generated tsvector column with a GIN index plus a pg_trgm
index for typo tolerance; on SQLite an FTS5 table kept in step by triggers. Autogenerate cannot
model these; marketplace.database.include_object leaves them out of the schema comparison.

NOTE for later migrations: on SQLite, a batch operation that recreates the products table drops
the FTS triggers; call create_sqlite_search_triggers() again after it.

Revision ID: f93e7967c430
Revises: 6271d3e246a4
Create Date: 2026-11-29 23:30:38.540950

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f93e7967c430'
down_revision = '6271d3e246a4'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER products_search_ai AFTER INSERT ON products BEGIN
         INSERT INTO product_search(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER products_search_ad AFTER DELETE ON products BEGIN
         INSERT INTO product_search(product_search, rowid, search_text)
         VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER products_search_au AFTER UPDATE OF search_text ON products BEGIN
         INSERT INTO product_search(product_search, rowid, search_text)
         VALUES ('delete', old.id, old.search_text);
         INSERT INTO product_search(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
)


def create_sqlite_search_triggers():
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renditions', sa.JSON(), nullable=False, server_default='{}'))

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_from', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('search_title', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_products_status_price_from', ['status', 'price_from'], unique=False)
        batch_op.create_index('ix_products_status_published_at', ['status', 'published_at'], unique=False)
        batch_op.create_check_constraint('price_from_non_negative', 'price_from >= 0')

    # The defaults only filled existing rows; the application always writes these columns.
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.alter_column('renditions', server_default=None)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column('price_from', server_default=None)
        batch_op.alter_column('search_title', server_default=None)
        batch_op.alter_column('search_text', server_default=None)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(
            "ALTER TABLE products ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        op.execute('CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)')
        op.execute(
            'CREATE INDEX ix_products_search_title_trgm ON products '
            'USING gin (search_title gin_trgm_ops)'
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE product_search USING fts5("
            "search_text, content='products', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        create_sqlite_search_triggers()
        op.execute("INSERT INTO product_search(product_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_products_search_title_trgm')
        op.execute('DROP INDEX IF EXISTS ix_products_search_vector')
        op.execute('ALTER TABLE products DROP COLUMN IF EXISTS search_vector')
    else:
        for name in ('products_search_ai', 'products_search_ad', 'products_search_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS product_search')

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint('price_from_non_negative', type_='check')
        batch_op.drop_index('ix_products_status_published_at')
        batch_op.drop_index('ix_products_status_price_from')
        batch_op.drop_column('search_text')
        batch_op.drop_column('search_title')
        batch_op.drop_column('price_from')

    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.drop_column('renditions')
