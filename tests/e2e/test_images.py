"""Photos on a phone over a slow network: the browser downloads the small WebP copy a card
needs, only the first card's photo before the page is scrolled, the product page's main photo
first of all; a photo picked for upload is made smaller before it is sent."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, expect
from sqlalchemy import select

from marketplace.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, PageEvents
from tests.photos import phone_photo

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}
CHIPS = "/products/keripik-tempe-original-al-hikmah"

IMAGES = """() => [...document.querySelectorAll('main img')].map((img) => ({
  loading: img.getAttribute('loading'),
  priority: img.getAttribute('fetchpriority'),
  source: img.currentSrc,
  complete: img.complete && img.naturalWidth > 0,
  card: !!img.closest('.product-card'),
}))"""


@pytest.fixture
def phone(browser: Browser) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="id-ID")  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def images(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(IMAGES)
    return found


def test_a_listing_loads_the_first_cards_small_webp_copy_and_leaves_the_rest_for_later(
    live_server: LiveServer, phone: Page
) -> None:
    photos: list[str] = []
    phone.on("request", lambda r: photos.append(r.url) if "/media/" in r.url else None)
    phone.goto(live_server.path("/products"), wait_until="load")
    cards = [image for image in images(phone) if image["card"]]
    assert len(cards) >= 8
    assert cards[0]["loading"] == "eager" and {c["loading"] for c in cards[1:]} == {"lazy"}
    # A card is about 130 CSS pixels wide: on a screen of two device pixels per CSS pixel the
    # browser takes the 320-pixel WebP copy, never the 1200-pixel JPEG.
    assert cards[0]["complete"] and cards[0]["source"].endswith("-320.webp"), cards[0]
    assert all(url.endswith(".webp") for url in photos), photos
    # Cards far below the fold are not downloaded before the shopper scrolls.
    assert len(photos) < len(cards)
    phone.locator(".product-card").last.scroll_into_view_if_needed()
    expect(phone.locator(".product-card img").last).to_have_js_property("complete", True)
    assert images(phone)[-1]["source"].endswith(".webp")


def test_the_product_pages_main_photo_comes_first(live_server: LiveServer, phone: Page) -> None:
    phone.goto(live_server.path(CHIPS), wait_until="load")
    main, *rest = images(phone)
    assert (main["loading"], main["priority"]) == ("eager", "high")
    assert main["complete"] and main["source"].endswith(".webp")
    assert all(image["loading"] == "lazy" and not image["priority"] for image in rest)


def _sign_in_as_cooperative(page: Page, live: LiveServer) -> None:
    page.goto(live.path("/account/login"))
    form = page.locator("main form")
    form.locator("input[name=email]").fill("koperasi1@demo.test")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.path("/"))


def _chips_product_id(live: LiveServer) -> int:
    from marketplace.catalogue.models import Product
    from marketplace.extensions import db

    with live.app.app_context():
        product_id = db.session.scalar(
            select(Product.id).where(Product.slug == CHIPS.rsplit("/", 1)[-1])
        )
    assert product_id is not None
    return product_id


CHOSEN_FILE = """(input) => new Promise((resolve) => {
  const file = input.files[0];
  createImageBitmap(file).then((bitmap) => resolve({
    name: file.name, type: file.type, size: file.size,
    width: bitmap.width, height: bitmap.height,
  }));
})"""


def test_a_phone_photo_is_made_smaller_and_upright_before_it_is_sent(
    live_server: LiveServer, page: Page, page_events: PageEvents
) -> None:
    photo = phone_photo(orientation=6)  # 4000×3000, to be turned upright: 3000×4000
    _sign_in_as_cooperative(page, live_server)
    product_id = _chips_product_id(live_server)
    page.goto(live_server.path(f"/vendor/products/{product_id}"))
    photos = page.locator(".photo-list li")
    before = photos.count()

    chooser = page.get_by_label("Foto produk")
    chooser.set_input_files(
        files=[{"name": "IMG_20261206.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.wait_for_function(
        "(input) => input.files[0] && input.files[0].type === 'image/jpeg' "
        "&& input.files[0].name === 'IMG_20261206.jpg' && input.files[0].size < 2000000",
        arg=chooser.element_handle(),
    )
    chosen = chooser.evaluate(CHOSEN_FILE)
    assert (chosen["width"], chosen["height"]) == (1200, 1600), chosen
    assert chosen["size"] < len(photo) // 10

    with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith(f"/vendor/products/{product_id}/images")
    ) as sent:
        page.get_by_role("button", name="Unggah foto").click()
    request: Request = sent.value
    assert len(request.post_data_buffer or b"") < 2_000_000
    expect(page.get_by_role("status")).to_contain_text("Foto sudah ditambahkan.")
    expect(photos).to_have_count(before + 1)

    # The shared demo product is left as it was found.
    page.on("dialog", lambda dialog: dialog.accept())
    photos.last.get_by_role("button", name="Hapus foto").click()
    expect(page.get_by_role("status")).to_contain_text("Foto sudah dihapus.")
    expect(photos).to_have_count(before)
    page_events.assert_clean()
