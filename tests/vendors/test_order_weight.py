"""The parcel's weight on the cooperative's order page and packing slip, grouped as its reader
writes numbers (``1.250 gram``), and the order's time in WIB."""

from __future__ import annotations

from types import ModuleType

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.extensions import db
from tests.vendors.conftest import Shop, place_order_with


@pytest.mark.parametrize("page", ["", "/packing-slip"])
def test_the_parcel_weight_groups_its_thousands(
    app: Flask, owner_client: FlaskClient, shop_a: Shop, clock: ModuleType, page: str
) -> None:
    shop_a.product.weight_grams = 625
    db.session.commit()
    part = place_order_with(app, shop_a, 2)
    html = owner_client.get(f"/vendor/orders/{part.id}{page}").get_data(as_text=True)
    assert "<dd>1.250 gram</dd>" in html
    assert "1 Des 2026 10.00 WIB" in html
