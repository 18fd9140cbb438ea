"""Full-text search: prefixes, case, ranking, both backends behind one interface."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import ARRAY, Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import TSQUERY

from marketplace.catalogue.models import Product, ProductStatus
from marketplace.catalogue.search import ProductQuery, search_products, search_terms
from marketplace.catalogue.text_search import _near, _tsquery_word, closest_words
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from tests.catalogue.conftest import Catalogue
from tests.factories import ProductFactory


def names(app: Flask, **query: object) -> list[str]:
    with app.test_request_context():
        result = search_products(ProductQuery(**query), today=date.today())  # type: ignore[arg-type]
        return [p.name for p in result.products]


def test_a_word_prefix_finds_the_word_in_any_case(app: Flask, catalogue: Catalogue) -> None:
    # The sambal's description mentions keripik too.
    assert set(names(app, text="kerip")) == {
        "Keripik Tempe Original",
        "Keripik Singkong Balado",
        "Sambal Bawang Pedas",
    }
    assert set(names(app, text="SINGK")) == {"Keripik Singkong Balado"}
    assert set(names(app, text="KERIP")) == set(names(app, text="kerip"))


def test_every_word_must_match(app: Flask, catalogue: Catalogue) -> None:
    assert names(app, text="keripik tempe") == ["Keripik Tempe Original"]


def test_search_covers_description_category_and_cooperative(
    app: Flask, catalogue: Catalogue
) -> None:
    assert names(app, text="renyah") == ["Keripik Tempe Original"]
    assert set(names(app, text="chilli")) == {"Sambal Bawang Pedas"}
    assert set(names(app, text="hikmah")) == {"Keripik Tempe Original", "Keripik Singkong Balado"}


def test_results_are_ranked_by_relevance(app: Flask, catalogue: Catalogue) -> None:
    # "keripik" is in both keripik names, but only in the sambal's description.
    ranked = names(app, text="keripik")
    assert ranked[-1] == "Sambal Bawang Pedas"
    assert set(ranked[:2]) == {"Keripik Tempe Original", "Keripik Singkong Balado"}


def test_hidden_products_are_never_found(app: Flask, catalogue: Catalogue) -> None:
    found = names(app, text="keripik")
    assert "Keripik Rahasia Draf" not in found
    assert "Keripik Koperasi Tutup" not in found


def test_products_leave_and_rejoin_the_search_with_their_visibility(
    app: Flask, catalogue: Catalogue
) -> None:
    """A product that stops being active, or whose cooperative stops being approved, is no
    longer found (nor counted); made visible again, it is found again. (On PostgreSQL the
    search rows hold visible products only, kept so by triggers on both tables.)"""
    with app.app_context():
        tempe = db.session.get(Product, catalogue.tempe.id)
        assert tempe is not None
        tempe.status = ProductStatus.ARCHIVED
        db.session.commit()
    assert "Keripik Tempe Original" not in names(app, text="keripik")
    with app.app_context():
        tempe = db.session.get(Product, catalogue.tempe.id)
        assert tempe is not None
        tempe.status = ProductStatus.ACTIVE
        db.session.commit()
    assert "Keripik Tempe Original" in names(app, text="keripik")

    def total(text: str) -> int:
        with app.test_request_context():
            return search_products(ProductQuery(text=text), today=date.today()).total

    before = total("keripik")
    with app.app_context():
        hikmah = db.session.get(Cooperative, catalogue.hikmah.id)
        assert hikmah is not None
        hikmah.status = CooperativeStatus.SUSPENDED
        db.session.commit()
    assert names(app, text="keripik") == ["Sambal Bawang Pedas"]
    assert total("keripik") == before - 2
    with app.app_context():
        hikmah = db.session.get(Cooperative, catalogue.hikmah.id)
        assert hikmah is not None
        hikmah.status = CooperativeStatus.APPROVED
        db.session.commit()
    assert total("keripik") == before
    assert "Keripik Singkong Balado" in names(app, text="singk")


def test_the_index_follows_product_edits(app: Flask, catalogue: Catalogue) -> None:
    catalogue.tempe.name = "Kripik Tempe Sagu"
    db.session.commit()
    assert names(app, text="sagu") == ["Kripik Tempe Sagu"]
    assert "Kripik Tempe Sagu" not in names(app, text="original")


def test_the_index_follows_cooperative_and_category_renames(
    app: Flask, catalogue: Catalogue
) -> None:
    catalogue.huda.name = "Koperasi Barokah"
    catalogue.fashion.name = "Sandang"
    db.session.commit()
    assert set(names(app, text="barokah")) == {"Sambal Bawang Pedas", "Kemeja Batik Tulis"}
    assert names(app, text="sandang") == ["Kemeja Batik Tulis"]


@pytest.mark.parametrize(
    "nasty",
    [
        '"',
        "*",
        "OR",
        "NEAR(",
        "keripik OR 1=1",
        "'; DROP TABLE products; --",
        "a" * 10_000,
        "٣٤ 中文 🙂",
        "kerip*",
        "-tempe",
        "NOT",
        "^",
        "(",
        "\x00",
    ],
)
def test_operators_and_junk_are_words_not_syntax(
    app: Flask, catalogue: Catalogue, nasty: str
) -> None:
    names(app, text=nasty)  # must not raise


def test_terms_are_extracted_safely() -> None:
    assert search_terms('Keripik "tempe" OR *') == ["keripik", "tempe", "or"]
    assert len(search_terms("kata " * 100)) == 8


def test_a_typo_still_finds_the_product(app: Flask, catalogue: Catalogue) -> None:
    assert "Keripik Tempe Original" in names(app, text="keripk tempe")
    assert "Sambal Bawang Pedas" in names(app, text="sambel")


def test_a_word_the_index_finds_is_not_also_matched_by_similarity(
    app: Flask, catalogue: Catalogue
) -> None:
    # "sambal" is in the catalogue, so "Sambel Ijo" (similar, not the word) is not dragged in;
    # "sambel" is in it now as well, so it finds only that one.
    with app.app_context():
        ProductFactory(
            cooperative=catalogue.hikmah, category=catalogue.snacks, name="Sambel Ijo", slug="ijo"
        )
        db.session.commit()
    assert names(app, text="sambal") == ["Sambal Bawang Pedas"]
    assert names(app, text="sambel") == ["Sambel Ijo"]
    # Found by neither prefix: taken for "sambal", one edit away ("sambel" is two).
    with app.test_request_context():
        result = search_products(ProductQuery(text="sambak"), today=date.today())
    assert result.corrections == {"sambak": ["sambal"]}
    assert [p.name for p in result.products] == ["Sambal Bawang Pedas"]
    assert names(app, text="sambxl") == ["Sambal Bawang Pedas", "Sambel Ijo"]  # one from each


def test_a_new_products_words_can_correct_a_typo(app: Flask, catalogue: Catalogue) -> None:
    """The dictionary that typos are corrected against follows the catalogue: a product added
    now brings its words, and a typo of one finds it, the page saying what was searched."""
    assert names(app, text="dodl nanas") == []
    with app.app_context():
        ProductFactory(
            cooperative=catalogue.hikmah,
            category=catalogue.snacks,
            name="Dodol Nanas Subang",
            slug="dodol-nanas",
        )
        db.session.commit()
    with app.test_request_context():
        result = search_products(ProductQuery(text="dodl nanas"), today=date.today())
    assert [p.name for p in result.products] == ["Dodol Nanas Subang"]
    assert result.corrections == {"dodl": ["dodol"]}
    html = app.test_client().get("/products?q=dodl+nanas").get_data(as_text=True)
    assert "Menampilkan hasil untuk: dodol." in html
    assert "Dodol Nanas Subang" in html


def test_a_typo_like_nothing_in_the_catalogue_finds_nothing(
    app: Flask, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        result = search_products(ProductQuery(text="qzxwv"), today=date.today())
    assert (result.total, result.products, result.corrections) == (0, [], {"qzxwv": []})
    html = app.test_client().get("/products?q=qzxwv").get_data(as_text=True)
    assert "Tidak ada produk yang cocok." in html and "Menampilkan hasil untuk" not in html


@pytest.mark.postgres
@pytest.mark.parametrize("word", ["it's", "a\\b", "oleh-oleh", "'';--", "kata kata"])
def test_a_corrected_word_is_searched_as_it_is(app: Flask, word: str) -> None:
    """Words from the dictionary go into the query as quoted lexemes, never parsed: quotes,
    backslashes and operators in them match themselves."""
    with app.app_context():
        matches = db.session.scalar(
            select(
                func.array_to_tsvector(literal([word], ARRAY(Text))).op("@@")(
                    cast(literal(_tsquery_word(word)), TSQUERY)
                )
            )
        )
    assert matches is True


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("keripk", "keripik"),  # a letter dropped
        ("btaik", "batik"),  # two swapped
        ("bitik", "batik"),  # one replaced
        ("minreal", "mineral"),
        ("kerpi", "keripik"),  # the start of a word, with a slip, still being typed
        ("krma", "kurma"),
    ],
)
def test_a_typo_is_taken_for_the_word_fewest_edits_away(typed: str, meant: str) -> None:
    words = ["keripik", "batik", "biru", "mineral", "miniatur", "kurma", "kranggan", "kerupuk"]
    assert closest_words(typed, words)[0] == meant


def test_a_typo_too_far_from_every_word_is_taken_for_none() -> None:
    words = ["keripik", "batik", "kurma"]
    assert closest_words("kxrx", words) == []  # two edits from "kurm…": a short word allows one
    assert closest_words("kxrxpxk", words) == []  # three from "keripik": a long one allows two
    assert closest_words("bxtxk", words) == ["batik"]


def test_only_the_words_fewest_edits_away_are_taken_whole_words_first() -> None:
    words = ["sambel", "sambal", "sampah", "samba", "sambalado", "sambil"]
    assert closest_words("sambak", words) == ["sambal", "samba", "sambalado"]
    assert closest_words("sambek", ["sambal", "sambel"]) == ["sambel"]
    # "bakar" is one edit from "batk" only by its start ("bak"): whole words come first.
    words = ["bakar", "batik", "bata", "batu", "batok", "bahan"]
    assert closest_words("batk", words) == ["bata", "batu", "batik", "batok"]
    assert closest_words("batk", words, limit=2) == ["bata", "batu"]
    # Then the words products are named with, before words of descriptions only.
    assert closest_words("batk", words, preferred={"batik", "bakar"}) == [
        "batik",
        "bata",
        "batu",
        "batok",
    ]


def test_a_typo_is_first_taken_for_a_word_products_are_named_with(
    app: Flask, catalogue: Catalogue
) -> None:
    """The typo "kemja" is one edit from "kemeja" (a product's name) and from "kerja" (only in
    a description): the name's word comes first, and its products first in the results."""
    with app.app_context():
        ProductFactory(
            cooperative=catalogue.hikmah,
            category=catalogue.snacks,
            name="Rengginang Ketan",
            slug="rengginang",
            description="Digoreng pada hari kerja.",
        )
        db.session.commit()
    with app.test_request_context():
        result = search_products(ProductQuery(text="kemja"), today=date.today())
    assert result.corrections == {"kemja": ["kemeja", "kerja"]}
    assert [p.name for p in result.products] == ["Kemeja Batik Tulis", "Rengginang Ketan"]


def test_a_whole_dictionary_is_weighed_as_its_few_candidates_would_be() -> None:
    """SQLite weighs every word of the dictionary: what it keeps must be what the word-by-word
    rule keeps (the rule is applied here by hand to each word)."""
    import random

    from rapidfuzz.distance import OSA

    rng = random.Random(24)
    words = {
        "".join(rng.choice("aiueokbtsmpnrlgdjh") for _ in range(rng.randint(3, 11)))
        for _ in range(3000)
    } | {"keripik", "pondok", "kemeja", "batik", "kerja"}
    for term in ("keripk", "gndok", "kemja", "batk", "kerpi", "ab", "xqzt"):
        allowed = 1 if len(term) <= 4 else 2
        by_hand = [
            word
            for word in words
            if OSA.distance(term, word) <= allowed
            or any(
                OSA.distance(term, word[:n]) <= allowed
                for n in range(max(1, len(term) - 1), len(term) + 2)
            )
        ]
        assert _near(term, words, allowed) == set(by_hand), term
        assert closest_words(term, words) == closest_words(term, by_hand), term
