"""The city keeps the category tree: create, rename, reorder and merge categories.

Two levels: top categories (no parent) and their subcategories. Slugs never change after
creation, so links keep working through a rename. A merge moves every product of one category
into another and deletes it; the moved products' search data follows at once
(`catalogue.listing.refresh_summaries`), and the catalogue cache is invalidated by the commit
like any other catalogue change.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.catalogue import listing
from marketplace.catalogue.models import Category, Product
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.slugs import unique_slug


class CategoryError(DomainError):
    """A category rule refused the change; ``field`` names the form field it is about."""

    field = "name"
    default_message = _l("Kategori tidak dapat diubah dengan cara ini.")


class TooDeep(CategoryError):
    field = "parent_id"
    default_message = _l("Subkategori hanya dapat dibuat di bawah kategori utama.")


class InvalidMerge(CategoryError):
    field = "target_id"
    default_message = _l("Kategori tidak dapat digabungkan ke sana.")


def _require_city_admin(actor: User) -> None:
    if not actor.is_city_admin:
        raise PermissionDenied()


def _get(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound()
    return category


def _siblings(parent_id: int | None) -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(
                Category.parent_id.is_(None)
                if parent_id is None
                else Category.parent_id == parent_id
            )
            .order_by(Category.position, Category.id)
        )
    )


def create_category(actor: User, name: str, name_en: str, parent_id: int | None = None) -> Category:
    """A new category at the end of its level (under a top category when a parent is given)."""
    _require_city_admin(actor)
    if parent_id is not None:
        parent = db.session.get(Category, parent_id)
        if parent is None or parent.parent_id is not None:
            raise TooDeep()
    last = db.session.scalar(
        select(func.max(Category.position)).where(
            Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
        )
    )
    category = Category(
        name=name.strip(),
        name_en=name_en.strip(),
        slug=unique_slug(Category.slug, name),
        parent_id=parent_id,
        position=(last + 1) if last is not None else 0,
    )
    db.session.add(category)
    db.session.flush()
    audit.record(
        "category.created",
        category,
        actor_id=actor.id,
        data={"name": category.name, "parent_id": parent_id},
    )
    return category


def rename_category(category_id: int, actor: User, name: str, name_en: str) -> Category:
    """New names in both languages; the slug (and so every link) stays."""
    _require_city_admin(actor)
    category = _get(category_id)
    before = (category.name, category.name_en)
    category.name, category.name_en = name.strip(), name_en.strip()
    if before != (category.name, category.name_en):
        db.session.flush()  # listing.py refreshes the search data of its products
        audit.record(
            "category.renamed",
            category,
            actor_id=actor.id,
            data={"from": list(before), "to": [category.name, category.name_en]},
        )
    return category


def move_category(category_id: int, actor: User, direction: str) -> Category:
    """Move a category one place up or down among its siblings."""
    _require_city_admin(actor)
    if direction not in ("up", "down"):
        raise CategoryError()
    category = _get(category_id)
    siblings = _siblings(category.parent_id)
    index = siblings.index(category)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        # Renumber all of them: older data may hold equal positions.
        for position, sibling in enumerate(siblings):
            sibling.position = position
        db.session.flush()
        audit.record("category.moved", category, actor_id=actor.id, data={"direction": direction})
    return category


def merge_targets(category: Category) -> list[Category]:
    """Where a category may be merged: one with subcategories only into another top category
    (its subcategories move along, so the tree keeps two levels); any other into any other."""
    everything = list(db.session.scalars(select(Category).order_by(Category.position)))
    has_children = any(c.parent_id == category.id for c in everything)
    return [
        c for c in everything if c.id != category.id and (not has_children or c.parent_id is None)
    ]


def merge_category(source_id: int, target_id: int, actor: User) -> Category:
    """Move every product (and subcategory) of ``source`` into ``target``, then delete
    ``source``. The products' search data is refreshed in the same transaction."""
    _require_city_admin(actor)
    source = _get(source_id)
    target = db.session.get(Category, target_id)
    if target is None or target.id not in {c.id for c in merge_targets(source)}:
        raise InvalidMerge()
    children = list(source.children)
    last = db.session.scalar(
        select(func.max(Category.position)).where(Category.parent_id == target.id)
    )
    for offset, child in enumerate(children, start=1):
        child.parent = target  # through the relationship, so source.children lets go of it
        child.position = (last if last is not None else -1) + offset
    moved = list(db.session.scalars(select(Product.id).where(Product.category_id == source.id)))
    if moved:
        db.session.execute(
            update(Product)
            .where(Product.id.in_(moved))
            .values(category_id=target.id)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    source_name = source.name
    db.session.delete(source)
    db.session.flush()
    # The bulk update above bypassed the ORM, so the listing's flush hook did not see it.
    listing.refresh_summaries(db.session(), set(moved))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Product) and obj.id in moved:
            db.session.expire(obj)
    audit.record(
        "category.merged",
        target,
        actor_id=actor.id,
        data={
            "from": source_id,
            "from_name": source_name,
            "products": len(moved),
            "subcategories": len(children),
        },
    )
    return target
