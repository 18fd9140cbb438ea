"""Catalogue pages' expensive part (the matching ids, the total, the facet counts) cached in
Redis when ``REDIS_URL`` is set.

Every cached entry is keyed by a catalogue version. Any committed change to products, variants
(prices and stock included, whether made through the ORM or a guarded UPDATE), categories or
cooperatives bumps the version, so the next page is computed afresh; ``CATALOGUE_CACHE_SECONDS``
bounds how long an entry can live even if a bump were lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

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


def _enabled() -> bool:
    return (
        bool(current_app.config.get("REDIS_URL"))
        and current_app.config["CATALOGUE_CACHE_SECONDS"] > 0
    )


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
        raw_version = redis.get(VERSION_KEY)
        version = raw_version.decode() if isinstance(raw_version, bytes) else str(raw_version or 0)
        key = _key(query, today, version)
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
        return SearchResult(ProductQuery(**data["query"]), products, data["total"], facets)
    result = search_products(query, today=today)
    payload = {
        "query": asdict(result.query),
        "ids": [product.id for product in result.products],
        "total": result.total,
        "facets": {name: [asdict(v) for v in values] for name, values in result.facets.items()},
    }
    try:
        redis.set(key, json.dumps(payload), ex=current_app.config["CATALOGUE_CACHE_SECONDS"])
    except Exception:
        log.warning("catalogue cache unavailable", exc_info=True)
    return result


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
