"""search: the dictionary of the catalogue's words on SQLite too, kept by triggers as on
PostgreSQL, so a typo is corrected on the embedded default as well

``search_words`` (PostgreSQL since revision a82d5f718b26) holds each word of the visible
products' search text once, marked when products are named with it. On SQLite it gets the same
columns and the same triggers' rules: a product that is inserted or updated while visible
(active, of an approved cooperative) adds its words when its text, status or cooperative
changes; a cooperative approved again adds its active products' words. Words are never taken
out (a word no visible product has any more only makes a correction that finds nothing).

SQLite cannot split text into words in SQL: the triggers call ``catalogue_words(text)``, which
`marketplace.database` registers on every connection the application opens (a JSON array of
the words as the FTS5 index splits them). A connection without it (the ``sqlite3`` shell)
cannot write products; reading is unaffected.

NOTE for later migrations: like the FTS triggers, these are dropped by a batch operation that
recreates ``products`` or ``cooperatives`` on SQLite; call create_sqlite_word_triggers() again.

Revision ID: c4e1a9b7d2f3
Revises: c3d9e1f4a7b2
Create Date: 2026-12-07 04:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c4e1a9b7d2f3"
down_revision = "c3d9e1f4a7b2"
branch_labels = None
depends_on = None

#: A product's words into the dictionary, its title's marked (as revision a82d5f718b26).
ADD_WORDS = (
    "INSERT INTO search_words (word, in_title) "
    "SELECT DISTINCT w.value, 1 FROM {source} JOIN json_each(catalogue_words({p}search_title)) w "
    "WHERE true ON CONFLICT (word) DO UPDATE SET in_title = 1 WHERE NOT search_words.in_title; "
    "INSERT INTO search_words (word) "
    "SELECT DISTINCT w.value FROM {source} JOIN json_each(catalogue_words({p}search_text)) w "
    "WHERE true ON CONFLICT (word) DO NOTHING"
)
VISIBLE_NEW = (
    "new.status = 'active' AND EXISTS (SELECT 1 FROM cooperatives "
    "WHERE id = new.cooperative_id AND status = 'approved')"
)
#: The products whose words a trigger adds: the row itself, or a cooperative's active ones.
THE_PRODUCT = "(SELECT new.search_title AS search_title, new.search_text AS search_text) p"
ITS_PRODUCTS = "products p"
TRIGGERS = {
    "products_search_words_ai": f"""
        CREATE TRIGGER products_search_words_ai AFTER INSERT ON products
        WHEN {VISIBLE_NEW}
        BEGIN {ADD_WORDS.format(source=THE_PRODUCT, p="p.")}; END""",
    "products_search_words_au": f"""
        CREATE TRIGGER products_search_words_au
        AFTER UPDATE OF status, cooperative_id, search_title, search_text ON products
        WHEN {VISIBLE_NEW} AND (new.search_text IS NOT old.search_text
             OR new.search_title IS NOT old.search_title OR new.status IS NOT old.status
             OR new.cooperative_id IS NOT old.cooperative_id)
        BEGIN {ADD_WORDS.format(source=THE_PRODUCT, p="p.")}; END""",
    "cooperatives_search_words_au": f"""
        CREATE TRIGGER cooperatives_search_words_au AFTER UPDATE OF status ON cooperatives
        WHEN new.status = 'approved' AND old.status IS NOT 'approved'
        BEGIN
          {
        ADD_WORDS.replace(
            "WHERE true", "WHERE p.cooperative_id = new.id AND p.status = 'active'"
        ).format(source=ITS_PRODUCTS, p="p.")
    };
        END""",
}


def create_sqlite_word_triggers():
    for statement in TRIGGERS.values():
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE search_words ("
        "word TEXT NOT NULL PRIMARY KEY, in_title BOOLEAN NOT NULL DEFAULT 0) WITHOUT ROWID"
    )
    visible = (
        "products p JOIN cooperatives c ON c.id = p.cooperative_id "
        "AND p.status = 'active' AND c.status = 'approved'"
    )
    for statement in ADD_WORDS.format(source=visible, p="p.").split("; "):
        op.execute(statement)
    create_sqlite_word_triggers()


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_words")
