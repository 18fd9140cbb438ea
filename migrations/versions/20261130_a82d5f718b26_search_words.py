"""search: a dictionary of the catalogue's words for typo correction (PostgreSQL only)

A misspelt word ("minyk") was matched by trigram similarity against every product's title: a
typo close to a common word ("gndok" ~ "pondok") compared itself with most of the catalogue,
and took one to three seconds at 100,000 products. ``search_words`` holds each word of the
search index once (a few thousand rows, with a trigram index); a typo is corrected against it
first and the corrected words are searched in the full-text index like any other word.

The trigger that keeps ``product_search_rows`` in step with ``products`` now also adds a
product's words to the dictionary whenever its text changes. Words are never taken out: a word
no visible product has any more only makes a correction that finds nothing.

``product_search_rows`` no longer carries the title (typos no longer read it), and its vector
is weighted and smaller: the title's words (name, category, cooperative) keep their positions
at weight A, the words found only further in the text are kept once without positions
(``strip``). A match in the name now outranks one in the description, and a broad prefix
reads a table of 60 MiB instead of 97 MiB at 100,000 products. The table is derived from
``products``, so it is rebuilt rather than altered, leaving no dead space behind.

Revision ID: a82d5f718b26
Revises: ea0d5effe65a
Create Date: 2026-11-30 06:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a82d5f718b26'
down_revision = 'ea0d5effe65a'
branch_labels = None
depends_on = None

COLUMNS = (
    'status, category_id, cooperative_id, price_from, halal_number, halal_valid_until, '
    'in_stock, sold_count, published_at'
)
WATCHED = (
    'id, status, category_id, cooperative_id, price_from, halal_number, halal_valid_until, '
    'in_stock, sold_count, published_at, search_title, search_text'
)


#: The search rows' vector: the title's words weighted A with their positions, the rest once.
WEIGHTED_VECTOR = (
    "setweight(to_tsvector('simple', {row}search_title), 'A') || strip({row}search_vector)"
)


def _rebuild_search_rows(with_title: bool):
    """(Re)create ``product_search_rows`` from ``products``: as revision ea0d5effe65a made it
    (``with_title``, the plain vector), or as this revision makes it."""
    columns = f'{COLUMNS}, search_title, search_vector' if with_title else f'{COLUMNS}, search_vector'
    vector = 'search_vector' if with_title else WEIGHTED_VECTOR.format(row='')
    selected = f'{COLUMNS}, search_title, {vector}' if with_title else f'{COLUMNS}, {vector}'
    title = 'search_title varchar(500) NOT NULL,' if with_title else ''
    op.execute('DROP TRIGGER IF EXISTS products_search_rows_sync ON products')
    op.execute('DROP FUNCTION IF EXISTS product_search_rows_sync()')
    op.execute('DROP TABLE IF EXISTS product_search_rows')
    op.execute(
        f"""CREATE TABLE product_search_rows (
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
             {title}
             search_vector tsvector NOT NULL
           )"""
    )
    op.execute(
        f"INSERT INTO product_search_rows (id, {columns}) SELECT id, {selected} FROM products"  # noqa: S608
    )
    op.execute(
        'CREATE INDEX ix_product_search_rows_vector ON product_search_rows '
        'USING gin (search_vector)'
    )
    if with_title:
        op.execute(
            'CREATE INDEX ix_product_search_rows_title_trgm ON product_search_rows '
            'USING gin (search_title gin_trgm_ops)'
        )
    values = ', '.join(f'NEW.{name.strip()}' for name in columns.split(','))
    if not with_title:
        values = values.replace('NEW.search_vector', WEIGHTED_VECTOR.format(row='NEW.'))
    updates = ', '.join(f'{name.strip()} = EXCLUDED.{name.strip()}' for name in columns.split(','))
    add_words = (
        ''
        if with_title
        else """
              IF TG_OP = 'INSERT' OR NEW.search_vector IS DISTINCT FROM OLD.search_vector THEN
                INSERT INTO search_words (word)
                SELECT unnest(tsvector_to_array(NEW.search_vector))
                ON CONFLICT DO NOTHING;
              END IF;"""
    )
    # A generated column's new value is visible to an AFTER trigger.
    op.execute(
        f"""CREATE FUNCTION product_search_rows_sync() RETURNS trigger AS $$
            BEGIN
              INSERT INTO product_search_rows (id, {columns})
              VALUES (NEW.id, {values})
              ON CONFLICT (id) DO UPDATE SET {updates};{add_words}
              RETURN NULL;
            END
            $$ LANGUAGE plpgsql"""  # noqa: S608
    )
    op.execute(
        f"""CREATE TRIGGER products_search_rows_sync
             AFTER INSERT OR UPDATE OF {WATCHED}
             ON products FOR EACH ROW EXECUTE FUNCTION product_search_rows_sync()"""
    )
    op.execute('ANALYZE product_search_rows')


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE TABLE search_words (word text PRIMARY KEY)')
    op.execute(
        'INSERT INTO search_words (word) '
        'SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM products'
    )
    op.execute('CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)')
    _rebuild_search_rows(with_title=False)
    op.execute('ANALYZE search_words')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rebuild_search_rows(with_title=True)
    op.execute('DROP TABLE IF EXISTS search_words')
