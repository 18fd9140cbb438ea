from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from marketplace import clock
from marketplace.accounts.address_regions import region_choices
from marketplace.catalogue import bp, cache, services, suggest
from marketplace.catalogue.forms import ShippingCostForm
from marketplace.catalogue.models import Product
from marketplace.catalogue.params import parse_product_query, query_args
from marketplace.catalogue.search import ProductQuery
from marketplace.policy import PUBLIC, allow
from marketplace.shipping import estimate as shipping_estimate
from marketplace.urls import absolute_url


class _ListingLinks:
    """Links to other pages, sorts and filters of one listing, keeping the rest of the query."""

    def __init__(self, endpoint: str, **path: str) -> None:
        self.endpoint = endpoint
        self.path = path

    def args(self, query: ProductQuery, **changes: object) -> dict[str, Any]:
        return {k: v for k, v in query_args(query, **changes).items() if k not in self.path}

    def __call__(self, query: ProductQuery, absolute: bool = False, **changes: object) -> str:
        values = {**self.path, **self.args(query, **changes)}
        if absolute:
            return absolute_url(self.endpoint, **values)
        return url_for(self.endpoint, **values)

    def hidden(self, query: ProductQuery) -> list[tuple[str, object]]:
        """The current filters as hidden fields, for the sort form."""
        return list(self.args(query, sort=None, page=None).items())


def _listing_url(endpoint: str, **path: str) -> _ListingLinks:
    return _ListingLinks(endpoint, **path)


@bp.route("/")
@allow(PUBLIC)
@cache.cached_page
def home() -> str:
    return render_template(
        "catalogue/home.html",
        categories=services.top_categories(),
        products=services.featured_products(),
        cooperatives=services.approved_cooperatives(),
    )


@bp.route("/products")
@allow(PUBLIC)
@cache.cached_page
def products() -> str:
    query, notices = parse_product_query(request.args)
    result = services.list_products(query, clock.today())
    return render_template(
        "catalogue/listing.html",
        result=result,
        notices=notices,
        category=None,
        listing_url=_listing_url("catalogue.products"),
    )


@bp.route("/categories/<slug>")
@allow(PUBLIC)
@cache.cached_page
def category(slug: str) -> str:
    category = services.get_category(slug)
    args = request.args.to_dict()
    args["category"] = category.slug
    query, notices = parse_product_query(args)
    result = services.list_products(query, clock.today())
    return render_template(
        "catalogue/listing.html",
        result=result,
        notices=notices,
        category=category,
        listing_url=_listing_url("catalogue.category", slug=category.slug),
    )


@bp.route("/products/<slug>")
@allow(PUBLIC)
@cache.cached_page
def product(slug: str) -> str:
    product = services.get_public_product(slug)
    return render_template(
        "catalogue/product.html",
        product=product,
        related=services.related_products(product),
        today=clock.today(),
        shipping=_saved_address_estimate(product),
        parcel_weight=_parcel_weight(product),
    )


@bp.route("/cooperatives")
@allow(PUBLIC)
@cache.cached_page
def cooperatives() -> str:
    return render_template(
        "catalogue/cooperatives.html", cooperatives=services.approved_cooperatives()
    )


@bp.route("/cooperatives/<slug>")
@allow(PUBLIC)
@cache.cached_page
def cooperative(slug: str) -> str:
    cooperative = services.get_public_cooperative(slug)
    query, _notices = parse_product_query({**request.args.to_dict(), "cooperative": slug})
    result = services.list_products(query, clock.today())
    return render_template(
        "catalogue/cooperative.html",
        cooperative=cooperative,
        result=result,
        listing_url=_listing_url("catalogue.cooperative", slug=cooperative.slug),
    )


@bp.route("/search/suggestions")
@allow(PUBLIC)
def search_suggestions() -> Response:
    """What the search field offers as the shopper types (JSON for `search-suggest.js`).

    The same for everyone, so shared caches may keep it a minute."""
    found = suggest.suggest(request.args.get("q", ""))
    english = str(get_locale()) == "en"
    response = jsonify(
        products=[
            {"name": p.name, "url": url_for("catalogue.product", slug=p.slug)}
            for p in found.products
        ],
        categories=[
            {
                "name": c.name_en if english and c.name_en else c.name,
                "url": url_for("catalogue.category", slug=c.slug),
            }
            for c in found.categories
        ],
        cooperatives=[
            {"name": c.name, "url": url_for("catalogue.cooperative", slug=c.slug)}
            for c in found.cooperatives
        ],
    )
    response.cache_control.public = True
    response.cache_control.max_age = 60
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.route("/sitemap.xml")
@allow(PUBLIC)
def sitemap() -> Response:
    products, cooperatives, categories = services.sitemap_entries()
    xml = render_template(
        "catalogue/sitemap.xml",
        products=products,
        cooperatives=cooperatives,
        categories=categories,
    )
    return Response(xml, mimetype="application/xml")


@bp.route("/robots.txt")
@allow(PUBLIC)
def robots() -> Response:
    lines = [
        "User-agent: *",
        "Disallow: /account/",
        "Disallow: /cart",
        "Disallow: /checkout",
        "Disallow: /orders",
        "Disallow: /vendor/",
        "Disallow: /admin/",
        "Disallow: /procurement/",
        f"Sitemap: {absolute_url('catalogue.sitemap')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.app_context_processor
def catalogue_helpers() -> dict[str, object]:
    return {
        "today_date": clock.today(),
        "product_json_ld": product_json_ld,
        **cache.page_placeholders(),
    }


def product_json_ld(product: Product, reviews: Sequence[Any] = ()) -> dict[str, object]:
    """schema.org Product markup for search engines: with its rating (from the product's stored
    counters) and the ``reviews`` shown on the page, once it has any."""
    variants = [v for v in product.variants if v.is_active]
    in_stock = any(v.available > 0 for v in variants)
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "sku": variants[0].sku if variants else None,
        "brand": {"@type": "Organization", "name": product.cooperative.name},
        "url": absolute_url("catalogue.product", slug=product.slug),
        "offers": {
            "@type": "AggregateOffer" if len(variants) > 1 else "Offer",
            "priceCurrency": "IDR",
            **(
                {
                    "lowPrice": min(v.price for v in variants),
                    "highPrice": max(v.price for v in variants),
                    "offerCount": len(variants),
                }
                if len(variants) > 1
                else {"price": product.price_from}
            ),
            "availability": "https://schema.org/InStock"
            if in_stock
            else "https://schema.org/OutOfStock",
        },
    }
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(product.rating_sum / product.rating_count, 1),
            "reviewCount": product.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
        data["review"] = [
            {
                "@type": "Review",
                "reviewRating": {"@type": "Rating", "ratingValue": review.stars, "bestRating": 5},
                "author": {"@type": "Person", "name": review.reviewer_name},
                "datePublished": review.created_at.date().isoformat(),
                **({"reviewBody": review.body} if review.body else {}),
            }
            for review in reviews
        ]
    if product.images:
        data["image"] = [
            absolute_url("site.media", key=image.storage_key) for image in product.images
        ]
    return data


def _parcel_weight(product: Product) -> int:
    """The smallest parcel of this product a shopper can order."""
    return product.weight_grams * max(product.min_order_qty, 1)


def _saved_address_estimate(product: Product) -> shipping_estimate.Estimate | None:
    """The courier estimate to the signed-in shopper's saved address (anonymous pages, cached
    for everyone, show none)."""
    if not current_user.is_authenticated or not product.cooperative.offers_courier:
        return None
    destination = shipping_estimate.saved_destination(current_user)
    if destination is None:
        return None
    return shipping_estimate.estimate(product.cooperative, _parcel_weight(product), destination)


@bp.route("/products/<slug>/ongkir")
@allow(PUBLIC)
def shipping_cost(slug: str) -> str:
    """ "Cek ongkir": the cooperative's courier services to a kecamatan picked from the lists
    (one list at a time without JavaScript), before anything is in the cart."""
    product = services.get_public_product(slug)
    form = ShippingCostForm(request.args)
    choices = region_choices(
        form.province.data or "", form.regency.data or "", form.district.data or "", ""
    )
    pick = [("", _("Pilih dari daftar"))]
    for field, value, found in (
        (form.province, choices.province, choices.provinces),
        (form.regency, choices.regency, choices.regencies),
        (form.district, choices.district, choices.districts),
    ):
        field.choices = pick + [(r.code, r.name) for r in found]
        field.data = value
    destination = shipping_estimate.district_destination(choices.district)
    found_estimate = None
    if destination is not None and product.cooperative.offers_courier:
        found_estimate = shipping_estimate.estimate(
            product.cooperative, _parcel_weight(product), destination
        )
    return render_template(
        "catalogue/shipping_cost.html",
        product=product,
        form=form,
        estimate=found_estimate,
        destination=destination,
        weight=_parcel_weight(product),
    )
