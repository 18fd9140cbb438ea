"""The floor for the catalogue benchmark: bare Flask + Jinja, no database, no extensions.

It renders a listing page shaped like ``/products`` (header, filter sidebar with the same facet
lists, 24 product cards, pagination, footer) from data held in memory, so the difference between
its throughput and the real listing's is what the database, the ORM and the extensions cost.
Served by gunicorn exactly like the app: ``gunicorn --chdir <repo> bench.bare_app:app``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from flask import Flask, render_template, request
from jinja2 import DictLoader

CARDS_PER_PAGE = 24


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


BASE = """<!doctype html>
<html lang="id" class="js-off">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}{% endblock %} · Pasar OPOP Kota Mojokerto</title>
  <meta name="description" content="Cari dan saring produk koperasi pesantren Kota Mojokerto.">
  <link rel="canonical" href="{{ url_for('products', _external=True) }}">
  <meta property="og:site_name" content="Pasar OPOP">
  <meta property="og:locale" content="id_ID">
  <meta property="og:type" content="website">
  <meta property="og:title" content="{{ self.title() }}">
  <link rel="stylesheet" href="{{ url_for('static', filename='css/app.css') }}">
  <script src="{{ url_for('static', filename='js/app.js') }}" defer></script>
</head>
<body>
  <a class="skip-link" href="#main">Langsung ke konten</a>
  <header class="site-header">
    <div class="container site-header__inner">
      <a class="brand" href="{{ url_for('products') }}"><span>Pasar OPOP</span></a>
      <form class="site-search" method="get" action="{{ url_for('products') }}" role="search">
        <label for="site-search-q" class="visually-hidden">Cari produk</label>
        <input id="site-search-q" type="search" name="q" value="{{ request.args.get('q', '') }}"
               placeholder="Cari keripik, batik, sambal…" maxlength="200">
        <button type="submit" class="button">Cari</button>
      </form>
      <nav id="main-nav" class="main-nav" aria-label="Navigasi utama">
        <ul>
          <li><a href="{{ url_for('products') }}">Beranda</a></li>
          <li><a href="{{ url_for('products') }}">Produk</a></li>
          <li><a href="{{ url_for('products') }}">Koperasi</a></li>
          <li><a href="{{ url_for('products') }}">Masuk</a></li>
          <li><a href="{{ url_for('products') }}">Daftar</a></li>
        </ul>
        <form method="post" action="{{ url_for('products') }}" class="lang-switch">
          <input type="hidden" name="csrf_token" value="{{ token }}">
          <input type="hidden" name="next" value="{{ request.full_path }}">
          <button type="submit" name="lang" value="id" aria-pressed="true">ID</button>
          <button type="submit" name="lang" value="en" aria-pressed="false">EN</button>
        </form>
      </nav>
    </div>
  </header>
  <main id="main" class="container" tabindex="-1">{% block content %}{% endblock %}</main>
  <footer class="site-footer">
    <div class="container">
      <p>Pasar OPOP adalah pasar daring produk One Pesantren One Product Kota Mojokerto.</p>
    </div>
  </footer>
</body>
</html>
"""

CARD = """<article class="card product-card">
  <a href="{{ url_for('product', slug=card.slug) }}" class="product-card__link">
    <div class="product-card__image product-card__image--empty" aria-hidden="true"></div>
    <h3 class="product-card__name">{{ card.name }}</h3>
  </a>
  <p class="product-card__price">
    {% if card.has_choices %}mulai {{ card.price|rupiah }}{% else %}{{ card.price|rupiah }}{% endif %}
    <span class="muted">/ {{ card.unit }}</span>
  </p>
  <p class="product-card__coop">{{ card.cooperative }}</p>
  <p class="product-card__badges">
    {% if card.halal %}<span class="badge badge--halal">Halal</span>{% endif %}
    {% if not card.in_stock %}<span class="badge badge--muted">Habis</span>{% endif %}
  </p>
</article>
"""

LISTING = """{% extends "base.html" %}
{% block title %}Semua produk{% endblock %}
{% block content %}
<h1>{{ self.title() }}</h1>
<div class="listing">
  <aside class="listing__filters" aria-labelledby="filters-heading">
    <h2 id="filters-heading" class="h3">Saring</h2>
    <form method="get" action="{{ url_for('products') }}" class="filters">
      <fieldset>
        <legend>Kategori</legend>
        <ul class="facet">
          <li><label><input type="radio" name="category" value="" checked> Semua kategori</label></li>
          {% for slug, label, count, depth in categories %}
            <li class="facet__item--depth{{ depth }}"><label><input type="radio" name="category" value="{{ slug }}"> {{ label }} <span class="facet__count">({{ count }})</span></label></li>
          {% endfor %}
        </ul>
      </fieldset>
      <fieldset>
        <legend>Koperasi</legend>
        <label for="filter-cooperative" class="visually-hidden">Koperasi</label>
        <select id="filter-cooperative" name="cooperative">
          <option value="">Semua koperasi</option>
          {% for slug, label, count in cooperatives %}<option value="{{ slug }}">{{ label }} ({{ count }})</option>{% endfor %}
        </select>
      </fieldset>
      <fieldset>
        <legend>Kecamatan</legend>
        <ul class="facet">
          {% for name, count in kecamatan %}
            <li><label><input type="radio" name="kecamatan" value="{{ name }}"> {{ name }} <span class="facet__count">({{ count }})</span></label></li>
          {% endfor %}
        </ul>
      </fieldset>
      <fieldset>
        <legend>Harga (Rp)</legend>
        <ul class="facet facet--links">
          {% for low, high, count in prices %}
            <li><a href="{{ url_for('products', price_min=low, price_max=high) }}">{{ low|rupiah }} – {{ high|rupiah }}</a> <span class="facet__count">({{ count }})</span></li>
          {% endfor %}
        </ul>
      </fieldset>
      <button type="submit" class="button">Terapkan</button>
    </form>
  </aside>
  <section class="listing__results" aria-labelledby="results-heading">
    <div class="listing__bar">
      <h2 id="results-heading" class="h3" aria-live="polite">{{ total }} produk</h2>
      <form method="get" action="{{ url_for('products') }}" class="sort-form">
        <label for="sort">Urutkan</label>
        <select id="sort" name="sort" data-autosubmit>
          {% for value, label in sorts %}<option value="{{ value }}">{{ label }}</option>{% endfor %}
        </select>
      </form>
    </div>
    <div class="product-grid">
      {% for card in cards %}{% include "card.html" %}{% endfor %}
    </div>
    <nav class="pagination" aria-label="Halaman">
      {% for number in range(1, 8) %}<a href="{{ url_for('products', page=number) }}">{{ number }}</a> {% endfor %}
    </nav>
  </section>
</div>
{% endblock %}
"""


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
    app.jinja_loader = DictLoader({"base.html": BASE, "card.html": CARD, "listing.html": LISTING})
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
