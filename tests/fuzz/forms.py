"""Finding every form a role can see: a crawl of the pages each role reaches by following links,
and the forms (their action, method and fields with the values the page offers) on them."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

#: Links the crawl does not follow: files, not pages.
SKIPPED_PREFIXES = ("/static/", "/media/", "/metrics", "/api/")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".pdf", ".json", ".png", ".jpg", ".webp", ".xml", ".txt")


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "select" / "textarea"
    value: str  # what the page would send
    options: list[str] = field(default_factory=list)
    sent: bool = True  # an unchecked box is not sent


@dataclass
class Form:
    role: str  # who saw it ("guest" or an email)
    page: str  # the page it was on
    action: str  # where it posts (path and query)
    endpoint: str
    multipart: bool
    fields: list[Field]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[dict[str, str | None], list[Field]]] = []
        self._form: tuple[dict[str, str | None], list[Field]] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        elif tag == "form":
            self._form = (a, [])
            self.forms.append(self._form)
        elif self._form is None or (not a.get("name") and tag in ("input", "select", "textarea")):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            checkable = kind in ("checkbox", "radio")
            value = a.get("value") or ("on" if checkable else "")
            sent = not checkable or "checked" in a
            if kind == "radio":
                # One field per radio group: its options are the choices.
                group = next((f for f in self._form[1] if f.name == a["name"]), None)
                if group is not None:
                    group.options.append(value)
                    if "checked" in a:
                        group.value, group.sent = value, True
                    return
                self._form[1].append(Field(a["name"] or "", kind, value, [value], sent))
                return
            self._form[1].append(Field(a["name"] or "", kind, value, [], sent))
        elif tag == "select":
            self._select = Field(a["name"] or "", "select", "", [])
            self._form[1].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._select.options.append(value)
            if "selected" in a or len(self._select.options) == 1:
                self._select.value = value
        elif tag == "textarea":
            self._textarea = Field(a["name"] or "", "textarea", "")
            self._form[1].append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _local(url: str, base: str) -> str | None:
    absolute = urljoin("http://localhost" + base, url)
    parts = urlsplit(absolute)
    if parts.netloc != "localhost" or parts.scheme not in ("http", "https"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path


def _endpoint(app: Flask, path: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


def crawl(
    app: Flask,
    client: FlaskClient,
    role: str,
    starts: list[str],
    *,
    per_endpoint: int = 6,
    limit: int = 400,
    only: tuple[str, ...] = (),
) -> tuple[list[Form], int]:
    """Every POST form on the pages ``client`` reaches from ``starts`` by following links (at
    most ``per_endpoint`` pages of each view, only views whose names start with ``only`` when
    given), and how many pages were read."""
    queue: deque[str] = deque(starts)
    seen: set[str] = set(starts)
    visits: dict[str, int] = {}
    forms: list[Form] = []
    pages = 0
    while queue and pages < limit:
        path = queue.popleft()
        endpoint = _endpoint(app, path, "GET")
        if (
            endpoint is None
            or visits.get(endpoint, 0) >= per_endpoint
            or (only and path not in starts and not endpoint.startswith(only))
        ):
            continue
        visits[endpoint] = visits.get(endpoint, 0) + 1
        response = client.get(path)
        pages += 1
        assert response.status_code < 500, (role, path, response.status_code)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _FormParser()
        parser.feed(response.get_data(as_text=True))
        for attrs, fields in parser.forms:
            if (attrs.get("method") or "get").lower() != "post":
                continue
            action = _local(attrs.get("action") or path, path)
            post_endpoint = action and _endpoint(app, action, "POST")
            if not action or not post_endpoint:
                continue
            multipart = (attrs.get("enctype") or "") == "multipart/form-data"
            forms.append(Form(role, path, action, post_endpoint, multipart, fields))
        for href in parser.links:
            link = _local(href, path)
            if (
                link is None
                or link in seen
                or link.startswith(SKIPPED_PREFIXES)
                or urlsplit(link).path.endswith(SKIPPED_SUFFIXES)
            ):
                continue
            seen.add(link)
            queue.append(link)
    return forms, pages
