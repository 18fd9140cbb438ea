"""The floor for the catalogue benchmark: bare Flask + Jinja, no database, no extensions.

It renders a listing page shaped like ``/products`` (header, filter sidebar with the same facet
lists, 24 product cards, pagination, footer) from data held in memory, so the difference between
its throughput and the real listing's is what the database, the ORM and the extensions cost.
Templates are in ``bench/bare_templates/``. Served by gunicorn exactly like the app:
``gunicorn --chdir <repo> bench.bare_app:app``.
"""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, render_template, request
from jinja2 import FileSystemLoader

CARDS_PER_PAGE = 24
TEMPLATES = Path(__file__).resolve().parent / "bare_templates"


@dataclass(frozen=True)
class Card:
    slug: str
    name: str
    price: int
    unit: str
    cooperative: str
    halal: bool
    in_stock: bool
    has_choices: bool


def rupiah(amount: int) -> str:
    """Whole rupiah as ``Rp15.000``, like the app's filter."""
    return f"Rp{amount:,}".replace(",", ".")


def _catalogue(seed: int = 7) -> dict[str, object]:
    """The in-memory data one listing page shows: facets and a pool of cards."""
    rng = random.Random(seed)
    words = ("Keripik Tempe", "Sambal Bawang", "Batik Tulis", "Madu Randu", "Kopi Robusta")
    flavours = ("Pedas", "Original", "Balado", "Motif Koi", "Premium", "Gula Aren")
    cards = [
        Card(
            slug=f"produk-contoh-{i}",
            name=f"{rng.choice(words)} {rng.choice(flavours)} {rng.choice(('100 g', '250 g'))}",
            price=rng.randrange(5_000, 500_000, 500),
            unit="bungkus",
            cooperative=f"Koppontren Nurul Huda {i % 100}",
            halal=rng.random() < 0.5,
            in_stock=rng.random() < 0.9,
            has_choices=rng.random() < 0.2,
        )
        for i in range(CARDS_PER_PAGE * 10)
    ]
    return {
        "cards": cards,
        "categories": [
            (f"kategori-{i}", f"Kategori Contoh {i}", rng.randrange(100, 5000), i % 5 != 0)
            for i in range(25)
        ],
        "cooperatives": [
            (f"koppontren-contoh-{i}", f"Koppontren Contoh Nomor {i}", rng.randrange(10, 2000))
            for i in range(100)
        ],
        "kecamatan": [("Magersari", 33000), ("Kranggan", 33000), ("Prajurit Kulon", 34000)],
        "prices": [(0, 25_000, 100), (25_000, 50_000, 200), (50_000, 100_000, 300)],
        "sorts": [("newest", "Terbaru"), ("best_selling", "Terlaris"), ("price_asc", "Termurah")],
        "total": 100_000,
    }


def create_bare_app() -> Flask:
    """A Flask app with one listing route rendering 24 cards from memory."""
    app = Flask(__name__)
    app.jinja_loader = FileSystemLoader(TEMPLATES)
    app.add_template_filter(rupiah, "rupiah")
    data = _catalogue()
    cards: list[Card] = data["cards"]  # type: ignore[assignment]

    @app.route("/products")
    def products() -> str:
        page = request.args.get("page", "1")
        offset = (int(page) if page.isdigit() else 1) % 10 * CARDS_PER_PAGE
        context = {**data, "cards": cards[offset : offset + CARDS_PER_PAGE]}
        return render_template("listing.html", token="x" * 64, **context)

    @app.route("/products/<slug>")
    def product(slug: str) -> str:
        return slug

    @app.route("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


app = create_bare_app()
gc.freeze()  # as wsgi.py does
