"""Checking uploaded files before anything keeps them: images decoded with Pillow and re-encoded
without their metadata, PDFs checked by their header and size.

Used for transfer proofs and product photos (`catalogue.images` thumbnails what passes here).
Every refusal is an `UploadRejected` whose message, in the user's language, says what to do.
An image is refused *before* it is decoded when its header announces too many pixels, so a
decompression bomb costs nothing; Pillow's own bomb check (`configure` sets its limit to the
largest configured one) is turned into an error as well.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from marketplace.errors import DomainError

#: Defaults: 5 MB, 16 megapixels. A phone's photo is 12 megapixels; decoding 16 takes about
#: 48 MB (RGB), twice that while it is re-encoded.
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 16_000_000

#: Pillow format → (file extension, content type).
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
PDF = ("pdf", "application/pdf")


class UploadRejected(DomainError):
    """The file cannot be accepted; the message says why and what to send instead."""

    default_message = _l("Berkas tidak dapat diterima.")


class UnsupportedFile(UploadRejected):
    """Not a file of an accepted type (whatever its name says)."""


class FileTooLarge(UploadRejected):
    """More bytes than the limit."""


class TooManyPixels(UploadRejected):
    """An image whose header announces more pixels than the limit (or a decompression bomb)."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: ``data`` is what to store (images re-encoded)."""

    data: bytes
    extension: str
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def configure(app: Flask) -> None:
    """Pillow's own decompression-bomb limit (process-wide) at the largest image an upload may
    be: `check_image` turns Pillow's warning above it into a refusal, and whatever else opens
    an image (thumbnails, WeasyPrint) gets Pillow's error at twice the limit, not at its
    default of 179 megapixels."""
    Image.MAX_IMAGE_PIXELS = max(
        app.config["PAYMENT_PROOF_MAX_PIXELS"], app.config["PRODUCT_IMAGE_MAX_PIXELS"]
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _too_large(max_bytes: int) -> FileTooLarge:
    return FileTooLarge(
        _("Berkas terlalu besar. Ukuran paling besar %(mb)s MB.", mb=_megabytes(max_bytes))
    )


def read_limited(stream: IO[bytes], max_bytes: int = MAX_BYTES) -> bytes:
    """Read at most ``max_bytes`` (and one more, to know it was too big) from an upload."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise UploadRejected(_("Berkas kosong. Pilih berkas lain."))
    return data


def _too_many_pixels(max_pixels: int) -> TooManyPixels:
    return TooManyPixels(
        _(
            "Gambar terlalu besar (lebih dari %(mp)d megapiksel). Kecilkan gambarnya atau kirim "
            "tangkapan layar.",
            mp=max_pixels // 1_000_000,
        )
    )


def check_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    formats: Collection[str] = tuple(IMAGE_FORMATS),
) -> CheckedFile:
    """Decode an image fully and re-encode it in its own format, without EXIF or other
    metadata (the orientation is applied first). Only the given Pillow ``formats`` pass."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    not_an_image = UnsupportedFile(
        _("Berkas ini bukan gambar JPEG, PNG atau WebP yang dapat dibaca.")
    )
    if not data:
        raise not_an_image
    # WeasyPrint (procurement PDFs) switches Pillow to accept truncated files process-wide;
    # an upload must still be complete.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Pillow warns before it errors on large images; both mean "refuse".
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format not in formats or opened.format not in IMAGE_FORMATS:
                    raise not_an_image
                width, height = opened.size
                if width <= 0 or height <= 0:
                    raise not_an_image
                if width * height > max_pixels:
                    raise _too_many_pixels(max_pixels)
                image_format = opened.format
                opened.load()  # decodes every byte: a truncated or corrupt file fails here
                image = ImageOps.exif_transpose(opened)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels(max_pixels) from error
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise not_an_image from error
    extension, content_type = IMAGE_FORMATS[image_format]
    image.info = {}  # no EXIF, XMP, ICC profile or text chunks in what is stored
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    elif image_format == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(buffer, "PNG", optimize=True)
    else:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(buffer, "WEBP", quality=88)
    return CheckedFile(buffer.getvalue(), extension, content_type, image.width, image.height)


def check_pdf(data: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedFile:
    """A PDF, checked by its header, its end-of-file marker and its size (never parsed)."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise UploadRejected(_("Berkas ini bukan PDF yang utuh. Kirim PDF lain atau gambar."))
    return CheckedFile(data, *PDF)


def check_image_or_pdf(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> CheckedFile:
    """An image (JPEG, PNG, WebP) or a PDF, told apart by their content, never by the name."""
    if data.startswith(b"%PDF-"):
        return check_pdf(data, max_bytes=max_bytes)
    try:
        return check_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except UnsupportedFile as error:
        raise UnsupportedFile(
            _("Jenis berkas tidak didukung. Kirim gambar JPEG, PNG atau WebP, atau PDF.")
        ) from error
