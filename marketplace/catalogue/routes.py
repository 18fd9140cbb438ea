from __future__ import annotations

from datetime import date

from flask import render_template

from marketplace.catalogue import bp, services
from marketplace.policy import PUBLIC, allow


@bp.route("/")
@allow(PUBLIC)
def home() -> str:
    return render_template(
        "catalogue/home.html",
        categories=services.top_categories(),
        products=services.featured_products(),
        cooperatives=services.approved_cooperatives(),
    )


@bp.route("/cooperatives/<slug>")
@allow(PUBLIC)
def cooperative(slug: str) -> str:
    cooperative = services.get_public_cooperative(slug)
    return render_template(
        "catalogue/cooperative.html",
        cooperative=cooperative,
        products=services.cooperative_products(cooperative),
    )


@bp.route("/products/<slug>")
@allow(PUBLIC)
def product(slug: str) -> str:
    return render_template(
        "catalogue/product.html", product=services.get_public_product(slug), today=date.today()
    )
