"""Catalogue pages cached in Redis when ``REDIS_URL`` is set: whole pages for anonymous visitors
(`cached_page`), and for everyone else the expensive part of a listing (the matching ids, the
total, the facet counts; `search`).

A whole page is the same for every anonymous visitor but for the CSRF token of its forms (the
header's language switch, the cards' "add to cart"): it is stored with a placeholder that each
response replaces with the visitor's own token. Visitors whose header differs (signed in, a
guest cart, a pending flash message) get the page rendered for them.

Every cached entry is keyed by a catalogue version. Any committed change to products, variants
(prices and stock included, whether made through the ORM or a guarded UPDATE), categories or
cooperatives bumps the version, so the next page is computed afresh; ``CATALOGUE_CACHE_SECONDS``
bounds how long an entry can live even if a bump were lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from functools import wraps
from typing import Any, ParamSpec

from flask import current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from marketplace import clock
from marketplace.catalogue.models import Category, PriceTier, Product, ProductImage, ProductVariant
from marketplace.catalogue.search import (
    FacetValue,
    ProductQuery,
    SearchResult,
    search_products,
    visible_products,
    with_card_data,
)
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db, redis_client

log = logging.getLogger(__name__)

VERSION_KEY = "opop:catalogue:version"
_WATCHED_TABLES = {
    model.__table__.name  # type: ignore[attr-defined]
    for model in (Product, ProductVariant, PriceTier, ProductImage, Category, Cooperative)
}


def watch(*tables: str) -> None:
    """Packages above the catalogue whose tables its pages show (a product's reviews) name
    them here, so a committed change to them also refreshes the cached pages."""
    _WATCHED_TABLES.update(tables)


def _enabled() -> bool:
    return (
        bool(current_app.config.get("REDIS_URL"))
        and current_app.config["CATALOGUE_CACHE_SECONDS"] > 0
    )


def _version(redis: Any) -> str:
    raw = redis.get(VERSION_KEY)
    return raw.decode() if isinstance(raw, bytes) else str(raw or 0)


def _key(query: ProductQuery, today: date, version: str) -> str:
    digest = hashlib.sha256(
        json.dumps([asdict(query), today.isoformat()], sort_keys=True).encode()
    ).hexdigest()
    return f"opop:catalogue:{version}:{digest}"


def search(query: ProductQuery, today: date) -> SearchResult:
    """`search_products`, through the cache when there is one."""
    if not _enabled():
        return search_products(query, today=today)
    try:
        redis = redis_client()
        key = _key(query, today, _version(redis))
        cached = redis.get(key)
    except Exception:
        log.warning("catalogue cache unavailable", exc_info=True)
        return search_products(query, today=today)
    if cached is not None:
        data = json.loads(cached)
        products = _products_in_order(data["ids"])
        facets = {
            name: [FacetValue(**value) for value in values]
            for name, values in data["facets"].items()
        }
        return SearchResult(
            ProductQuery(**data["query"]),
            products,
            data["total"],
            facets,
            corrections=data.get("corrections", {}),
        )
    result = search_products(query, today=today)
    payload = {
        "query": asdict(result.query),
        "ids": [product.id for product in result.products],
        "total": result.total,
        "facets": {name: [asdict(v) for v in values] for name, values in result.facets.items()},
        "corrections": result.corrections,
    }
    try:
        redis.set(key, json.dumps(payload), ex=current_app.config["CATALOGUE_CACHE_SECONDS"])
    except Exception:
        log.warning("catalogue cache unavailable", exc_info=True)
    return result


CSRF_PLACEHOLDER = "opop-csrf-placeholder-6b1f0c"
P = ParamSpec("P")


def _page_cacheable() -> bool:
    """Whether this visitor sees the page every anonymous visitor sees (but for CSRF tokens)."""
    return (
        _enabled()
        and request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and not request.cookies.get(current_app.config["CART_COOKIE_NAME"])
    )


def _page_key(version: str) -> str:
    digest = hashlib.sha256(
        json.dumps(
            [str(get_locale()), clock.today().isoformat(), request.host_url, request.full_path]
        ).encode()
    ).hexdigest()
    return f"opop:catalogue:{version}:page:{digest}"


def cached_page(view: Callable[P, str]) -> Callable[P, str]:
    """Serve a public catalogue page whole from the cache to anonymous visitors.

    Keyed by the catalogue version (so any change shows at once), the language, the day and
    the URL; a page that raises (404) is never stored.
    """

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        if not _page_cacheable():
            return view(*args, **kwargs)
        try:
            redis = redis_client()
            key = _page_key(_version(redis))
            cached = redis.get(key)
        except Exception:
            log.warning("catalogue cache unavailable", exc_info=True)
            return view(*args, **kwargs)
        if cached is not None:
            html = cached.decode() if isinstance(cached, bytes) else str(cached)
        else:
            g.catalogue_page_placeholders = True
            try:
                html = view(*args, **kwargs)
            finally:
                g.catalogue_page_placeholders = False
            try:
                redis.set(key, html, ex=current_app.config["CATALOGUE_CACHE_SECONDS"])
            except Exception:
                log.warning("catalogue cache unavailable", exc_info=True)
        return html.replace(CSRF_PLACEHOLDER, generate_csrf())

    return wrapper


def page_placeholders() -> dict[str, object]:
    """Template context while a page is rendered for the cache: CSRF tokens as placeholders."""
    if g.get("catalogue_page_placeholders"):
        return {"csrf_token": lambda: CSRF_PLACEHOLDER}
    return {}


def _products_in_order(ids: list[int]) -> list[Product]:
    if not ids:
        return []
    statement = with_card_data(visible_products().where(Product.id.in_(ids)))
    found = {product.id: product for product in db.session.scalars(statement).unique()}
    # A product hidden since the entry was written is simply left out.
    return [found[i] for i in ids if i in found]


def bump_version() -> None:
    try:
        redis_client().incr(VERSION_KEY)
    except Exception:
        log.warning("could not invalidate the catalogue cache", exc_info=True)


@event.listens_for(Session, "after_flush")
def _note_orm_changes(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in _WATCHED_TABLES:
            session.info["catalogue_changed"] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _WATCHED_TABLES:
            state.session.info["catalogue_changed"] = True


@event.listens_for(Session, "after_commit")
def _invalidate(session: Session) -> None:
    if session.info.pop("catalogue_changed", False) and has_app_context() and _enabled():
        bump_version()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("catalogue_changed", None)
