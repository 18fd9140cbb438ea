"""The city's care of the catalogue: reviewing new products (when moderation is on) and hiding a
product with a reason.

* With moderation on (`settings.PRODUCT_MODERATION`), a cooperative's first publication of a
  product leaves it ``pending_review`` (see `management.change_publication`); the city approves
  it (it goes live) or refuses it with a reason (it returns to draft, the reason shown to the
  cooperative, who corrects it and publishes again).
* The city hides a live product with a reason: it leaves the catalogue at once and the
  cooperative cannot publish it again until the city unhides it, which puts it back live.

Every decision is audited with the administrator and emailed to the cooperative's owners.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.cooperatives.services import owners
from marketplace.database import utcnow
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.mail import queue_email
from marketplace.settings import PRODUCT_MODERATION, set_setting
from marketplace.urls import absolute_url


class ModerationError(DomainError):
    status_code = 409
    default_message = _l("Status produk tidak dapat diubah dengan cara ini.")


class ReasonRequired(DomainError):
    default_message = _l("Tuliskan alasannya untuk koperasi.")


def _require_city_admin(actor: User) -> None:
    if not actor.is_city_admin:
        raise PermissionDenied()


def _product(product_id: int) -> Product:
    product = db.session.scalar(
        select(Product).options(joinedload(Product.cooperative)).where(Product.id == product_id)
    )
    if product is None:
        raise NotFound()
    return product


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason


def _tell_owners(product: Product, decision: str, reason: str = "") -> None:
    for owner in owners(product.cooperative_id):
        if owner.disabled_at is not None:
            continue
        queue_email(
            owner.email,
            "product_decision",
            owner.locale,
            user=owner,
            product=product,
            decision=decision,
            reason=reason,
            product_url=absolute_url("vendors.edit_product", product_id=product.id),
        )


def _record(product: Product, action: str, actor: User, previous: str, reason: str = "") -> None:
    audit.record(
        f"product.{action}",
        product,
        actor_id=actor.id,
        cooperative_id=product.cooperative_id,
        data={"from": previous, "to": str(product.status), "reason": reason},
    )


def set_moderation(actor: User, enabled: bool) -> None:
    """Switch the review of new products on or off (products already waiting stay in the queue)."""
    _require_city_admin(actor)
    set_setting(PRODUCT_MODERATION, bool(enabled), actor.id)


def pending_products() -> list[Product]:
    """The review queue, oldest first."""
    return list(
        db.session.scalars(
            select(Product)
            .options(joinedload(Product.cooperative), joinedload(Product.category))
            .where(Product.status == ProductStatus.PENDING_REVIEW)
            .order_by(Product.updated_at, Product.id)
        )
    )


def approve_product(product_id: int, actor: User) -> Product:
    """A product waiting for review goes live."""
    _require_city_admin(actor)
    product = _product(product_id)
    if product.status != ProductStatus.PENDING_REVIEW or product.hidden_by_city:
        raise ModerationError()
    if not any(variant.is_active for variant in product.variants):
        raise ModerationError(_l("Produk ini belum punya varian aktif."))
    previous = str(product.status)
    product.status = ProductStatus.ACTIVE
    product.status_reason = None
    if product.published_at is None:
        product.published_at = utcnow()
    db.session.flush()
    _record(product, "review_approved", actor, previous)
    _tell_owners(product, "approved")
    return product


def refuse_product(product_id: int, actor: User, reason: str) -> Product:
    """A product waiting for review goes back to draft with the city's reason."""
    _require_city_admin(actor)
    reason = _reason(reason)
    product = _product(product_id)
    if product.status != ProductStatus.PENDING_REVIEW:
        raise ModerationError()
    previous = str(product.status)
    product.status = ProductStatus.DRAFT
    product.status_reason = reason
    db.session.flush()
    _record(product, "review_refused", actor, previous, reason)
    _tell_owners(product, "refused", reason)
    return product


def hide_product(product_id: int, actor: User, reason: str) -> Product:
    """Take a live product out of the catalogue; the cooperative cannot publish it again."""
    _require_city_admin(actor)
    reason = _reason(reason)
    product = _product(product_id)
    if product.status != ProductStatus.ACTIVE or product.hidden_by_city:
        raise ModerationError()
    previous = str(product.status)
    product.status = ProductStatus.HIDDEN
    product.hidden_by_city = True
    product.status_reason = reason
    db.session.flush()
    _record(product, "hidden_by_city", actor, previous, reason)
    _tell_owners(product, "hidden", reason)
    return product


def unhide_product(product_id: int, actor: User) -> Product:
    """Lift the city's hold: the product is live again (unless the cooperative archived it
    meanwhile, which it keeps)."""
    _require_city_admin(actor)
    product = _product(product_id)
    if not product.hidden_by_city:
        raise ModerationError()
    previous = str(product.status)
    product.hidden_by_city = False
    product.status_reason = None
    if product.status == ProductStatus.HIDDEN:
        product.status = ProductStatus.ACTIVE
    db.session.flush()
    _record(product, "unhidden_by_city", actor, previous)
    _tell_owners(product, "unhidden")
    return product
