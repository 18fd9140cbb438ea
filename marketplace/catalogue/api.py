"""The open-data API: read-only JSON of the public catalogue, described by OpenAPI 3.1."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import force_locale

from marketplace import clock
from marketplace.catalogue import services
from marketplace.catalogue.models import Product
from marketplace.catalogue.params import parse_product_query
from marketplace.catalogue.search import PER_PAGE_DEFAULT, PER_PAGE_MAX, SORTS
from marketplace.cooperatives.models import KECAMATAN, Cooperative
from marketplace.policy import PUBLIC, allow
from marketplace.urls import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _product(product: Product, today: date) -> dict[str, Any]:
    variants = [v for v in product.variants if v.is_active]
    return {
        "slug": product.slug,
        "name": product.name,
        "description": product.description,
        "url": absolute_url("catalogue.product", slug=product.slug),
        "unit": product.unit,
        "weight_grams": product.weight_grams,
        "min_order_qty": product.min_order_qty,
        "price_from": product.price_from,
        "currency": "IDR",
        "in_stock": any(v.available > 0 for v in variants),
        "cooperative": product.cooperative.slug,
        "kecamatan": product.cooperative.kecamatan,
        "certificates": {
            "halal_number": product.halal_number,
            "halal_valid_until": product.halal_valid_until.isoformat()
            if product.halal_valid_until
            else None,
            "halal_valid": bool(product.halal_number) and not product.halal_expired(today),
            "pirt_number": product.pirt_number,
            "bpom_md_number": product.bpom_md_number,
        },
        "variants": [
            {
                "sku": v.sku,
                "name": v.name,
                "options": v.options,
                "price": v.price,
                "available": max(v.available, 0),
                "price_tiers": [
                    {"min_quantity": t.min_quantity, "unit_price": t.unit_price}
                    for t in v.price_tiers
                ],
            }
            for v in variants
        ],
        "images": [absolute_url("site.media", key=image.storage_key) for image in product.images],
    }


def _cooperative(cooperative: Cooperative, product_count: int) -> dict[str, Any]:
    return {
        "slug": cooperative.slug,
        "name": cooperative.name,
        "kind": cooperative.kind,
        "pesantren": cooperative.pesantren_name,
        "kecamatan": cooperative.kecamatan,
        "description": cooperative.description,
        "url": absolute_url("catalogue.cooperative", slug=cooperative.slug),
        "whatsapp": f"https://wa.me/{cooperative.whatsapp}",
        "product_count": product_count,
    }


def _bad_request(messages: list[str]) -> tuple[Response, int]:
    return jsonify(error="invalid_parameters", messages=messages), 400


@bp.route("/products")
@allow(PUBLIC)
def products() -> Response | tuple[Response, int]:
    """Active products of approved cooperatives, with the same filters as /products."""
    with force_locale("en"):
        query, notices = parse_product_query(request.args)
    if notices:
        return _bad_request(notices)
    today = clock.today()
    result = services.list_products_with_variants(query, today)
    return jsonify(
        page=result.query.page,
        per_page=result.query.per_page,
        total=result.total,
        pages=result.pages,
        items=[_product(product, today) for product in result.products],
    )


@bp.route("/cooperatives")
@allow(PUBLIC)
def cooperatives() -> Response:
    """Approved cooperatives (the pilot has few; no paging needed yet beyond per_page)."""
    kecamatan = request.args.get("kecamatan")
    rows = services.approved_cooperatives()
    if kecamatan in KECAMATAN:
        rows = [(c, n) for c, n in rows if c.kecamatan == kecamatan]
    return jsonify(total=len(rows), items=[_cooperative(c, n) for c, n in rows])


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi() -> Response:
    return jsonify(openapi_document())


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description; tests validate real responses against these schemas."""
    string = {"type": "string"}
    nullable_string = {"type": ["string", "null"]}
    integer = {"type": "integer"}
    money = {"type": "integer", "minimum": 0, "description": "Whole rupiah"}
    filters = [
        ("q", string, "Full-text search (prefix matching; typo tolerant on PostgreSQL)"),
        ("category", string, "Category slug (a top category includes its subcategories)"),
        ("cooperative", string, "Cooperative slug"),
        ("kecamatan", {"type": "string", "enum": list(KECAMATAN)}, "Kecamatan"),
        ("price_min", {"type": "integer", "minimum": 0}, "Lowest price in rupiah"),
        ("price_max", {"type": "integer", "minimum": 0}, "Highest price in rupiah"),
        (
            "halal",
            {"type": "string", "enum": ["1"]},
            "Only products with a valid halal certificate",
        ),
        ("in_stock", {"type": "string", "enum": ["1"]}, "Only products in stock"),
        ("sort", {"type": "string", "enum": list(SORTS)}, "Sort order"),
        ("page", {"type": "integer", "minimum": 1}, "Page number"),
        (
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX, "default": PER_PAGE_DEFAULT},
            "Page size",
        ),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pasar OPOP open data",
            "version": "1.0.0",
            "description": "Read-only catalogue of One Pesantren One Product goods of Kota "
            "Mojokerto.",
        },
        "servers": [{"url": absolute_url("catalogue.home").rstrip("/")}],
        "paths": {
            "/api/v1/products": {
                "get": {
                    "operationId": "listProducts",
                    "summary": "Search and list products",
                    "parameters": [
                        {"name": n, "in": "query", "required": False, "schema": s, "description": d}
                        for n, s, d in filters
                    ],
                    "responses": {
                        "200": _json_response("ProductPage", "A page of products"),
                        "400": _json_response("Error", "Invalid parameters"),
                    },
                }
            },
            "/api/v1/cooperatives": {
                "get": {
                    "operationId": "listCooperatives",
                    "summary": "List approved cooperatives",
                    "parameters": [
                        {
                            "name": "kecamatan",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": list(KECAMATAN)},
                        }
                    ],
                    "responses": {"200": _json_response("CooperativeList", "Cooperatives")},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "messages"],
                    "properties": {"error": string, "messages": {"type": "array", "items": string}},
                },
                "PriceTier": {
                    "type": "object",
                    "required": ["min_quantity", "unit_price"],
                    "additionalProperties": False,
                    "properties": {"min_quantity": integer, "unit_price": money},
                },
                "Variant": {
                    "type": "object",
                    "required": ["sku", "name", "options", "price", "available", "price_tiers"],
                    "additionalProperties": False,
                    "properties": {
                        "sku": string,
                        "name": string,
                        "options": {"type": "object", "additionalProperties": string},
                        "price": money,
                        "available": {"type": "integer", "minimum": 0},
                        "price_tiers": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/PriceTier"},
                        },
                    },
                },
                "Product": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "slug",
                        "name",
                        "description",
                        "url",
                        "unit",
                        "weight_grams",
                        "min_order_qty",
                        "price_from",
                        "currency",
                        "in_stock",
                        "cooperative",
                        "kecamatan",
                        "certificates",
                        "variants",
                        "images",
                    ],
                    "properties": {
                        "slug": string,
                        "name": string,
                        "description": string,
                        "url": {"type": "string", "format": "uri"},
                        "unit": string,
                        "weight_grams": {"type": "integer", "minimum": 0},
                        "min_order_qty": {"type": "integer", "minimum": 1},
                        "price_from": money,
                        "currency": {"const": "IDR"},
                        "in_stock": {"type": "boolean"},
                        "cooperative": string,
                        "kecamatan": {"type": "string", "enum": list(KECAMATAN)},
                        "certificates": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": [
                                "halal_number",
                                "halal_valid_until",
                                "halal_valid",
                                "pirt_number",
                                "bpom_md_number",
                            ],
                            "properties": {
                                "halal_number": nullable_string,
                                "halal_valid_until": {"type": ["string", "null"], "format": "date"},
                                "halal_valid": {"type": "boolean"},
                                "pirt_number": nullable_string,
                                "bpom_md_number": nullable_string,
                            },
                        },
                        "variants": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Variant"},
                        },
                        "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
                    },
                },
                "ProductPage": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["page", "per_page", "total", "pages", "items"],
                    "properties": {
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
                        "total": {"type": "integer", "minimum": 0},
                        "pages": {"type": "integer", "minimum": 1},
                        "items": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Product"},
                        },
                    },
                },
                "Cooperative": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "slug",
                        "name",
                        "kind",
                        "pesantren",
                        "kecamatan",
                        "description",
                        "url",
                        "whatsapp",
                        "product_count",
                    ],
                    "properties": {
                        "slug": string,
                        "name": string,
                        "kind": {"type": "string", "enum": ["koppontren", "koperasi"]},
                        "pesantren": nullable_string,
                        "kecamatan": {"type": "string", "enum": list(KECAMATAN)},
                        "description": string,
                        "url": {"type": "string", "format": "uri"},
                        "whatsapp": {"type": "string", "format": "uri"},
                        "product_count": {"type": "integer", "minimum": 0},
                    },
                },
                "CooperativeList": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["total", "items"],
                    "properties": {
                        "total": {"type": "integer", "minimum": 0},
                        "items": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Cooperative"},
                        },
                    },
                },
            }
        },
    }


def _json_response(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
