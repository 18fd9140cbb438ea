"""URL slugs: readable, ASCII, and unique across the site."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select

from marketplace.extensions import db

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """``Keripik Tempe "Pedas"`` → ``keripik-tempe-pedas``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def unique_slug(column: Any, text: str, max_length: int = 80) -> str:
    """A slug for ``text`` that no row has in ``column`` yet: ``name``, ``name-2``, ``name-3``…

    The unique constraint on the column remains the guarantee under concurrency; this only picks a
    free value so the common case never meets it.
    """
    base = slugify(text, max_length)
    taken = set(db.session.scalars(select(column).where(column.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
