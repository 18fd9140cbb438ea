"""The cart pages: adding from product pages and cards, changing, removing, the guest cookie and
the merge at login. Bad input gets a clear message or a 404 and changes nothing."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.cart.models import Cart, CartLine
from marketplace.catalogue.models import ProductStatus
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.extensions import db
from tests.conftest import login
from tests.factories import PriceTierFactory, UserFactory
from tests.shopping import stocked_variant


def cart_lines() -> list[tuple[int, int, int]]:
    return [
        (line.variant_id, line.quantity, line.unit_price_when_added)
        for line in db.session.scalars(select(CartLine).order_by(CartLine.id))
    ]


def add(client: FlaskClient, variant: object, quantity: object = 1, **extra: object) -> object:
    data = {
        "product": variant.product.slug,  # type: ignore[attr-defined]
        "variant_id": variant.id,  # type: ignore[attr-defined]
        "quantity": quantity,
        **extra,
    }
    return client.post("/cart/add", data=data)


def test_a_guest_adds_a_product_and_sees_it_in_the_cart(client: FlaskClient) -> None:
    variant = stocked_variant(10, price=15000, product__name="Keripik Tempe")
    response = add(client, variant, 2, next=f"/products/{variant.product.slug}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/products/{variant.product.slug}"
    assert "opop_cart=" in response.headers["Set-Cookie"]
    assert cart_lines() == [(variant.id, 2, 15000)]
    page = client.get("/cart").get_data(as_text=True)
    assert "Keripik Tempe" in page
    assert "Rp30.000" in page
    assert re.search(r'class="nav-count">2<', page)


def test_the_product_page_offers_a_variant_choice(client: FlaskClient) -> None:
    shirt = stocked_variant(3, name="M", product__name="Kemeja Batik")
    stocked_variant(0, name="L", product=shirt.product)
    html = client.get(f"/products/{shirt.product.slug}").get_data(as_text=True)
    assert "<legend>Pilih varian</legend>" in html
    assert re.search(
        rf'<input type="radio" id="variant-{shirt.id}" name="variant_id" value="{shirt.id}" '
        r'form="add-to-cart-form"',
        html,
    )
    assert 'data-availability-text="Habis"' in html
    assert 'action="/cart/add"' in html and 'id="add-to-cart-form"' in html


def test_product_cards_carry_an_add_to_cart_form(client: FlaskClient) -> None:
    variant = stocked_variant(10, product__name="Rengginang")
    html = client.get(f"/cooperatives/{variant.product.cooperative.slug}").get_data(as_text=True)
    assert f'name="variant_id" value="{variant.id}"' in html
    # The product's name is in the button's accessible name, right after the visible words.
    assert 'aria-label="Tambah ke keranjang: Rengginang">Tambah ke keranjang</button>' in html


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Jumlah minimal 1."),
        ("-3", "Jumlah minimal 1."),
        ("dua", "Isi dengan angka bulat, misalnya 2."),
        ("1.5", "Isi dengan angka bulat, misalnya 2."),
        ("", "Isi jumlahnya."),
        ("1001", "Jumlah paling banyak 1000."),
        ("99999999999999999999", "Isi dengan angka bulat, misalnya 2."),
        ("11", "Stok Kopi Robusta hanya tinggal 10."),
    ],
)
def test_a_bad_quantity_is_refused_with_a_message(
    client: FlaskClient, quantity: str, message: str
) -> None:
    variant = stocked_variant(10, product__name="Kopi Robusta")
    response = add(client, variant, quantity)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert cart_lines() == []
    assert db.session.scalar(select(func.count()).select_from(Cart)) == 0
    assert "Set-Cookie" not in response.headers or "opop_cart" not in response.headers["Set-Cookie"]


def test_a_missing_variant_choice_is_refused(client: FlaskClient) -> None:
    variant = stocked_variant(10)
    response = client.post("/cart/add", data={"product": variant.product.slug, "quantity": "1"})
    assert response.status_code == 400
    assert "Pilih salah satu pilihan produk." in response.get_data(as_text=True)


@pytest.mark.parametrize("unavailable", ["archived", "hidden", "inactive", "suspended"])
def test_what_is_not_on_sale_is_not_found(client: FlaskClient, unavailable: str) -> None:
    variant = stocked_variant(10)
    if unavailable == "inactive":
        variant.is_active = False
    elif unavailable == "suspended":
        variant.product.cooperative.status = CooperativeStatus.SUSPENDED
    else:
        variant.product.status = ProductStatus(unavailable)
    db.session.commit()
    response = add(client, variant, 1)
    assert response.status_code == 404
    assert "Produk ini sedang tidak dijual." in response.get_data(as_text=True)
    assert cart_lines() == []


def test_an_unknown_variant_is_not_found(client: FlaskClient) -> None:
    variant = stocked_variant(10)
    response = client.post(
        "/cart/add", data={"product": variant.product.slug, "variant_id": "999999", "quantity": 1}
    )
    assert response.status_code == 404


def test_a_tampered_price_is_ignored(client: FlaskClient) -> None:
    variant = stocked_variant(10, price=25000)
    add(client, variant, 1, price="1", unit_price="1")
    assert cart_lines() == [(variant.id, 1, 25000)]
    assert "Rp25.000" in client.get("/cart").get_data(as_text=True)


def test_quantities_change_and_lines_go(client: FlaskClient) -> None:
    variant = stocked_variant(10, price=1000)
    add(client, variant, 1)
    [line] = db.session.scalars(select(CartLine)).all()
    assert client.post(f"/cart/lines/{line.id}", data={"quantity": "4"}).status_code == 302
    assert cart_lines() == [(variant.id, 4, 1000)]
    response = client.post(f"/cart/lines/{line.id}", data={"quantity": "0"})
    assert response.status_code == 400
    assert "Jumlah minimal 1." in response.get_data(as_text=True)
    assert cart_lines() == [(variant.id, 4, 1000)]
    assert client.post(f"/cart/lines/{line.id}/remove").status_code == 302
    assert cart_lines() == []


def test_a_quantity_over_the_stock_is_refused_on_the_cart_page(client: FlaskClient) -> None:
    variant = stocked_variant(5)
    add(client, variant, 1)
    [line] = db.session.scalars(select(CartLine)).all()
    response = client.post(f"/cart/lines/{line.id}", data={"quantity": "6"})
    assert response.status_code == 400
    assert "hanya tinggal 5" in response.get_data(as_text=True)
    assert cart_lines()[0][1] == 1


def test_another_users_cart_line_is_not_found(client: FlaskClient) -> None:
    variant = stocked_variant(10)
    other = client.application.test_client()
    add(other, variant, 2)
    [line] = db.session.scalars(select(CartLine)).all()
    UserFactory(email="budi@example.test")
    login(client, "budi@example.test")
    assert client.post(f"/cart/lines/{line.id}", data={"quantity": "1"}).status_code == 404
    assert client.post(f"/cart/lines/{line.id}", data={"quantity": "x"}).status_code == 404
    assert client.post(f"/cart/lines/{line.id}/remove").status_code == 404
    assert cart_lines() == [(variant.id, 2, 10000)]


def test_a_forged_cart_cookie_finds_nothing(client: FlaskClient) -> None:
    variant = stocked_variant(10)
    guest = client.application.test_client()
    add(guest, variant, 2)
    token = db.session.scalars(select(Cart.token)).one()
    client.set_cookie("opop_cart", token)  # the raw token, without the signature
    assert "Keranjang Anda masih kosong." in client.get("/cart").get_data(as_text=True)


def test_the_guest_cart_merges_into_the_users_cart_at_login(client: FlaskClient) -> None:
    user = UserFactory(email="ani@example.test")
    mine = stocked_variant(10, product__name="Madu Hutan")
    theirs = stocked_variant(10, product__name="Sirup Rosella")
    login(client, "ani@example.test")
    add(client, mine, 1)
    client.post("/account/logout")
    add(client, mine, 2)
    add(client, theirs, 3)
    response = login(client, "ani@example.test")
    assert response.status_code == 302
    assert "opop_cart=;" in response.headers.get("Set-Cookie", "")
    carts = db.session.scalars(select(Cart)).all()
    assert [c.user_id for c in carts] == [user.id]
    assert sorted(cart_lines()) == sorted([(mine.id, 3, 10000), (theirs.id, 3, 10000)])
    html = client.get("/cart").get_data(as_text=True)
    assert "Madu Hutan" in html and "Sirup Rosella" in html


def test_bulk_prices_show_on_the_cart_page(client: FlaskClient) -> None:
    variant = stocked_variant(100, price=10000)
    PriceTierFactory(variant=variant, min_quantity=10, unit_price=9000)
    add(client, variant, 12)
    html = client.get("/cart").get_data(as_text=True)
    assert "Rp108.000" in html and "harga grosir" in html


def test_adding_needs_the_csrf_token(client: FlaskClient, csrf_enabled: None) -> None:
    variant = stocked_variant(10)
    assert add(client, variant, 1).status_code == 400
    assert cart_lines() == []
