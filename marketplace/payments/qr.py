"""QR codes drawn here, as inline SVG: the QRIS code of a payment shows without an outside
script or image service (the Content-Security-Policy allows none), and prints sharp."""

from __future__ import annotations

import segno
from markupsafe import Markup

#: Error correction M (15%): what QRIS codes on printed stands use; scanners read it easily.
ERROR_CORRECTION = "m"
#: The quiet zone around the code, in modules: 4 is the standard's minimum.
BORDER = 4


def qr_svg(qr_string: str, *, label: str = "QRIS", scale: int = 4) -> Markup:
    """``qr_string`` as an ``<svg role="img">`` element named ``label``, dark on white (also on
    a dark page), ``scale`` pixels a module; it scales with its container (no fixed size)."""
    if not qr_string:
        raise ValueError("an empty QR string")
    code = segno.make_qr(qr_string, error=ERROR_CORRECTION)
    svg: str = code.svg_inline(
        scale=scale,
        border=BORDER,
        dark="#000",
        light="#fff",
        title=label,  # segno escapes it
        svgclass="qr-code",
        omitsize=True,
    )
    # Only segno's own markup and the escaped title: nothing of the string is copied as text.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704
