"""search: a dictionary of the catalogue's words for typo correction; search rows of visible
products only, with a smaller weighted vector (PostgreSQL only)

A misspelt word ("minyk") was matched by trigram similarity against every product's title: a
typo close to a common word ("gndok" ~ "pondok") compared itself with most of the catalogue,
and took one to three seconds at 100,000 products. ``search_words`` holds each word of the
visible products' search text once, marked when products are named with it (a few thousand
rows, with a trigram index); a typo is
corrected against it first, and the corrected words are searched in the full-text index like
any other word. Words are never taken out: a word no visible product has any more only makes a
correction that finds nothing.

``product_search_rows`` now holds only what the public may see (active products of approved
cooperatives), so a search neither filters on the status nor joins the cooperatives. Its
vector is weighted and smaller: the title's words (name, category, cooperative) keep their
positions at weight A, words found only further in the text are kept once without positions
(``strip``), so a match in the name outranks one in the description. The title column is gone
(typos no longer read it). At 100,000 products the table is 60 MiB instead of 97 MiB.

Triggers keep it in step: on ``products`` (every write; a product that stops being active
leaves, and its words join the dictionary when it is indexed) and on ``cooperatives`` (a
cooperative that stops being approved takes its products out; approved again, they return).
The table is derived data, so it is rebuilt rather than altered.

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

#: What ``products`` writes trigger the copy on (as revision ea0d5effe65a).
WATCHED = (
    'id, status, category_id, cooperative_id, price_from, halal_number, halal_valid_until, '
    'in_stock, sold_count, published_at, search_title, search_text'
)
FILTER_COLUMNS = (
    'category_id', 'cooperative_id', 'price_from', 'halal_number', 'halal_valid_until',
    'in_stock', 'sold_count', 'published_at',
)
#: The search rows' vector: the title's words weighted A with their positions, the rest once.
WEIGHTED_VECTOR = (
    "setweight(to_tsvector('simple', {p}search_title), 'A') || strip({p}search_vector)"
)
COLUMNS = ', '.join((*FILTER_COLUMNS, 'search_vector'))
VALUES = ', '.join((*(f'{{p}}{name}' for name in FILTER_COLUMNS), WEIGHTED_VECTOR))
UPDATES = ', '.join(f'{name} = EXCLUDED.{name}' for name in (*FILTER_COLUMNS, 'search_vector'))
#: A product's words into the dictionary; its title's words marked as such (a typo is better
#: corrected to a word products are named with than to one of a description).
ADD_WORDS = (
    "INSERT INTO search_words (word, in_title) "
    "SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('simple', {p}search_title))), true "
    "{source} ON CONFLICT (word) DO UPDATE SET in_title = true WHERE NOT search_words.in_title; "
    "INSERT INTO search_words (word) "
    "SELECT DISTINCT unnest(tsvector_to_array({p}search_vector)) {source} ON CONFLICT DO NOTHING"
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TRIGGER IF EXISTS products_search_rows_sync ON products')
    op.execute('DROP FUNCTION IF EXISTS product_search_rows_sync()')
    op.execute('DROP TABLE IF EXISTS product_search_rows')
    op.execute(
        """CREATE TABLE product_search_rows (
             id integer PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
             category_id integer NOT NULL,
             cooperative_id integer NOT NULL,
             price_from bigint NOT NULL,
             halal_number varchar(40),
             halal_valid_until date,
             in_stock boolean NOT NULL,
             sold_count integer NOT NULL,
             published_at timestamp with time zone,
             search_vector tsvector NOT NULL
           )"""
    )
    visible = (
        "FROM products p JOIN cooperatives c ON c.id = p.cooperative_id "
        "WHERE p.status = 'active' AND c.status = 'approved'"
    )
    op.execute(
        f"INSERT INTO product_search_rows (id, {COLUMNS}) "  # noqa: S608
        f"SELECT p.id, {VALUES.format(p='p.')} {visible}"
    )
    op.execute(
        'CREATE INDEX ix_product_search_rows_vector ON product_search_rows '
        'USING gin (search_vector)'
    )
    op.execute(
        'CREATE TABLE search_words (word text PRIMARY KEY, in_title boolean NOT NULL DEFAULT false)'
    )
    for statement in ADD_WORDS.format(p='p.', source=visible).split('; '):
        op.execute(statement)
    op.execute('CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)')
    # A generated column's new value is visible to an AFTER trigger.
    op.execute(
        f"""CREATE FUNCTION product_search_rows_sync() RETURNS trigger AS $$
            BEGIN
              IF NEW.status = 'active' AND EXISTS (
                   SELECT 1 FROM cooperatives
                   WHERE id = NEW.cooperative_id AND status = 'approved') THEN
                INSERT INTO product_search_rows (id, {COLUMNS})
                VALUES (NEW.id, {VALUES.format(p='NEW.')})
                ON CONFLICT (id) DO UPDATE SET {UPDATES};
                IF TG_OP = 'INSERT' OR NEW.search_vector IS DISTINCT FROM OLD.search_vector
                   OR NEW.status IS DISTINCT FROM OLD.status
                   OR NEW.cooperative_id IS DISTINCT FROM OLD.cooperative_id THEN
                  {ADD_WORDS.format(p='NEW.', source='')};
                END IF;
              ELSE
                DELETE FROM product_search_rows WHERE id = NEW.id;
              END IF;
              RETURN NULL;
            END
            $$ LANGUAGE plpgsql"""  # noqa: S608
    )
    op.execute(
        f"""CREATE TRIGGER products_search_rows_sync
             AFTER INSERT OR UPDATE OF {WATCHED}
             ON products FOR EACH ROW EXECUTE FUNCTION product_search_rows_sync()"""
    )
    products_of = "FROM products p WHERE p.cooperative_id = NEW.id AND p.status = 'active'"
    op.execute(
        f"""CREATE FUNCTION cooperative_search_rows_sync() RETURNS trigger AS $$
            BEGIN
              IF NEW.status = 'approved' AND OLD.status IS DISTINCT FROM 'approved' THEN
                INSERT INTO product_search_rows (id, {COLUMNS})
                SELECT p.id, {VALUES.format(p='p.')} {products_of}
                ON CONFLICT (id) DO NOTHING;
                {ADD_WORDS.format(p='p.', source=products_of)};
              ELSIF NEW.status IS DISTINCT FROM 'approved' AND OLD.status = 'approved' THEN
                DELETE FROM product_search_rows WHERE cooperative_id = NEW.id;
              END IF;
              RETURN NULL;
            END
            $$ LANGUAGE plpgsql"""  # noqa: S608
    )
    op.execute(
        """CREATE TRIGGER cooperatives_search_rows_sync
             AFTER UPDATE OF status ON cooperatives
             FOR EACH ROW EXECUTE FUNCTION cooperative_search_rows_sync()"""
    )
    op.execute('ANALYZE product_search_rows')
    op.execute('ANALYZE search_words')


def downgrade():
    """Back to revision ea0d5effe65a's search rows: every product, the plain vector and the
    title; no dictionary."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TRIGGER IF EXISTS cooperatives_search_rows_sync ON cooperatives')
    op.execute('DROP FUNCTION IF EXISTS cooperative_search_rows_sync()')
    op.execute('DROP TRIGGER IF EXISTS products_search_rows_sync ON products')
    op.execute('DROP FUNCTION IF EXISTS product_search_rows_sync()')
    op.execute('DROP TABLE IF EXISTS product_search_rows')
    op.execute('DROP TABLE IF EXISTS search_words')
    columns = (
        'status, category_id, cooperative_id, price_from, halal_number, halal_valid_until, '
        'in_stock, sold_count, published_at, search_title, search_vector'
    )
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
        f"INSERT INTO product_search_rows (id, {columns}) SELECT id, {columns} FROM products"  # noqa: S608
    )
    op.execute(
        'CREATE INDEX ix_product_search_rows_vector ON product_search_rows '
        'USING gin (search_vector)'
    )
    op.execute(
        'CREATE INDEX ix_product_search_rows_title_trgm ON product_search_rows '
        'USING gin (search_title gin_trgm_ops)'
    )
    values = ', '.join(f'NEW.{name.strip()}' for name in columns.split(','))
    updates = ', '.join(f'{name.strip()} = EXCLUDED.{name.strip()}' for name in columns.split(','))
    op.execute(
        f"""CREATE FUNCTION product_search_rows_sync() RETURNS trigger AS $$
            BEGIN
              INSERT INTO product_search_rows (id, {columns})
              VALUES (NEW.id, {values})
              ON CONFLICT (id) DO UPDATE SET {updates};
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
