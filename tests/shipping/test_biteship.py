"""Courier rates from Biteship, against a fake of its API on 127.0.0.1 (tests/biteship_fake.py):
off unless configured; prices in our own records; refusals, errors and timeouts fall back to
the cooperative's own table, and say so; an answer is cached by origin, destination and weight
band, so asking again does not reach Biteship."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from marketplace import clock
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.shipping import biteship, services, table
from marketplace.shipping.rates import RatesUnavailable, Shipment
from marketplace.shipping.zones import Zone
from tests.biteship_fake import API_KEY, FakeBiteship, biteship_error
from tests.conftest import make_test_app
from tests.factories import CooperativeFactory

#: Kranggan, Kota Mojokerto, and its postcode (Miji).
KRANGGAN, MIJI = "35.76.03", "61322"


@pytest.fixture
def cooperative(app_ctx: Flask) -> Cooperative:
    """Magersari (postcode 61315), with its own courier fee of Rp8.000 within the city."""
    cooperative = CooperativeFactory(kecamatan="Magersari", offers_courier=True)
    table.set_band(cooperative.id, Zone.CITY, 2000, 8000)
    db.session.flush()
    return cooperative


def quote(cooperative: Cooperative, grams: int = 1200, postal: str = MIJI) -> services.CourierQuote:
    return services.courier_rates(cooperative, KRANGGAN, postal, grams)


def test_biteship_is_off_unless_its_key_is_set(app: Flask, cooperative: Cooperative) -> None:
    assert not biteship.enabled()
    assert services.provider().name == "table"
    answer = quote(cooperative)
    assert (answer.provider, answer.fell_back, [r.price for r in answer.rates]) == (
        "table",
        False,
        [8000],
    )


def test_biteship_s_services_are_listed_cheapest_first_with_price_and_eta(
    fake: FakeBiteship, cooperative: Cooperative
) -> None:
    answer = quote(cooperative, grams=1200)  # two started kilograms
    assert (answer.provider, answer.fell_back, answer.notice) == ("biteship", False, None)
    listed = [(r.code, r.courier_name, r.service_name, r.price, r.eta) for r in answer.rates]
    assert listed == [
        ("biteship:sicepat:reg", "SiCepat", "Reguler", 17000, "1 - 2 hari"),
        ("biteship:jne:reg", "JNE", "Reguler", 18000, "2 - 3 hari"),
        ("biteship:jne:yes", "JNE", "Yakin Esok Sampai", 36000, "1 hari"),
    ]
    [sent] = fake.requests
    assert sent.path == "/v1/rates/couriers"
    assert sent.headers["Authorization"] == API_KEY
    assert sent.body["origin_postal_code"] == 61315
    assert sent.body["destination_postal_code"] == 61322
    assert sent.body["couriers"] == "jne,sicepat"
    assert [item["weight"] for item in sent.body["items"]] == [2000]


def test_a_second_call_for_the_same_route_and_weight_band_does_not_reach_biteship(
    fake: FakeBiteship, cooperative: Cooperative
) -> None:
    first = quote(cooperative, grams=1200)
    again = quote(cooperative, grams=1900)  # the same 2 kg band
    assert again == first
    assert len(fake.requests) == 1
    quote(cooperative, grams=2100)  # the next band
    quote(cooperative, grams=1200, postal="61311")  # another destination
    assert len(fake.requests) == 3


def test_a_refused_key_falls_back_to_the_cooperative_s_table_and_says_so(
    fake: FakeBiteship, app: Flask, cooperative: Cooperative
) -> None:
    app.config["BITESHIP_API_KEY"] = "biteship_test.wrong"
    answer = quote(cooperative)
    assert (answer.provider, answer.fell_back) == ("table", True)
    assert [(r.code, r.price) for r in answer.rates] == [("table:city", 8000)]
    assert answer.notice is not None and "kurir koperasi" in answer.notice
    with pytest.raises(RatesUnavailable):
        biteship.Biteship().rates(services.shipment_for(cooperative, KRANGGAN, MIJI, 500))


def test_no_courier_for_the_destination_falls_back_and_is_not_cached(
    fake: FakeBiteship, cooperative: Cooperative
) -> None:
    fake.unserved.add(61322)
    answer = quote(cooperative)
    assert answer.fell_back and [r.price for r in answer.rates] == [8000]
    fake.unserved.clear()
    answer = quote(cooperative)
    assert not answer.fell_back and len(answer.rates) == 3
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    "status,body",
    [
        (500, None),
        (400, biteship_error(400, "Required parameter is missing", 40001001)[1]),
        (200, b'{"success": true, "pricing": [{"courier_name": "JNE"}]}'),
        (200, b"<html>bad gateway</html>"),
        (
            200,
            b'{"success": true, "pricing": [{"courier_name": "JNE", "courier_code": "jne",'
            b' "courier_service_name": "Reguler", "courier_service_code": "reg",'
            b' "price": 9000.5}]}',
        ),
    ],
)
def test_an_error_or_an_answer_we_cannot_read_falls_back(
    fake: FakeBiteship, cooperative: Cooperative, status: int, body: bytes | None
) -> None:
    fake.fail_next(status, body)
    answer = quote(cooperative)
    assert (answer.provider, answer.fell_back, [r.price for r in answer.rates]) == (
        "table",
        True,
        [8000],
    )


def test_biteship_too_slow_falls_back_within_the_timeout(
    fake: FakeBiteship, app: Flask, cooperative: Cooperative
) -> None:
    app.config["BITESHIP_TIMEOUT_SECONDS"] = 0.3
    fake.hang(1.5)
    answer = quote(cooperative)
    assert answer.fell_back and [r.price for r in answer.rates] == [8000]


def test_a_fallback_parcel_heavier_than_every_band_has_no_courier(
    fake: FakeBiteship, cooperative: Cooperative
) -> None:
    fake.fail_next(503)
    answer = quote(cooperative, grams=2500)
    assert answer.fell_back and answer.rates == []


@pytest.mark.redis
def test_with_redis_the_cache_is_shared_by_every_process(
    biteship_server: FakeBiteship, app: Flask, redis_url: str, tmp_path: Path
) -> None:
    biteship_server.reset()
    settings = {**biteship_server.settings(), "REDIS_URL": redis_url}
    first = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "a"), **settings)
    second = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "b"), **settings)
    shipment = Shipment(1, "35.76.02", "61315", KRANGGAN, MIJI, 700)
    with first.test_request_context():
        from marketplace.extensions import redis_client

        redis_client().flushdb()
        asked = biteship.Biteship().rates(shipment)
    with second.test_request_context():
        assert biteship.Biteship().rates(shipment) == asked
        assert "shipping_cache" not in second.extensions
    assert len(biteship_server.requests) == 1
    biteship_server.reset()


def test_a_destination_without_a_postcode_falls_back(
    fake: FakeBiteship, cooperative: Cooperative
) -> None:
    answer = quote(cooperative, postal="")
    assert answer.fell_back and [r.price for r in answer.rates] == [8000]
    assert fake.requests == []


def test_the_process_cache_expires_and_stays_bounded(
    fake: FakeBiteship, app: Flask, cooperative: Cooperative, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.shipping import cache

    start = clock.now()
    with clock.frozen(start):
        quote(cooperative)
    with clock.frozen(start + timedelta(seconds=599)):
        quote(cooperative)
    assert len(fake.requests) == 1
    with clock.frozen(start + timedelta(seconds=601)):
        quote(cooperative)
    assert len(fake.requests) == 2
    monkeypatch.setattr(cache, "LOCAL_LIMIT", 3)
    for postal in ("61311", "61312", "61313", "61314"):
        quote(cooperative, postal=postal)
    assert len(app.extensions["shipping_cache"]) <= 3
