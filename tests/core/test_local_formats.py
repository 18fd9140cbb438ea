"""Numbers, weights and times as an Indonesian reads them (``0,4 kg``, ``1.250 gram``,
``10.00 WIB``), and as an English reader does (``0.4 kg``, ``10:00 WIB``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import ModuleType

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.i18n import format_day, weight
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.requests import check_quantity
from tests.conftest import login
from tests.factories import ProductFactory, UserFactory
from tests.shopping import place, stocked_variant

#: 1 December 2026, 10:00 in Mojokerto.
TEN_IN_THE_MORNING = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "grams", "shown"),
    [
        ("id", 400, "0,4 kg"),
        ("en", 400, "0.4 kg"),
        ("id", 50, "0,05 kg"),
        ("id", 1000, "1 kg"),
        ("id", 15200, "15,2 kg"),
        ("en", 15200, "15.2 kg"),
        ("id", 1_250_000, "1.250 kg"),
        ("en", 1_250_000, "1,250 kg"),
    ],
)
def test_a_weight_is_shown_in_kilograms_with_the_language_s_decimal_mark(
    app: Flask, language: str, grams: int, shown: str
) -> None:
    with app.test_request_context(f"/?lang={language}"):
        assert weight(grams) == shown


@pytest.mark.parametrize(
    ("language", "style", "shown"),
    [
        ("id", "medium", "1 Des 2026 10.00 WIB"),
        ("en", "medium", "Dec 1, 2026, 10:00 WIB"),
        ("id", "short", "1/12/26 10.00 WIB"),
        ("id", "long", "1 Desember 2026 10.00 WIB"),
        ("en", "long", "December 1, 2026, 10:00 WIB"),
    ],
)
def test_a_moment_is_shown_in_mojokerto_time_named_wib_without_seconds(
    app: Flask, language: str, style: str, shown: str
) -> None:
    with app.test_request_context(f"/?lang={language}"):
        assert format_day(TEN_IN_THE_MORNING, style) == shown
        # SQLite hands timestamps back without their zone: they are UTC.
        assert format_day(TEN_IN_THE_MORNING.replace(tzinfo=None), style) == shown


def test_a_moment_late_in_the_utc_day_falls_on_mojokerto_s_next_day(app: Flask) -> None:
    with app.test_request_context("/?lang=id"):
        assert format_day(datetime(2026, 11, 30, 17, 30, tzinfo=UTC)) == "1 Des 2026 00.30 WIB"


def test_dates_and_patterns_are_left_as_they_were(app: Flask) -> None:
    with app.test_request_context("/?lang=id"):
        assert format_day(date(2026, 12, 1)) == "1 Des 2026"
        assert format_day(date(2026, 12, 1), "long") == "1 Desember 2026"
        assert format_day(TEN_IN_THE_MORNING, "MMMM y") == "Desember 2026"


@pytest.mark.parametrize(("language", "limit"), [("id", "1.000.000"), ("en", "1,000,000")])
def test_a_quantity_limit_is_written_the_reader_s_way(
    app: Flask, language: str, limit: str
) -> None:
    with (
        app.test_request_context(f"/?lang={language}"),
        pytest.raises(InvalidProcurementInput) as refused,
    ):
        check_quantity(2_000_000)
    assert limit in str(refused.value)


@pytest.mark.parametrize(
    ("language", "shown"),
    [("id", "Berat kirim</dt><dd>1.250 gram"), ("en", "Shipping weight</dt><dd>1,250 g")],
)
def test_the_product_page_groups_the_grams(client: FlaskClient, language: str, shown: str) -> None:
    variant = stocked_variant(5, product__weight_grams=1250)
    html = client.get(f"/products/{variant.product.slug}?lang={language}").get_data(as_text=True)
    assert shown in html


@pytest.mark.parametrize(("language", "shown"), [("id", "berat 0,4 kg"), ("en", "weight 0.4 kg")])
def test_the_checkout_shows_each_parcel_s_weight_with_the_language_s_decimal_mark(
    client: FlaskClient, language: str, shown: str
) -> None:
    UserFactory(email="ani@example.test")
    login(client, "ani@example.test")
    variant = stocked_variant(5, product=ProductFactory(weight_grams=200))
    client.post(
        "/cart/add",
        data={"product": variant.product.slug, "variant_id": variant.id, "quantity": 2},
    )
    html = client.get(f"/checkout?lang={language}").get_data(as_text=True)
    assert shown in html


@pytest.mark.parametrize(
    ("language", "shown"),
    [("id", "Dibuat 1 Des 2026 10.00 WIB"), ("en", "Placed Dec 1, 2026, 10:00 WIB")],
)
def test_the_order_page_says_when_it_was_placed_in_wib(
    client: FlaskClient, clock: ModuleType, language: str, shown: str
) -> None:
    user = UserFactory(email="ani@example.test")
    with client.application.test_request_context():
        order = place(user)
    login(client, "ani@example.test")
    html = client.get(f"/orders/{order.number}?lang={language}").get_data(as_text=True)
    assert shown in html
