"""Draw the home-screen icons (static/img/icon-*.png) from the logo's shapes, with Pillow.

    .venv/bin/python scripts/make_icons.py

static/img/logo.svg is a 32-unit drawing: a white rounded square, a green basket, its gold
handle and a white dot. No SVG renderer is installed (nor ImageMagick), so its four shapes are
drawn again here; change both together. Drawn at four times the size and scaled down, so the
edges are smooth. The PNGs are committed; run this again only when the logo changes.

* ``icon-192.png``, ``icon-512.png`` (purpose "any"): the logo as it is, corners transparent.
* ``icon-maskable-512.png`` (purpose "maskable"): a white square to the edges, the basket inside
  the central circle of 80% that every launcher's mask keeps.
* ``apple-touch-icon.png`` (180): iOS fills transparency with black and rounds corners itself,
  so it is the maskable drawing at 180 pixels.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

IMG = Path(__file__).resolve().parent.parent / "static" / "img"
SUPERSAMPLE = 4
# The logo's colours (static/css/app.css: --green, --gold).
WHITE = (255, 255, 255, 255)
GREEN = (11, 107, 58, 255)
GOLD = (183, 121, 31, 255)


def draw(size: int, *, full_bleed: bool) -> Image.Image:
    """The logo at ``size`` pixels: the rounded square, or for a maskable icon a full white
    square with the basket scaled into the safe circle."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if full_bleed:
        pen.rectangle((0, 0, big, big), fill=WHITE)
        # The basket's farthest point is 12.1 units from the centre (16, 16); the safe circle's
        # radius is 40% of the icon: 14 px a unit at 512 leaves a margin.
        unit = big * 14 / 512
    else:
        unit = big / 32
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=7 * unit, fill=WHITE)
    offset = big / 2 - 16 * unit  # the logo's centre (16, 16) at the icon's centre

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * unit, offset + y * unit)

    # <path d="M6 13h20l-2 12H8z" fill="#0b6b3a"/>
    pen.polygon([at(6, 13), at(26, 13), at(24, 25), at(8, 25)], fill=GREEN)
    # <path d="M11 13a5 5 0 0 1 10 0" stroke="#b7791f" stroke-width="2.5"/>: the upper half of
    # a circle of radius 5 around (16, 13); Pillow draws a stroke inside its box, so the box is
    # the circle grown by half the stroke.
    half = 1.25
    pen.arc(
        (*at(11 - half, 8 - half), *at(21 + half, 18 + half)),
        start=180,
        end=360,
        fill=GOLD,
        width=round(2.5 * unit),
    )
    # <circle cx="16" cy="19" r="2.5" fill="#ffffff"/>
    pen.ellipse((*at(13.5, 16.5), *at(18.5, 21.5)), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),
}


def main() -> None:
    for name, (size, full_bleed) in ICONS.items():
        image = draw(size, full_bleed=full_bleed)
        if full_bleed:
            image = image.convert("RGB")  # opaque: no alpha channel to fill with black
        image.save(IMG / name, optimize=True)
        print(f"static/img/{name}: {size}x{size}")


if __name__ == "__main__":
    main()
