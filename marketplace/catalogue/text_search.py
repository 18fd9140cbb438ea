"""Text search: what the words of a query match, and how they rank.

PostgreSQL: a generated ``tsvector`` column (``simple`` configuration) on the search rows
(``SEARCH_ROWS``) with a GIN index for full-text prefix matching, plus ``pg_trgm`` similarity
against a dictionary of the catalogue's words (``SEARCH_WORDS``) so a typo ("keripk") is
corrected to "keripik" and still finds "Keripik". SQLite: an FTS5 table kept by triggers, and
the same dictionary of words (weighed whole, without trigrams) for the same correction.
A word may also match its variants from the city's list (`marketplace.catalogue.synonyms`).
`marketplace.catalogue.search` builds the filters, facets, sorting and paging around it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, NamedTuple, Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from marketplace.catalogue.models import Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db

#: PostgreSQL only: a narrow copy of the search, filter and sort columns of each product the
#: public may see (active, of an approved cooperative), kept in step with ``products`` and
#: ``cooperatives`` by triggers (migrations ``ea0d5effe65a``, ``a82d5f718b26``). A text search
#: counts, facets and ranks its matches here instead of on the wide ``products`` rows, then loads
#: one page of products by id. Not part of the models' metadata: only migrations manage it.
SEARCH_ROWS = Table(
    "product_search_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("category_id", Integer),
    Column("cooperative_id", Integer),
    Column("price_from", BigInteger),
    Column("halal_number", String(40)),
    Column("halal_valid_until", Date),
    Column("in_stock", Boolean),
    Column("sold_count", Integer),
    Column("published_at", DateTime(timezone=True)),
    Column("search_vector", TSVECTOR),
)

#: Every word of the visible products' text once, for correcting typos. PostgreSQL: with a
#: trigram index (migration ``a82d5f718b26``; the search rows' trigger adds new words);
#: SQLite: the same columns and rules, kept by triggers on products and cooperatives
#: (migration ``c4e1a9b7d2f3``).
SEARCH_WORDS = Table(
    "search_words",
    MetaData(),
    Column("word", Text, primary_key=True),
    Column("in_title", Boolean),  # some product is named with it (its title: name, category…)
)

#: How many of the catalogue's words a misspelt word may stand for ("batk": bata, batu, batik, …).
CORRECTIONS_PER_WORD = 4
#: Shorter words are not corrected: too many words are one edit away from them.
MIN_CORRECTED_LENGTH = 3

#: The rows a query filters, counts and sorts: ``products`` itself or ``SEARCH_ROWS``, which has
#: the same names for the columns it copies.
Rows = Table


def visibility(rows: Rows) -> list[ColumnElement[bool]]:
    """What makes a row of ``rows`` visible: nothing to ask of the search rows, which hold
    visible products only; an active product of an approved cooperative otherwise."""
    if rows is SEARCH_ROWS:
        return []
    return [
        rows.c.status == ProductStatus.ACTIVE,
        rows.c.cooperative_id.in_(
            select(Cooperative.id).where(Cooperative.status == CooperativeStatus.APPROVED)
        ),
    ]


class TextMatch(NamedTuple):
    #: Selects the products having every word.
    condition: ColumnElement[bool]
    #: Ranks them, higher first.
    rank: ColumnElement[Any]
    #: Each word not in the index as typed, looked up as a typo, with the catalogue's words it
    #: was taken for (none: nothing like it).
    corrections: dict[str, list[str]] = {}


class Backend(Protocol):
    #: Whether ``match(..., tolerant=True)`` can find what the exact match did not.
    corrects_typos: bool

    def match(
        self,
        terms: list[str],
        rows: Rows,
        *,
        tolerant: bool,
        variants: dict[str, list[str]] | None = None,
    ) -> TextMatch:
        """The words' match: each as a prefix in the index, or any of its ``variants`` (the
        word itself and its synonyms, `marketplace.catalogue.synonyms`); with ``tolerant``, a
        word the index has nowhere is taken for the catalogue's words most like it."""


class PostgresBackend:
    """Every word must match as a prefix in the full-text index. Where no product has every
    word, the search asks again ``tolerant``: a word that prefix finds nowhere in the catalogue
    (a typo) is corrected to the catalogue's words it was most likely meant as (fewest edits,
    among the words of ``SEARCH_WORDS`` sharing trigrams with it), which are then matched in
    the index like any word.

    Asking the index alone first keeps the lookup of which words the catalogue has off the
    common case, words simply typed right. Correcting against the dictionary rather than
    comparing the typo with every product's title keeps a typo close to a common word
    ("gndok" ~ "pondok") as fast as the word itself.
    """

    corrects_typos = True

    def match(
        self,
        terms: list[str],
        rows: Rows,
        *,
        tolerant: bool,
        variants: dict[str, list[str]] | None = None,
    ) -> TextMatch:
        # Text is searched on the search rows only (`_rows_for`): products have no index for it.
        vector: ColumnElement[Any] = rows.c.search_vector
        variants = variants or {}
        queries = [self._tsquery(variants.get(term, [term])) for term in terms]
        found = self._found(rows, vector, queries) if tolerant else [True] * len(terms)
        corrections = {
            term: self._corrections(term)
            for term, in_index in zip(terms, found, strict=True)
            if not in_index
        }
        conditions: list[ColumnElement[bool]] = []
        rank: ColumnElement[Any] = literal(0.0)
        for term, tsquery in zip(terms, queries, strict=True):
            if term in corrections:
                if not corrections[term]:
                    conditions.append(false())
                    continue
                tsquery = cast(
                    literal(" | ".join(_tsquery_word(word) for word in corrections[term])),
                    TSQUERY,
                )
                if len(corrections[term]) > 1:
                    # The likeliest correction first: its products rank above the others'.
                    best = cast(literal(_tsquery_word(corrections[term][0])), TSQUERY)
                    rank = rank + func.ts_rank(vector, best)
            conditions.append(vector.op("@@")(tsquery))
            rank = rank + func.ts_rank(vector, tsquery)
        return TextMatch(and_(*conditions), rank, corrections)

    @staticmethod
    def _corrections(term: str) -> list[str]:
        """The catalogue's words ``term`` was probably meant as (`closest_words`), weighed
        among the words sharing enough trigrams with it (``SEARCH_TYPO_THRESHOLD``, set on
        each connection as pg_trgm's similarity threshold; served by the trigram index)."""
        if len(term) < MIN_CORRECTED_LENGTH:
            return []
        candidates = db.session.execute(
            select(SEARCH_WORDS.c.word, SEARCH_WORDS.c.in_title).where(
                SEARCH_WORDS.c.word.op("%")(literal(term))
            )
        ).all()
        named = {word for word, in_title in candidates if in_title}
        return closest_words(term, [word for word, _ in candidates], preferred=named)

    @staticmethod
    def _tsquery(alternatives: list[str]) -> ColumnElement[Any]:
        """Any of ``alternatives`` (a word and its variants), each as a prefix."""
        simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
        each = ["(" + " & ".join(f"{w}:*" for w in term.split()) + ")" for term in alternatives]
        return func.to_tsquery(simple, literal(" | ".join(each)))

    @staticmethod
    def _found(
        rows: Rows, vector: ColumnElement[Any], queries: list[ColumnElement[Any]]
    ) -> list[bool]:
        """For each word, whether its prefix is in some visible product's text (one query).

        Each lookup is a MATERIALIZED CTE: a bare EXISTS is planned to stop at the first row,
        so for a word in no product (every typo) PostgreSQL chose a sequential scan of the whole
        table instead of the index.
        """
        checks = []
        for index, tsquery in enumerate(queries):
            matches = (
                select(rows.c.id)
                .where(vector.op("@@")(tsquery), *visibility(rows))
                .cte(f"word_{index}")
                .prefix_with("MATERIALIZED")
            )
            checks.append(exists(select(matches.c.id)))
        row = db.session.execute(select(*checks)).one()
        return [bool(value) for value in row]


class SqliteBackend:
    """Every word must match as a prefix in the FTS5 index. Asked again ``tolerant``, a word no
    visible product has (a typo) is corrected as on PostgreSQL: to the words of
    ``SEARCH_WORDS`` fewest edits away (`closest_words`), the same dictionary kept by the same
    write paths (triggers on products and cooperatives, migration ``c4e1a9b7d2f3``), which are
    then matched in the index as whole words. Without trigrams to narrow it, the whole
    dictionary is weighed, in one query: a few thousand words for a catalogue SQLite serves.
    """

    corrects_typos = True

    def match(
        self,
        terms: list[str],
        rows: Rows,
        *,
        tolerant: bool,
        variants: dict[str, list[str]] | None = None,
    ) -> TextMatch:
        variants = variants or {}
        words = [variants.get(term, [term]) for term in terms]
        found = self._found(words) if tolerant else [True] * len(terms)
        typos = [term for term, in_index in zip(terms, found, strict=True) if not in_index]
        corrections = self._corrections(typos) if typos else {}
        parts: list[str] = []
        best: list[str] = []
        for term, alternatives in zip(terms, words, strict=True):
            if term in corrections:
                if not corrections[term]:
                    return TextMatch(false(), literal(0.0), corrections)
                parts.append(_fts_any(corrections[term], prefix=False))
                if len(corrections[term]) > 1:
                    best.append(_fts_any(corrections[term][:1], prefix=False))
            else:
                parts.append(_fts_any(alternatives, prefix=True))
        matches = _fts_matches(" AND ".join(parts), "fts")
        condition = rows.c.id.in_(select(matches.c.product_id))
        # bm25 is lower for better matches; the correlated lookup keeps one code path for ranking.
        rank: ColumnElement[Any] = -(
            select(matches.c.score).where(matches.c.product_id == rows.c.id).scalar_subquery()
        )
        if best:
            # The likeliest corrections' products first (PostgreSQL ranks them higher too).
            likeliest = _fts_matches(" AND ".join(best), "fts_best")
            rank = rank + 1000.0 * rows.c.id.in_(select(likeliest.c.product_id)).cast(Integer)
        return TextMatch(condition, rank, corrections)

    @staticmethod
    def _found(words: list[list[str]]) -> list[bool]:
        """For each word (with its variants), whether its prefix is in some visible product's
        text (one query)."""
        products: Rows = Product.__table__  # type: ignore[assignment]
        checks = []
        for index, alternatives in enumerate(words):
            matches = _fts_matches(_fts_any(alternatives, prefix=True), f"word_{index}")
            checks.append(
                exists(
                    select(literal(1))
                    .select_from(matches)
                    .join(products, products.c.id == matches.c.product_id)
                    .where(*visibility(products))
                )
            )
        row = db.session.execute(select(*checks)).one()
        return [bool(value) for value in row]

    @staticmethod
    def _corrections(typos: list[str]) -> dict[str, list[str]]:
        """Each typo's `closest_words` in the whole dictionary (read once for all of them)."""
        correctable = [term for term in typos if len(term) >= MIN_CORRECTED_LENGTH]
        dictionary = (
            db.session.execute(select(SEARCH_WORDS.c.word, SEARCH_WORDS.c.in_title)).all()
            if correctable
            else []
        )
        named = {word for word, in_title in dictionary if in_title}
        words = [word for word, _ in dictionary]
        return {
            term: closest_words(term, words, preferred=named) if term in correctable else []
            for term in typos
        }


def _fts_matches(expression: str, name: str) -> Any:
    """The FTS5 rows matching ``expression``: (product_id, score) as a named subquery."""
    return (
        select(
            literal_column("rowid").label("product_id"),
            literal_column("bm25(product_search)").label("score"),
        )
        .select_from(text("product_search"))
        .where(
            text(f"product_search MATCH :{name}_expression").bindparams(
                **{f"{name}_expression": expression}
            )
        )
        .subquery(name)
    )


def _fts_any(words: list[str], *, prefix: bool) -> str:
    """An FTS5 expression matching any of ``words``, each a quoted string (never parsed as
    syntax), as a prefix or whole."""
    star = "*" if prefix else ""
    quoted = [f'"{word.replace(chr(34), chr(34) * 2)}"{star}' for word in words]
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def closest_words(
    term: str,
    words: Iterable[str],
    limit: int = CORRECTIONS_PER_WORD,
    preferred: Collection[str] = (),
) -> list[str]:
    """The ``words`` a misspelt ``term`` was most likely meant as, fewest edits first.

    An edit is a letter added, dropped or replaced, or two neighbours swapped ("btaik" is one
    edit from "batik"). A term of up to four letters may be one edit away, a longer one two;
    only the words fewest edits away are taken.
    The term may be the start of a word still being typed with a slip in it ("kerpi" for
    "keripik"), so it is also held against the word's first letters. Among words as few edits
    away, whole words come before words only begun ("batk": bata, batu, batik before bakar),
    then ``preferred`` words (those products are named with), then the word closest in length,
    then alphabetical order.
    """
    allowed = 1 if len(term) <= 4 else 2
    scored = []
    for word in _near(term, set(words), allowed):
        whole = OSA.distance(term, word, score_cutoff=allowed + 1)
        start = min(
            OSA.distance(term, word[:n], score_cutoff=allowed + 1)
            for n in range(max(1, len(term) - 1), len(term) + 2)
        )
        edits = min(whole, start)
        if edits <= allowed:
            scored.append(
                (edits, whole > edits, word not in preferred, abs(len(word) - len(term)), word)
            )
    scored.sort()
    return [word for edits, *_, word in scored[:limit] if edits == scored[0][0]]


def _near(term: str, words: set[str], allowed: int) -> set[str]:
    """The ``words`` within ``allowed`` edits of ``term``, whole or by their first letters:
    exactly those `closest_words` may keep, found by rapidfuzz in C, so weighing a whole
    dictionary (SQLite's) costs a few passes over it rather than a Python loop per word."""
    if len(words) < 64:
        return words
    listed = list(words)
    starts = range(max(1, len(term) - 1), len(term) + 2)
    near: set[str] = set()
    for choices in (listed, *([word[:n] for word in listed] for n in starts)):
        for _choice, _edits, index in process.extract(
            term, choices, scorer=OSA.distance, score_cutoff=allowed, limit=None
        ):
            near.add(listed[index])
    return near


def _tsquery_word(word: str) -> str:
    """``word`` as a quoted lexeme of tsquery input: taken as it is, never parsed again."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def backend() -> Backend:
    return PostgresBackend() if on_postgres() else SqliteBackend()


def on_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
