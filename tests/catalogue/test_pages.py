"""Product, cooperative and sharing pages."""

from __future__ import annotations

import io
import json
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from marketplace.catalogue.images import add_product_image
from marketplace.extensions import db
from tests.catalogue.conftest import Catalogue
from tests.factories import VariantFactory


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_product_page_shows_price_tiers_minimum_and_certificates(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    catalogue.tempe.min_order_qty = 5
    catalogue.tempe.pirt_number = "206357601010828"
    db.session.commit()
    html = page(client, "/products/keripik-tempe")
    assert "Rp8.000" in html
    assert "Harga grosir" in html and "Rp7.000" in html
    assert "Minimal pembelian 5 bungkus." in html
    assert "ID35110000000000001" in html and "206357601010828" in html
    assert "Stok tersedia" in html


def test_availability_reads_only_n_left_and_sold_out(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    assert "Tinggal 3" in page(client, "/products/sambal-bawang")
    assert "Habis" in page(client, "/products/keripik-singkong")


def test_an_expired_halal_certificate_is_flagged(client: FlaskClient, catalogue: Catalogue) -> None:
    html = page(client, "/products/keripik-singkong")
    assert "Sertifikat halal produk ini sudah kedaluwarsa." in html
    assert "Kedaluwarsa" in html


def test_variants_are_offered_with_their_own_price_and_availability(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    shirt = catalogue.batik
    shirt.variants[0].name = "M"
    VariantFactory(product=shirt, name="XL", options={"Ukuran": "XL"}, price=475000, sku="KB-XL")
    db.session.commit()
    html = page(client, "/products/kemeja-batik")
    assert html.count('name="variant_id"') == 2
    assert 'data-price-text="Rp475.000"' in html
    assert 'data-availability-text="Habis"' in html
    assert "Pilih varian" in html
    assert "Pilih varian" not in page(client, "/products/keripik-tempe")


def test_the_whatsapp_link_names_the_product_in_indonesian(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    catalogue.hikmah.whatsapp = "6281234567890"
    db.session.commit()
    html = page(client, "/products/keripik-tempe?lang=en")
    assert (
        "https://wa.me/6281234567890?text=Halo%2C%20saya%20tertarik%20dengan%20Keripik%20Tempe"
        in html
    )
    assert "Chat on WhatsApp" in html


def test_related_products_come_from_the_same_category(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = page(client, "/products/keripik-tempe")
    related = html.split("Produk terkait", 1)[1]
    assert "Keripik Singkong Balado" in related
    assert "Sambal Bawang Pedas" not in related
    assert "Keripik Rahasia Draf" not in related


def test_pages_carry_titles_canonical_open_graph_and_json_ld(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    html = page(client, "/products/keripik-tempe")
    assert "<title>Keripik Tempe Original · Pasar OPOP Kota Mojokerto</title>" in html
    assert '<link rel="canonical" href="http://localhost/products/keripik-tempe">' in html
    assert '<meta property="og:type" content="product">' in html
    match = re.search(r'<script type="application/ld\+json">(.+?)</script>', html, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert data["@type"] == "Product"
    assert data["offers"]["priceCurrency"] == "IDR"
    assert data["offers"]["price"] == 8000
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    listing = page(client, "/products?q=keripik&page=1&sort=price_asc")
    assert '<link rel="canonical" href="http://localhost/products?q=keripik">' in listing


def test_the_cooperative_storefront_and_list(client: FlaskClient, catalogue: Catalogue) -> None:
    html = page(client, "/cooperatives/al-hikmah")
    assert "Koppontren Al-Hikmah" in html and "Kecamatan Magersari" in html
    assert "Keripik Tempe Original" in html and "Sambal Bawang Pedas" not in html
    assert "Keripik Rahasia Draf" not in html
    listing = page(client, "/cooperatives")
    assert "Koppontren Al-Hikmah" in listing and "Koperasi Nurul Huda" in listing
    assert "Koperasi Tutup" not in listing


def test_sitemap_lists_public_pages_only(client: FlaskClient, catalogue: Catalogue) -> None:
    xml = page(client, "/sitemap.xml")
    assert "<loc>http://localhost/products/keripik-tempe</loc>" in xml
    assert "keripik-draf" not in xml and "keripik-tutup" not in xml
    assert "/cooperatives/al-hikmah" in xml and "/cooperatives/tutup" not in xml
    robots = page(client, "/robots.txt")
    assert "Sitemap: http://localhost/sitemap.xml" in robots
    assert "Disallow: /account/" in robots


def test_photos_get_thumbnails_made_once_and_lazy_loading(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (1000, 800), (200, 120, 40)).save(picture, "PNG")
    with app.test_request_context():
        image = add_product_image(catalogue.tempe.id, picture.getvalue(), "Keripik di toples")
        db.session.commit()
    assert sorted(image.renditions, key=int) == ["320", "640", "1000"]
    assert (image.width, image.height) == (1000, 800)
    html = page(client, "/products")
    assert 'loading="lazy"' in html or 'loading="eager"' in html
    assert "320w" in html and "1000w" in html
    assert 'alt="Keripik di toples"' in html
    thumb = client.get(f"/media/{image.renditions['320']}")
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    assert Image.open(io.BytesIO(thumb.data)).size == (320, 256)


def test_media_paths_cannot_escape_the_upload_folder(client: FlaskClient) -> None:
    assert client.get("/media/../config.py").status_code == 404
    assert client.get("/media/%2e%2e/%2e%2e/etc/passwd").status_code == 404


def test_certificate_dates_are_shown_in_the_users_language(
    client: FlaskClient, catalogue: Catalogue
) -> None:
    catalogue.tempe.halal_valid_until = date(2027, 3, 1)
    db.session.commit()
    assert "berlaku s.d. 1 Mar 2027" in page(client, "/products/keripik-tempe")
    assert "valid until Mar 1, 2027" in page(client, "/products/keripik-tempe?lang=en")
