"""The open-data API answers what its OpenAPI document promises."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.catalogue.conftest import Catalogue


def validator_for(document: dict[str, Any], schema: str) -> Draft202012Validator:
    # OpenAPI 3.1 schemas are JSON Schema 2020-12; the whole document is the $ref target.
    resource = Resource.from_contents(
        {**document, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    )
    registry = Registry().with_resource("urn:openapi", resource)
    return Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{schema}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    assert document["openapi"].startswith("3.1")
    return document


def test_the_openapi_document_is_valid_json_schema(spec: dict[str, Any]) -> None:
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products",
        "/api/v1/products?q=keripik",
        "/api/v1/products?category=makanan&halal=1&sort=price_desc&per_page=1&page=2",
        "/api/v1/products?q=tidak-ada-apa-apa",
    ],
)
def test_product_responses_match_the_schema(
    client: FlaskClient, catalogue: Catalogue, spec: dict[str, Any], url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    validator_for(spec, "ProductPage").validate(response.get_json())


def test_cooperative_responses_match_the_schema(
    client: FlaskClient, catalogue: Catalogue, spec: dict[str, Any]
) -> None:
    response = client.get("/api/v1/cooperatives")
    body = response.get_json()
    validator_for(spec, "CooperativeList").validate(body)
    assert {item["slug"] for item in body["items"]} == {"al-hikmah", "nurul-huda"}
    kranggan = client.get("/api/v1/cooperatives?kecamatan=Kranggan").get_json()
    assert [item["slug"] for item in kranggan["items"]] == ["nurul-huda"]


def test_the_api_filters_like_the_site(client: FlaskClient, catalogue: Catalogue) -> None:
    body = client.get("/api/v1/products?q=tempe&in_stock=1").get_json()
    assert [item["slug"] for item in body["items"]] == ["keripik-tempe"]
    item = body["items"][0]
    assert item["price_from"] == 8000 and item["currency"] == "IDR"
    assert item["variants"][0]["price_tiers"] == [{"min_quantity": 10, "unit_price": 7000}]
    assert item["certificates"]["halal_valid"] is True


def test_the_api_never_returns_hidden_products(client: FlaskClient, catalogue: Catalogue) -> None:
    slugs = {
        item["slug"] for item in client.get("/api/v1/products?per_page=96").get_json()["items"]
    }
    assert "keripik-draf" not in slugs and "keripik-tutup" not in slugs
    assert len(slugs) == 4


def test_malformed_parameters_get_a_400_with_a_message(
    client: FlaskClient, catalogue: Catalogue, spec: dict[str, Any]
) -> None:
    response = client.get("/api/v1/products?price_min=murah")
    assert response.status_code == 400
    body = response.get_json()
    validator_for(spec, "Error").validate(body)
    assert "price filter" in body["messages"][0]
