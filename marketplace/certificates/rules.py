"""The certificate rules, each written once as SQL so lists, counts and reminders agree.

* **Halal expired**: a product carries a halal certificate whose validity date has passed.
* **Permit missing**: a food product (its category or its parent is one of
  ``CERTIFICATE_FOOD_CATEGORIES``) has neither a PIRT nor a BPOM MD number.
* **BPOM missing**: a product of ``CERTIFICATE_BPOM_CATEGORIES`` (milk products such as yogurt,
  bottled water) has no BPOM MD number: for these a PIRT is not enough.

A certificate's standing against its expiry (`expiry_standing`) is the same for halal and PP 55
certificates: expired before today, expiring within the warning window, valid otherwise (also
when no expiry date is recorded).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import aliased

from marketplace.catalogue.models import Category, Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from marketplace.labels import LabelledEnum


class Problem(LabelledEnum):
    HALAL_EXPIRED = "halal_expired", _l("Sertifikat halal kedaluwarsa")
    PERMIT_MISSING = "permit_missing", _l("Produk pangan tanpa PIRT atau BPOM MD")
    BPOM_MISSING = "bpom_missing", _l("Wajib BPOM MD (olahan susu, air minum dalam kemasan)")


class Standing(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


def problem_conditions(
    today: date, category: Any = Category, parent: Any = None
) -> dict[Problem, ColumnElement[bool]]:
    """The rule, in one function: a condition per problem, over ``products`` joined to its
    category (and that category's parent, outer-joined: top categories have none)."""
    config = current_app.config
    food = tuple(config["CERTIFICATE_FOOD_CATEGORIES"])
    bpom = tuple(config["CERTIFICATE_BPOM_CATEGORIES"])
    parent_slug = func.coalesce(parent.slug, "") if parent is not None else literal("")
    needs_bpom = or_(category.slug.in_(bpom), parent_slug.in_(bpom))
    is_food = or_(category.slug.in_(food), parent_slug.in_(food), needs_bpom)
    return {
        Problem.HALAL_EXPIRED: and_(
            Product.halal_number.is_not(None), Product.halal_valid_until < today
        ),
        Problem.PERMIT_MISSING: and_(
            is_food,
            not_(needs_bpom),
            Product.pirt_number.is_(None),
            Product.bpom_md_number.is_(None),
        ),
        Problem.BPOM_MISSING: and_(needs_bpom, Product.bpom_md_number.is_(None)),
    }


def expiry_standing(valid_until: Any, today: date, within_days: int) -> ColumnElement[str]:
    """``expired``, ``expiring`` (within ``within_days``) or ``valid``, as a SQL expression."""
    return case(
        (valid_until < today, literal(Standing.EXPIRED.value)),
        (valid_until <= today + timedelta(days=within_days), literal(Standing.EXPIRING.value)),
        else_=literal(Standing.VALID.value),
    )


@dataclass
class ProductProblems:
    product: Product
    cooperative: Cooperative
    category: Category
    problems: list[Problem]


def products_with_problems(today: date) -> list[ProductProblems]:
    """Products (not archived, of cooperatives not rejected) with missing or expired
    certificates, by cooperative and name. One query."""
    parent = aliased(Category)
    conditions = problem_conditions(today, Category, parent)
    columns = [
        case((condition, literal(True)), else_=literal(False)).label(problem.value)
        for problem, condition in conditions.items()
    ]
    rows = db.session.execute(
        select(Product, Cooperative, Category, *columns)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Category, Category.id == Product.category_id)
        .outerjoin(parent, parent.id == Category.parent_id)
        .where(
            Product.status != ProductStatus.ARCHIVED,
            Cooperative.status != CooperativeStatus.REJECTED,
            or_(*conditions.values()),
        )
        .order_by(Cooperative.name, Product.name, Product.id)
    ).all()
    return [
        ProductProblems(
            product,
            cooperative,
            category,
            [problem for problem, flag in zip(conditions, flags, strict=True) if flag],
        )
        for product, cooperative, category, *flags in rows
    ]


def expired_pp55(today: date) -> list[Cooperative]:
    """Approved cooperatives whose PP 55/2022 certificate has expired (PPh 22 goes back to the
    full rate for them)."""
    return list(
        db.session.scalars(
            select(Cooperative)
            .where(
                Cooperative.status == CooperativeStatus.APPROVED,
                Cooperative.pp55_certificate_number.is_not(None),
                Cooperative.pp55_valid_until < today,
            )
            .order_by(Cooperative.pp55_valid_until, Cooperative.name)
        )
    )
