"""Fixtures for the Xendit gateway: the fake Xendit server (one per test process), an app with
it switched on, and a receiver for the callbacks it sends. Imported by conftest.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from marketplace import create_app
from tests.ports import free_port
from tests.xendit_fake import FakeXendit

XENDIT_SETTINGS = (
    "XENDIT_SECRET_KEY",
    "XENDIT_CALLBACK_TOKEN",
    "XENDIT_API_BASE",
    "XENDIT_TIMEOUT_SECONDS",
)


def switch_on(app: Flask, fake: FakeXendit) -> dict[str, Any]:
    """Point the app at the fake with its keys; returns the settings it had."""
    saved = {name: app.config[name] for name in XENDIT_SETTINGS}
    app.config.update(fake.settings())  # the timeout test sets its own short limit
    return saved


@pytest.fixture(scope="session")
def xendit_server() -> Iterator[FakeXendit]:
    fake = FakeXendit().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def gateway_app() -> Flask:
    """An app of its own for the gateway's tests: they need its settings, not its database
    (never migrated, never opened)."""
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.fixture
def xendit(xendit_server: FakeXendit, gateway_app: Flask) -> Iterator[FakeXendit]:
    """The gateway switched on against the fake (emptied for this test), in a request
    context of `gateway_app`."""
    xendit_server.reset()
    saved = switch_on(gateway_app, xendit_server)
    try:
        with gateway_app.test_request_context():
            yield xendit_server
    finally:
        gateway_app.config.update(saved)
        xendit_server.reset()


@pytest.fixture
def xendit_fake(xendit_server: FakeXendit, app: Flask) -> Iterator[FakeXendit]:
    """The gateway switched on against the fake for the suite's `app` (with its database)."""
    xendit_server.reset()
    saved = switch_on(app, xendit_server)
    try:
        yield xendit_server
    finally:
        app.config.update(saved)
        xendit_server.reset()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class CallbackReceiver:
    """A callback URL on 127.0.0.1 that records what it is sent and answers 200."""

    url: str = ""
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def callback_receiver() -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body)
                )
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{port}/payments/xendit/callback"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
