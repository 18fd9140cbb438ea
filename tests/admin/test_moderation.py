"""Product moderation (a database setting, off by default) and hiding a product with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.catalogue import management, moderation
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from marketplace.settings import PRODUCT_MODERATION, Setting, get_setting
from tests.conftest import login
from tests.factories import (
    CooperativeMemberFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)


def draft(name: str = "Kopi Pesantren") -> Product:
    """A draft with an active variant, of an approved cooperative with an owner."""
    member = CooperativeMemberFactory(user=UserFactory(email=f"owner-{name[:4].lower()}@ex.test"))
    product: Product = ProductFactory(
        cooperative=member.cooperative, name=name, status=ProductStatus.DRAFT
    )
    VariantFactory(product=product)
    return product


def publish(product: Product) -> Product:
    return management.change_publication(
        product.cooperative_id, product.id, product.cooperative.members[0].user_id, "publish"
    )


def shown(client: FlaskClient, product: Product) -> bool:
    return client.get(f"/products/{product.slug}").status_code == 200


def test_moderation_is_off_by_default_and_publishing_is_immediate(app_ctx: Flask) -> None:
    assert get_setting(PRODUCT_MODERATION) is False
    assert db.session.get(Setting, PRODUCT_MODERATION) is None
    assert publish(draft()).status == ProductStatus.ACTIVE


def test_with_moderation_a_new_product_waits_for_the_city(
    app_ctx: Flask, admin: User, sent_mail: list[Any]
) -> None:
    moderation.set_moderation(admin, True)
    product = publish(draft())
    assert product.status == ProductStatus.PENDING_REVIEW
    assert product.published_at is None
    assert moderation.pending_products() == [product]
    with pytest.raises(management.InvalidStatusChange):
        publish(product)  # the cooperative cannot let itself through

    moderation.approve_product(product.id, admin)
    assert product.status == ProductStatus.ACTIVE
    assert product.published_at is not None
    # Once approved, taking it down and putting it back needs no new review.
    management.change_publication(product.cooperative_id, product.id, admin.id, "unpublish")
    assert publish(product).status == ProductStatus.ACTIVE
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.subject_id == product.id).order_by(AuditLog.id)
    )
    assert "product.review_approved" in list(actions)


def test_a_refused_product_returns_to_draft_with_the_reason_for_the_cooperative(
    app_ctx: Flask, admin: User
) -> None:
    moderation.set_moderation(admin, True)
    product = publish(draft())
    with pytest.raises(moderation.ReasonRequired):
        moderation.refuse_product(product.id, admin, " ")
    moderation.refuse_product(product.id, admin, "Foto produk buram.")
    assert (product.status, product.status_reason) == (ProductStatus.DRAFT, "Foto produk buram.")
    again = publish(product)
    assert (again.status, again.status_reason) == (ProductStatus.PENDING_REVIEW, None)


def test_a_hidden_product_leaves_the_catalogue_and_the_cooperative_cannot_republish_it(
    app: Flask, admin_client: FlaskClient, admin: User, sent_mail: list[Any]
) -> None:
    product = draft("Madu Hutan")
    with app.test_request_context():
        publish(product)
        db.session.commit()
    shopper = app.test_client()
    assert shown(shopper, product)

    refused = admin_client.post(f"/admin/products/{product.id}/hide", data={"reason": ""})
    assert refused.status_code == 400
    assert shown(shopper, product)

    reason = "Klaim khasiat tidak sesuai aturan."
    response = admin_client.post(f"/admin/products/{product.id}/hide", data={"reason": reason})
    assert response.status_code == 302
    assert not shown(shopper, product)
    assert reason in sent_mail[-1].body_text
    db.session.refresh(product)
    assert product.hidden_by_city

    owner = app.test_client()
    assert login(owner, product.cooperative.members[0].user.email).status_code == 302
    page = owner.get(f"/vendor/products/{product.id}").get_data(as_text=True)
    assert reason in page
    attempt = owner.post(f"/vendor/products/{product.id}/publication", data={"action": "publish"})
    assert attempt.status_code == 400
    assert not shown(shopper, product)

    assert admin_client.post(f"/admin/products/{product.id}/unhide").status_code == 302
    assert shown(shopper, product)
    db.session.refresh(product)
    assert (product.hidden_by_city, product.status_reason) == (False, None)


def test_only_live_products_are_hidden(app_ctx: Flask, admin: User) -> None:
    product = draft()
    with pytest.raises(moderation.ModerationError):
        moderation.hide_product(product.id, admin, "Alasan")
    with pytest.raises(moderation.ModerationError):
        moderation.unhide_product(product.id, admin)
    with pytest.raises(moderation.ModerationError):
        moderation.approve_product(product.id, admin)


def test_moderation_services_are_for_city_admins_only(app_ctx: Flask) -> None:
    someone = UserFactory()
    product = draft()
    with pytest.raises(PermissionDenied):
        moderation.set_moderation(someone, True)
    for service in (moderation.approve_product, moderation.unhide_product):
        with pytest.raises(PermissionDenied):
            service(product.id, someone)
    for with_reason in (moderation.refuse_product, moderation.hide_product):
        with pytest.raises(PermissionDenied):
            with_reason(product.id, someone, "x")


def test_the_moderation_pages(app: Flask, admin_client: FlaskClient, admin: User) -> None:
    switched = admin_client.post("/admin/moderation/setting", data={"enabled": "y"})
    assert switched.status_code == 302
    assert get_setting(PRODUCT_MODERATION) is True
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "setting.changed"))
    assert entry is not None and entry.actor_id == admin.id

    product = draft("Sambal Bawang")
    owner = app.test_client()
    assert login(owner, product.cooperative.members[0].user.email).status_code == 302
    sent = owner.post(
        f"/vendor/products/{product.id}/publication",
        data={"action": "publish"},
        follow_redirects=True,
    )
    assert "untuk diperiksa" in sent.get_data(as_text=True)
    assert "Sambal Bawang" in admin_client.get("/admin/moderation").get_data(as_text=True)

    no_reason = admin_client.post(f"/admin/products/{product.id}/refuse", data={"reason": ""})
    assert no_reason.status_code == 400
    assert "Tuliskan alasannya untuk koperasi." in no_reason.get_data(as_text=True)
    assert admin_client.post(f"/admin/products/{product.id}/approve").status_code == 302
    assert shown(app.test_client(), product)
    queue = admin_client.get("/admin/moderation").get_data(as_text=True)
    assert "Tidak ada produk yang menunggu pemeriksaan." in queue

    listing = admin_client.get("/admin/products?q=sambal&status=active").get_data(as_text=True)
    assert "Sambal Bawang" in listing
    admin_client.post("/admin/moderation/setting", data={})
    assert get_setting(PRODUCT_MODERATION) is False
