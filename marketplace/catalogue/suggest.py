"""Suggestions as the shopper types: a few products, categories and cooperatives whose words
begin with what was typed, for the search field's list (`static/js/search-suggest.js`).

Every word typed must begin some word of the suggestion's name: "kerip ped" suggests "Keripik
Tempe Pedas". Products are found through the search's own index (FTS5 on SQLite, the search
rows' ``tsvector`` on PostgreSQL), so only what the public may see is suggested.
Products come in order of units sold, not rank: ranking every product that a two-letter prefix
matches would cost more than the few milliseconds a keystroke may take, and the most bought
product is what a shopper most often means. Categories and cooperatives are few; their names
are matched here, folded as the index folds words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from marketplace.catalogue.models import Category, Product
from marketplace.catalogue.search import search_terms
from marketplace.catalogue.text_search import SEARCH_ROWS, Rows, backend, on_postgres, visibility
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.database import split_words
from marketplace.extensions import db

#: Fewer letters than this suggest nothing: one letter begins too many words to help.
MIN_QUERY_LENGTH = 2
MAX_PRODUCTS = 5
#: Products read from the index for the five: its text also holds descriptions, categories and
#: cooperatives, and a suggestion must be named with the words typed ("kerip" suggests no sambal
#: whose description mentions keripik).
PRODUCT_CANDIDATES = 25
MAX_CATEGORIES = 3
MAX_COOPERATIVES = 3


@dataclass(frozen=True)
class Named:
    """A suggestion: what it is called (in each language, for categories) and its slug."""

    name: str
    slug: str
    name_en: str = ""


@dataclass(frozen=True)
class Suggestions:
    products: list[Named] = field(default_factory=list)
    categories: list[Named] = field(default_factory=list)
    cooperatives: list[Named] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.products or self.categories or self.cooperatives)


def suggest(text: str) -> Suggestions:
    """What to offer for ``text`` as typed so far (nothing for fewer than two letters)."""
    terms = search_terms(text)
    if not terms or len("".join(terms)) < MIN_QUERY_LENGTH:
        return Suggestions()
    folded = [word for term in terms for word in split_words(term)]
    return Suggestions(
        products=_products(terms, folded),
        categories=_named(
            select(Category.name, Category.slug, Category.name_en).order_by(
                Category.position, Category.id
            ),
            folded,
            MAX_CATEGORIES,
        ),
        cooperatives=_named(
            select(Cooperative.name, Cooperative.slug)
            .where(Cooperative.status == CooperativeStatus.APPROVED)
            .order_by(Cooperative.name),
            folded,
            MAX_COOPERATIVES,
        ),
    )


def _products(terms: list[str], folded: list[str]) -> list[Named]:
    """The best-selling visible products named with every word as a prefix (one query)."""
    if on_postgres():
        match = backend().match(terms, SEARCH_ROWS, tolerant=False)
        ids = (
            select(SEARCH_ROWS.c.id, SEARCH_ROWS.c.sold_count)
            .where(match.condition)
            .order_by(SEARCH_ROWS.c.sold_count.desc(), SEARCH_ROWS.c.id.desc())
            .limit(PRODUCT_CANDIDATES)
            .subquery()
        )
        statement = (
            select(Product.name, Product.slug)
            .join(ids, ids.c.id == Product.id)
            .order_by(ids.c.sold_count.desc(), ids.c.id.desc())
        )
    else:
        products: Rows = Product.__table__  # type: ignore[assignment]
        match = backend().match(terms, products, tolerant=False)
        statement = (
            select(Product.name, Product.slug)
            .where(match.condition, *visibility(products))
            .order_by(Product.sold_count.desc(), Product.id.desc())
            .limit(PRODUCT_CANDIDATES)
        )
    named = (Named(name, slug) for name, slug in db.session.execute(statement))
    return [product for product in named if _begins_words(product.name, folded)][:MAX_PRODUCTS]


def _named(statement: object, terms: list[str], limit: int) -> list[Named]:
    """The rows of ``statement`` (name, slug[, name_en]) whose name, in either language, has a
    word beginning with each of ``terms``."""
    found: list[Named] = []
    for row in db.session.execute(statement):  # type: ignore[call-overload]
        named = Named(*row)
        if _begins_words(named.name, terms) or (
            named.name_en and _begins_words(named.name_en, terms)
        ):
            found.append(named)
            if len(found) == limit:
                break
    return found


def _begins_words(name: str, terms: list[str]) -> bool:
    words = split_words(name)
    return all(any(word.startswith(term) for word in words) for term in terms)
