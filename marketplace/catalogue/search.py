"""Product search and listing: one interface, a PostgreSQL and a SQLite backend.

What a query's words match and how they rank is `marketplace.catalogue.text_search` (PostgreSQL's
full-text index with typo correction, SQLite's FTS5); everything else (filters, facets, sorting,
paging) is shared SQL, here.

On PostgreSQL a text search reads ``product_search_rows`` (``SEARCH_ROWS``), a narrow copy of the
products' search, filter and sort columns, and loads only the page's products; the facet counts
are one aggregation there, while the page is ranked on a second connection.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import defer, joinedload, selectinload

from marketplace.catalogue import synonyms
from marketplace.catalogue.models import Category, Product, ProductVariant
from marketplace.catalogue.text_search import (
    SEARCH_ROWS,
    Rows,
    backend,
    on_postgres,
    visibility,
)
from marketplace.cooperatives.models import KECAMATAN, Cooperative
from marketplace.extensions import db

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
PER_PAGE_DEFAULT = 24
PER_PAGE_MAX = 96
MAX_PAGE = 10_000
SORTS = ("relevance", "price_asc", "price_desc", "newest", "best_selling")

#: Price bands for the price facet, in rupiah: (lowest, highest or None).
PRICE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 25_000),
    (25_000, 50_000),
    (50_000, 100_000),
    (100_000, 250_000),
    (250_000, None),
)

_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(text_: str) -> list[str]:
    """The words of a query, lower-cased. Operators and punctuation are dropped, never parsed."""
    terms = [t.lower()[:MAX_TERM_LENGTH] for t in _TERM.findall(text_[:MAX_QUERY_LENGTH])]
    return [t.replace("_", " ").strip() for t in terms if t.strip("_")][:MAX_TERMS]


@dataclass(frozen=True)
class ProductQuery:
    text: str = ""
    category: str | None = None
    cooperative: str | None = None
    kecamatan: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    halal: bool = False
    in_stock: bool = False
    sort: str = ""
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.terms):
            return self.sort
        return "relevance" if self.terms else "newest"

    @property
    def terms(self) -> list[str]:
        return search_terms(self.text)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    label_en: str = ""
    depth: int = 0

    def display(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


@dataclass
class SearchResult:
    query: ProductQuery
    products: list[Product]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    #: Misspelt words and the catalogue's words searched for them instead.
    corrections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def suggestion(self) -> str:
        """The query's words with each typo replaced by its likeliest correction (the "Maksud
        Anda" link), or "" when no word was corrected."""
        if not any(self.corrections.values()):
            return ""
        return " ".join(
            self.corrections[term][0] if self.corrections.get(term) else term
            for term in self.query.terms
        )


def _rows_for(query: ProductQuery) -> Rows:
    """The narrow search rows for a text search on PostgreSQL, else ``products``.

    A listing without words reads few rows through the products' own sort indexes.
    """
    if query.terms and on_postgres():
        return SEARCH_ROWS
    return Product.__table__  # type: ignore[return-value]


def _of_cooperatives(rows: Rows, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return rows.c.cooperative_id.in_(select(Cooperative.id).where(condition))


def visible_products() -> Select[tuple[Product]]:
    """Active products of approved cooperatives: the only ones the public may see."""
    return select(Product).where(*visibility(Product.__table__))  # type: ignore[arg-type]


def _in_stock(rows: Rows) -> ColumnElement[bool]:
    # Kept on the product by catalogue.listing and inventory.stock, so no join to the variants.
    return rows.c.in_stock.is_(True)


def _halal_valid(today: date, rows: Rows) -> ColumnElement[bool]:
    return and_(
        rows.c.halal_number.is_not(None),
        (rows.c.halal_valid_until.is_(None)) | (rows.c.halal_valid_until >= today),
    )


def _category_ids(slug: str) -> list[int]:
    category = db.session.scalar(
        select(Category).where(Category.slug == slug).options(selectinload(Category.children))
    )
    if category is None:
        return []
    return [category.id, *(child.id for child in category.children)]


class _Filters:
    """The WHERE clauses of a query, by facet, so a facet's counts can leave out its own."""

    def __init__(
        self,
        query: ProductQuery,
        today: date,
        rows: Rows,
        *,
        tolerant: bool = False,
        variants: dict[str, list[str]] | None = None,
    ) -> None:
        self.rows = rows
        self.clauses: dict[str, ColumnElement[bool]] = {}
        self.rank: ColumnElement[Any] | None = None
        self.corrections: dict[str, list[str]] = {}
        if query.terms:
            text_match = backend().match(query.terms, rows, tolerant=tolerant, variants=variants)
            self.clauses["text"], self.rank = text_match.condition, text_match.rank
            self.corrections = text_match.corrections
        if query.category:
            self.clauses["category"] = rows.c.category_id.in_(_category_ids(query.category) or [-1])
        if query.cooperative:
            self.clauses["cooperative"] = _of_cooperatives(
                rows, Cooperative.slug == query.cooperative
            )
        if query.kecamatan:
            self.clauses["kecamatan"] = _of_cooperatives(
                rows, Cooperative.kecamatan == query.kecamatan
            )
        price: list[ColumnElement[bool]] = []
        if query.price_min is not None:
            price.append(rows.c.price_from >= query.price_min)
        if query.price_max is not None:
            price.append(rows.c.price_from <= query.price_max)
        if price:
            self.clauses["price"] = and_(*price)
        if query.halal:
            self.clauses["halal"] = _halal_valid(today, rows)
        if query.in_stock:
            self.clauses["in_stock"] = _in_stock(rows)

    def apply(self, statement: Select[Any], leave_out: str | None = None) -> Select[Any]:
        for name, clause in self.clauses.items():
            if name != leave_out:
                statement = statement.where(clause)
        return statement


def _ordering(query: ProductQuery, rank: ColumnElement[Any] | None, rows: Rows) -> list[Any]:
    sort = query.effective_sort
    if sort == "relevance" and rank is not None:
        return [rank.desc(), rows.c.sold_count.desc(), rows.c.id.desc()]
    if sort == "price_asc":
        return [rows.c.price_from.asc(), rows.c.id.asc()]
    if sort == "price_desc":
        return [rows.c.price_from.desc(), rows.c.id.desc()]
    if sort == "best_selling":
        return [rows.c.sold_count.desc(), rows.c.id.desc()]
    return [rows.c.published_at.desc(), rows.c.id.desc()]


def with_card_data(statement: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """Load what a product card shows in the same query, whatever the page size: the card
    reads the product's summary columns (`catalogue.listing`), its cooperative and its cover
    photo, never its variants."""
    return statement.options(
        joinedload(Product.cooperative),
        joinedload(Product.cover_image),
        # The long texts stay in the database: a card never shows them (reading one raises).
        defer(Product.description, raiseload=True),
        defer(Product.search_text, raiseload=True),
        defer(Product.status_reason, raiseload=True),
    )


def with_variant_data(statement: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """Load what choosing a variant needs (each variant with its bulk prices, every photo) in
    a fixed number of queries: the product page, a procurement officer's catalogue search."""
    return statement.options(
        joinedload(Product.cooperative),
        selectinload(Product.variants).selectinload(ProductVariant.price_tiers),
        selectinload(Product.images),
    )


def search_products(query: ProductQuery, *, today: date, facets: bool = True) -> SearchResult:
    """One page of matching products, the total, and each facet's counts for this query."""
    rows = _rows_for(query)
    narrow = rows is SEARCH_ROWS
    page = min(max(query.page, 1), MAX_PAGE)
    parallel = narrow and current_app.config["SEARCH_PAGE_IN_PARALLEL"]
    # Each word also finds its spelling variants and synonyms (the city's list).
    variants = synonyms.variants_of(query.terms)
    filters = _Filters(query, today, rows, variants=variants)
    early = _in_parallel(_page(query, filters, page)) if parallel else None
    total, facet_values = _count(query, filters, today, facets)
    if not total and query.terms and backend().corrects_typos:
        # No product has every word as typed: ask again, a word the catalogue lacks (a typo)
        # corrected to the words it was most likely meant as.
        tolerant = _Filters(query, today, rows, tolerant=True, variants=variants)
        if tolerant.corrections:
            filters = tolerant
            early = _in_parallel(_page(query, filters, page)) if parallel else None
            total, facet_values = _count(query, filters, today, facets)
    products: list[Product] = []
    if total and narrow:
        # The page's ids from the narrow rows, then those products with their card data.
        ids = early.result() if early else list(db.session.scalars(_page(query, filters, page)))
        loaded = {
            product.id: product
            for product in db.session.scalars(
                with_card_data(select(Product).where(Product.id.in_(ids)))
            ).unique()
        }
        products = [loaded[id_] for id_ in ids if id_ in loaded]
    elif total:
        products = list(db.session.scalars(with_card_data(_page(query, filters, page))).unique())
    return SearchResult(
        replace(query, page=page), products, total, facet_values, filters.corrections
    )


def _matching(filters: _Filters) -> Select[Any]:
    """The products matching: ids from the search rows (all visible), else visible products."""
    rows = filters.rows
    return filters.apply(select(SEARCH_ROWS.c.id) if rows is SEARCH_ROWS else visible_products())


def _page(query: ProductQuery, filters: _Filters, page: int) -> Select[Any]:
    """The page's rows in the query's order: ids from the search rows, else products."""
    return (
        _matching(filters)
        .order_by(*_ordering(query, filters.rank, filters.rows))
        .limit(query.per_page)
        .offset((page - 1) * query.per_page)
    )


_executor: tuple[int, ThreadPoolExecutor] | None = None


def _in_parallel(statement: Select[Any]) -> Future[list[int]]:
    """Run ``statement`` on a connection of its own in a thread, its ids in the future.

    The thread pool is made in the process that uses it (gunicorn forks its workers).
    """
    global _executor
    if _executor is None or _executor[0] != os.getpid():
        _executor = (os.getpid(), ThreadPoolExecutor(2, thread_name_prefix="catalogue-search"))
    engine = db.engine

    def run() -> list[int]:
        with engine.connect() as connection:
            return list(connection.execute(statement).scalars())

    return _executor[1].submit(run)


def _count(
    query: ProductQuery, filters: _Filters, today: date, facets: bool
) -> tuple[int, dict[str, list[FacetValue]]]:
    """The number of matches and, when asked for, every facet's counts."""
    if facets:
        return _facets(query, filters, today)
    return db.session.scalar(
        select(func.count()).select_from(_matching(filters).order_by(None).subquery())
    ) or 0, {}


FACETS = ("category", "cooperative", "kecamatan", "price", "halal", "in_stock")


@dataclass
class _FacetCounts:
    total: int = 0
    by_facet: dict[str, dict[Any, int]] = field(
        default_factory=lambda: {name: {} for name in FACETS}
    )
    #: id → (slug, name) of every cooperative with a match.
    cooperatives: dict[int, tuple[str, str]] = field(default_factory=dict)


def _facet_counts(filters: _Filters, today: date) -> _FacetCounts:
    """The total and every facet's counts: one aggregation over the matches.

    A facet counts the matches of every filter but its own (so picking a kecamatan still shows
    the others' counts). Each such count is a ``count(*) FILTER (...)`` grouped by category and
    by cooperative: the kecamatan counts are the cooperatives' summed here (a cooperative lies
    in one kecamatan), and the total, the price bands, halal and in stock are filtered counts
    summed over the categories. PostgreSQL groups with two grouping sets (a row per category
    and per cooperative), SQLite by the pair. One pass with two hash tables: the six grouping
    sets before took PostgreSQL twice as long for a broad prefix (bench/catalogue.py).
    """
    source = filters.rows
    flags = {name: clause for name, clause in filters.clauses.items() if name != "text"}
    extra: dict[str, ColumnElement[bool]] = {
        **{
            f"price_{index}": (
                and_(source.c.price_from >= low, source.c.price_from < high)
                if high is not None
                else source.c.price_from >= low
            )
            for index, (low, high) in enumerate(PRICE_BANDS)
        },
        "halal": _halal_valid(today, source),
        "in_stock": _in_stock(source),
    }
    # Which filters each count holds to (all but its facet's own), and the condition it adds.
    wanted = {
        "total": (None, None),
        "category": ("category", None),
        "cooperative": ("cooperative", None),
        "kecamatan": ("kecamatan", None),
        **{f"price_{index}": ("price", f"price_{index}") for index in range(len(PRICE_BANDS))},
        "halal": ("halal", "halal"),
        "in_stock": ("in_stock", "in_stock"),
    }
    columns: dict[tuple[frozenset[str], str | None], ColumnElement[Any]] = {}
    column_of: dict[str, int] = {}
    for name, (leave_out, condition) in wanted.items():
        holding = frozenset(flag for flag in flags if flag != leave_out)
        key = (holding, condition)
        if key not in columns:
            conditions = [flags[flag] for flag in sorted(holding)]
            if condition is not None:
                conditions.append(extra[condition])
            columns[key] = func.count().filter(and_(*conditions)) if conditions else func.count()
        column_of[name] = list(columns).index(key)
    statement = select(source.c.category_id, source.c.cooperative_id, *columns.values()).where(
        *visibility(source)
    )
    if on_postgres():
        # Two grouping sets return one row per category and one per cooperative, rather than
        # one per pair (thousands for a broad prefix) for Python to sum.
        statement = statement.group_by(
            func.grouping_sets(source.c.category_id, source.c.cooperative_id)
        )
    else:
        statement = statement.group_by(source.c.category_id, source.c.cooperative_id)
    if "text" in filters.clauses:
        statement = statement.where(filters.clauses["text"])
    if len(flags) > 1:
        # A row failing two filters counts nowhere.
        statement = statement.where(
            or_(*[and_(*[c for n, c in flags.items() if n != name]) for name in flags])
        )
    result = _FacetCounts()
    by_cooperative: dict[int, int] = {}
    sums = {name: 0 for name in wanted if name not in ("category", "cooperative", "kecamatan")}
    categories = result.by_facet["category"]
    cooperatives = result.by_facet["cooperative"]
    index_of = column_of.__getitem__
    category_at, cooperative_at, kecamatan_at = map(
        index_of, ("category", "cooperative", "kecamatan")
    )
    summed_at = [(name, index_of(name)) for name in sums]
    for category_id, cooperative_id, *values in db.session.execute(statement):
        # A category's row (cooperative None on PostgreSQL) carries the sums; a pair's, both.
        if category_id is not None:
            if values[category_at]:
                categories[category_id] = categories.get(category_id, 0) + values[category_at]
            for name, index in summed_at:
                sums[name] += values[index]
        if cooperative_id is not None:
            if values[cooperative_at]:
                cooperatives[cooperative_id] = (
                    cooperatives.get(cooperative_id, 0) + values[cooperative_at]
                )
            by_cooperative[cooperative_id] = (
                by_cooperative.get(cooperative_id, 0) + values[kecamatan_at]
            )
    result.total = sums["total"]
    for index in range(len(PRICE_BANDS)):
        if sums[f"price_{index}"]:
            result.by_facet["price"][index] = sums[f"price_{index}"]
    for flag in ("halal", "in_stock"):
        if sums[flag]:
            result.by_facet[flag][1] = sums[flag]
    if by_cooperative:
        for id_, slug, name, kecamatan in db.session.execute(
            select(Cooperative.id, Cooperative.slug, Cooperative.name, Cooperative.kecamatan).where(
                Cooperative.id.in_(sorted(by_cooperative))
            )
        ):
            result.cooperatives[id_] = (slug, name)
            if by_cooperative[id_]:
                kecamatans = result.by_facet["kecamatan"]
                kecamatans[kecamatan] = kecamatans.get(kecamatan, 0) + by_cooperative[id_]
    return result


def _facets(
    query: ProductQuery, filters: _Filters, today: date
) -> tuple[int, dict[str, list[FacetValue]]]:
    facet_counts = _facet_counts(filters, today)
    total, counts = facet_counts.total, facet_counts.by_facet
    top = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    parents = {c.id: c for c in top}
    category_counts: dict[int, int] = {}
    for category_id, count in counts["category"].items():
        category_counts[category_id] = category_counts.get(category_id, 0) + count
        parent_id = parents[category_id].parent_id if category_id in parents else None
        if parent_id is not None:
            category_counts[parent_id] = category_counts.get(parent_id, 0) + count

    result: dict[str, list[FacetValue]] = {}
    ordered = [c for c in top if c.parent_id is None]
    ordered = [x for c in ordered for x in (c, *[s for s in top if s.parent_id == c.id])]
    result["category"] = [
        FacetValue(
            c.slug,
            c.name,
            category_counts.get(c.id, 0),
            query.category == c.slug,
            label_en=c.name_en,
            depth=1 if c.parent_id else 0,
        )
        for c in ordered
        if category_counts.get(c.id)
    ]
    cooperatives = facet_counts.cooperatives
    result["cooperative"] = [
        FacetValue(slug, name, counts["cooperative"][id_], query.cooperative == slug)
        for id_, (slug, name) in sorted(cooperatives.items(), key=lambda item: item[1][1])
        if id_ in counts["cooperative"]
    ]
    result["kecamatan"] = [
        FacetValue(k, k, counts["kecamatan"].get(k, 0), query.kecamatan == k)
        for k in KECAMATAN
        if counts["kecamatan"].get(k)
    ]
    result["price"] = [
        FacetValue(
            f"{low}-{high if high is not None else ''}",
            "",
            counts["price"].get(index, 0),
            query.price_min == low and query.price_max == (high - 1 if high else None),
        )
        for index, (low, high) in enumerate(PRICE_BANDS)
        if counts["price"].get(index)
    ]
    result["halal"] = [FacetValue("1", "", counts["halal"].get(1, 0), query.halal)]
    result["in_stock"] = [FacetValue("1", "", counts["in_stock"].get(1, 0), query.in_stock)]
    return total, result
