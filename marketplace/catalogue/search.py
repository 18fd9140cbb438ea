"""Product search and listing: one interface, a PostgreSQL and a SQLite backend.

PostgreSQL: a generated ``tsvector`` column (``simple`` configuration) with a GIN index for
full-text prefix matching, plus ``pg_trgm`` word similarity on the short ``search_title`` so a
typo ("keripk") still finds "Keripik". SQLite: an FTS5 table kept by triggers. Both rank by
relevance; everything else (filters, facets, sorting, paging) is shared SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalogue.models import Category, Product, ProductStatus, ProductVariant
from marketplace.cooperatives.models import KECAMATAN, Cooperative, CooperativeStatus
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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


class Backend(Protocol):
    def match(self, terms: list[str], raw: str) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
        """A condition selecting matching products and an expression ranking them (higher first)."""


class PostgresBackend:
    """Every word must match, as a prefix in the full-text index or, for typos, by trigram
    similarity to a word of the title (both served by GIN indexes)."""

    def match(self, terms: list[str], raw: str) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
        vector: ColumnElement[Any] = literal_column("products.search_vector")
        simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
        conditions = []
        rank: ColumnElement[Any] = literal(0.0)
        for term in terms:
            words = term.split()
            tsquery = func.to_tsquery(simple, literal(" & ".join(f"{w}:*" for w in words)))
            conditions.append(
                vector.op("@@")(tsquery) | literal(term).op("<%")(Product.search_title)
            )
            rank = (
                rank
                + func.ts_rank(vector, tsquery)
                + func.word_similarity(literal(term), Product.search_title)
            )
        return and_(*conditions), rank


class SqliteBackend:
    def match(self, terms: list[str], raw: str) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
        expression = " ".join(f'"{term}"*' for term in terms)
        matches = (
            select(
                literal_column("rowid").label("product_id"),
                literal_column("bm25(product_search)").label("score"),
            )
            .select_from(text("product_search"))
            .where(
                text("product_search MATCH :fts_expression").bindparams(fts_expression=expression)
            )
            .subquery("fts")
        )
        condition = Product.id.in_(select(matches.c.product_id))
        # bm25 is lower for better matches; the correlated lookup keeps one code path for ranking.
        rank = -(
            select(matches.c.score).where(matches.c.product_id == Product.id).scalar_subquery()
        )
        return condition, rank


def backend() -> Backend:
    return PostgresBackend() if db.engine.dialect.name == "postgresql" else SqliteBackend()


def visible_products() -> Select[tuple[Product]]:
    """Active products of approved cooperatives: the only ones the public may see."""
    return (
        select(Product)
        .join(Product.cooperative)
        .where(
            Product.status == ProductStatus.ACTIVE,
            Cooperative.status == CooperativeStatus.APPROVED,
        )
    )


def _in_stock() -> ColumnElement[bool]:
    return exists().where(
        ProductVariant.product_id == Product.id,
        ProductVariant.is_active,
        ProductVariant.on_hand > ProductVariant.reserved,
    )


def _halal_valid(today: date) -> ColumnElement[bool]:
    return and_(
        Product.halal_number.is_not(None),
        (Product.halal_valid_until.is_(None)) | (Product.halal_valid_until >= today),
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

    def __init__(self, query: ProductQuery, today: date) -> None:
        self.clauses: dict[str, ColumnElement[bool]] = {}
        self.rank: ColumnElement[Any] | None = None
        if query.terms:
            condition, self.rank = backend().match(query.terms, query.text)
            self.clauses["text"] = condition
        if query.category:
            self.clauses["category"] = Product.category_id.in_(
                _category_ids(query.category) or [-1]
            )
        if query.cooperative:
            self.clauses["cooperative"] = Cooperative.slug == query.cooperative
        if query.kecamatan:
            self.clauses["kecamatan"] = Cooperative.kecamatan == query.kecamatan
        price: list[ColumnElement[bool]] = []
        if query.price_min is not None:
            price.append(Product.price_from >= query.price_min)
        if query.price_max is not None:
            price.append(Product.price_from <= query.price_max)
        if price:
            self.clauses["price"] = and_(*price)
        if query.halal:
            self.clauses["halal"] = _halal_valid(today)
        if query.in_stock:
            self.clauses["in_stock"] = _in_stock()

    def apply(self, statement: Select[Any], leave_out: str | None = None) -> Select[Any]:
        for name, clause in self.clauses.items():
            if name != leave_out:
                statement = statement.where(clause)
        return statement


def _ordering(query: ProductQuery, rank: ColumnElement[Any] | None) -> list[Any]:
    sort = query.effective_sort
    if sort == "relevance" and rank is not None:
        return [rank.desc(), Product.sold_count.desc(), Product.id.desc()]
    if sort == "price_asc":
        return [Product.price_from.asc(), Product.id.asc()]
    if sort == "price_desc":
        return [Product.price_from.desc(), Product.id.desc()]
    if sort == "best_selling":
        return [Product.sold_count.desc(), Product.id.desc()]
    return [Product.published_at.desc(), Product.id.desc()]


def with_card_data(statement: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """Load what a product card shows in a fixed number of queries, whatever the page size."""
    return statement.options(
        joinedload(Product.cooperative),
        selectinload(Product.variants).selectinload(ProductVariant.price_tiers),
        selectinload(Product.images),
    )


def search_products(query: ProductQuery, *, today: date, facets: bool = True) -> SearchResult:
    """One page of matching products, the total, and each facet's counts for this query."""
    filters = _Filters(query, today)
    base = filters.apply(visible_products())
    total = db.session.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0
    page = min(max(query.page, 1), MAX_PAGE)
    statement = (
        with_card_data(base.order_by(*_ordering(query, filters.rank)))
        .limit(query.per_page)
        .offset((page - 1) * query.per_page)
    )
    products = list(db.session.scalars(statement).unique())
    result = SearchResult(replace(query, page=page), products, total)
    if facets:
        result.facets = _facets(query, filters, today)
    return result


def _facets(query: ProductQuery, filters: _Filters, today: date) -> dict[str, list[FacetValue]]:
    def counted(leave_out: str, *columns: Any) -> list[Any]:
        statement = filters.apply(
            select(*columns, func.count(Product.id))
            .select_from(Product)
            .join(Product.cooperative)
            .where(
                Product.status == ProductStatus.ACTIVE,
                Cooperative.status == CooperativeStatus.APPROVED,
            ),
            leave_out,
        ).group_by(*columns)
        return list(db.session.execute(statement).all())

    top = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    parents = {c.id: c for c in top}
    category_counts: dict[int, int] = {}
    for category_id, count in counted("category", Product.category_id):
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
    result["cooperative"] = [
        FacetValue(slug, name, count, query.cooperative == slug)
        for slug, name, count in sorted(
            counted("cooperative", Cooperative.slug, Cooperative.name), key=lambda row: row[1]
        )
    ]
    kecamatan_counts = dict(counted("kecamatan", Cooperative.kecamatan))
    result["kecamatan"] = [
        FacetValue(k, k, kecamatan_counts.get(k, 0), query.kecamatan == k)
        for k in KECAMATAN
        if kecamatan_counts.get(k)
    ]
    band = case(
        *[
            ((Product.price_from >= low) & (Product.price_from < high), literal(index))
            for index, (low, high) in enumerate(PRICE_BANDS)
            if high is not None
        ],
        else_=literal(len(PRICE_BANDS) - 1),
    )
    band_counts = dict(counted("price", band))
    result["price"] = [
        FacetValue(
            f"{low}-{high if high is not None else ''}",
            "",
            band_counts.get(index, 0),
            query.price_min == low and query.price_max == (high - 1 if high else None),
        )
        for index, (low, high) in enumerate(PRICE_BANDS)
        if band_counts.get(index)
    ]
    halal_counts = dict(counted("halal", _halal_valid(today)))
    stock_counts = dict(counted("in_stock", _in_stock()))
    result["halal"] = [FacetValue("1", "", _true_count(halal_counts), query.halal)]
    result["in_stock"] = [FacetValue("1", "", _true_count(stock_counts), query.in_stock)]
    return result


def _true_count(counts: dict[Any, int]) -> int:
    return sum(count for flag, count in counts.items() if flag in (True, 1))
