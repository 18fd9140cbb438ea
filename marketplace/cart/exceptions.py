from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, NotFound


class ProductUnavailable(NotFound):
    """The variant is archived, hidden, inactive or sold by a cooperative that is not approved:
    from outside it looks as if it did not exist."""

    default_message = _l("Produk ini sedang tidak dijual.")


class BelowMinimumOrder(DomainError):
    default_message = _l("Jumlah kurang dari minimal pembelian.")


class QuantityTooLarge(DomainError):
    default_message = _l("Jumlah terlalu banyak.")
