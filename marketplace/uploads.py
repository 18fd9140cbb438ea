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


def megabytes(size: int) -> str:
    """A size limit as the forms and messages write it: ``15`` (MB) for 15 × 1024 × 1024."""
    return f"{size / (1024 * 1024):g}"


def _too_large(max_bytes: int) -> FileTooLarge:
    return FileTooLarge(
        _("Berkas terlalu besar. Ukuran paling besar %(mb)s MB.", mb=megabytes(max_bytes))
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


def _not_an_image() -> UnsupportedFile:
    # Made only when refusing: the message is translated for the request (the demo's seeding
    # stores photos where there is none).
    return UnsupportedFile(_("Berkas ini bukan gambar JPEG, PNG atau WebP yang dapat dibaca."))


def decode_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    formats: Collection[str] = tuple(IMAGE_FORMATS),
    at_least: int | None = None,
) -> tuple[Image.Image, str]:
    """The upright pixels of an uploaded image and its Pillow format, after every check: only
    the given ``formats``, at most ``max_bytes`` and ``max_pixels`` (refused from the header,
    before decoding), and decoded completely (a truncated or corrupt file is refused).

    With ``at_least``, a JPEG may be decoded at a half, a quarter or an eighth of its size
    (libjpeg's DCT scaling) as long as both sides stay at least ``at_least`` pixels: the caller
    shrinks it to that anyway, and a phone's 12-megapixel photo then takes a quarter of the
    memory (12 MB of pixels, not 48) and half the time. Every byte of the file is still read
    and decoded, so a truncated file is still refused."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise _not_an_image()
    # WeasyPrint (procurement PDFs) switches Pillow to accept truncated files process-wide;
    # an upload must still be complete.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Pillow warns before it errors on large images; both mean "refuse".
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format not in formats or opened.format not in IMAGE_FORMATS:
                    raise _not_an_image()
                width, height = opened.size
                if width <= 0 or height <= 0:
                    raise _not_an_image()
                if width * height > max_pixels:
                    raise _too_many_pixels(max_pixels)
                image_format = opened.format
                if at_least is not None and image_format == "JPEG":
                    opened.draft(None, (min(at_least, width), min(at_least, height)))
                opened.load()  # decodes every byte: a truncated or corrupt file fails here
                image = ImageOps.exif_transpose(opened)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels(max_pixels) from error
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise _not_an_image() from error
    return image, image_format


def shrink(image: Image.Image, width: int, height: int | None = None) -> Image.Image:
    """``image`` scaled down to ``width`` pixels wide (and, given ``height``, no taller either),
    its proportions kept; a smaller image is returned as it is, never enlarged."""
    scale = min(width / image.width, (height or image.height) / image.height)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # Hamming is sharp enough for shrinking photos and twice as fast as Lanczos; reducing_gap
    # shrinks by whole factors first.
    return image.resize(size, Image.Resampling.HAMMING, reducing_gap=2.0)


def check_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    formats: Collection[str] = tuple(IMAGE_FORMATS),
    max_side: int | None = None,
) -> CheckedFile:
    """Decode an image fully (`decode_image`) and re-encode it in its own format, without EXIF
    or other metadata (the orientation is applied first). Only the given Pillow ``formats``
    pass. With ``max_side``, a larger image is stored shrunk to fit a square of that side."""
    image, image_format = decode_image(
        data, max_bytes=max_bytes, max_pixels=max_pixels, formats=formats, at_least=max_side
    )
    if max_side is not None:
        image = shrink(image, max_side, max_side)
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
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int | None = None,
) -> CheckedFile:
    """An image (JPEG, PNG, WebP; shrunk to ``max_side`` as `check_image` does) or a PDF, told
    apart by their content, never by the name."""
    if data.startswith(b"%PDF-"):
        return check_pdf(data, max_bytes=max_bytes)
    try:
        return check_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    except UnsupportedFile as error:
        raise UnsupportedFile(
            _("Jenis berkas tidak didukung. Kirim gambar JPEG, PNG atau WebP, atau PDF.")
        ) from error
