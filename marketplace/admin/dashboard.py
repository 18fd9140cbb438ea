"""The programme dashboard as tables: each figure of `reports` becomes a `Table` (translated
headings, typed cells) with its chart; the page prints them and the exports write them, so a
downloaded file always matches what the page shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace import exports
from marketplace.admin import charts, reports
from marketplace.i18n import rupiah
from marketplace.orders.models import VendorOrderStatus

#: Tables, in page order: the public sales, then the government's (paid procurement invoices).
PUBLIC_TABLES = ("cooperatives", "categories", "months", "top-products", "statuses", "certificates")
GOVERNMENT_TABLES = ("government-cooperatives", "government-categories", "government-months")
TABLE_KEYS = PUBLIC_TABLES + GOVERNMENT_TABLES


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, int, money, percent


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: Markup | None = None
    note: str = ""

    def display(self, value: Any, kind: str) -> str:
        """A cell as the page shows it (the exports keep the raw value)."""
        if value is None:
            return "–"
        if kind == "money":
            return rupiah(int(value))
        if kind == "percent":
            return percent(value)
        if kind == "int":
            return format_decimal(int(value), locale=str(get_locale()))
        return str(value)


@dataclass
class Dashboard:
    period: reports.Period
    summary: reports.Summary
    public_total: int
    pilot_public_total: int
    public_pilot_share: Decimal | None
    government: reports.GovernmentFigures
    tables: list[Table] = field(default_factory=list)
    government_tables: list[Table] = field(default_factory=list)


def percent(value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = format_decimal(value, format="#,##0.0", locale=str(get_locale()))
    return f"+{text}%" if value > 0 else f"{text}%"


def month_label(month: str, pattern: str = "MMM yyyy") -> str:
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), pattern, locale=str(get_locale()))


def _name(name: str, name_en: str) -> str:
    return name_en if str(get_locale()) == "en" and name_en else name


def _rupiah_label(value: int) -> str:
    return rupiah(value)


def _count_label(value: int) -> str:
    return str(value)


# ---------------------------------------------------------------------------------------------
# One builder per table
# ---------------------------------------------------------------------------------------------


def _cooperatives(key: str, title: str, rows: list[reports.CooperativeSales]) -> Table:
    return Table(
        key,
        title,
        [
            Column(_("Koperasi")),
            Column(_("Percontohan")),
            Column(_("Pesanan"), "int"),
            Column(_("Penjualan (Rp)"), "money"),
        ],
        [[r.name, _("Ya") if r.is_pilot else _("Tidak"), r.orders, r.amount] for r in rows],
        charts.bar_chart(
            f"chart-{key}",
            title,
            _("Penjualan per koperasi; angkanya ada di tabel."),
            [(r.name, r.amount) for r in rows[:12]],
            _rupiah_label,
        ),
    )


def _categories(key: str, title: str, rows: list[reports.CategorySales]) -> Table:
    return Table(
        key,
        title,
        [
            Column(_("Kategori")),
            Column(_("Jumlah terjual"), "int"),
            Column(_("Penjualan (Rp)"), "money"),
        ],
        [[_name(r.name, r.name_en), r.quantity, r.amount] for r in rows],
        charts.bar_chart(
            f"chart-{key}",
            title,
            _("Penjualan per kategori utama; angkanya ada di tabel."),
            [(_name(r.name, r.name_en), r.amount) for r in rows],
            _rupiah_label,
        ),
    )


def _months(key: str, title: str, rows: list[reports.MonthSales]) -> Table:
    return Table(
        key,
        title,
        [
            Column(_("Bulan")),
            Column(_("Pesanan"), "int"),
            Column(_("Penjualan (Rp)"), "money"),
            Column(_("Pertumbuhan dari bulan sebelumnya"), "percent"),
        ],
        [[month_label(r.month), r.orders, r.amount, r.growth] for r in rows],
        charts.column_chart(
            f"chart-{key}",
            title,
            _(
                "Penjualan per bulan, %(first)s sampai %(last)s; angkanya ada di tabel.",
                first=month_label(rows[0].month) if rows else "",
                last=month_label(rows[-1].month) if rows else "",
            ),
            [(month_label(r.month, "MMM"), r.amount) for r in rows],
            _rupiah_label,
        ),
        note=_("Pertumbuhan kosong bila bulan sebelumnya tanpa penjualan."),
    )


def _top_products(rows: list[reports.ProductSales]) -> Table:
    title = _("Produk terlaris")
    return Table(
        "top-products",
        title,
        [
            Column(_("Produk")),
            Column(_("Koperasi")),
            Column(_("Jumlah terjual"), "int"),
            Column(_("Penjualan (Rp)"), "money"),
        ],
        [[r.name, r.cooperative, r.quantity, r.amount] for r in rows],
        charts.bar_chart(
            "chart-top-products",
            title,
            _("Sepuluh produk dengan penjualan terbesar; angkanya ada di tabel."),
            [(r.name, r.amount) for r in rows],
            _rupiah_label,
        ),
    )


def _statuses(rows: list[reports.StatusCount]) -> Table:
    title = _("Pesanan menurut status")
    labelled = [(VendorOrderStatus(r.status).label, r.count) for r in rows]
    return Table(
        "statuses",
        title,
        [Column(_("Status")), Column(_("Pesanan"), "int")],
        [[label, count] for label, count in labelled],
        charts.bar_chart(
            "chart-statuses",
            title,
            _("Pesanan yang dibuat dalam periode ini menurut statusnya sekarang."),
            labelled,
            _count_label,
        ),
    )


def _certificates(rows: list[reports.CertificateCount]) -> Table:
    title = _("Sertifikat")
    names = {"halal": _("Halal (produk)"), "pp55": _("PP 55/2022 (koperasi)")}
    short = {"halal": "Halal", "pp55": "PP 55"}
    valid, expiring, expired = _("berlaku"), _("berakhir ≤ 90 hari"), _("kedaluwarsa")
    items: list[tuple[str, int]] = []
    for r in rows:
        items += [
            (f"{short[r.kind]}: {valid}", r.valid),
            (f"{short[r.kind]}: {expiring}", r.expiring),
            (f"{short[r.kind]}: {expired}", r.expired),
        ]
    return Table(
        "certificates",
        title,
        [
            Column(_("Sertifikat")),
            Column(_("Berlaku"), "int"),
            Column(_("Berakhir dalam 90 hari"), "int"),
            Column(_("Kedaluwarsa"), "int"),
        ],
        [[names[r.kind], r.valid, r.expiring, r.expired] for r in rows],
        charts.bar_chart(
            "chart-certificates",
            title,
            _("Sertifikat halal produk dan PP 55 koperasi menurut masa berlakunya."),
            items,
            _count_label,
        ),
    )


def _government(key: str, figures: reports.GovernmentFigures) -> Table:
    if key == "government-cooperatives":
        return _cooperatives(key, _("Penjualan ke pemerintah per koperasi"), figures.by_cooperative)
    if key == "government-categories":
        return _categories(key, _("Penjualan ke pemerintah per kategori"), figures.by_category)
    return _months(key, _("Penjualan ke pemerintah per bulan"), figures.by_month)


# ---------------------------------------------------------------------------------------------
# The page and the exports
# ---------------------------------------------------------------------------------------------


def build_dashboard(today: date) -> Dashboard:
    """Every figure once: a fixed number of queries."""
    period = reports.period_ending(today)
    by_cooperative = reports.sales_by_cooperative(period)
    by_month = reports.sales_by_month(period)
    public_total = sum(row.amount for row in by_month)
    pilot_total = sum(row.amount for row in by_cooperative if row.is_pilot)
    government = reports.government_figures(period)
    dashboard = Dashboard(
        period=period,
        summary=reports.summary(),
        public_total=public_total,
        pilot_public_total=pilot_total,
        public_pilot_share=reports.share_percent(pilot_total, public_total),
        government=government,
    )
    dashboard.tables = [
        _cooperatives("cooperatives", _("Penjualan umum per koperasi"), by_cooperative),
        _categories(
            "categories", _("Penjualan umum per kategori"), reports.sales_by_category(period)
        ),
        _months("months", _("Penjualan umum per bulan"), by_month),
        _top_products(reports.top_products(period)),
        _statuses(reports.orders_by_status(period)),
        _certificates(reports.certificate_standing(today)),
    ]
    dashboard.government_tables = [_government(key, government) for key in GOVERNMENT_TABLES]
    return dashboard


def build_table(key: str, today: date) -> Table:
    """One table (for its export), computing only its own figure."""
    period = reports.period_ending(today)
    builders: dict[str, Callable[[], Table]] = {
        "cooperatives": lambda: _cooperatives(
            key, _("Penjualan umum per koperasi"), reports.sales_by_cooperative(period)
        ),
        "categories": lambda: _categories(
            key, _("Penjualan umum per kategori"), reports.sales_by_category(period)
        ),
        "months": lambda: _months(
            key, _("Penjualan umum per bulan"), reports.sales_by_month(period)
        ),
        "top-products": lambda: _top_products(reports.top_products(period)),
        "statuses": lambda: _statuses(reports.orders_by_status(period)),
        "certificates": lambda: _certificates(reports.certificate_standing(today)),
    }
    if key in builders:
        return builders[key]()
    return _government(key, reports.government_figures(period))


def write_table(table: Table, fmt: str) -> bytes:
    """The table as CSV or XLSX, with the raw values (numbers stay numbers)."""
    header = [column.label for column in table.columns]
    return exports.write(exports.Sheet(table.key, header, table.rows), fmt)
