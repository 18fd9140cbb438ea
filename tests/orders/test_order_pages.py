"""Checkout and the shopper's order pages, through the test client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from marketplace.cart.models import CartLine
from marketplace.extensions import db
from marketplace.orders.models import Order, VendorOrderStatus
from tests.conftest import login
from tests.factories import AddressFactory, CooperativeFactory, ProductFactory, UserFactory
from tests.shopping import NEW_ADDRESS_FORM, stocked_variant
from tests.shopping import place as place_order

# The checkout's new address is chosen from the region lists.
pytestmark = pytest.mark.usefixtures("regions")


def orders() -> list[Order]:
    return list(db.session.scalars(select(Order)))


def shopper(client: FlaskClient, **kwargs: Any) -> Any:
    user = UserFactory(email="ani@example.test", **kwargs)
    login(client, "ani@example.test")
    return user


def place(client: FlaskClient, user: Any, *items: Any) -> Order:
    """Place an order outside the client's requests (services need a request context)."""
    with client.application.test_request_context():
        order = place_order(user, *items)
        db.session.commit()  # as if another request placed it: a failed request's rollback keeps it
        return order


def add(client: FlaskClient, variant: Any, quantity: int = 1) -> None:
    response = client.post(
        "/cart/add",
        data={"product": variant.product.slug, "variant_id": variant.id, "quantity": quantity},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


#: A new address in Genteng, Kota Surabaya: outside the city local delivery reaches.
GENTENG_SURABAYA = {
    "regency_code": "35.78",
    "district_code": "35.78.07",
    "village_code": "35.78.07.1002",
    "postal_code": "60275",
}


def checkout_data(*variants: Any, **overrides: Any) -> dict[str, Any]:
    data = {**NEW_ADDRESS_FORM, "payment_method": "bank_transfer"}
    for variant in variants:
        data[f"delivery_{variant.cooperative_id}"] = "pickup"
    data.update(overrides)
    return data


def review_form(client: FlaskClient) -> dict[str, str]:
    html = client.get("/checkout/review").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html)
    total = re.search(r'name="expected_total" value="(\d+)"', html)
    assert key and total, html
    return {"idempotency_key": key.group(1), "expected_total": total.group(1)}


def test_a_guest_is_sent_to_log_in_before_checkout(client: FlaskClient) -> None:
    response = client.get("/checkout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/checkout"


def test_an_unverified_shopper_is_asked_to_verify_first(client: FlaskClient) -> None:
    shopper(client, email_verified_at=None)
    add(client, stocked_variant(5))
    for response in (client.get("/checkout"), client.post("/checkout/place")):
        assert response.status_code == 403
        assert "Verifikasi email dulu" in response.get_data(as_text=True)
    assert orders() == []


def test_an_empty_cart_goes_back_to_the_cart(client: FlaskClient) -> None:
    shopper(client)
    response = client.get("/checkout")
    assert response.status_code == 302 and response.headers["Location"] == "/cart"


def test_checkout_from_cart_to_order(client: FlaskClient) -> None:
    user = shopper(client)
    address = AddressFactory(user=user, label="Rumah", city="Kota Mojokerto")
    batik = stocked_variant(
        5,
        price=500000,
        name="L",
        product=ProductFactory(
            name="Kemeja Batik", cooperative=CooperativeFactory(name="Koppontren Miftahul Ulum")
        ),
    )
    chips = stocked_variant(
        50,
        price=15000,
        product=ProductFactory(
            name="Keripik Tempe",
            cooperative=CooperativeFactory(name="Koppontren Al-Hikmah", local_delivery_fee=8000),
        ),
    )
    add(client, batik, 1)
    add(client, chips, 2)

    page = client.get("/checkout").get_data(as_text=True)
    assert "<legend>Pengiriman dari Koppontren Al-Hikmah</legend>" in page
    assert "Antar lokal (Kota Mojokerto) · Rp8.000" in page
    assert f'value="{address.id}" checked' in page  # the saved default address is offered
    response = client.post(
        "/checkout",
        data={
            "address_choice": str(address.id),
            f"delivery_{batik.cooperative_id}": "pickup",
            f"delivery_{chips.cooperative_id}": "local_delivery",
            "payment_method": "bank_transfer",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/checkout/review"

    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Rp538.000" in review  # 500.000 + 30.000 + 8.000
    response = client.post("/checkout/place", data=review_form(client))
    [order] = orders()
    assert response.headers["Location"] == f"/orders/{order.number}"
    assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0

    detail = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Pesanan ini dibagi menjadi 2 bagian" in detail
    assert detail.count('class="card order-part"') == 2
    assert detail.count("Pesanan dibuat") == 2
    assert "Menunggu pembayaran Rp500.000 (Transfer bank) paling lambat" in detail
    assert "Menunggu pembayaran Rp38.000 (Transfer bank) paling lambat" in detail
    listing = client.get("/orders").get_data(as_text=True)
    assert order.number in listing and "Koppontren Miftahul Ulum" in listing
    receipt = client.get(f"/orders/{order.number}/receipt").get_data(as_text=True)
    assert "Kuitansi pesanan" in receipt and "Rp538.000" in receipt and "data-print" in receipt


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"address_choice": ""}, "Pilih alamat pengiriman."),
        ({"postal_code": "613"}, "Kode pos terdiri dari 5 angka."),
        ({"phone": "12345"}, "Nomor HP tidak valid"),
        ({"street": ""}, "Wajib diisi."),
        ({"payment_method": "bitcoin"}, "Pilih metode pembayaran."),
        ({"payment_method": "card"}, "Pilih metode pembayaran."),
        ({"DELIVERY": "free_delivery"}, "Pilih cara pengiriman untuk"),
        ({"DELIVERY": ""}, "Pilih cara pengiriman untuk"),
        (
            {"DELIVERY": "local_delivery", **GENTENG_SURABAYA},
            "Antar lokal Koppontren Uji",
        ),
        (
            {"DELIVERY": "local_delivery", "payment_method": "pay_at_pickup"},
            "Bayar saat mengambil hanya bisa",
        ),
    ],
)
def test_bad_checkout_choices_are_refused_with_a_message(
    client: FlaskClient, overrides: dict[str, str], message: str
) -> None:
    shopper(client)
    variant = stocked_variant(5)
    add(client, variant)
    if "DELIVERY" in overrides:
        overrides[f"delivery_{variant.cooperative_id}"] = overrides.pop("DELIVERY")
    response = client.post("/checkout", data=checkout_data(variant, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "checkout" not in session


def test_another_users_saved_address_cannot_be_chosen(client: FlaskClient) -> None:
    someone = AddressFactory()
    shopper(client)
    variant = stocked_variant(5)
    add(client, variant)
    response = client.post("/checkout", data=checkout_data(variant, address_choice=str(someone.id)))
    assert response.status_code == 400
    assert "Pilih alamat pengiriman." in response.get_data(as_text=True)


def test_a_tampered_total_places_nothing(client: FlaskClient) -> None:
    shopper(client)
    variant = stocked_variant(5, price=20000)
    add(client, variant, 2)
    client.post("/checkout", data=checkout_data(variant))
    form = review_form(client)
    for total in ("1", "-5", "abc"):
        response = client.post("/checkout/place", data={**form, "expected_total": total})
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "Harga atau ongkos kirim berubah" in text or "Formulir pesanan" in text
    assert orders() == []
    assert variant.reserved == 0


def test_a_tampered_price_field_changes_nothing(client: FlaskClient) -> None:
    shopper(client)
    variant = stocked_variant(5, price=20000)
    add(client, variant, 1)
    client.post("/checkout", data=checkout_data(variant, price="1", unit_price="1"))
    client.post("/checkout/place", data={**review_form(client), "price": "1"})
    [order] = orders()
    assert order.grand_total == 20000


def test_placing_twice_with_the_same_form_makes_one_order(client: FlaskClient) -> None:
    shopper(client)
    variant = stocked_variant(5)
    add(client, variant, 1)
    client.post("/checkout", data=checkout_data(variant))
    form = review_form(client)
    first = client.post("/checkout/place", data=form)
    second = client.post("/checkout/place", data=form)  # the session no longer holds choices
    assert first.headers["Location"] == second.headers["Location"]
    assert len(orders()) == 1
    assert variant.reserved == 1


def test_a_sold_out_item_at_placing_time_says_so(client: FlaskClient) -> None:
    shopper(client)
    variant = stocked_variant(2, product__name="Yogurt Stroberi")
    add(client, variant, 2)
    client.post("/checkout", data=checkout_data(variant))
    form = review_form(client)
    rival = UserFactory()
    place(client, rival, (variant, 1))
    response = client.post("/checkout/place", data=form)
    assert response.status_code == 400
    assert "Stok hanya tinggal 1" in response.get_data(as_text=True)
    assert len(orders()) == 1


def test_the_review_page_needs_choices_first(client: FlaskClient) -> None:
    shopper(client)
    add(client, stocked_variant(5))
    assert client.get("/checkout/review").headers["Location"] == "/checkout"


def test_another_users_order_is_not_found(client: FlaskClient) -> None:
    order = place(client, UserFactory())
    part = order.vendor_orders[0]
    shopper(client)
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.get(f"/orders/{order.number}/receipt").status_code == 404
    response = client.post(f"/orders/{order.number}/parts/{part.id}/cancel")
    assert response.status_code == 404
    db.session.refresh(part)
    assert part.status == VendorOrderStatus.AWAITING_PAYMENT


def test_a_part_of_another_order_is_not_found(client: FlaskClient) -> None:
    user = shopper(client)
    mine = place(client, user)
    theirs = place(client, UserFactory())
    part = theirs.vendor_orders[0]
    response = client.post(f"/orders/{mine.number}/parts/{part.id}/cancel")
    assert response.status_code == 404


def test_the_shopper_cancels_a_part_from_the_order_page(client: FlaskClient) -> None:
    user = shopper(client)
    variant = stocked_variant(5)
    order = place(client, user, (variant, 2))
    part = order.vendor_orders[0]
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Batalkan pesanan dari" in html
    response = client.post(
        f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": "Salah ukuran"}
    )
    assert response.status_code == 302
    db.session.refresh(part)
    assert (part.status, part.cancel_reason) == (VendorOrderStatus.CANCELLED, "Salah ukuran")
    assert variant.reserved == 0
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Batalkan pesanan dari" not in html
    assert "Alasan pembatalan: Salah ukuran" in html
    again = client.post(f"/orders/{order.number}/parts/{part.id}/cancel")
    assert again.status_code == 409


def test_a_too_long_cancellation_reason_is_refused(client: FlaskClient) -> None:
    user = shopper(client)
    order = place(client, user)
    part = order.vendor_orders[0]
    response = client.post(
        f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": "x" * 501}
    )
    assert response.status_code == 400
    assert "Paling banyak 500 karakter." in response.get_data(as_text=True)
    db.session.refresh(part)
    assert part.status == VendorOrderStatus.AWAITING_PAYMENT


def test_an_unknown_order_number_is_not_found(client: FlaskClient) -> None:
    shopper(client)
    assert client.get("/orders/OPOP-2026-999999").status_code == 404


def test_the_nav_links_to_the_cart_and_the_orders(client: FlaskClient) -> None:
    shopper(client)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/cart"' in html and 'href="/orders"' in html


def test_placing_and_cancelling_need_the_csrf_token(client: FlaskClient) -> None:
    user = shopper(client)
    variant = stocked_variant(5)
    order = place(client, user)
    add(client, variant)
    client.post("/checkout", data=checkout_data(variant))
    form = review_form(client)
    part = order.vendor_orders[0]
    client.application.config["WTF_CSRF_ENABLED"] = True
    try:
        cancel = client.post(f"/orders/{order.number}/parts/{part.id}/cancel")
        placing = client.post("/checkout/place", data=form)
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = False
    assert (cancel.status_code, placing.status_code) == (400, 400)
    db.session.refresh(part)
    assert part.status == VendorOrderStatus.AWAITING_PAYMENT
    assert len(orders()) == 1


def test_a_cancelled_part_leaves_the_orders_total(client: FlaskClient) -> None:
    user = shopper(client)
    batik = stocked_variant(5, price=50000)
    chips = stocked_variant(5, price=15000)
    order = place(client, user, (batik, 1), (chips, 2))
    assert order.grand_total == 80000
    chips_part = order.vendor_orders[1]
    response = client.post(f"/orders/{order.number}/parts/{chips_part.id}/cancel")
    assert response.status_code == 302

    detail = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Total Rp50.000 (semula Rp80.000; bagian yang dibatalkan tidak dihitung)" in detail
    listing = client.get("/orders").get_data(as_text=True)
    assert "Rp50.000</td>" in listing and "Rp80.000" not in listing
    payment = client.get(f"/orders/{order.number}/payment").get_data(as_text=True)
    assert "Total Rp50.000 (semula Rp80.000" in payment
    receipt = client.get(f"/orders/{order.number}/receipt").get_data(as_text=True)
    assert "<dt>Bagian yang dibatalkan</dt><dd>−Rp30.000</dd>" in receipt
    assert "<dd><strong>Rp50.000</strong></dd>" in receipt
    db.session.refresh(order)
    assert order.grand_total == 80000  # what was placed stays on record


def test_a_saved_address_without_its_region_is_asked_again(client: FlaskClient) -> None:
    user = shopper(client)
    old = AddressFactory(
        user=user,
        label="Rumah Lama",
        province_code=None,
        regency_code=None,
        district_code=None,
        village_code=None,
    )
    variant = stocked_variant(5)
    add(client, variant)
    page = client.get("/checkout").get_data(as_text=True)
    assert "Pilih wilayah untuk alamat Rumah Lama" in page
    assert f"/account/addresses/{old.id}/edit?next=/checkout" in page
    response = client.post("/checkout", data=checkout_data(variant, address_choice=str(old.id)))
    assert response.status_code == 400
    assert "Wilayah alamat ini belum dipilih dari daftar." in response.get_data(as_text=True)
    assert orders() == []
