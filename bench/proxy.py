"""A small round-robin TCP proxy on 127.0.0.1, standing in for nginx in front of several app
servers (nginx is not installed on the build machines).

Each client connection goes to the next upstream in turn. gunicorn's sync workers close the
connection after every response, so in practice each request is balanced on its own, as nginx's
``upstream`` block does. An upstream that refuses a connection (its server is down) is skipped
and left out for a few seconds, so clients are sent to the servers still up; a connection that
was already open to a server when it died breaks, as it would behind nginx for a POST.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"
CONNECT_TIMEOUT = 2.0
DOWN_SECONDS = 3.0
_GATEWAY_BODY = b"no upstream is up\n"
BAD_GATEWAY = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
    + f"Content-Length: {len(_GATEWAY_BODY)}\r\nConnection: close\r\n\r\n".encode()
    + _GATEWAY_BODY
)


@dataclass
class ProxyStats:
    connections: Counter[int] = field(default_factory=Counter)  # by upstream port
    skipped: Counter[int] = field(default_factory=Counter)  # refused connects, by upstream port
    bad_gateway: int = 0


class RoundRobinProxy:
    """``start()`` serves in a background thread; ``stop()`` closes everything."""

    def __init__(self, port: int, upstreams: list[int]) -> None:
        self.port = port
        self.upstreams = list(upstreams)
        self.stats = ProxyStats()
        self._next = 0
        self._down_until: dict[int, float] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="proxy", daemon=True)
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._lock = threading.Lock()

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, HOST, self.port, backlog=512)
        )
        self._ready.set()
        self._loop.run_forever()

    def _candidates(self) -> list[int]:
        """The upstreams in round-robin order from the next one, the ones marked down last."""
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % len(self.upstreams)
        ordered = self.upstreams[start:] + self.upstreams[:start]
        now = time.monotonic()
        up = [p for p in ordered if self._down_until.get(p, 0.0) <= now]
        return up + [p for p in ordered if p not in up]

    async def _connect(self) -> tuple[int, asyncio.StreamReader, asyncio.StreamWriter] | None:
        for upstream in self._candidates():
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, upstream), CONNECT_TIMEOUT
                )
            except (OSError, TimeoutError):
                self.stats.skipped[upstream] += 1
                self._down_until[upstream] = time.monotonic() + DOWN_SECONDS
                continue
            self._down_until.pop(upstream, None)
            self.stats.connections[upstream] += 1
            return upstream, reader, writer
        return None

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        connected = await self._connect()
        if connected is None:
            self.stats.bad_gateway += 1
            with contextlib.suppress(OSError):
                client_w.write(BAD_GATEWAY)
                await client_w.drain()
            client_w.close()
            return
        _, upstream_r, upstream_w = connected
        await asyncio.gather(
            _pipe(client_r, upstream_w), _pipe(upstream_r, client_w), return_exceptions=True
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()
        writer.close()
