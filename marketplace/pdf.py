"""HTML to PDF with WeasyPrint, offline: the procurement documents and the shipping labels.

Rendering reads only this site's own files (``/static`` and public ``/media``) and ``data:``
URLs; links resolve against SERVER_BASE_URL, never the request's host.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.security import safe_join

from marketplace.storage import is_public, storage


class LocalFetcher:
    """WeasyPrint's URL fetcher for documents: ``/static/...`` from the static folder and
    ``/media/...`` from the app's storage; ``data:`` URLs as they are; anything else (other
    hosts' files, ``file:`` URLs) is refused, so rendering never touches the network."""

    def __init__(self, static_folder: str) -> None:
        self.static_folder = static_folder

    def fetcher(self) -> Any:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        outer = self

        class _Fetcher(URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                path, content_type = outer.read(url)
                return URLFetcherResponse(url, body=path, headers={"Content-Type": content_type})

        return _Fetcher(allowed_protocols=("http", "https", "data"))

    def read(self, url: str) -> tuple[bytes, str]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"refused to fetch {url!r}: only this site's files are used")
        path = unquote(parts.path)
        if path.startswith("/static/"):
            target = safe_join(self.static_folder, path.removeprefix("/static/"))
            if target is None or not Path(target).is_file():
                raise ValueError(f"no static file for {url!r}")
            return Path(target).read_bytes(), _content_type(target)
        if path.startswith("/media/"):
            key = path.removeprefix("/media/")
            # What the public route would serve, no more: a document's markup must never pull
            # a transfer proof or another document into a PDF.
            if not is_public(key):
                raise ValueError(f"refused to fetch {url!r}: not a public file")
            return storage().read(key), _content_type(key)
        raise ValueError(f"refused to fetch {url!r}: only /static and /media are served")


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML

    static_folder = current_app.static_folder
    assert static_folder is not None
    fetcher = LocalFetcher(static_folder).fetcher()
    # The site's address, never the request's Host: a PDF may be stored and served to everyone
    # who downloads it, so a link resolved against a forged host would reach them all.
    base_url = current_app.config["SERVER_BASE_URL"]
    pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
    return pdf
