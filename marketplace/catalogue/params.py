"""Reading listing parameters from a URL: never trusted, never a 500.

Nonsense values are dropped (or clamped) and reported back as notices, so a shared or
hand-edited URL still shows a sensible page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from marketplace.catalogue.search import (
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    PER_PAGE_DEFAULT,
    PER_PAGE_MAX,
    SORTS,
    ProductQuery,
)
from marketplace.cooperatives.models import KECAMATAN

MAX_PRICE = 10**12


def _int(value: str | None, minimum: int, maximum: int) -> int | None:
    if value is None or value.strip() == "":
        return None
    cleaned = value.strip().replace(".", "").replace(",", "")
    if not cleaned.isdigit() or len(cleaned) > 15:
        raise ValueError(value)
    return min(max(int(cleaned), minimum), maximum)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")


def _slug(value: str | None) -> str | None:
    return value if value and _SLUG.match(value) else None


def parse_product_query(args: Mapping[str, str]) -> tuple[ProductQuery, list[str]]:
    """A `ProductQuery` from request arguments, and the notices for values that were ignored."""
    notices: list[str] = []
    text = _CONTROL.sub(" ", args.get("q") or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        notices.append(str(_l("Kata kunci terlalu panjang dan sudah dipotong.")))
    try:
        page = _int(args.get("page"), 1, MAX_PAGE) or 1
    except ValueError:
        page = 1
        notices.append(str(_l("Nomor halaman tidak valid; menampilkan halaman pertama.")))
    try:
        per_page = _int(args.get("per_page"), 1, PER_PAGE_MAX) or PER_PAGE_DEFAULT
    except ValueError:
        per_page = PER_PAGE_DEFAULT
    prices: dict[str, int | None] = {}
    for name in ("price_min", "price_max"):
        try:
            prices[name] = _int(args.get(name), 0, MAX_PRICE)
        except ValueError:
            prices[name] = None
            notices.append(str(_l("Harga harus berupa angka rupiah; filter harga diabaikan.")))
    if (
        prices["price_min"] is not None
        and prices["price_max"] is not None
        and prices["price_min"] > prices["price_max"]
    ):
        prices["price_min"], prices["price_max"] = prices["price_max"], prices["price_min"]
    sort = args.get("sort") or ""
    if sort and sort not in SORTS:
        sort = ""
    kecamatan = args.get("kecamatan") or None
    if kecamatan and kecamatan not in KECAMATAN:
        kecamatan = None
    query = ProductQuery(
        text=text,
        category=_slug(args.get("category")),
        cooperative=_slug(args.get("cooperative")),
        kecamatan=kecamatan,
        price_min=prices["price_min"],
        price_max=prices["price_max"],
        halal=args.get("halal") == "1",
        in_stock=args.get("in_stock") == "1",
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return query, list(dict.fromkeys(notices))


def query_args(query: ProductQuery, **changes: object) -> dict[str, object]:
    """URL arguments for a query with some values changed: shareable and stable."""
    values: dict[str, object] = {
        "q": query.text or None,
        "category": query.category,
        "cooperative": query.cooperative,
        "kecamatan": query.kecamatan,
        "price_min": query.price_min,
        "price_max": query.price_max,
        "halal": "1" if query.halal else None,
        "in_stock": "1" if query.in_stock else None,
        "sort": query.sort or None,
        "page": query.page if query.page > 1 else None,
        "per_page": query.per_page if query.per_page != PER_PAGE_DEFAULT else None,
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value not in (None, "", False)}
