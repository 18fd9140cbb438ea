"""Requests with a forged Host header, and the checks that links ignore it (marketplace/urls.py)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

#: What an attacker puts in the Host (and X-Forwarded-Host) header.
FORGED_HOST = "evil.example"
#: The site's public address in these tests (SERVER_BASE_URL).
SITE = "https://pasar-opop.example"

_LINK = re.compile(r"https?://[^\s\"'<>)]+")


class ForgedHostClient(FlaskClient):
    """A test client whose every request names the attacker's host (its cookies follow it)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", f"http://{FORGED_HOST}")
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("X-Forwarded-Host", FORGED_HOST)
        return super().open(*args, headers=headers, **kwargs)


def forged_host_client(app: Flask) -> ForgedHostClient:
    return ForgedHostClient(app, app.response_class, use_cookies=True)


def site_links(text: str) -> list[str]:
    """The links in ``text`` to this site: none may name the forged host."""
    assert FORGED_HOST not in text
    return [link for link in _LINK.findall(text) if link.startswith(SITE + "/")]
