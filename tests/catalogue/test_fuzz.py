"""Any listing or search parameters give a page or a 400 with a message, never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from tests.catalogue.conftest import Catalogue

junk = st.one_of(
    st.text(max_size=300),
    st.sampled_from(['"', "*", "OR", "NEAR(", "AND", "1=1; --", "' OR ''='", "\\", "%", "_", ":*"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True).map(str),
    st.just("x" * 10_000),
)
params = st.dictionaries(
    st.sampled_from(
        [
            "q",
            "category",
            "cooperative",
            "kecamatan",
            "price_min",
            "price_max",
            "halal",
            "in_stock",
            "sort",
            "page",
            "per_page",
        ]
    ),
    junk,
    max_size=6,
)


@given(args=params)
def test_listing_survives_any_parameters(
    client: FlaskClient, catalogue: Catalogue, args: dict[str, str]
) -> None:
    query = urlencode(args)
    response = client.get(f"/products?{query}")
    assert response.status_code == 200


@given(args=params)
def test_the_api_survives_any_parameters(
    client: FlaskClient, catalogue: Catalogue, args: dict[str, str]
) -> None:
    response = client.get("/api/v1/products", query_string=args)
    assert response.status_code in (200, 400)
    body = response.get_json()
    assert "items" in body or body["messages"]
