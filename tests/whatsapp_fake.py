"""A small fake of the WhatsApp Business Cloud API, so tests never touch the network.

It serves, on 127.0.0.1 at a port from `tests.ports.free_port`, what
marketplace/notifications/whatsapp.py sends, in the shapes of Meta's documentation:
``POST /{version}/{phone number id}/messages`` with ``Authorization: Bearer <token>`` and a JSON
body (``messaging_product: whatsapp``, ``to``, and ``type`` ``text`` with ``text.body`` or
``template`` with ``template.name`` and ``template.language.code``). It answers 200 with
``{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}``;
a wrong token gets 401 (``OAuthException``, code 190), another phone number id or a malformed
body 400 (code 100), each as Meta's ``{"error": {"message", "type", "code", "error_data":
{"messaging_product", "details"}, "fbtrace_id"}}``. Switches: `fail_next` (the next calls answer
a status and body of the test's choosing), `hang` (answer late, for timeouts).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.ports import free_port

HOST = "127.0.0.1"
TOKEN = "EAAG-fake-token-" + "7" * 20
PHONE_NUMBER_ID = "106540352242922"
VERSION = "v21.0"


def meta_error(status: int, code: int, message: str, details: str = "") -> tuple[int, bytes]:
    """An error answer as Meta writes it."""
    body = {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": "A" + secrets.token_hex(10),
        }
    }
    return status, json.dumps(body).encode()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeWhatsApp:
    port: int = field(default_factory=free_port)
    requests: list[Received] = field(default_factory=list)
    _failures: list[tuple[int, bytes]] = field(default_factory=list)
    _hang_seconds: float = 0.0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def settings(self) -> dict[str, Any]:
        return {
            "WHATSAPP_TOKEN": TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE": self.base_url,
            "WHATSAPP_API_VERSION": VERSION,
        }

    def start(self) -> FakeWhatsApp:
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
            self._failures.clear()
            self._hang_seconds = 0.0

    def fail_next(self, status: int, body: bytes | None = None, *, times: int = 1) -> None:
        """The next ``times`` calls answer ``status`` with ``body`` (Meta's error by default)."""
        answer = (status, body) if body is not None else meta_error(status, 1, "Unknown error")
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
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return meta_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if path != f"/{VERSION}/{PHONE_NUMBER_ID}/messages":
            return meta_error(400, 100, "Invalid parameter", f"Unknown path {path}")
        problem = _problem(body)
        if problem:
            return meta_error(400, 100, "Invalid parameter", problem)
        to = body["to"]
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": "wamid.HBgM" + secrets.token_hex(12).upper()}],
        }
        return 200, json.dumps(answer).encode()


def _problem(body: Any) -> str | None:
    """What is wrong with a message body, by the Cloud API's rules (None: nothing)."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if not str(body.get("to", "")).isdigit():
        return "to must be a phone number in international format"
    kind = body.get("type")
    if kind == "text":
        text = body.get("text") or {}
        if not isinstance(text.get("body"), str) or not text["body"] or len(text["body"]) > 4096:
            return "text.body is required (at most 4096 characters)"
        return None
    if kind == "template":
        template = body.get("template") or {}
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            return "template.name and template.language.code are required"
        return None
    return f"unsupported type {kind!r}"
