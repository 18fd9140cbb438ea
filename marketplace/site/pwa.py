"""The installable app: the web app manifest, the service worker and its offline page.

The service worker does one thing: when a page cannot be loaded because the phone has no
connection, it shows the offline page instead of the browser's error. It keeps only that page
and the static files the page shows. Every other page (a cart, an order, an account, a cooperative's
workspace) goes to the network as before and is never stored, so nothing personal is left on a
shared phone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

#: The site's colours (static/css/app.css: --green, the header; --bg, the page).
THEME_COLOR = "#0b6b3a"
BACKGROUND_COLOR = "#f7f9f7"

#: The home-screen icons (drawn by scripts/make_icons.py): file, size, purpose.
ICONS = (
    ("img/icon-192.png", 192, "any"),
    ("img/icon-512.png", 512, "any"),
    ("img/icon-maskable-512.png", 512, "maskable"),
)

#: What the offline page needs besides itself (static files, under static/).
OFFLINE_ASSETS = ("css/app.css", "img/logo.svg", "img/favicon.svg")

#: The service worker's caches are named with this prefix and a version: on activation it
#: deletes the older ones of its own (and no cache of anyone else's on the origin).
CACHE_PREFIX = "pasar-opop-offline-"

#: The offline page's words. The service worker keeps one copy of the page for every visitor
#: and cannot know their language, so the page shows each language in turn (Indonesian first).
OFFLINE_TEXT = {
    "title": _l("Tidak ada sambungan internet"),
    "body": _l(
        "Halaman ini tidak dapat dibuka karena perangkat Anda sedang tidak tersambung ke "
        "internet. Periksa data seluler atau Wi-Fi Anda, lalu coba lagi."
    ),
    "retry": _l("Coba lagi"),
}


def manifest() -> dict[str, Any]:
    """The web app manifest (https://www.w3.org/TR/appmanifest/)."""
    home = url_for("catalogue.home")
    return {
        "id": home,
        "name": "Pasar OPOP",
        "short_name": "Pasar OPOP",
        "description": "Belanja produk One Pesantren One Product dari koperasi pesantren "
        "Kota Mojokerto.",
        "lang": "id",
        "dir": "ltr",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {
                "src": url_for("static", filename=filename),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for filename, size, purpose in ICONS
        ],
    }


def offline_page() -> str:
    """The offline page, the same for everyone: no user, no form, no token."""
    texts = []
    for lang in current_app.config["LANGUAGES"]:
        with force_locale(lang):
            texts.append({"lang": lang, **{key: str(text) for key, text in OFFLINE_TEXT.items()}})
    return render_template("site/offline.html", texts=texts, theme_color=THEME_COLOR)


def service_worker() -> str:
    """The service worker's script. Its cache's name carries a digest of everything it keeps,
    so a new stylesheet or a new translation changes the script, and browsers install the new
    one and drop the old cache."""
    offline_url = url_for("site.offline")
    assets = [url_for("static", filename=name) for name in OFFLINE_ASSETS]
    digest = hashlib.sha256(offline_page().encode())
    static = Path(current_app.static_folder or "")
    for name in OFFLINE_ASSETS:
        digest.update((static / name).read_bytes())
    return render_template(
        "site/sw.js",
        cache_name=CACHE_PREFIX + digest.hexdigest()[:16],
        cache_prefix=CACHE_PREFIX,
        offline_url=offline_url,
        precache=[offline_url, *assets],
    )
