"""Typos and the city's synonyms, on both databases: a misspelt word finds the products of the
word it was meant as, the page says what it searched for and links to the word as spelt; a
word of a synonym group also finds its other words. The dictionary of the catalogue's words
follows the catalogue's writes and holds only what the public may see."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.catalogue import synonyms
from marketplace.catalogue.search import ProductQuery, search_products
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from tests.catalogue.conftest import Catalogue, make_catalogue
from tests.factories import ProductFactory, UserFactory

CARD_NAME = re.compile(r'<h3 class="product-card__name">([^<]+)</h3>')


def page(client: FlaskClient, query: str) -> tuple[list[str], str]:
    response = client.get("/products", query_string={"q": query})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return [html_lib.unescape(name) for name in CARD_NAME.findall(text)], html_lib.unescape(text)


def suggestion(text: str) -> tuple[str, str] | None:
    """The "Maksud Anda" link's query and words, if the page has one."""
    match = re.search(r'Maksud Anda: <a href="([^"]+)">([^<]+)</a>\?', text)
    if match is None:
        return None
    return parse_qs(urlsplit(match.group(1)).query)["q"][0], match.group(2)


@pytest.mark.parametrize(
    ("typed", "expected", "shown", "meant"),
    [
        ("kripik", "Keripik Tempe Original", "keripik", "keripik"),
        ("keripk", "Keripik Singkong Balado", "keripik", "keripik"),
        ("kemja batk", "Kemeja Batik Tulis", "kemeja", "kemeja batik"),
        ("gndok", "Sambal Bawang Pedas", "pondok", "pondok"),  # "Pondok Pesantren …"
    ],
)
def test_a_typo_finds_what_it_was_meant_as_and_says_so(
    client: FlaskClient, catalogue: Catalogue, typed: str, expected: str, shown: str, meant: str
) -> None:
    names, text = page(client, typed)
    assert expected in names
    first = typed.split()[0]
    assert f'Tidak ada produk dengan kata "{first}". Menampilkan hasil untuk: {shown}.' in text
    assert suggestion(text) == (meant, meant)
    # The link searches the words as spelt: found at once, nothing corrected.
    again, corrected = page(client, meant)
    assert expected in again
    assert "Menampilkan hasil untuk" not in corrected and suggestion(corrected) is None


def test_a_word_spelt_right_shows_no_correction(client: FlaskClient, catalogue: Catalogue) -> None:
    names, text = page(client, "keripik")
    assert "Keripik Tempe Original" in names
    assert "Menampilkan hasil untuk" not in text and suggestion(text) is None


def test_a_hidden_products_words_correct_no_typo(app: Flask, catalogue: Catalogue) -> None:
    """The word "rahasia" is only in a draft: the public may not learn it from a correction."""
    with app.test_request_context():
        result = search_products(ProductQuery(text="rahasa"), today=date.today())
    assert (result.total, result.corrections) == (0, {"rahasa": []})


def test_a_cooperative_approved_again_brings_its_words(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    """The suspended cooperative's product is named "Keripik Koperasi Tutup"; "tutup" is in
    no visible product until the cooperative is approved again."""
    assert page(client, "tutpu")[0] == []
    with app.app_context():
        closed = db.session.get(Cooperative, catalogue.suspended.id)
        assert closed is not None
        closed.status = CooperativeStatus.APPROVED
        db.session.commit()
    names, text = page(client, "tutpu")
    assert names == ["Keripik Koperasi Tutup"]
    assert "Menampilkan hasil untuk: tutup." in text


def test_a_renamed_products_new_words_correct_typos(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    catalogue.tempe.name = "Keripik Tempe Sagu Lempeng"
    db.session.commit()
    names, text = page(client, "lempneg")
    assert names == ["Keripik Tempe Sagu Lempeng"]
    assert suggestion(text) == ("lempeng", "lempeng")


def test_the_suggestion_keeps_the_other_filters(client: FlaskClient, catalogue: Catalogue) -> None:
    response = client.get("/products", query_string={"q": "keripk", "sort": "price_asc"})
    text = html_lib.unescape(response.get_data(as_text=True))
    match = re.search(r'Maksud Anda: <a href="([^"]+)">', text)
    assert match is not None
    assert parse_qs(urlsplit(match.group(1)).query) == {"q": ["keripik"], "sort": ["price_asc"]}


# ---------------------------------------------------------------------------------------------
# Synonyms and spelling variants
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def city_admin(app: Flask):  # type: ignore[no-untyped-def]
    return UserFactory(email="kota@example.test", is_city_admin=True)


def test_by_default_jilbab_and_hijab_find_each_other(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.app_context():
        ProductFactory(
            cooperative=catalogue.huda, category=catalogue.fashion, name="Hijab Segi Empat"
        )
        ProductFactory(
            cooperative=catalogue.huda, category=catalogue.fashion, name="Jilbab Instan Anak"
        )
        db.session.commit()
    for word in ("jilbab", "hijab", "JILBAB"):
        names, text = page(client, word)
        assert set(names) == {"Hijab Segi Empat", "Jilbab Instan Anak"}
        assert "Menampilkan hasil untuk" not in text and suggestion(text) is None
    assert page(client, "hijab segi")[0] == ["Hijab Segi Empat"]  # every word still counts


def test_a_variant_the_city_adds_finds_its_words(
    app: Flask, client: FlaskClient, catalogue: Catalogue, city_admin
) -> None:
    # Without the group, "kripik" is a typo: corrected, and the page says so.
    assert "Menampilkan hasil untuk: keripik." in page(client, "kripik")[1]
    with app.app_context():
        synonyms.save(city_admin, "kripik, keripik\njilbab hijab")
        db.session.commit()
    names, text = page(client, "kripik tempe")
    assert names == ["Keripik Tempe Original"]
    assert "Menampilkan hasil untuk" not in text and suggestion(text) is None
    # A product spelt the other way is found by the usual spelling too.
    with app.app_context():
        ProductFactory(cooperative=catalogue.hikmah, category=catalogue.snacks, name="Kripik Usus")
        db.session.commit()
    assert set(page(client, "keripik")[0]) >= {"Kripik Usus", "Keripik Tempe Original"}
    # Taken out of the list, the variant is a typo again.
    with app.app_context():
        synonyms.save(city_admin, "jilbab, hijab")
        db.session.commit()
    assert page(client, "kripik")[0] == ["Kripik Usus"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("kripik", "Baris 1: tulis paling sedikit dua kata berbeda."),
        ("kripik, KRIPIK", "Baris 1: tulis paling sedikit dua kata berbeda."),
        ("jilbab, hijab\noleh-oleh, buah tangan", 'Baris 2: "oleh-oleh" bukan satu kata.'),
        ("a, " + "b" * 41, "Baris 1 terlalu panjang."),
    ],
)
def test_a_wrong_list_is_refused_whole(
    app: Flask, catalogue: Catalogue, city_admin, typed: str, message: str
) -> None:
    with app.test_request_context():
        before = synonyms.groups()
        with pytest.raises(synonyms.InvalidSynonyms) as refused:
            synonyms.save(city_admin, typed)
        assert refused.value.message == message
        assert synonyms.groups() == before


def test_words_are_folded_as_the_search_folds_them(app: Flask, city_admin) -> None:
    with app.test_request_context():
        assert synonyms.parse("  Kripik ,KERIPIK keripik\n\n Café, kafe ") == [
            ["kripik", "keripik"],
            ["cafe", "kafe"],
        ]


def test_the_migration_fills_the_dictionary_from_the_visible_products(
    committed_app: Flask,
) -> None:
    """Down past the revision that adds the dictionary on SQLite (a no-op on PostgreSQL, whose
    dictionary is older) and up again: the products already there bring their words."""
    from flask_migrate import downgrade, upgrade

    with committed_app.app_context():
        make_catalogue()
        db.session.commit()
        downgrade(revision="5d1e8a3c7f20")
        upgrade()
    with committed_app.test_request_context():
        typo = search_products(ProductQuery(text="keripk tempe"), today=date.today())
        hidden = search_products(ProductQuery(text="rahasa"), today=date.today())
    assert [p.name for p in typo.products] == ["Keripik Tempe Original"]
    assert typo.corrections == {"keripk": ["keripik"]}
    assert hidden.corrections == {"rahasa": []}
