"""Suggestions as the shopper types, on both databases: what the search would find, best
sellers first, the categories and cooperatives named so, never what the public may not see."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from marketplace.extensions import db
from tests.catalogue.conftest import Catalogue
from tests.catalogue.test_listing import count_queries
from tests.factories import ProductFactory, VariantFactory


def suggestions(client: FlaskClient, typed: str, **headers: str) -> dict[str, Any]:
    response = client.get("/search/suggestions", query_string={"q": typed}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    answer: dict[str, Any] = response.get_json()
    return answer


def names(answer: dict[str, Any], kind: str) -> list[str]:
    return [item["name"] for item in answer[kind]]


def test_products_whose_words_begin_with_what_was_typed_best_sellers_first(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    catalogue.singkong.sold_count = 30
    catalogue.tempe.sold_count = 5
    db.session.commit()
    answer = suggestions(client, "kerip")
    # The draft and the suspended cooperative's "Keripik" products are not the public's.
    assert names(answer, "products") == ["Keripik Singkong Balado", "Keripik Tempe Original"]
    assert answer["products"][0]["url"] == "/products/keripik-singkong"
    assert names(answer, "categories") == ["Keripik & Camilan"]
    assert answer["categories"][0]["url"] == "/categories/keripik"


def test_every_word_typed_must_begin_a_word_of_the_suggestion(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    answer = suggestions(client, "kerip bal")
    assert names(answer, "products") == ["Keripik Singkong Balado"]
    assert answer["categories"] == [] and answer["cooperatives"] == []


def test_cooperatives_are_suggested_by_any_word_of_their_name_but_only_when_approved(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    assert names(suggestions(client, "huda"), "cooperatives") == ["Koperasi Nurul Huda"]
    assert suggestions(client, "huda")["cooperatives"][0]["url"] == "/cooperatives/nurul-huda"
    # "Koperasi Tutup" is suspended.
    assert names(suggestions(client, "tutu"), "cooperatives") == []
    assert names(suggestions(client, "kop"), "cooperatives") == [
        "Koperasi Nurul Huda",
        "Koppontren Al-Hikmah",
    ]


def test_categories_answer_in_the_shoppers_language(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    client.set_cookie("opop_lang", "en")
    english = suggestions(client, "chil")
    assert names(english, "categories") == ["Chilli sauce"]
    # An Indonesian name still finds its category, named in English.
    assert names(suggestions(client, "samb"), "categories") == ["Chilli sauce"]


@pytest.mark.parametrize("typed", ["", " ", "k", "*", '"', "k)"])
def test_too_little_typed_suggests_nothing(
    client: FlaskClient, catalogue: Catalogue, typed: str
) -> None:
    assert suggestions(client, typed) == {"products": [], "categories": [], "cooperatives": []}


@pytest.mark.parametrize("typed", ['kerip"', "kerip OR batik", "kerip*", "NEAR(a b)", "a:*&b"])
def test_search_syntax_is_never_parsed(
    client: FlaskClient, catalogue: Catalogue, typed: str
) -> None:
    answer = suggestions(client, typed)
    assert set(answer) == {"products", "categories", "cooperatives"}


def test_at_most_five_products_in_one_query_for_the_products(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    for n in range(12):
        VariantFactory(
            product=ProductFactory(
                cooperative=catalogue.hikmah,
                category=catalogue.snacks,
                name=f"Keripik Pisang {n}",
                sold_count=n,
            ),
            price=1000,
        )
    db.session.commit()
    answer = suggestions(client, "pisang")
    assert names(answer, "products") == [f"Keripik Pisang {n}" for n in (11, 10, 9, 8, 7)]
    few = count_queries(client, "/search/suggestions?q=tempe")
    many = count_queries(client, "/search/suggestions?q=pisang")
    assert few == many


def test_the_answer_may_be_kept_a_minute_by_the_browser(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    response = client.get("/search/suggestions?q=kerip")
    assert response.cache_control.max_age == 60
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def test_the_search_field_names_where_to_ask_and_works_without_script(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'data-suggest-url="/search/suggestions"' in html
    assert 'src="/static/js/search-suggest.js' in html
    # Without the script the form is a plain GET search: no combobox role until it runs.
    assert 'role="combobox"' not in html
