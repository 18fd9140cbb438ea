"""Checkout prices courier services for the address chosen (issue 22): each cooperative's own
table by the destination's zone and the parcel's weight, or Biteship's services when it is
configured (tests/biteship_fake.py); the service chosen, its price and how it read are kept on
the order's part, with the address's region codes; a service the address does not get is
refused, and a price changed since the shopper chose it is shown again before anything is
placed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.orders import checkout as order_checkout
from marketplace.orders.delivery import ShippingAddress, delivery_options
from marketplace.orders.exceptions import CheckoutProblem
from marketplace.orders.models import DeliveryMethod, Order
from marketplace.shipping import table
from marketplace.shipping.zones import Zone
from tests.biteship_fake import FakeBiteship
from tests.conftest import login
from tests.factories import AddressFactory, CooperativeFactory, ProductFactory, UserFactory
from tests.regions_data import KEDUNDUNG
from tests.shopping import ADDRESS, choices, fill_cart, place, stocked_variant

#: Kranggan (ADDRESS) is in the cooperative's city; Genteng, Surabaya in East Java; Gambir,
#: Jakarta in Java.
GENTENG = ShippingAddress(
    **{
        **ADDRESS.as_dict(),
        "kelurahan": "Genteng",
        "kecamatan": "Genteng",
        "city": "Kota Surabaya",
        "postal_code": "60275",
        "regency_code": "35.78",
        "district_code": "35.78.07",
        "village_code": "35.78.07.1002",
    }
)
GAMBIR = ShippingAddress(
    **{
        **ADDRESS.as_dict(),
        "kelurahan": "Gambir",
        "kecamatan": "Gambir",
        "city": "Kota Administrasi Jakarta Pusat",
        "province": "Daerah Khusus Ibukota Jakarta",
        "postal_code": "10110",
        "province_code": "31",
        "regency_code": "31.71",
        "district_code": "31.71.01",
        "village_code": "31.71.01.1001",
    }
)


@pytest.fixture
def cooperative(app_ctx: Flask) -> Cooperative:
    """In Magersari, Kota Mojokerto: Rp8.000 in the city and Rp12.000 in East Java up to 1 kg,
    twice that up to 5 kg; no courier to the rest of Java."""
    cooperative = CooperativeFactory(kecamatan="Magersari", offers_courier=True)
    for zone, fee in ((Zone.CITY, 8000), (Zone.EAST_JAVA, 12000)):
        table.set_band(cooperative.id, zone, 1000, fee)
        table.set_band(cooperative.id, zone, 5000, fee * 2)
    db.session.flush()
    return cooperative


def courier_fees(cooperative: Cooperative, grams: int, address: ShippingAddress | None) -> Any:
    offered = delivery_options(cooperative, grams, address)
    fees = [(o.rate.code, o.fee) for o in offered.options if o.rate is not None]
    return fees, offered.notice


def test_courier_services_are_priced_by_the_address_s_zone_and_the_parcel_s_weight(
    cooperative: Cooperative,
) -> None:
    assert courier_fees(cooperative, 800, ADDRESS) == ([("table:city", 8000)], None)
    assert courier_fees(cooperative, 1001, ADDRESS) == ([("table:city", 16000)], None)
    assert courier_fees(cooperative, 800, GENTENG) == ([("table:east_java", 12000)], None)
    fees, notice = courier_fees(cooperative, 800, GAMBIR)
    assert fees == [] and "Belum ada layanan kurir" in notice
    fees, notice = courier_fees(cooperative, 5001, ADDRESS)
    assert fees == [] and "seberat 5 kg" in notice
    # An address without its region (typed before the lists) gets no courier price.
    unplaced = ShippingAddress(**{**ADDRESS.as_dict(), "district_code": "", "village_code": ""})
    fees, notice = courier_fees(cooperative, 800, unplaced)
    assert fees == [] and "Pilih alamat dengan wilayah dari daftar" in notice
    # Pickup and local delivery do not depend on the address.
    methods = [o.method for o in delivery_options(cooperative, 800, None).options]
    assert methods == [DeliveryMethod.PICKUP, DeliveryMethod.LOCAL_DELIVERY]


def test_the_order_keeps_the_service_its_price_and_the_address_s_regions(
    cooperative: Cooperative,
) -> None:
    variant = stocked_variant(20, product=ProductFactory(cooperative=cooperative, weight_grams=400))
    order = place(None, (variant, 3), delivery=DeliveryMethod.COURIER)  # 1.2 kg to the city
    [part] = order.vendor_orders
    assert (order.delivery_total, part.delivery_fee) == (16000, 16000)
    assert (part.shipping_provider, part.courier_service_code) == ("table", "table:city")
    assert part.courier_service == "Kurir koperasi Satu kota/kabupaten"
    assert part.delivery_label == "Kurir · Kurir koperasi Satu kota/kabupaten"
    assert (order.province_code, order.regency_code, order.district_code) == (
        "35",
        "35.76",
        "35.76.03",
    )
    assert order.village_code == "35.76.03.1002"


def test_a_service_the_address_does_not_get_is_refused(cooperative: Cooperative) -> None:
    variant = stocked_variant(20, product=ProductFactory(cooperative=cooperative))
    user = UserFactory()
    fill_cart(user, (variant, 1))
    to_jakarta = choices(variant, delivery=DeliveryMethod.COURIER, address=GAMBIR)
    with pytest.raises(CheckoutProblem, match="tidak tersedia untuk alamat ini"):
        order_checkout.place_order(user, to_jakarta, order_checkout.new_idempotency_key())
    # The city's service, asked for a Surabaya address: listed there under another zone.
    wrong_zone = choices(variant, delivery=DeliveryMethod.COURIER)
    wrong_zone.address = GENTENG
    with pytest.raises(CheckoutProblem, match="tidak tersedia untuk alamat ini"):
        order_checkout.place_order(user, wrong_zone, order_checkout.new_idempotency_key())
    assert db.session.scalars(select(Order)).all() == []


# ------------------------------------------------------------------------------------------
# Through the pages
# ------------------------------------------------------------------------------------------


def shopper_with_cart(client: FlaskClient, cooperative: Cooperative, grams: int = 400) -> Any:
    """A signed-in shopper whose saved default address is Kedundung, Magersari (the
    cooperative's own kecamatan) and another in Genteng, Surabaya; one 400 g item in the cart."""
    user = UserFactory(email="kurir@example.test")
    home = AddressFactory(user=user, label="Rumah", is_default=True, **KEDUNDUNG)
    office = AddressFactory(
        user=user,
        label="Kantor",
        city="Kota Surabaya",
        kecamatan="Genteng",
        kelurahan="Genteng",
        postal_code="60275",
        province_code="35",
        regency_code="35.78",
        district_code="35.78.07",
        village_code="35.78.07.1002",
    )
    variant = stocked_variant(
        20, product=ProductFactory(cooperative=cooperative, weight_grams=grams)
    )
    fill_cart(user, (variant, 1))
    login(client, "kurir@example.test")
    return user, home, office, variant


def review_form(client: FlaskClient) -> tuple[str, dict[str, str]]:
    html = client.get("/checkout/review").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html)
    total = re.search(r'name="expected_total" value="(\d+)"', html)
    assert key and total, html
    return html, {"idempotency_key": key.group(1), "expected_total": total.group(1)}


def test_checkout_lists_the_services_for_the_address_chosen_and_again_when_it_changes(
    client: FlaskClient, cooperative: Cooperative
) -> None:
    table.set_band(cooperative.id, Zone.DISTRICT, 1000, 5000)
    _user, _home, office, _variant = shopper_with_cart(client, cooperative)
    field = f"delivery_{cooperative.id}"
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="courier:table:district"' in page
    assert "Kurir koperasi Satu kecamatan · Rp5.000" in page
    assert "table:east_java" not in page

    # The shopper picks the Surabaya address: the "update" button lists its services.
    refreshed = client.post(
        "/checkout",
        data={"address_choice": str(office.id), field: "pickup", "refresh": "1"},
    )
    assert refreshed.status_code == 200
    page = refreshed.get_data(as_text=True)
    assert "Kurir koperasi Jawa Timur · Rp12.000" in page
    assert "table:district" not in page
    with client.session_transaction() as session:
        assert "checkout" not in session  # updating the list chose nothing

    # The district's service, posted for the Surabaya address, is not among its choices.
    refused = client.post(
        "/checkout",
        data={
            "address_choice": str(office.id),
            field: "courier:table:district",
            "payment_method": "bank_transfer",
        },
    )
    assert refused.status_code == 400
    assert "Pilih cara pengiriman untuk" in refused.get_data(as_text=True)

    chosen = client.post(
        "/checkout",
        data={
            "address_choice": str(office.id),
            field: "courier:table:east_java",
            "payment_method": "bank_transfer",
        },
    )
    assert chosen.status_code == 302
    review, form = review_form(client)
    assert "Kurir · Kurir koperasi Jawa Timur" in review
    assert form["expected_total"] == str(10000 + 12000)  # the factory's price + the courier
    assert client.post("/checkout/place", data=form).status_code == 302
    [order] = db.session.scalars(select(Order)).all()
    assert (order.city, order.district_code) == ("Kota Surabaya", "35.78.07")
    assert order.vendor_orders[0].courier_service_code == "table:east_java"
    detail = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Kurir · Kurir koperasi Jawa Timur" in detail


def test_a_price_changed_after_choosing_is_shown_and_only_the_shown_price_is_placed(
    client: FlaskClient, cooperative: Cooperative
) -> None:
    _user, _home, office, _variant = shopper_with_cart(client, cooperative)
    response = client.post(
        "/checkout",
        data={
            "address_choice": str(office.id),
            f"delivery_{cooperative.id}": "courier:table:east_java",
            "payment_method": "bank_transfer",
        },
    )
    assert response.status_code == 302
    _review, stale = review_form(client)
    table.set_band(cooperative.id, Zone.EAST_JAVA, 1000, 13500)  # the cooperative edits it
    db.session.commit()

    review, fresh = review_form(client)
    assert (
        "Ongkos kirim Kurir · Kurir koperasi Jawa Timur dari "
        f"{cooperative.name} berubah dari Rp12.000 menjadi Rp13.500" in review
    )
    refused = client.post("/checkout/place", data=stale)
    assert refused.status_code == 400
    assert "Harga atau ongkos kirim berubah" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Order)).all() == []
    assert client.post("/checkout/place", data=fresh).status_code == 302
    [order] = db.session.scalars(select(Order)).all()
    assert order.vendor_orders[0].delivery_fee == 13500


def test_an_address_saved_before_regions_offers_no_courier_until_its_region_is_chosen(
    client: FlaskClient, cooperative: Cooperative
) -> None:
    user = UserFactory(email="lama@example.test")
    AddressFactory(
        user=user,
        label="Lama",
        is_default=True,
        **dict.fromkeys(KEDUNDUNG),  # typed before the region lists: no codes
    )
    variant = stocked_variant(5, product=ProductFactory(cooperative=cooperative))
    fill_cart(user, (variant, 1))
    login(client, "lama@example.test")
    page = client.get("/checkout").get_data(as_text=True)
    assert "courier:" not in page
    assert "Pilih alamat dengan wilayah dari daftar" in page
    assert "Pilih wilayah untuk alamat Lama" in page


def test_a_new_address_s_village_lists_its_services(
    client: FlaskClient, cooperative: Cooperative, regions: None
) -> None:
    UserFactory(email="baru@example.test")
    variant = stocked_variant(5, product=ProductFactory(cooperative=cooperative))
    client.post(
        "/cart/add",
        data={"product": variant.product.slug, "variant_id": variant.id, "quantity": 1},
    )
    login(client, "baru@example.test")
    client.post(
        "/cart/add",
        data={"product": variant.product.slug, "variant_id": variant.id, "quantity": 1},
    )
    response = client.post(
        "/checkout",
        data={
            "address_choice": "new",
            "province_code": "35",
            "regency_code": "35.78",
            "district_code": "35.78.07",
            "village_code": "35.78.07.1002",
            "refresh": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="courier:table:east_java"' in page
    assert 'value="60275"' in page  # the village's postcode, filled on the refresh


# ------------------------------------------------------------------------------------------
# With Biteship
# ------------------------------------------------------------------------------------------


def test_with_biteship_checkout_lists_each_courier_s_services_and_the_order_keeps_them(
    client: FlaskClient, cooperative: Cooperative, fake: FakeBiteship
) -> None:
    _user, home, _office, _variant = shopper_with_cart(client, cooperative, grams=1200)
    field = f"delivery_{cooperative.id}"
    page = client.get("/checkout").get_data(as_text=True)
    assert "SiCepat Reguler (1 - 2 hari) · Rp17.000" in page
    assert "JNE Reguler (2 - 3 hari) · Rp18.000" in page
    assert "JNE Yakin Esok Sampai (1 hari) · Rp36.000" in page
    assert "Kurir koperasi" not in page
    response = client.post(
        "/checkout",
        data={
            "address_choice": str(home.id),
            field: "courier:biteship:jne:reg",
            "payment_method": "bank_transfer",
        },
    )
    assert response.status_code == 302
    _review, form = review_form(client)
    assert client.post("/checkout/place", data=form).status_code == 302
    [order] = db.session.scalars(select(Order)).all()
    part = order.vendor_orders[0]
    assert (part.shipping_provider, part.courier_service_code, part.delivery_fee) == (
        "biteship",
        "biteship:jne:reg",
        18000,
    )
    assert part.courier_service == "JNE Reguler (2 - 3 hari)"
    # The checkout, the summary and the order asked Biteship once: the answer is cached.
    assert len(fake.requests) == 1


def test_when_biteship_fails_checkout_offers_the_cooperative_s_table_and_says_so(
    client: FlaskClient, cooperative: Cooperative, fake: FakeBiteship
) -> None:
    shopper_with_cart(client, cooperative)
    table.set_band(cooperative.id, Zone.DISTRICT, 1000, 5000)
    fake.fail_next(503, times=5)
    page = client.get("/checkout").get_data(as_text=True)
    assert "Tarif kurir online sedang tidak tersedia" in page
    assert "Kurir koperasi Satu kecamatan · Rp5.000" in page


# ------------------------------------------------------------------------------------------
# Free courier from an amount
# ------------------------------------------------------------------------------------------


def test_from_the_cooperative_s_minimum_the_cheapest_courier_service_is_free(
    cooperative: Cooperative,
) -> None:
    cooperative.free_courier_minimum = 50_000
    below = delivery_options(cooperative, 800, ADDRESS, items_total=49_999)
    assert [(o.key, o.fee) for o in below.options if o.rate] == [("courier:table:city", 8000)]
    assert below.notice == f"Belanja Rp1 lagi dari {cooperative.name} untuk gratis ongkir kurir."
    reached = delivery_options(cooperative, 800, ADDRESS, items_total=50_000)
    assert [(o.key, o.fee) for o in reached.options if o.rate] == [("courier:table:city", 0)]
    assert reached.notice is None
    # Pickup and local delivery are not touched.
    assert [o.fee for o in reached.options if o.rate is None] == [0, 10_000]

    variant = stocked_variant(20, product=ProductFactory(cooperative=cooperative, weight_grams=100))
    variant.price = 25_000
    order = place(None, (variant, 2), delivery=DeliveryMethod.COURIER)  # Rp50.000
    [part] = order.vendor_orders
    assert (part.delivery_fee, order.delivery_total, order.grand_total) == (0, 0, 50_000)
    assert part.courier_service_code == "table:city"


def test_with_biteship_only_the_cheapest_service_is_free(
    cooperative: Cooperative, fake: FakeBiteship
) -> None:
    cooperative.free_courier_minimum = 30_000
    offered = delivery_options(cooperative, 1200, ADDRESS, items_total=30_000)
    assert [(o.key, o.fee) for o in offered.options if o.rate] == [
        ("courier:biteship:sicepat:reg", 0),
        ("courier:biteship:jne:reg", 18000),
        ("courier:biteship:jne:yes", 36000),
    ]


def test_the_owner_sets_the_free_courier_minimum_on_the_profile(
    client: FlaskClient, cooperative: Cooperative
) -> None:
    from tests.factories import CooperativeMemberFactory

    owner = CooperativeMemberFactory(cooperative=cooperative).user
    login(client, owner.email)
    form = client.get("/vendor/profile").get_data(as_text=True)
    assert "Gratis ongkir kurir mulai belanja (Rp)" in form
    data = {
        "description": cooperative.description,
        "kelurahan": cooperative.kelurahan,
        "address": cooperative.address,
        "postal_code": cooperative.postal_code,
        "whatsapp": "081234567890",
        "local_delivery_fee": "10.000",
    }
    refused = client.post("/vendor/profile", data={**data, "free_courier_minimum": "0"})
    assert refused.status_code == 400
    db.session.refresh(cooperative)
    assert cooperative.free_courier_minimum is None
    saved = client.post("/vendor/profile", data={**data, "free_courier_minimum": "100.000"})
    assert saved.status_code == 302
    db.session.refresh(cooperative)
    assert cooperative.free_courier_minimum == 100_000
    cleared = client.post("/vendor/profile", data={**data, "free_courier_minimum": ""})
    assert cleared.status_code == 302
    db.session.refresh(cooperative)
    assert cooperative.free_courier_minimum is None
