"""The one place that picks ports for servers the tests start.

Ports come from 20000–32000: below the kernel's ephemeral range (32768+), where clients' source
ports would collide with our listeners. A port is bound once to check it is free.
"""

from __future__ import annotations

import os
import random
import socket

LOW, HIGH = 20000, 32000

_rng = random.Random(f"{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
_handed_out: set[int] = set()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 in 20000–32000, never the same twice in one process."""
    for _ in range(500):
        port = _rng.randint(LOW, HIGH)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port in 20000-32000")
