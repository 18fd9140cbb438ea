"""Product photos for slow networks: a phone's photo is stored as WebP copies in the widths the
pages offer (320, 640, 1200), with one JPEG for what cannot read WebP; pages offer them with
srcset and sizes; ``flask catalogue backfill-images`` gives older photos their copies."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageFile

from marketplace.catalogue.images import add_product_image, rendition_key
from marketplace.catalogue.models import ProductImage
from marketplace.extensions import db
from marketplace.storage import storage
from marketplace.uploads import UnsupportedFile
from tests.catalogue.conftest import Catalogue
from tests.photos import phone_photo


def opened(key: str) -> Image.Image:
    image = Image.open(io.BytesIO(storage().read(key)))
    image.load()
    return image


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def main_photos(html: str) -> str:
    """The product page's own photos (not the related products' cards)."""
    found = re.search(r'<div class="product-detail__media">.*?</div>', html, re.S)
    assert found
    return found.group(0)


def test_a_phone_photo_is_stored_as_webp_copies_in_three_widths(
    app: Flask, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        image = add_product_image(catalogue.tempe.id, phone_photo(), "Keripik di toples")
        db.session.commit()
        assert (image.width, image.height) == (1200, 900)
        assert sorted(image.renditions, key=int) == ["320", "640", "1200"]
        for width, key in image.renditions.items():
            assert key == rendition_key(image.storage_key, int(width), "webp")
            copy = opened(key)
            assert copy.format == "WEBP"
            assert copy.size == (int(width), int(width) * 3 // 4)
            assert "exif" not in copy.info
        fallback = opened(image.storage_key)
        assert (fallback.format, fallback.size) == ("JPEG", (1200, 900))
        assert fallback.getexif() == {} and b"Kamera Ponsel" not in storage().read(
            image.storage_key
        )
        # The copy a phone's card downloads is a small fraction of what the camera made.
        assert len(storage().read(image.renditions["320"])) < len(phone_photo()) // 50


def test_a_photo_taken_sideways_is_stored_upright(app: Flask, catalogue: Catalogue) -> None:
    with app.test_request_context():
        image = add_product_image(catalogue.tempe.id, phone_photo(orientation=6), "Tegak")
        db.session.commit()
        assert (image.width, image.height) == (1200, 1600)
        assert opened(image.renditions["320"]).size == (320, 427)


def test_a_small_photo_is_never_enlarged(app: Flask, catalogue: Catalogue) -> None:
    picture = io.BytesIO()
    Image.new("RGBA", (500, 400), (200, 120, 40, 0)).save(picture, "PNG")
    with app.test_request_context():
        image = add_product_image(catalogue.tempe.id, picture.getvalue(), "Kecil")
        db.session.commit()
        assert sorted(image.renditions, key=int) == ["320", "500"]
        assert opened(image.renditions["500"]).size == (500, 400)
        # Transparent areas are white, as on the page.
        assert opened(image.renditions["320"]).convert("RGB").getpixel((5, 5)) == (
            255,
            255,
            255,
        )


def test_cards_and_the_product_page_offer_the_webp_widths(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        first = add_product_image(catalogue.tempe.id, phone_photo(), "Keripik di toples", 0)
        second = add_product_image(catalogue.tempe.id, phone_photo(), "Kemasan", 1)
        db.session.commit()
        first_keys = dict(first.renditions), first.storage_key
        second_key = second.storage_key
    keys, jpeg = first_keys
    srcset = ", ".join(f"/media/{keys[w]} {w}w" for w in ("320", "640", "1200"))

    listing = page(client, "/products")
    card = re.search(r"<picture>.*?</picture>", listing, re.S)
    assert card, "the card shows the photo in a <picture>"
    assert f'<source type="image/webp" srcset="{srcset}"' in card.group(0)
    assert 'sizes="(min-width: 1000px) 240px' in card.group(0)
    assert f'src="/media/{jpeg}"' in card.group(0)
    assert 'width="1200" height="900"' in card.group(0)

    product = page(client, "/products/keripik-tempe")
    pictures = re.findall(r"<picture>.*?</picture>", product, re.S)
    main, other = pictures[0], next(p for p in pictures if second_key in p)
    assert f'srcset="{srcset}"' in main and 'alt="Keripik di toples"' in main
    assert 'fetchpriority="high"' in main and 'loading="eager"' in main
    assert 'loading="lazy"' in other and "fetchpriority" not in other
    assert f'content="http://localhost/media/{jpeg}"' in product  # og:image: the JPEG


def test_only_the_first_card_of_a_listing_loads_eagerly(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        for product in (catalogue.tempe, catalogue.singkong, catalogue.sambal, catalogue.batik):
            add_product_image(product.id, phone_photo((800, 600)), product.name)
        db.session.commit()
    for url in ("/products", "/cooperatives/al-hikmah", "/"):
        loading = re.findall(r'class="product-card__image"\s+loading="(\w+)"', page(client, url))
        assert loading[0] == "eager" and set(loading[1:]) == {"lazy"}, url


def _legacy_photo(product_id: int, size: tuple[int, int] = (1000, 750)) -> ProductImage:
    """A photo as versions before the WebP copies stored it: a JPEG and JPEG thumbnails at 240
    and 480 pixels under random names."""
    files = storage()
    picture = Image.new("RGB", size, (30, 120, 60))

    def jpeg(image: Image.Image) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG")
        return buffer.getvalue()

    thumbnails = {
        str(width): files.save(jpeg(picture.resize((width, width * 3 // 4))), "products", "jpg")
        for width in (240, 480)
    }
    image = ProductImage(
        product_id=product_id,
        storage_key=files.save(jpeg(picture), "products", "jpg"),
        alt_text="Foto lama",
        width=size[0],
        height=size[1],
        renditions=thumbnails,
    )
    db.session.add(image)
    db.session.flush()
    return image


def test_backfill_gives_older_photos_their_webp_copies_once(
    app: Flask, client: FlaskClient, catalogue: Catalogue
) -> None:
    with app.test_request_context():
        old = _legacy_photo(catalogue.tempe.id)
        gone = _legacy_photo(catalogue.sambal.id)
        storage().delete(gone.storage_key)
        new = add_product_image(catalogue.singkong.id, phone_photo((800, 600)), "Baru")
        db.session.commit()
        old_id, thumbnails, new_renditions = old.id, dict(old.renditions), dict(new.renditions)
        gone_id, new_id = gone.id, new.id
    # Until then the page still offers the older photo's JPEG thumbnails.
    html = main_photos(page(client, "/products/keripik-tempe"))
    assert f"/media/{thumbnails['240']} 240w" in html and "image/webp" not in html

    result = app.test_cli_runner().invoke(args=["catalogue", "backfill-images"])
    assert result.exit_code == 0, result.output
    assert "1 photos given WebP copies, 1 already had them" in result.stdout
    assert (
        f"1 photos could not be read (file missing or damaged), product image ids: {gone_id}"
        in (result.stderr)
    )

    with app.test_request_context():
        old = db.session.get(ProductImage, old_id)
        assert old is not None
        assert sorted(old.renditions, key=int) == ["320", "640", "1000"]
        assert opened(old.renditions["640"]).size == (640, 480)
        assert opened(old.renditions["1000"]).format == "WEBP"
        uploads = Path(app.config["UPLOAD_FOLDER"])
        assert not any((uploads / key).exists() for key in thumbnails.values())
        new = db.session.get(ProductImage, new_id)
        assert new is not None and new.renditions == new_renditions
    assert "image/webp" in main_photos(page(client, "/products/keripik-tempe"))

    again = app.test_cli_runner().invoke(args=["catalogue", "backfill-images"])
    assert again.exit_code == 0, again.output
    assert "0 photos given WebP copies, 2 already had them" in again.stdout


def test_a_phone_photo_is_decoded_at_half_size_yet_checked_to_its_last_byte(
    app: Flask, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """12 megapixels decoded whole take 48 MB; at half size (still wider than the 1200 pixels
    stored) 12 MB. Every byte is still decoded: a truncated photo is refused."""
    decoded: list[tuple[int, int]] = []
    real = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        decoded.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    photo = phone_photo()
    with app.test_request_context():
        add_product_image(catalogue.tempe.id, photo, "Keripik")
        assert decoded[0] == (2000, 1500)
        before = set(Path(app.config["UPLOAD_FOLDER"]).rglob("*"))
        with pytest.raises(UnsupportedFile):
            add_product_image(catalogue.tempe.id, photo[: len(photo) * 9 // 10], "Terpotong")
        assert set(Path(app.config["UPLOAD_FOLDER"]).rglob("*")) == before
