"""PostgreSQL: the page of a text search is ranked on a second connection while the facets
are counted (``SEARCH_PAGE_IN_PARALLEL``, on in production). Other tests turn it off, since
their data lives in a transaction no other connection sees; this one commits its catalogue."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import event

from marketplace.catalogue.search import ProductQuery, SearchResult, search_products
from marketplace.extensions import db
from tests.catalogue.conftest import make_catalogue

pytestmark = pytest.mark.postgres

QUERIES = [
    ProductQuery(text="keripik"),
    ProductQuery(text="kerip", sort="price_desc"),
    ProductQuery(text="keripik", per_page=1, page=2),
    ProductQuery(text="keripik", kecamatan="Magersari", in_stock=True),
    ProductQuery(text="keripk tempe"),  # a typo: counted again, the early page thrown away
    ProductQuery(text="batik", sort="best_selling"),
    ProductQuery(text="tidakada"),
]


def outcome(result: SearchResult) -> tuple[object, ...]:
    facets = {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()}
    return (result.total, [p.slug for p in result.products], facets, result.corrections)


def test_the_page_ranked_on_a_second_connection_is_the_same_page(committed_app: Flask) -> None:
    app = committed_app
    with app.test_request_context():
        make_catalogue()
    threads: set[str] = set()
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def note_thread(*args: object) -> None:
            threads.add(threading.current_thread().name)

    results = {}
    for parallel in (False, True):
        app.config["SEARCH_PAGE_IN_PARALLEL"] = parallel
        for query in QUERIES:
            with app.test_request_context():
                results[parallel, query] = outcome(search_products(query, today=date.today()))
    for query in QUERIES:
        assert results[True, query] == results[False, query], query
    assert results[True, QUERIES[0]][0] == 3
    assert len(results[True, QUERIES[2]][1]) == 1
    assert "keripik" in results[True, QUERIES[4]][3]["keripk"]
    assert results[True, QUERIES[4]][1] == ["keripik-tempe"]
    assert any(name.startswith("catalogue-search") for name in threads)
