"""A small fake of Biteship's courier-rates API, so tests never touch the network.

It serves, on 127.0.0.1 at a port from `tests.ports.free_port`, what
marketplace/shipping/biteship.py sends, in the shapes of Biteship's documentation:
``POST /v1/rates/couriers`` with the API key in ``Authorization`` and a JSON body
(``origin_postal_code``, ``destination_postal_code``, ``couriers`` separated by commas, ``items``
with ``weight`` in grams and ``quantity``). It answers 200 with ``{"success": true, "object":
"courier_pricing", "origin", "destination", "pricing": [...]}``, one entry per service of the
requested couriers (`SERVICES`, priced per started kilogram); a wrong key gets 401, a body
without what is required 400, and a destination no courier serves (`unserved`) 400 "No courier
available", each as Biteship writes errors: ``{"success": false, "error": "...", "code": ...}``.
Switches: `fail_next` (the next calls answer a status and body of the test's choosing), `hang`
(answer late, for timeouts).
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.ports import free_port

HOST = "127.0.0.1"
API_KEY = "biteship_test.eyJhbGciOiJIUzI1NiJ9.fake"


@dataclass(frozen=True)
class Service:
    courier_name: str
    courier_code: str
    service_name: str
    service_code: str
    price_per_kg: int
    duration_range: str
    duration_unit: str


SERVICES = (
    Service("JNE", "jne", "Reguler", "reg", 9000, "2 - 3", "days"),
    Service("JNE", "jne", "Yakin Esok Sampai", "yes", 18000, "1", "days"),
    Service("SiCepat", "sicepat", "Reguler", "reg", 8500, "1 - 2", "days"),
)


def biteship_error(status: int, message: str, code: int) -> tuple[int, bytes]:
    return status, json.dumps({"success": False, "error": message, "code": code}).encode()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeBiteship:
    port: int = field(default_factory=free_port)
    requests: list[Received] = field(default_factory=list)
    #: Destination postcodes no courier serves.
    unserved: set[int] = field(default_factory=set)
    _failures: list[tuple[int, bytes]] = field(default_factory=list)
    _hang_seconds: float = 0.0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def settings(self) -> dict[str, Any]:
        return {
            "BITESHIP_API_KEY": API_KEY,
            "BITESHIP_API_BASE": self.base_url,
            "BITESHIP_COURIERS": "jne,sicepat",
        }

    def start(self) -> FakeBiteship:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = fake._answer(self.path, dict(self.headers), raw)
                if fake._hang_seconds:
                    time.sleep(fake._hang_seconds)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.unserved.clear()
            self._failures.clear()
            self._hang_seconds = 0.0

    def fail_next(self, status: int, body: bytes | None = None, *, times: int = 1) -> None:
        answer = (
            (status, body)
            if body is not None
            else biteship_error(status, "Internal server error", 50000000)
        )
        with self._lock:
            self._failures.extend([answer] * times)

    def hang(self, seconds: float) -> None:
        self._hang_seconds = seconds

    def _answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes]:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(Received(path, headers, body))
            if self._failures:
                return self._failures.pop(0)
        if headers.get("Authorization") != API_KEY:
            return biteship_error(401, "Authorization failed, key is not valid", 40100001)
        if path != "/v1/rates/couriers":
            return biteship_error(404, "The request is not exist", 40400000)
        problem = _problem(body)
        if problem:
            return biteship_error(400, problem, 40001001)
        if body["destination_postal_code"] in self.unserved:
            return biteship_error(400, "No courier available for your request", 40001010)
        requested = {code.strip() for code in body["couriers"].split(",")}
        grams = sum(item["weight"] * item.get("quantity", 1) for item in body["items"])
        kilograms = max(1, math.ceil(grams / 1000))
        pricing = [
            {
                "available_collection_method": ["pickup"],
                "company": service.courier_code,
                "courier_name": service.courier_name,
                "courier_code": service.courier_code,
                "courier_service_name": service.service_name,
                "courier_service_code": service.service_code,
                "description": f"{service.service_name} service",
                "duration": f"{service.duration_range} {service.duration_unit.capitalize()}",
                "shipment_duration_range": service.duration_range,
                "shipment_duration_unit": service.duration_unit,
                "service_type": "standard",
                "shipping_type": "parcel",
                "price": service.price_per_kg * kilograms,
                "type": service.service_code,
            }
            for service in SERVICES
            if service.courier_code in requested
        ]
        if not pricing:
            return biteship_error(400, "No courier available for your request", 40001010)
        answer = {
            "success": True,
            "object": "courier_pricing",
            "message": "Success to retrieve courier pricing",
            "code": 20001003,
            "origin": {"postal_code": body["origin_postal_code"], "country_code": "ID"},
            "destination": {"postal_code": body["destination_postal_code"], "country_code": "ID"},
            "pricing": pricing,
        }
        return 200, json.dumps(answer).encode()


def _problem(body: Any) -> str | None:
    """What is wrong with a rates request, by Biteship's rules (None: nothing)."""
    if not isinstance(body, dict):
        return "Required parameter is missing"
    for end in ("origin", "destination"):
        postal = body.get(f"{end}_postal_code")
        if not isinstance(postal, int) and not body.get(f"{end}_area_id"):
            return f"{end}_postal_code or {end}_area_id is required"
    if not isinstance(body.get("couriers"), str) or not body["couriers"]:
        return "couriers is required"
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return "items is required"
    for item in items:
        if not item.get("name") or not isinstance(item.get("weight"), int) or item["weight"] <= 0:
            return "items need a name and a weight in grams"
    return None
