"""The installable app: the manifest and its icons, the service worker and the offline page."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from marketplace import PROJECT_ROOT
from marketplace.site import pwa
from tests.conftest import login
from tests.factories import UserFactory

CSS = (PROJECT_ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")


def css_variable(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}});", CSS)
    assert match, f"--{name} in static/css/app.css"
    return match.group(1)


def png(client: FlaskClient, src: str) -> Image.Image:
    response = client.get(src)
    assert response.status_code == 200, src
    assert response.mimetype == "image/png", src
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG", src
    return image


def cache_name(client: FlaskClient) -> str:
    match = re.search(r'var CACHE = "([^"]+)";', client.get("/sw.js").get_data(as_text=True))
    assert match
    return match.group(1)


def test_the_manifest_describes_the_app_in_the_site_s_colours(client: FlaskClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == "Pasar OPOP"
    assert 0 < len(manifest["short_name"]) <= 12  # longer names are cut under the icon
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "id"
    assert manifest["theme_color"] == css_variable("green")  # the header
    assert manifest["background_color"] == css_variable("bg")  # the page


def test_the_manifest_s_icons_are_the_sizes_it_says(client: FlaskClient) -> None:
    icons = json.loads(client.get("/manifest.webmanifest").data)["icons"]
    kinds = set()
    for icon in icons:
        assert icon["type"] == "image/png"
        image = png(client, icon["src"])
        assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
        kinds.add((icon["sizes"], icon["purpose"]))
    # What Chrome asks for before it offers to install, and Android's adaptive icon.
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= kinds


def test_the_maskable_icon_fills_its_square_and_keeps_the_logo_in_the_safe_circle(
    client: FlaskClient,
) -> None:
    icons = json.loads(client.get("/manifest.webmanifest").data)["icons"]
    src = next(icon["src"] for icon in icons if icon["purpose"] == "maskable")
    image = png(client, src).convert("RGBA")
    size = image.width
    pixels = image.load()
    assert pixels is not None
    # Launchers cut the icon to a circle, a squircle or a rounded square: whatever they keep
    # of the edges must be background, and the drawing must lie within the central circle of
    # 80% that every mask keeps (https://web.dev/articles/maskable-icon).
    background = pixels[0, 0]
    assert background[3] == 255, "no transparent corners"
    safe = 0.4 * size
    for y in range(0, size, 4):
        for x in range(0, size, 4):
            if pixels[x, y] != background:
                distance = ((x - size / 2) ** 2 + (y - size / 2) ** 2) ** 0.5
                assert distance <= safe, f"({x}, {y}) is outside the safe circle"
            assert pixels[x, y][3] == 255, f"({x}, {y}) is transparent"


def test_every_page_links_the_manifest_the_touch_icon_and_the_theme_colour(
    client: FlaskClient,
) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    theme = re.search(r'<meta name="theme-color" content="([^"]+)">', page)
    assert theme and theme.group(1) == css_variable("green")
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', page)
    assert touch
    image = png(client, touch.group(1))
    # iOS fills transparency with black: the touch icon is opaque, at iOS's 180 pixels.
    assert image.size == (180, 180)
    assert image.mode == "RGB"


def test_the_service_worker_is_javascript_for_the_whole_site(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'data-service-worker="/sw.js"' in page  # what static/js/app.js registers

    response = client.get("/sw.js")
    assert response.status_code == 200
    # Browsers refuse a worker served as anything but JavaScript.
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    # Each check for a new version asks the server, which answers 304 while it is the same.
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    assert client.get("/sw.js", headers={"If-None-Match": etag}).status_code == 304


def test_the_service_worker_keeps_only_the_offline_page_and_its_static_files(
    client: FlaskClient,
) -> None:
    script = client.get("/sw.js").get_data(as_text=True)
    match = re.search(r"var PRECACHE = (\[.*?\]);", script)
    assert match
    precache = json.loads(match.group(1))
    assert precache[0] == "/offline"
    assert all(url.startswith("/static/") for url in precache[1:])
    assert "/static/css/app.css" in precache
    assert "/static/img/logo.svg" in precache
    for url in precache:
        assert client.get(url).status_code == 200, url
    # Nothing else is ever put in the cache (cache.put) or fetched into it.
    assert "cache.put(" not in script
    assert script.count("cache.addAll(") == 1


def test_the_service_worker_changes_when_what_it_keeps_changes(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = cache_name(client)
    assert cache_name(client) == before  # the same files, the same worker

    static = tmp_path / "static"
    shutil.copytree(PROJECT_ROOT / "static", static)
    monkeypatch.setattr(app, "static_folder", str(static))
    assert cache_name(client) == before
    with (static / "css" / "app.css").open("a") as css:
        css.write("\n.new-rule { color: red; }\n")
    after_css = cache_name(client)
    assert after_css != before, "a new stylesheet installs a new worker and drops the old cache"

    monkeypatch.setitem(pwa.OFFLINE_TEXT, "retry", "Muat ulang")
    assert cache_name(client) not in {before, after_css}, "so does a new offline page"


def test_the_offline_page_is_the_same_for_everyone_and_in_both_languages(
    client: FlaskClient,
) -> None:
    guest = client.get("/offline")
    assert guest.status_code == 200
    UserFactory(email="aini@example.test", full_name="Nur Aini Rahmawati")
    assert login(client, "aini@example.test").status_code == 302
    signed_in = client.get("/offline", headers={"Accept-Language": "en"})
    assert signed_in.status_code == 200
    page = signed_in.get_data(as_text=True)
    assert page == guest.get_data(as_text=True)
    assert "Nur Aini" not in page
    assert "csrf_token" not in page
    assert "<form" not in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<html lang="id">' in page
    assert '<section class="offline-page__language" lang="id">' in page
    assert "Tidak ada sambungan internet" in page
    assert '<section class="offline-page__language" lang="en">' in page
    assert "No internet connection" in page
