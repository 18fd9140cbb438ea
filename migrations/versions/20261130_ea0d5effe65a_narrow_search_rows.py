"""search: a narrow copy of each product's search and filter columns (PostgreSQL only)

A search for a short, broad prefix ("ter") matches half the catalogue; counting, faceting and
ranking those matches on the wide ``products`` rows (about 1.6 KiB each, description and
search text included) read the whole 200 MiB table twice. ``product_search_rows`` holds only
what the search reads: the tsvector, the short title for typo similarity, and the filter and
sort columns, a third of the size. A trigger on ``products`` keeps it in step with every
write (ORM, bulk SQL, inventory updates); deleting a product deletes its row.

SQLite keeps searching its FTS5 table and ``products``; nothing is created there.

Revision ID: ea0d5effe65a
Revises: 6e298a973044
Create Date: 2026-11-30 04:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ea0d5effe65a'
down_revision = '6e298a973044'
branch_labels = None
depends_on = None

COLUMNS = (
    'status, category_id, cooperative_id, price_from, halal_number, halal_valid_until, '
    'in_stock, sold_count, published_at, search_title, search_vector'
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        """CREATE TABLE product_search_rows (
             id integer PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
             status varchar(20) NOT NULL,
             category_id integer NOT NULL,
             cooperative_id integer NOT NULL,
             price_from bigint NOT NULL,
             halal_number varchar(40),
             halal_valid_until date,
             in_stock boolean NOT NULL,
             sold_count integer NOT NULL,
             published_at timestamp with time zone,
             search_title varchar(500) NOT NULL,
             search_vector tsvector NOT NULL
           )"""
    )
    op.execute(
        f"INSERT INTO product_search_rows (id, {COLUMNS}) SELECT id, {COLUMNS} FROM products"  # noqa: S608
    )
    op.execute(
        'CREATE INDEX ix_product_search_rows_vector ON product_search_rows '
        'USING gin (search_vector)'
    )
    op.execute(
        'CREATE INDEX ix_product_search_rows_title_trgm ON product_search_rows '
        'USING gin (search_title gin_trgm_ops)'
    )
    # A generated column's new value is visible to an AFTER trigger.
    op.execute(
        f"""CREATE FUNCTION product_search_rows_sync() RETURNS trigger AS $$
            BEGIN
              INSERT INTO product_search_rows (id, {COLUMNS})
              VALUES (NEW.id, NEW.status, NEW.category_id, NEW.cooperative_id, NEW.price_from,
                      NEW.halal_number, NEW.halal_valid_until, NEW.in_stock, NEW.sold_count,
                      NEW.published_at, NEW.search_title, NEW.search_vector)
              ON CONFLICT (id) DO UPDATE SET
                status = EXCLUDED.status, category_id = EXCLUDED.category_id,
                cooperative_id = EXCLUDED.cooperative_id, price_from = EXCLUDED.price_from,
                halal_number = EXCLUDED.halal_number,
                halal_valid_until = EXCLUDED.halal_valid_until, in_stock = EXCLUDED.in_stock,
                sold_count = EXCLUDED.sold_count, published_at = EXCLUDED.published_at,
                search_title = EXCLUDED.search_title, search_vector = EXCLUDED.search_vector;
              RETURN NULL;
            END
            $$ LANGUAGE plpgsql"""  # noqa: S608
    )
    op.execute(
        """CREATE TRIGGER products_search_rows_sync
             AFTER INSERT OR UPDATE OF id, status, category_id, cooperative_id, price_from,
               halal_number, halal_valid_until, in_stock, sold_count, published_at,
               search_title, search_text
             ON products FOR EACH ROW EXECUTE FUNCTION product_search_rows_sync()"""
    )
    op.execute('ANALYZE product_search_rows')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TRIGGER IF EXISTS products_search_rows_sync ON products')
    op.execute('DROP FUNCTION IF EXISTS product_search_rows_sync()')
    op.execute('DROP TABLE IF EXISTS product_search_rows')
