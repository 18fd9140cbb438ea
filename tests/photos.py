"""Photos as a phone takes them, for the upload tests: 4000×3000 (12 megapixels), several
megabytes of JPEG with camera grain, optionally turned by an EXIF orientation tag."""

from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image


@cache
def phone_photo(size: tuple[int, int] = (4000, 3000), orientation: int | None = None) -> bytes:
    """A camera's JPEG: gradients under fine grain (grain is what makes a phone's photo weigh
    5-12 MB), at quality 95; ``orientation`` 6 means "turn 90° clockwise to view"."""
    width, height = size
    grain = Image.frombytes("L", size, random.Random(17).randbytes(width * height))
    gradient = Image.linear_gradient("L").resize(size, Image.Resampling.NEAREST)
    image = Image.merge(
        "RGB", (gradient, Image.blend(gradient, grain, 0.25), grain.point(lambda v: v // 4 + 96))
    )
    exif = Image.Exif()
    exif[0x010F] = "Kamera Ponsel"  # the maker: metadata that must not survive
    if orientation is not None:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()
