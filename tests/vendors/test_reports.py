"""Sales figures: checked against a small data set worked out by hand (time zone edges, pay at
pickup, a cancelled sale, an unpaid order, another cooperative), drawn and tabled on the reports
page, exported as CSV, and read with the same number of queries for 5 orders as for 50."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from marketplace.accounts.models import User
from marketplace.catalogue.models import ProductVariant
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import DeliveryMethod, PaymentMethod, VendorOrder
from marketplace.vendors import reports
from marketplace.vendors.charts import bar_chart, nice_step
from marketplace.vendors.reports import Period, SalesRow
from tests.factories import CooperativeMemberFactory, ProductFactory, UserFactory
from tests.procurement import workflow as wf
from tests.queries import counted
from tests.shopping import place, stocked_variant
from tests.vendors.conftest import Shop, place_order_with

PICKUP, LOCAL = DeliveryMethod.PICKUP, DeliveryMethod.LOCAL_DELIVERY
TRANSFER, AT_PICKUP = PaymentMethod.BANK_TRANSFER, PaymentMethod.PAY_AT_PICKUP


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class KnownSales:
    cooperative_id: int
    member: User
    crackers: ProductVariant  # Rp10.000
    sambal: ProductVariant  # Rp25.000, with a name a spreadsheet would run as a formula
    numbers: dict[str, str]


def known_sales(clock: ModuleType) -> KnownSales:
    """The data set. The clock stands at 1 December 2026, 10:00 in Mojokerto (03:00 UTC).

    A  crackers × 2, local delivery (+Rp10.000), paid 30 Nov 17:30 UTC = 1 Dec 00:30 local: Rp30.000
    B  sambal × 1, pickup, paid 30 Nov 16:00 UTC = 30 Nov 23:00 local:                 Rp25.000
    C  crackers × 3, pay at pickup, handed over (so paid) 1 Dec 02:00 UTC:             Rp30.000
    D  sambal × 2, paid 1 Dec 01:30 UTC, then rejected:                         not a sale
    E  crackers × 1, placed 1 Dec 02:30 UTC, not paid:                          not a sale
    G  sambal × 4, paid 15 Oct:                                                        Rp100.000
    F  another cooperative's sale on 1 Dec:                                      not ours
    """
    crackers = stocked_variant(100, price=10000, product__name="Kerupuk Udang")
    cooperative = crackers.product.cooperative
    sambal = stocked_variant(
        100, price=25000, product=ProductFactory(cooperative=cooperative, name="=Sambal Bawang")
    )
    member = CooperativeMemberFactory(cooperative=cooperative).user
    shopper = UserFactory()
    numbers = {}

    def order(name: str, at: datetime, item: Any, payment: Any = TRANSFER) -> VendorOrder:
        delivery = LOCAL if name == "A" else PICKUP
        with clock.frozen(at):
            placed = place(shopper, item, delivery=delivery, payment=payment)
        numbers[name] = placed.number or ""
        return placed.vendor_orders[0]

    def paid(part: VendorOrder, at: datetime) -> None:
        with clock.frozen(at):
            order_moves.mark_vendor_order_paid(part)

    paid(order("A", utc(11, 30, 17), (crackers, 2)), utc(11, 30, 17, 30))
    paid(order("B", utc(11, 30, 16), (sambal, 1)), utc(11, 30, 16))
    c = order("C", utc(12, 1, 1), (crackers, 3), AT_PICKUP)
    with clock.frozen(utc(12, 1, 2)):
        for move in (order_moves.accept_vendor_order, order_moves.mark_ready_for_pickup):
            move(member, c.id)
        order_moves.mark_delivered(member, c.id)
    d = order("D", utc(12, 1, 1, 15), (sambal, 2))
    paid(d, utc(12, 1, 1, 30))
    with clock.frozen(utc(12, 1, 1, 45)):
        order_moves.reject_vendor_order(member, d.id, "Stok rusak")
    order("E", utc(12, 1, 2, 30), (crackers, 1))
    paid(order("G", utc(10, 15, 5), (sambal, 4)), utc(10, 15, 5))
    other = stocked_variant(10)
    with clock.frozen(utc(12, 1, 1)):
        order_moves.mark_vendor_order_paid(place(shopper, (other, 1)).vendor_orders[0])
    db.session.commit()
    return KnownSales(cooperative.id, member, crackers, sambal, numbers)


def test_the_dashboard_counts_todays_orders_and_this_months_revenue(
    app_ctx: Flask, clock: ModuleType
) -> None:
    sales = known_sales(clock)
    figures = reports.dashboard_figures(sales.cooperative_id)
    # Placed on 1 December in Mojokerto: A (at 00:00 local), C, D and E; B was still 30 November.
    assert figures.orders_today == 4
    # Paid in December and still a sale: A and C. Not D (rejected), E (unpaid), B (November).
    assert figures.revenue_this_month == 60000
    assert figures.month == date(2026, 12, 1)
    assert type(figures.revenue_this_month) is int


def test_sales_by_day_week_and_month(app_ctx: Flask, clock: ModuleType) -> None:
    sales = known_sales(clock)

    daily = reports.sales_report(sales.cooperative_id, Period.DAY)
    assert len(daily.rows) == 30
    assert (daily.start, daily.end) == (date(2026, 11, 2), date(2026, 12, 1))
    assert daily.rows[-1] == SalesRow(date(2026, 12, 1), date(2026, 12, 1), 2, 60000)
    assert daily.rows[-2] == SalesRow(date(2026, 11, 30), date(2026, 11, 30), 1, 25000)
    assert all(row.orders == row.public == 0 for row in daily.rows[:-2])
    assert (daily.orders, daily.public) == (3, 85000)
    assert daily.government == 0  # no paid government invoice

    weekly = reports.sales_report(sales.cooperative_id, Period.WEEK)
    assert len(weekly.rows) == 12
    assert weekly.rows[-1] == SalesRow(date(2026, 11, 30), date(2026, 12, 6), 3, 85000)
    october = [row for row in weekly.rows if row.orders and row is not weekly.rows[-1]]
    assert october == [SalesRow(date(2026, 10, 12), date(2026, 10, 18), 1, 100000)]

    monthly = reports.sales_report(sales.cooperative_id, Period.MONTH)
    assert [row.start for row in monthly.rows] == [date(2026, m, 1) for m in range(1, 13)]
    assert monthly.rows[-1] == SalesRow(date(2026, 12, 1), date(2026, 12, 31), 2, 60000)
    assert monthly.rows[-2] == SalesRow(date(2026, 11, 1), date(2026, 11, 30), 1, 25000)
    assert monthly.rows[-3] == SalesRow(date(2026, 10, 1), date(2026, 10, 31), 1, 100000)
    assert (monthly.orders, monthly.public) == (4, 185000)
    # This month's bar is the dashboard's revenue: one definition of a sale.
    dashboard = reports.dashboard_figures(sales.cooperative_id)
    assert monthly.rows[-1].public == dashboard.revenue_this_month


def test_top_products_by_value_of_goods_sold(app_ctx: Flask, clock: ModuleType) -> None:
    sales = known_sales(clock)
    month = reports.sales_report(sales.cooperative_id, Period.MONTH).top_products
    assert [(p.name, p.quantity, p.revenue) for p in month] == [
        ("=Sambal Bawang", 5, 125000),  # B and G (D was rejected); no delivery fees
        ("Kerupuk Udang", 5, 50000),  # A and C
    ]
    day = reports.sales_report(sales.cooperative_id, Period.DAY).top_products
    assert [(p.name, p.quantity, p.revenue) for p in day] == [
        ("Kerupuk Udang", 5, 50000),
        ("=Sambal Bawang", 1, 25000),
    ]


def test_the_sales_csv_opens_in_excel_and_adds_up_to_the_report(
    app_ctx: Flask, clock: ModuleType
) -> None:
    sales = known_sales(clock)
    content = reports.sales_csv(sales.cooperative_id, Period.MONTH)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == list(reports.SALES_COLUMNS)
    body = rows[1:]
    assert [row[0] for row in body] == [sales.numbers[n] for n in "GBAC"]  # by payment time
    a = body[2]
    assert a[1:7] == [
        "2026-12-01 00:30",  # Mojokerto time
        "Sudah dibayar",
        "umum",
        "Transfer bank",
        "Antar lokal (Kota Mojokerto)",
        "Kerupuk Udang × 2",
    ]
    assert a[7:] == ["20000", "10000", "30000"]
    assert body[0][6] == "'=Sambal Bawang × 4"  # never a formula
    assert sum(int(row[9]) for row in body) == 185000


def test_paid_government_invoices_are_government_sales_in_the_report_and_csv(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=400, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 400), 400))
    assert reports.sales_report(c.cooperative.id, Period.MONTH).government == 0  # not paid yet
    wf.pay(c, invoice)

    monthly = reports.sales_report(c.cooperative.id, Period.MONTH)
    # Rp4.440.000 invoiced with PPN; the sale is the goods without it, in the month paid.
    assert monthly.rows[-1].government == 4_000_000
    assert (monthly.government, monthly.public) == (4_000_000, 0)
    rows = list(
        csv.reader(
            io.StringIO(reports.sales_csv(c.cooperative.id, Period.MONTH).decode("utf-8-sig"))
        )
    )
    assert len(rows) == 2
    number, _, status, channel, method, _, goods, goods_value, fee, total = rows[1]
    assert (number, status, method) == (invoice.number, "Lunas", "Transfer bank (SP2D)")
    assert channel == f"pemerintah: {c.agency.name}"
    assert "× 400" in goods
    assert (goods_value, fee, total) == ("4000000", "0", "4000000")


def test_the_day_of_a_sale_is_the_day_in_mojokerto(app_ctx: Flask, clock: ModuleType) -> None:
    sales = known_sales(clock)
    nov = reports.sales_report(sales.cooperative_id, Period.DAY, today=date(2026, 11, 30))
    assert nov.rows[-1] == SalesRow(date(2026, 11, 30), date(2026, 11, 30), 1, 25000)


def test_round_value_axes() -> None:
    assert [nice_step(v, 4) * 4 for v in (0, 3, 9, 21, 1000, 26000, 123456)] == [
        4,
        4,
        20,
        40,
        1000,
        40000,
        200000,
    ]
    chart = bar_chart([("a", 0, "A"), ("b", 30000, "B")], str)
    assert [tick.label for tick in chart.ticks] == ["0", "10000", "20000", "30000", "40000"]
    empty, full = chart.bars
    assert empty.height == 0 and empty.y == chart.bottom
    assert full.y + full.height == chart.bottom and full.height == pytest.approx(212 * 0.75)


# ---- the pages --------------------------------------------------------------------------------


def test_the_dashboard_shows_orders_and_revenue(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    place_order_with(app, shop_a, 2, paid=False)
    place_order_with(app, shop_a, 1)  # Rp10.000 + Rp10.000 local delivery
    page = owner_client.get("/vendor/").get_data(as_text=True)
    assert "Pesanan hari ini" in page and "Rp20.000" in page
    assert 'href="/vendor/orders?group=to_accept">Pesanan baru</a>: <strong>1</strong>' in page
    assert "ORDERS PLACEHOLDER" not in page


def test_the_reports_page_draws_the_same_figures_it_tables(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    place_order_with(app, shop_a, 3)  # Rp30.000 + Rp10.000
    response = owner_client.get("/vendor/reports?period=week")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<svg class="chart"' in page and 'role="img"' in page
    assert '<title id="sales-chart-title">Penjualan umum' in page
    assert page.count('<rect class="chart__bar"') == 12
    assert page.count("Rp40.000") >= 3  # a bar's tooltip, its row and the total
    assert "Penjualan pemerintah" in page and "dibayar bendahara" in page
    assert "Keripik Alpha" in page  # top products
    assert "style=" not in page
    assert 'href="/vendor/reports/sales.csv?period=week"' in page
    # An unknown period falls back to days.
    fallback = owner_client.get("/vendor/reports?period=year").get_data(as_text=True)
    assert fallback.count('<rect class="chart__bar"') == 30


def test_a_report_without_sales_says_so(owner_client: FlaskClient, shop_a: Shop) -> None:
    page = owner_client.get("/vendor/reports").get_data(as_text=True)
    assert "Belum ada penjualan pada periode ini." in page and "<svg" not in page


def test_the_sales_csv_is_downloaded(app: Flask, owner_client: FlaskClient, shop_a: Shop) -> None:
    part = place_order_with(app, shop_a, 1)
    response = owner_client.get("/vendor/reports/sales.csv?period=month")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="penjualan-koperasi-alpha-month-'
    )
    assert part.order.number in response.get_data().decode("utf-8-sig")


def test_report_pages_speak_english(app: Flask, owner_client: FlaskClient, shop_a: Shop) -> None:
    place_order_with(app, shop_a, 1)
    page = owner_client.get("/vendor/reports?lang=en").get_data(as_text=True)
    assert "Sales report" in page and "Government sales" in page and "Laporan" not in page
    assert "(1 order)</title>" in page and "pesanan" not in page


# ---- a fixed number of queries -----------------------------------------------------------------


PAGES = [
    "/vendor/",
    "/vendor/reports?period=day",
    "/vendor/reports?period=week",
    "/vendor/reports?period=month",
    "/vendor/reports/sales.csv?period=month",
    "/vendor/orders?group=to_accept",
    "/vendor/orders?group=delivered",
]


def queries(client: FlaskClient) -> dict[str, int]:
    found = {}
    for path in PAGES:
        with counted(client.application) as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        found[path] = len(statements)
    return found


def add_orders(app: Flask, shop: Shop, count: int) -> None:
    """``count`` orders in a mix of states: paid, delivered, unpaid, pay at pickup."""
    with app.test_request_context():
        member = shop.owner.user
        for n in range(count):
            payment = AT_PICKUP if n % 4 == 3 else TRANSFER
            part = place(None, (shop.variant, 1), delivery=PICKUP, payment=payment).vendor_orders[0]
            if n % 4 in (0, 1):
                order_moves.mark_vendor_order_paid(part)
            if n % 4 == 1:
                order_moves.accept_vendor_order(member, part.id)
                order_moves.mark_ready_for_pickup(member, part.id)
                order_moves.mark_delivered(member, part.id)
        db.session.commit()


def test_the_dashboard_reports_and_lists_read_as_much_for_50_orders_as_for_5(
    app: Flask, owner_client: FlaskClient, shop_a: Shop
) -> None:
    with app.test_request_context():
        from marketplace.inventory import stock

        stock.restock(shop_a.variant.id, 1000)
        db.session.commit()
    add_orders(app, shop_a, 5)
    few = queries(owner_client)
    add_orders(app, shop_a, 45)
    assert queries(owner_client) == few
