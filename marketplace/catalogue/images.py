"""Product photos: checked by decoding, re-encoded without metadata, thumbnailed once at upload.

An upload is trusted for nothing: not its name, not its content type. `marketplace.uploads`
checks it (a JPEG, PNG or WebP that Pillow decodes completely, within the configured file
size and pixel count, a decompression bomb refused from its header). The stored file is a fresh
JPEG drawn from the decoded pixels, so no metadata (EXIF location, comments) and no trailing
payload survive.
"""

from __future__ import annotations

import io

from flask import current_app
from PIL import Image, ImageOps

from marketplace.catalogue.models import ProductImage
from marketplace.extensions import db
from marketplace.storage import storage
from marketplace.uploads import check_image

#: Widths of the thumbnails made for every photo (responsive ``srcset``).
RENDITION_WIDTHS = (240, 480)
#: The stored original is scaled down to at most this width.
MAX_WIDTH = 1200
#: What Pillow must recognise the file as (never what the file name or browser claims).
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


def validate_image(data: bytes) -> None:
    """Refuse anything that is not a complete JPEG, PNG or WebP within the configured limits
    (`marketplace.uploads` decides; its `UploadRejected` says why)."""
    check_image(
        data,
        max_bytes=current_app.config["PRODUCT_IMAGE_MAX_BYTES"],
        max_pixels=current_app.config["PRODUCT_IMAGE_MAX_PIXELS"],
        formats=ALLOWED_FORMATS,
    )


def _encode(image: Image.Image, *, progressive: bool = False) -> bytes:
    # Pillow carries some metadata (comments, ICC profiles) in ``info`` into the saved file.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, progressive=progressive)
    return buffer.getvalue()


def _scaled(image: Image.Image, width: int) -> Image.Image:
    # Hamming is sharp enough for shrinking photos and twice as fast as Lanczos; reducing_gap
    # shrinks by whole factors first.
    return image.resize(
        (width, round(image.height * width / image.width)),
        Image.Resampling.HAMMING,
        reducing_gap=2.0,
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent areas become white (as on the page), not black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def add_product_image(
    product_id: int, data: bytes, alt_text: str, position: int = 0
) -> ProductImage:
    """Store a photo and its thumbnails. ``data`` must already be a validated image."""
    with Image.open(io.BytesIO(data)) as opened:
        image = _flatten(ImageOps.exif_transpose(opened))
    if image.width > MAX_WIDTH:
        image = _scaled(image, MAX_WIDTH)
    files = storage()
    key = files.save(_encode(image, progressive=True), "products", "jpg")
    renditions: dict[str, str] = {}
    for width in RENDITION_WIDTHS:
        if width < image.width:
            renditions[str(width)] = files.save(_encode(_scaled(image, width)), "products", "jpg")
    record = ProductImage(
        product_id=product_id,
        storage_key=key,
        alt_text=alt_text[:200],
        width=image.width,
        height=image.height,
        position=position,
        renditions=renditions,
    )
    db.session.add(record)
    return record


def delete_image_files(image: ProductImage) -> None:
    """Remove a photo's files (after its row is gone)."""
    files = storage()
    for key in (image.storage_key, *image.renditions.values()):
        files.delete(key)
