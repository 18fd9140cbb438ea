"""The page's title and description in <title> and the meta tags: the text as typed (a search,
a product's or a cooperative's name), escaped, never able to add an attribute."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.cooperatives.models import CooperativeStatus
from marketplace.extensions import db
from tests.conftest import login
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, VariantFactory

#: Text that ends an attribute, or adds one, if it is written unescaped (or after the quotes of
#: a translation such as 'Hasil pencarian "%(q)s"').
HOSTILE = [
    'x" onload="alert(3)',
    "x onload=alert(3) y",
    "x' onfocus='alert(4)",
    '"><script>alert(5)</script>',
]


class Page(HTMLParser):
    """Every element's attributes, and the text of <title>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def meta(self, key: str) -> dict[str, str | None]:
        found = [
            attrs
            for tag, attrs in self.elements
            if tag == "meta" and key in (attrs.get("property"), attrs.get("name"))
        ]
        assert len(found) == 1, key
        return found[0]


def parsed(client: FlaskClient, url: str, **params: str) -> Page:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, url
    page = Page(response.get_data(as_text=True))
    injected = [
        (tag, name) for tag, attrs in page.elements for name in attrs if name.startswith("on")
    ]
    assert injected == [], "an event handler attribute on the page"
    scripts = [attrs for tag, attrs in page.elements if tag == "script"]
    assert all(attrs.get("src") or attrs.get("type") == "application/ld+json" for attrs in scripts)
    return page


def assert_meta(page: Page, title: str, description: str | None = None) -> None:
    assert page.title == f"{title} · Pasar OPOP Kota Mojokerto"
    og_title = page.meta("og:title")
    assert og_title == {"property": "og:title", "content": title}
    if description is not None:
        assert page.meta("description") == {"name": "description", "content": description}
        assert page.meta("og:description")["content"] == description


@pytest.mark.parametrize("text", HOSTILE)
def test_the_search_text_stays_inside_the_title_and_meta_tags(
    client: FlaskClient, text: str
) -> None:
    page = parsed(client, "/products", q=text)
    assert_meta(page, f'Hasil pencarian "{text}"')
    english = parsed(client, "/products", q=text, lang="en")
    assert_meta(english, f'Results for "{text}"')


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cooperatives_and_a_products_own_words_stay_inside_their_meta_tags(
    app: Flask, client: FlaskClient, text: str
) -> None:
    cooperative = CooperativeFactory(name=f"Koperasi {text}", description=f"Kami {text}")
    product = ProductFactory(
        cooperative=cooperative, name=f"Keripik {text}", description=f"Renyah {text}"
    )
    VariantFactory(product=product)
    db.session.commit()
    page = parsed(client, f"/cooperatives/{cooperative.slug}")
    assert_meta(page, f"Koperasi {text}", f"Kami {text}")
    page = parsed(client, f"/products/{product.slug}")
    assert_meta(page, f"Keripik {text}", f"Renyah {text}")


def test_an_applicants_cooperative_name_stays_inside_the_admin_pages_meta_tags(
    app: Flask, client: FlaskClient
) -> None:
    text = HOSTILE[1]
    applicant = CooperativeFactory(name=f"Koperasi {text}", status=CooperativeStatus.PENDING)
    UserFactory(email="admin@kota.test", is_city_admin=True)
    db.session.commit()
    assert login(client, "admin@kota.test").status_code == 302
    assert_meta(parsed(client, f"/admin/cooperatives/{applicant.id}"), f"Koperasi {text}")
