"""The shipping estimate before the cart: the product page shows the courier services to the
signed-in shopper's saved address, and "Cek ongkir" to a kecamatan picked from the lists
(by GET, one list at a time without JavaScript), at the prices checkout asks for the same
parcel; the cooperative's free-courier amount is shown with its other delivery options."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.catalogue.models import Product
from marketplace.extensions import db
from marketplace.shipping import estimate, table
from marketplace.shipping.zones import Zone
from tests.biteship_fake import FakeBiteship
from tests.conftest import login
from tests.factories import AddressFactory, CooperativeFactory, ProductFactory, UserFactory
from tests.queries import counted
from tests.regions_data import KEDUNDUNG
from tests.shopping import stocked_variant

pytestmark = pytest.mark.usefixtures("regions")


@pytest.fixture
def product(app_ctx: Flask) -> Product:
    """Keripik of 250 g, sold by two: a parcel of 500 g from Magersari, Kota Mojokerto."""
    cooperative = CooperativeFactory(kecamatan="Magersari", offers_courier=True)
    for zone, fee in ((Zone.DISTRICT, 6000), (Zone.CITY, 8000), (Zone.EAST_JAVA, 12000)):
        table.set_band(cooperative.id, zone, 1000, fee)
    variant = stocked_variant(
        10,
        product=ProductFactory(cooperative=cooperative, weight_grams=250, min_order_qty=2),
    )
    db.session.flush()
    return variant.product


def test_a_kecamatan_is_priced_at_a_postcode_inside_it(product: Product) -> None:
    genteng = estimate.district_destination("35.78.07")
    assert genteng == estimate.Destination("35.78.07", "60271", "Genteng, Kota Surabaya")
    found = estimate.estimate(product.cooperative, 500, genteng)
    assert [(r.code, r.price) for r in found.quote.rates] == [("table:east_java", 12000)]
    assert found.cheapest == 12000
    # A village, a regency or an unknown code is no kecamatan.
    for code in ("35.78.07.1002", "35.78", "99.99.99", "x"):
        assert estimate.district_destination(code) is None


def test_the_product_page_shows_the_price_to_the_shopper_s_saved_address(
    client: FlaskClient, product: Product
) -> None:
    user = UserFactory(email="ongkir@example.test")
    AddressFactory(user=user, **KEDUNDUNG)  # Magersari: the cooperative's own kecamatan
    anonymous = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Ke alamat Anda" not in anonymous
    assert "Kurir ke seluruh Indonesia" in anonymous
    assert f"/products/{product.slug}/ongkir" in anonymous
    login(client, "ongkir@example.test")
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Ke alamat Anda (Magersari, Kota Mojokerto)" in page
    assert "Kurir koperasi Satu kecamatan: <strong>Rp6.000</strong>" in page
    assert "Untuk paket 0,5 kg" in page


def test_the_saved_address_estimate_costs_two_queries(
    client: FlaskClient, product: Product
) -> None:
    user = UserFactory(email="hemat@example.test")
    AddressFactory(user=user, **KEDUNDUNG)
    login(client, "hemat@example.test")
    client.get(f"/products/{product.slug}")  # warm
    with counted(client.application) as with_address:
        client.get(f"/products/{product.slug}")
    db.session.delete(user.addresses[0])
    db.session.commit()
    with counted(client.application) as without:
        client.get(f"/products/{product.slug}")
    # The courier table's one query; the address is looked up either way.
    assert len(with_address) - len(without) == 1


def test_cek_ongkir_picks_a_kecamatan_one_list_at_a_time(
    client: FlaskClient, product: Product
) -> None:
    url = f"/products/{product.slug}/ongkir"
    first = client.get(url).get_data(as_text=True)
    assert '<option value="35">Jawa Timur</option>' in first
    assert "Ke " not in first.split("<h1", 1)[1].split("</form>", 1)[1]
    second = client.get(url, query_string={"province": "35"}).get_data(as_text=True)
    assert '<option value="35.78">Kota Surabaya</option>' in second
    third = client.get(url, query_string={"province": "35", "regency": "35.78"})
    assert '<option value="35.78.07">Genteng</option>' in third.get_data(as_text=True)
    done = client.get(
        url, query_string={"province": "35", "regency": "35.78", "district": "35.78.07"}
    )
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Ke Genteng, Kota Surabaya" in page
    assert "Kurir koperasi Jawa Timur: <strong>Rp12.000</strong>" in page
    # A kecamatan not under the regency chosen is dropped, not priced.
    wrong = client.get(
        url, query_string={"province": "35", "regency": "35.76", "district": "35.78.07"}
    ).get_data(as_text=True)
    assert "Rp12.000" not in wrong


def test_cek_ongkir_of_a_cooperative_without_courier_lists_its_other_options(
    client: FlaskClient, app_ctx: Flask
) -> None:
    cooperative = CooperativeFactory(offers_courier=False, local_delivery_fee=7000)
    product = stocked_variant(3, product=ProductFactory(cooperative=cooperative)).product
    page = client.get(
        f"/products/{product.slug}/ongkir",
        query_string={"province": "35", "regency": "35.78", "district": "35.78.07"},
    ).get_data(as_text=True)
    assert "Ambil sendiri di koperasi: gratis." in page
    assert "Antar dalam Kota Mojokerto: Rp7.000." in page
    assert "Kecamatan tujuan" not in page and "Kurir" not in page


def test_the_free_courier_amount_is_shown_with_the_delivery_options(
    client: FlaskClient, product: Product
) -> None:
    product.cooperative.free_courier_minimum = 100_000
    db.session.commit()
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Gratis ongkir kurir mulai belanja Rp100.000 dari koperasi ini." in page


def test_with_biteship_the_estimate_lists_each_courier_s_services(
    client: FlaskClient, product: Product, fake: FakeBiteship
) -> None:
    page = client.get(
        f"/products/{product.slug}/ongkir",
        query_string={"province": "35", "regency": "35.78", "district": "35.78.07"},
    ).get_data(as_text=True)
    assert "SiCepat Reguler (1 - 2 hari): <strong>Rp8.500</strong>" in page
    assert "JNE Reguler (2 - 3 hari): <strong>Rp9.000</strong>" in page
    [sent] = fake.requests
    assert sent.body["destination_postal_code"] == 60271


def test_an_unknown_product_has_no_cek_ongkir(client: FlaskClient, app_ctx: Flask) -> None:
    assert client.get("/products/tidak-ada/ongkir").status_code == 404
