"""Checking uploads (marketplace/uploads.py): images decoded and re-encoded without metadata,
PDFs checked by header and size, everything else refused with a clear message."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from PIL import Image, ImageFile

from marketplace.uploads import (
    TooManyPixels,
    UnsupportedFile,
    UploadRejected,
    check_image,
    check_image_or_pdf,
    check_pdf,
    read_limited,
)


def image(
    format: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **save: object
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, format, **save)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("format", "extension", "content_type"),
    [("JPEG", "jpg", "image/jpeg"), ("PNG", "png", "image/png"), ("WEBP", "webp", "image/webp")],
)
def test_images_are_re_encoded_in_their_own_format(
    app_ctx: Flask, format: str, extension: str, content_type: str
) -> None:
    checked = check_image(image(format))
    assert (checked.extension, checked.content_type, checked.width, checked.height) == (
        extension,
        content_type,
        64,
        48,
    )
    with Image.open(io.BytesIO(checked.data)) as reopened:
        assert reopened.format == format


def test_exif_and_other_metadata_are_dropped_and_the_orientation_applied(app_ctx: Flask) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the stored image is turned upright
    exif[0x010F] = "Kamera Rahasia"
    original = image("JPEG", (64, 48), exif=exif.tobytes())
    checked = check_image(original)
    with Image.open(io.BytesIO(checked.data)) as reopened:
        assert reopened.getexif() == {}
        assert "exif" not in reopened.info
        assert reopened.size == (48, 64)
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Author", "Kamera Rahasia")
    png = image("PNG", pnginfo=text)
    assert b"Kamera" in png
    assert b"Kamera" not in check_image(png).data


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every image Pillow decodes (``load``) during the test."""
    calls: list[tuple[int, int]] = []
    real = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        calls.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def test_the_default_limit_is_a_phones_photo_not_forty_megapixels(app_ctx: Flask) -> None:
    assert app_ctx.config["PAYMENT_PROOF_MAX_PIXELS"] <= 16_000_000
    assert app_ctx.config["PRODUCT_IMAGE_MAX_PIXELS"] <= 16_000_000
    assert (
        max(app_ctx.config["PAYMENT_PROOF_MAX_PIXELS"], app_ctx.config["PRODUCT_IMAGE_MAX_PIXELS"])
        == Image.MAX_IMAGE_PIXELS
    )


def test_too_many_pixels_are_refused_before_decoding(
    app_ctx: Flask, decodes: list[tuple[int, int]]
) -> None:
    solid = image("PNG", (5_000, 5_000), mode="L")  # 25 megapixels in a few kilobytes
    assert len(solid) < 100_000
    with pytest.raises(UploadRejected, match="lebih dari 16 megapiksel"):
        check_image(solid)
    assert decodes == [], "the image was decoded before its size was checked"
    with pytest.raises(TooManyPixels):
        check_image(image("PNG", (101, 100)), max_pixels=100 * 100)
    assert decodes == []
    assert check_image(image("PNG", (100, 100)), max_pixels=100 * 100).width == 100
    assert (100, 100) in decodes  # the spy does see a decode


def test_pillows_own_bomb_limit_is_a_clean_refusal_too(
    app_ctx: Flask, decodes: list[tuple[int, int]]
) -> None:
    """Pillow's limit is the configured one: whatever opens an image refuses a bigger one,
    even a caller that asks `check_image` for more."""
    over = image("PNG", (6_000, 4_000), mode="1")  # 24 megapixels: Pillow warns on open
    with pytest.raises(UploadRejected, match="megapiksel"):
        check_image(over, max_pixels=10**12)
    huge = image("PNG", (20_000, 10_000), mode="1")  # 200 megapixels: Pillow raises on open
    with pytest.raises(UploadRejected, match="megapiksel"):
        check_image(huge, max_pixels=10**12)
    assert decodes == []


def test_truncated_and_foreign_files_are_refused(app_ctx: Flask) -> None:
    jpeg = image("JPEG", (200, 200))
    with pytest.raises(UnsupportedFile):
        check_image(jpeg[: len(jpeg) // 2])
    with pytest.raises(UnsupportedFile):
        check_image(image("GIF"))
    with pytest.raises(UnsupportedFile):
        check_image(image("PNG"), formats=("JPEG",))
    with pytest.raises(UnsupportedFile, match="Jenis berkas tidak didukung"):
        check_image_or_pdf(b"<svg xmlns='http://www.w3.org/2000/svg'/>")


def test_pdfs_are_checked_by_header_end_and_size(app_ctx: Flask) -> None:
    pdf = b"%PDF-1.7\n" + b"0" * 100 + b"\n%%EOF\n"
    assert check_pdf(pdf).content_type == "application/pdf"
    assert check_image_or_pdf(pdf).extension == "pdf"
    with pytest.raises(UploadRejected, match="bukan PDF yang utuh"):
        check_pdf(pdf[:50])
    with pytest.raises(UploadRejected, match="terlalu besar"):
        check_pdf(pdf, max_bytes=50)


def test_reading_an_upload_stops_past_the_limit(app_ctx: Flask) -> None:
    assert read_limited(io.BytesIO(b"abc"), 3) == b"abc"
    with pytest.raises(UploadRejected, match="Ukuran paling besar"):
        read_limited(io.BytesIO(b"abcd"), 3)
    with pytest.raises(UploadRejected, match="kosong"):
        read_limited(io.BytesIO(b""), 3)
