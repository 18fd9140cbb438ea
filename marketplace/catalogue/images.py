"""Product photos: checked by decoding, stored without metadata, in the few widths pages use.

An upload is trusted for nothing: not its name, not its content type. `marketplace.uploads`
checks it (a JPEG, PNG or WebP that Pillow decodes completely, within the configured file
size and pixel count, a decompression bomb refused from its header). Every stored file is drawn
afresh from the decoded pixels, so no metadata (EXIF location, comments) and no trailing
payload survive.

A photo is stored as:

- ``storage_key``: a JPEG at most `MAX_WIDTH` wide, for what may not read WebP: browsers
  without it (the ``<img>`` inside ``<picture>``), link previews (``og:image``) and the API;
- ``renditions``: WebP copies in the `WIDTHS` narrower than the photo and at its own width,
  named after the JPEG (``products/<name>-640.webp``) so a copy is found again by its name and
  rewriting one replaces it. A phone on a slow network downloads the 320-pixel copy of a card
  (20 KB) instead of a 1200-pixel JPEG (150 KB).

Photos stored before the WebP copies have JPEG thumbnails (240 and 480 pixels) there;
``flask catalogue backfill-images`` makes their WebP copies (`add_missing_renditions`).
"""

from __future__ import annotations

import io
from functools import cache

from flask import current_app
from PIL import Image, features

from marketplace.catalogue.models import ProductImage
from marketplace.extensions import db
from marketplace.storage import checked_key, storage
from marketplace.uploads import decode_image, shrink

#: The widths pages choose from (``srcset``): a card on a phone, the same on a sharp screen or
#: the product page on a phone, the product page on a computer.
WIDTHS = (320, 640, 1200)
#: Nothing is stored wider.
MAX_WIDTH = WIDTHS[-1]
#: What Pillow must recognise the file as (never what the file name or browser claims).
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


@cache
def webp_supported() -> bool:
    """Whether this Pillow can write WebP (a build without libwebp stores JPEG copies)."""
    return bool(features.check("webp"))


def rendition_widths(width: int) -> list[int]:
    """The widths of the copies of a photo ``width`` pixels wide: the `WIDTHS` below it, and
    its own (never enlarged)."""
    return [w for w in WIDTHS if w < width] + [min(width, MAX_WIDTH)]


def rendition_key(storage_key: str, width: int, extension: str) -> str:
    """The key of a copy, named after the photo's own key: ``products/ab12.jpg`` → ``products/
    ab12-320.webp``."""
    stem = storage_key.rsplit(".", 1)[0]
    return checked_key(f"{stem}-{width}.{extension}")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent areas become white (as on the page), not black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, image_format: str) -> bytes:
    # Pillow carries some metadata (comments, ICC profiles) in ``info`` into the saved file.
    image.info = {}
    buffer = io.BytesIO()
    if image_format == "WEBP":
        image.save(buffer, "WEBP", quality=80, method=4)
    else:
        image.save(buffer, "JPEG", quality=82, progressive=True)
    return buffer.getvalue()


def _write_renditions(image: Image.Image, storage_key: str) -> dict[str, str]:
    """Write the copies of ``image`` (RGB, at most `MAX_WIDTH` wide) next to ``storage_key``."""
    image_format, extension = ("WEBP", "webp") if webp_supported() else ("JPEG", "jpg")
    files = storage()
    renditions = {}
    for width in rendition_widths(image.width):
        key = rendition_key(storage_key, width, extension)
        files.write(key, _encode(shrink(image, width), image_format))
        renditions[str(width)] = key
    return renditions


def add_product_image(
    product_id: int, data: bytes, alt_text: str, position: int = 0
) -> ProductImage:
    """Check an uploaded photo (within PRODUCT_IMAGE_MAX_BYTES and PRODUCT_IMAGE_MAX_PIXELS;
    `marketplace.uploads.UploadRejected` says what is wrong) and store it, at most `MAX_WIDTH`
    wide, with its copies. A phone's 4000×3000 photo is decoded at half size (2000×1500), which
    is still wider than anything stored."""
    config = current_app.config
    decoded, _format = decode_image(
        data,
        max_bytes=config["PRODUCT_IMAGE_MAX_BYTES"],
        max_pixels=config["PRODUCT_IMAGE_MAX_PIXELS"],
        formats=ALLOWED_FORMATS,
        at_least=MAX_WIDTH,
    )
    image = shrink(_flatten(decoded), MAX_WIDTH)
    key = storage().save(_encode(image, "JPEG"), "products", "jpg")
    record = ProductImage(
        product_id=product_id,
        storage_key=key,
        alt_text=alt_text[:200],
        width=image.width,
        height=image.height,
        position=position,
        renditions=_write_renditions(image, key),
    )
    db.session.add(record)
    return record


def has_current_renditions(image: ProductImage) -> bool:
    """Whether a photo has every copy this version makes (named as `rendition_key` names them)."""
    extension = "webp" if webp_supported() else "jpg"
    wanted = {
        str(width): rendition_key(image.storage_key, width, extension)
        for width in rendition_widths(image.width)
    }
    return image.renditions == wanted


def add_missing_renditions(image: ProductImage) -> list[str]:
    """Make the copies a photo stored before them lacks, from its stored JPEG (checked and
    cleaned at its upload); a photo that has them is left alone. Returns the keys of the copies
    replaced, to delete once the change is committed; `FileNotFoundError` when the JPEG is
    gone."""
    if has_current_renditions(image):
        return []
    with Image.open(io.BytesIO(storage().read(image.storage_key))) as opened:
        picture = _flatten(opened)
    # The row's size is the file's: the copies' widths follow it, and the page's width and
    # height attributes reserve its shape.
    image.width, image.height = picture.width, picture.height
    renditions = _write_renditions(picture, image.storage_key)
    replaced = sorted(set(image.renditions.values()) - set(renditions.values()))
    image.renditions = renditions
    db.session.flush()
    return replaced


def delete_image_files(image: ProductImage) -> None:
    """Remove a photo's files (after its row is gone)."""
    files = storage()
    for key in (image.storage_key, *image.renditions.values()):
        files.delete(key)
