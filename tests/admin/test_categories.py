"""The city keeps the category tree: create, rename, reorder, merge (products and search follow)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.audit import AuditLog
from marketplace.catalogue import categories
from marketplace.catalogue.models import Category, Product
from marketplace.catalogue.search import ProductQuery, search_products
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory


def found(text: str) -> list[str]:
    result = search_products(ProductQuery(text=text), today=date(2026, 12, 1), facets=False)
    return [product.name for product in result.products]


def names_in_order(parent_id: int | None) -> list[str]:
    statement = select(Category.name).order_by(Category.position, Category.id)
    statement = statement.where(
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
    )
    return list(db.session.scalars(statement))


def test_categories_are_created_on_two_levels_only(app_ctx: Flask, admin: User) -> None:
    top = categories.create_category(admin, "Olahan Ikan", "Fish Products")
    sub = categories.create_category(admin, "Bandeng Presto", "Pressure-cooked Milkfish", top.id)
    assert (top.slug, sub.slug, sub.parent_id) == ("olahan-ikan", "bandeng-presto", top.id)
    with pytest.raises(categories.TooDeep):
        categories.create_category(admin, "Terlalu Dalam", "Too Deep", sub.id)
    again = categories.create_category(admin, "Olahan Ikan", "Fish Products, again")
    assert again.slug == "olahan-ikan-2"
    assert names_in_order(None)[-2:] == ["Olahan Ikan", "Olahan Ikan"]


def test_renaming_keeps_the_slug_and_the_search_follows(app_ctx: Flask, admin: User) -> None:
    category = CategoryFactory(name="Rempeyek", name_en="Crackers", slug="rempeyek")
    VariantFactory(product=ProductFactory(category=category, name="Produk Renyah"))
    assert found("rempeyek") == ["Produk Renyah"]
    categories.rename_category(category.id, admin, "Camilan Gurih", "Savoury Snacks")
    assert category.slug == "rempeyek"
    assert found("gurih") == ["Produk Renyah"]
    assert found("rempeyek") == []


def test_reordering_moves_a_category_among_its_siblings(app_ctx: Flask, admin: User) -> None:
    parent = CategoryFactory(name="Induk")
    for name in ("A", "B", "C"):
        CategoryFactory(name=name, parent=parent, position=0)  # equal positions, as old data
    c = db.session.scalar(select(Category).where(Category.name == "C"))
    assert c is not None
    categories.move_category(c.id, admin, "up")
    assert names_in_order(parent.id) == ["A", "C", "B"]
    categories.move_category(c.id, admin, "up")
    categories.move_category(c.id, admin, "up")  # already first: nothing happens
    assert names_in_order(parent.id) == ["C", "A", "B"]
    categories.move_category(c.id, admin, "down")
    assert names_in_order(parent.id) == ["A", "C", "B"]


def test_merging_moves_the_products_and_their_search_data(app_ctx: Flask, admin: User) -> None:
    top = CategoryFactory(name="Minuman", name_en="Drinks")
    source = CategoryFactory(name="Wedang", name_en="Hot Drinks", parent=top)
    target = CategoryFactory(name="Jamu Tradisional", name_en="Jamu", parent=top)
    moved = [ProductFactory(category=source, name=f"Seduhan {n}") for n in (1, 2)]
    for product in moved:
        VariantFactory(product=product)
    stays = ProductFactory(category=target, name="Beras Kencur")
    VariantFactory(product=stays)
    assert sorted(found("wedang")) == ["Seduhan 1", "Seduhan 2"]

    categories.merge_category(source.id, target.id, admin)

    assert db.session.get(Category, source.id) is None
    category_ids = db.session.scalars(
        select(Product.category_id).where(Product.id.in_([p.id for p in moved]))
    )
    assert set(category_ids) == {target.id}
    assert found("wedang") == []
    assert sorted(found("tradisional")) == ["Beras Kencur", "Seduhan 1", "Seduhan 2"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "category.merged"))
    assert entry is not None and entry.actor_id == admin.id
    assert entry.data["products"] == 2


def test_merging_a_top_category_takes_its_subcategories_along(app_ctx: Flask, admin: User) -> None:
    source = CategoryFactory(name="Kerajinan Lama")
    child = CategoryFactory(name="Anyaman", parent=source)
    direct = ProductFactory(category=source, name="Tikar Pandan")
    target = CategoryFactory(name="Kerajinan")
    CategoryFactory(name="Suvenir", parent=target)
    assert target in categories.merge_targets(source)
    assert child not in categories.merge_targets(source)  # the tree keeps two levels
    with pytest.raises(categories.InvalidMerge):
        categories.merge_category(source.id, child.id, admin)
    with pytest.raises(categories.InvalidMerge):
        categories.merge_category(source.id, source.id, admin)

    categories.merge_category(source.id, target.id, admin)
    db.session.refresh(child)
    assert child.parent_id == target.id
    assert names_in_order(target.id) == ["Suvenir", "Anyaman"]
    db.session.refresh(direct)
    assert direct.category_id == target.id


def test_category_services_are_for_city_admins_only(app_ctx: Flask) -> None:
    someone = UserFactory()
    category = CategoryFactory()
    with pytest.raises(PermissionDenied):
        categories.create_category(someone, "X", "X")
    with pytest.raises(PermissionDenied):
        categories.rename_category(category.id, someone, "X", "X")
    with pytest.raises(PermissionDenied):
        categories.move_category(category.id, someone, "up")
    with pytest.raises(PermissionDenied):
        categories.merge_category(category.id, CategoryFactory().id, someone)


def test_the_category_pages(admin_client: FlaskClient) -> None:
    top = CategoryFactory(name="Fashion", name_en="Fashion")
    page = admin_client.get("/admin/categories").get_data(as_text=True)
    assert "Fashion" in page

    empty = admin_client.post(
        "/admin/categories", data={"name": "", "name_en": "", "parent_id": "0"}
    )
    assert empty.status_code == 400
    assert "Wajib diisi." in empty.get_data(as_text=True)

    created = admin_client.post(
        "/admin/categories", data={"name": "Mukena", "name_en": "Prayer Robes", "parent_id": top.id}
    )
    assert created.status_code == 302
    mukena = db.session.scalar(select(Category).where(Category.name == "Mukena"))
    assert mukena is not None and mukena.parent_id == top.id

    too_deep = admin_client.post(
        "/admin/categories", data={"name": "X", "name_en": "X", "parent_id": mukena.id}
    )
    assert too_deep.status_code == 400  # not offered as a parent

    renamed = admin_client.post(
        f"/admin/categories/{mukena.id}", data={"name": "Mukena & Sajadah", "name_en": "Prayer"}
    )
    assert renamed.status_code == 302
    db.session.refresh(mukena)
    assert mukena.name == "Mukena & Sajadah"

    other = CategoryFactory(name="Hijab", parent=top)
    assert admin_client.get(f"/admin/categories/{mukena.id}/merge").status_code == 200
    merged = admin_client.post(f"/admin/categories/{mukena.id}/merge", data={"target_id": other.id})
    assert merged.status_code == 302
    assert db.session.get(Category, mukena.id) is None
    bad = admin_client.post(f"/admin/categories/{other.id}/merge", data={"target_id": "999999"})
    assert bad.status_code == 400
