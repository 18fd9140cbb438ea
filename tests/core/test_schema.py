"""The migrations build the schema the models describe, and the database enforces the rules."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

import marketplace.models  # noqa: F401  (every table registered)
from marketplace.catalogue.models import ProductVariant
from marketplace.database import include_object
from marketplace.extensions import db
from tests.factories import (
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
    VariantFactory,
)


def test_migrations_and_models_agree(app: Flask) -> None:
    """The test database was built by ``flask db upgrade``; autogenerate must find nothing."""
    connection = db.session.connection()
    context = MigrationContext.configure(
        connection, opts={"include_object": include_object, "compare_type": True}
    )
    diff = compare_metadata(context, db.metadata)
    assert diff == [], f"Models and migrations differ; add a migration: {diff}"


def test_migrations_run_down_and_up_again(committed_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    with committed_app.app_context():
        downgrade(revision="base")
        upgrade()
        assert db.session.get(ProductVariant, 1) is None


def _violates(statement: object) -> None:
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(statement)  # type: ignore[call-overload]


def test_the_database_refuses_negative_stock(app: Flask) -> None:
    variant = VariantFactory(on_hand=3)
    _violates(update(ProductVariant).where(ProductVariant.id == variant.id).values(on_hand=-1))


def test_the_database_refuses_reserving_more_than_on_hand(app: Flask) -> None:
    variant = VariantFactory(on_hand=3)
    _violates(update(ProductVariant).where(ProductVariant.id == variant.id).values(reserved=4))


def test_the_database_refuses_negative_prices(app: Flask) -> None:
    variant = VariantFactory(price=1000)
    _violates(update(ProductVariant).where(ProductVariant.id == variant.id).values(price=-1))


def _refused_on_flush(obj: object) -> None:
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(obj)
        db.session.flush()


def test_skus_are_unique_per_cooperative_but_not_across(app: Flask) -> None:
    cooperative = CooperativeFactory()
    VariantFactory(product=ProductFactory(cooperative=cooperative), sku="KRP-01")
    VariantFactory(sku="KRP-01")  # another cooperative may use the same SKU
    other_product = ProductFactory(cooperative=cooperative)
    _refused_on_flush(
        ProductVariant(
            product_id=other_product.id, cooperative_id=cooperative.id, sku="KRP-01", price=1
        )
    )


def test_product_slugs_are_unique_across_the_site(app: Flask) -> None:
    first = ProductFactory(slug="keripik-tempe")
    from marketplace.catalogue.models import Product

    _refused_on_flush(
        Product(
            cooperative_id=first.cooperative_id,
            category_id=first.category_id,
            name="Lain",
            slug="keripik-tempe",
            unit="pak",
        )
    )


def test_a_user_belongs_to_at_most_one_cooperative(app: Flask) -> None:
    from marketplace.cooperatives.models import CooperativeMember

    member = CooperativeMemberFactory()
    other = CooperativeFactory()
    _refused_on_flush(CooperativeMember(cooperative_id=other.id, user_id=member.user_id))


def test_an_unknown_cooperative_status_is_refused(app: Flask) -> None:
    cooperative = CooperativeFactory()
    from marketplace.cooperatives.models import Cooperative

    _violates(update(Cooperative).where(Cooperative.id == cooperative.id).values(status="bogus"))
