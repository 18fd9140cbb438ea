"""Courier rates from Biteship's API: the only module that talks to it.

Off unless BITESHIP_API_KEY is set. One call is ``POST {BITESHIP_API_BASE}/v1/rates/couriers``
with the key in the ``Authorization`` header and a JSON body: ``origin_postal_code``,
``destination_postal_code``, ``couriers`` (BITESHIP_COURIERS, comma separated) and ``items``
(one parcel: name, value, quantity, weight in grams). Biteship answers 200 with ``pricing``:
one entry per service (``courier_name``, ``courier_code``, ``courier_service_name``,
``courier_service_code``, ``price``, ``duration``, ``shipment_duration_range``,
``shipment_duration_unit``); an error is ``{"success": false, "error": "...", "code": ...}``
with a 4xx or 5xx status.

The parcel's weight is rounded up to the next whole kilogram (couriers charge per kilogram), and
the answer is cached for BITESHIP_CACHE_SECONDS by origin postcode, destination postcode and that
weight, so a shopper moving between checkout pages does not call Biteship again. Any failure
(a refusal, a 5xx, no answer within BITESHIP_TIMEOUT_SECONDS, an answer we cannot read) raises
`RatesUnavailable`; the caller falls back to the cooperative's own table.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from marketplace.shipping import cache
from marketplace.shipping.rates import CourierRate, RatesUnavailable, Shipment

log = logging.getLogger(__name__)
PROVIDER = "biteship"
DEFAULT_API_BASE = "https://api.biteship.com"
KILOGRAM = 1000


def enabled(config: Mapping[str, Any] | None = None) -> bool:
    config = config if config is not None else current_app.config
    return bool(config.get("BITESHIP_API_KEY"))


def weight_band(weight_grams: int) -> int:
    """The weight asked for: rounded up to the whole kilogram, at least one."""
    return max(1, math.ceil(weight_grams / KILOGRAM)) * KILOGRAM


def cache_key(shipment: Shipment) -> str:
    return ":".join(
        (
            PROVIDER,
            shipment.origin_postal_code,
            shipment.destination_postal_code,
            str(weight_band(shipment.weight_grams)),
        )
    )


class Biteship:
    """Biteship's services for a shipment, cheapest first."""

    name = PROVIDER

    def rates(self, shipment: Shipment) -> list[CourierRate]:
        key = cache_key(shipment)
        rows = cache.get(key)
        if rows is None:
            try:
                payload = _payload(shipment)
            except ValueError as error:  # a postcode that is not a number
                raise _unavailable(f"no postcode to ask for: {error}") from error
            rows = _pricing(_post(payload))
            cache.put(key, rows, int(current_app.config["BITESHIP_CACHE_SECONDS"]))
        # Read after the cache, so each shopper sees the ETA in their own language.
        return _parse(rows)


def _payload(shipment: Shipment) -> dict[str, Any]:
    return {
        "origin_postal_code": int(shipment.origin_postal_code),
        "destination_postal_code": int(shipment.destination_postal_code),
        "couriers": str(current_app.config["BITESHIP_COURIERS"]),
        "items": [
            {
                "name": "Paket",
                "value": 0,
                "quantity": 1,
                "weight": weight_band(shipment.weight_grams),
            }
        ],
    }


def _post(payload: dict[str, Any]) -> Any:
    """One call to Biteship; its JSON answer, or `RatesUnavailable`."""
    config = current_app.config
    base = str(config.get("BITESHIP_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    request = urllib.request.Request(  # noqa: S310 - the configured https address (checked in production)
        f"{base}/v1/rates/couriers",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Authorization": str(config["BITESHIP_API_KEY"]),
            "Content-Type": "application/json",
        },
    )
    timeout = float(config["BITESHIP_TIMEOUT_SECONDS"])
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        raise _refusal(error.code, error.read()) from error
    except TimeoutError as error:
        raise _unavailable(f"no answer in {timeout} s") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _unavailable(f"no answer in {timeout} s") from error
        raise _unavailable(f"no connection: {error.reason}") from error
    except OSError as error:
        raise _unavailable(f"no connection: {error}") from error
    try:
        return json.loads(body)
    except ValueError as error:
        raise _unavailable(f"an answer that is not JSON: {body[:200]!r}") from error


def _unavailable(reason: str) -> RatesUnavailable:
    log.warning("biteship rates unavailable: %s", reason)
    return RatesUnavailable()


def _refusal(status: int, body: bytes) -> RatesUnavailable:
    """Biteship's error: ``{"success": false, "error": "...", "code": ...}``."""
    text = body[:300].decode("utf-8", "replace")
    try:
        answer = json.loads(body)
        text = f"{answer.get('error')} (code {answer.get('code')})"
    except (ValueError, AttributeError):
        pass
    return _unavailable(f"HTTP {status}: {text}")


def _eta(row: Mapping[str, Any]) -> str:
    span = str(row.get("shipment_duration_range") or "").strip()
    unit = str(row.get("shipment_duration_unit") or "").strip()
    if span and unit == "days":
        return str(_("%(range)s hari", range=span))
    if span and unit == "hours":
        return str(_("%(range)s jam", range=span))
    return str(row.get("duration") or "")


def _price(value: Any) -> int:
    """Whole rupiah; a fraction or a negative price is an answer we cannot use."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(value)
    if value != int(value):
        raise ValueError(value)
    return int(value)


FIELDS = (
    "courier_name",
    "courier_code",
    "courier_service_name",
    "courier_service_code",
    "price",
    "duration",
    "shipment_duration_range",
    "shipment_duration_unit",
)

REQUIRED = FIELDS[:5]


def _pricing(answer: Any) -> list[dict[str, Any]]:
    """The fields we use of each ``pricing`` entry, checked, as they are cached."""
    try:
        rows = [{name: row.get(name) for name in FIELDS} for row in answer["pricing"]]
        if any(row[name] in (None, "") for row in rows for name in REQUIRED):
            raise ValueError("a service without its courier, service or price")
        _parse(rows)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _unavailable(f"an answer we cannot read: {str(answer)[:200]}") from error
    return rows


def _parse(rows: list[dict[str, Any]]) -> list[CourierRate]:
    rates = [
        CourierRate(
            provider=PROVIDER,
            code=f"{PROVIDER}:{row['courier_code']}:{row['courier_service_code']}",
            courier_name=str(row["courier_name"]),
            service_name=str(row["courier_service_name"]),
            price=_price(row["price"]),
            eta=_eta(row),
        )
        for row in rows
    ]
    return sorted(rates, key=lambda rate: (rate.price, rate.courier_name, rate.service_name))
