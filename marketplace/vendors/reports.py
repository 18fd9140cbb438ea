"""A cooperative's sales figures: the dashboard's, the reports page's and the sales CSV.

**What counts as a sale.** A vendor order (one cooperative's part of an order) counts once its
money has been received and for as long as it is not given back: ``paid_at`` is set and its
status is one of ``paid``, ``accepted``, ``shipped``, ``ready_for_pickup``, ``delivered`` or
``completed`` (`SALE_STATUSES`). So a card or bank transfer order counts from its payment, a
pay-at-pickup order from its handover (when it is paid); ``awaiting_payment`` never counts, and a
``cancelled`` or ``refunded`` one stops counting (a paid order cancelled later leaves the figures
of its month). A sale is worth the vendor order's ``total``: its goods plus its delivery fee, in
whole rupiah. It falls on the day it was paid, in the marketplace's time zone
(``BABEL_DEFAULT_TIMEZONE``, Asia/Jakarta), so "this month" and the monthly report agree.

**Public and government sales.** Every sale above is a public (marketplace) sale. A government
sale is a paid invoice of a government purchase (`procurement.reporting`): worth its goods
**excluding PPN** (the state's), on the day the agency's treasurer paid it. The report shows the
two side by side; the chart and the best-selling products are the public sales.

Every function here reads with a fixed number of aggregate queries, however many orders there
are (tests/vendors/test_reports.py counts them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from marketplace import clock, exports
from marketplace.catalogue.models import Product, ProductVariant
from marketplace.database import as_utc
from marketplace.extensions import db
from marketplace.i18n import format_day, rupiah
from marketplace.labels import LabelledEnum
from marketplace.orders.models import OrderLine, VendorOrder, VendorOrderStatus
from marketplace.procurement.reporting import government_sales, paid_invoices
from marketplace.vendors.charts import BarChart, bar_chart

S = VendorOrderStatus

#: The statuses of a paid vendor order whose money the cooperative keeps (see the module doc).
SALE_STATUSES = (S.PAID, S.ACCEPTED, S.SHIPPED, S.READY_FOR_PICKUP, S.DELIVERED, S.COMPLETED)


class Period(LabelledEnum):
    """How the reports page groups sales, and how far back it looks."""

    DAY = "day", _l("Per hari (30 hari terakhir)")
    WEEK = "week", _l("Per minggu (12 minggu terakhir)")
    MONTH = "month", _l("Per bulan (12 bulan terakhir)")


#: How many days, weeks (Monday to Sunday) or calendar months a report shows, the current last.
BUCKETS = {Period.DAY: 30, Period.WEEK: 12, Period.MONTH: 12}


def is_sale() -> ColumnElement[bool]:
    """The SQL condition of a vendor order that counts as a sale."""
    return and_(VendorOrder.paid_at.is_not(None), VendorOrder.status.in_(SALE_STATUSES))


# ---------------------------------------------------------------------------------------------
# Days in Mojokerto
# ---------------------------------------------------------------------------------------------


def local_today(now: datetime | None = None) -> date:
    return clock.local_day(now or clock.now())


def _local_day(column: Any) -> ColumnElement[Any]:
    """The local calendar day of a stored UTC timestamp, computed by the database.

    PostgreSQL converts with the time zone's rules. SQLite (development and tests) knows no time
    zones, so it shifts by the zone's current offset: exact for Asia/Jakarta, which has no
    daylight saving time.
    """
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(literal(zone, literal_execute=True), column))
    offset = clock.now().astimezone(clock.zone()).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, literal(f"{minutes:+d} minutes", literal_execute=True))


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# ---------------------------------------------------------------------------------------------
# The dashboard
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    #: Vendor orders placed today, whatever became of them since.
    orders_today: int
    #: Sales (see the module doc) paid from the first of this month until now.
    revenue_this_month: int
    month: date


def dashboard_figures(cooperative_id: int, now: datetime | None = None) -> DashboardFigures:
    """Today's orders and this month's revenue, in one query."""
    today = local_today(now)
    month = today.replace(day=1)
    day_start, day_end = clock.day_start(today), clock.day_start(today + timedelta(days=1))
    month_start, month_end = clock.day_start(month), clock.day_start(_next_month(month))
    placed_today = and_(VendorOrder.created_at >= day_start, VendorOrder.created_at < day_end)
    paid_this_month = and_(
        is_sale(), VendorOrder.paid_at >= month_start, VendorOrder.paid_at < month_end
    )
    orders_today, revenue = db.session.execute(
        select(
            func.count(case((placed_today, VendorOrder.id))),
            func.coalesce(func.sum(case((paid_this_month, VendorOrder.total), else_=0)), 0),
        ).where(VendorOrder.cooperative_id == cooperative_id, or_(placed_today, paid_this_month))
    ).one()
    return DashboardFigures(int(orders_today), int(revenue), month)


# ---------------------------------------------------------------------------------------------
# The reports page
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesRow:
    """Sales of one day, week or month."""

    start: date
    end: date  # the last day, included
    orders: int = 0
    public: int = 0
    #: Paid government invoices, excluding PPN.
    government: int = 0


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    name: str
    quantity: int
    #: The goods' value (unit price × quantity), without delivery fees.
    revenue: int


@dataclass(frozen=True)
class SalesReport:
    period: Period
    rows: list[SalesRow]
    top_products: list[TopProduct] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.rows[0].start

    @property
    def end(self) -> date:
        return self.rows[-1].end

    @property
    def orders(self) -> int:
        return sum(row.orders for row in self.rows)

    @property
    def public(self) -> int:
        return sum(row.public for row in self.rows)

    @property
    def government(self) -> int:
        return sum(row.government for row in self.rows)


def row_label(period: Period, row: SalesRow) -> str:
    """A row's day, week or month in the reader's language: "Sel, 1 Des 2026",
    "30 Nov – 6 Des 2026" or "Desember 2026"."""
    if period == Period.DAY:
        return format_day(row.start, "EEE, d MMM y")
    if period == Period.WEEK:
        return f"{format_day(row.start, 'd MMM')} – {format_day(row.end, 'd MMM y')}"
    return format_day(row.start, "MMMM y")


def sales_chart(report: SalesReport) -> BarChart:
    """The report's public sales as bars, labelled under the axis and in each bar's tooltip."""
    axis_pattern = "MMM y" if report.period == Period.MONTH else "d MMM"
    bars = []
    for row in report.rows:
        orders = ngettext("%(num)d pesanan", "%(num)d pesanan", row.orders)
        title = f"{row_label(report.period, row)}: {rupiah(row.public)} ({orders})"
        bars.append((format_day(row.start, axis_pattern), row.public, title))
    return bar_chart(bars, rupiah)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def periods(period: Period, today: date) -> list[tuple[date, date]]:
    """The (first day, last day) of each day, week or month a report shows, oldest first."""
    count = BUCKETS[period]
    if period == Period.DAY:
        return [(d, d) for d in (today - timedelta(days=n) for n in range(count - 1, -1, -1))]
    if period == Period.WEEK:
        monday = today - timedelta(days=today.weekday())
        starts = [monday - timedelta(weeks=n) for n in range(count - 1, -1, -1)]
        return [(start, start + timedelta(days=6)) for start in starts]
    month = today.replace(day=1)
    starts = [month]
    for _ in range(count - 1):
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    return [(start, _next_month(start) - timedelta(days=1)) for start in starts]


def _sales_in(cooperative_id: int, first: date, last: date) -> ColumnElement[bool]:
    return and_(
        VendorOrder.cooperative_id == cooperative_id,
        is_sale(),
        VendorOrder.paid_at >= clock.day_start(first),
        VendorOrder.paid_at < clock.day_start(last + timedelta(days=1)),
    )


def sales_report(cooperative_id: int, period: Period, today: date | None = None) -> SalesReport:
    """Sales per day, week or month up to today, and the best-selling products of that time:
    two aggregate queries."""
    spans = periods(period, today or local_today())
    first, last = spans[0][0], spans[-1][1]
    day = _local_day(VendorOrder.paid_at)
    daily = db.session.execute(
        select(day, func.count(VendorOrder.id), func.sum(VendorOrder.total))
        .where(_sales_in(cooperative_id, first, last))
        .group_by(day)
    ).all()
    totals = {_as_date(value): (int(orders), int(amount)) for value, orders, amount in daily}
    government = _government_by_day(cooperative_id, first, last)
    rows = []
    for start, end in spans:
        days = list(_days(start, end))
        in_span = [totals[d] for d in days if d in totals]
        rows.append(
            SalesRow(
                start,
                end,
                sum(orders for orders, _ in in_span),
                sum(a for _, a in in_span),
                sum(government.get(d, 0) for d in days),
            )
        )
    return SalesReport(period, rows, top_products(cooperative_id, first, last))


def _government_by_day(cooperative_id: int, first: date, last: date) -> dict[date, int]:
    """Paid government invoices (excluding PPN) per local day: one query."""
    lines = government_sales().subquery("government_sales")
    day = _local_day(lines.c.paid_at)
    rows = db.session.execute(
        select(day, func.sum(lines.c.amount))
        .where(
            lines.c.cooperative_id == cooperative_id,
            lines.c.paid_at >= clock.day_start(first),
            lines.c.paid_at < clock.day_start(last + timedelta(days=1)),
        )
        .group_by(day)
    ).all()
    return {_as_date(value): int(amount) for value, amount in rows}


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def top_products(cooperative_id: int, first: date, last: date, limit: int = 10) -> list[TopProduct]:
    """The products with the most goods sold (in rupiah) between two local days, included."""
    revenue = func.sum(OrderLine.line_total)
    rows = db.session.execute(
        select(Product.id, Product.name, func.sum(OrderLine.quantity), revenue)
        .select_from(OrderLine)
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .join(ProductVariant, ProductVariant.id == OrderLine.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(_sales_in(cooperative_id, first, last))
        .group_by(Product.id, Product.name)
        .order_by(revenue.desc(), Product.name)
        .limit(limit)
    ).all()
    return [TopProduct(pid, name, int(qty), int(amount)) for pid, name, qty, amount in rows]


# ---------------------------------------------------------------------------------------------
# The sales CSV
# ---------------------------------------------------------------------------------------------

#: One row per sale (a vendor order, or a paid government invoice); the totals add up to the
#: report's public and government sales.
SALES_COLUMNS = (
    "nomor_pesanan",
    "tanggal_bayar",
    "status",
    "saluran",
    "pembayaran",
    "pengiriman",
    "barang",
    "harga_barang",
    "ongkos_kirim",
    "total",
)


def sales_csv(cooperative_id: int, period: Period, today: date | None = None) -> bytes:
    """The sales of a report's time, one row per sale: the public ones, then the government
    ones (a fixed number of queries). Text cells cannot become spreadsheet formulas; UTF-8 with
    a byte-order mark."""
    spans = periods(period, today or local_today())
    sales = db.session.scalars(
        select(VendorOrder)
        .join(VendorOrder.order)
        .where(_sales_in(cooperative_id, spans[0][0], spans[-1][1]))
        .options(contains_eager(VendorOrder.order), selectinload(VendorOrder.lines))
        .order_by(VendorOrder.paid_at, VendorOrder.id)
    )
    zone = clock.zone()
    rows = [
        [
            sale.order.number,
            as_utc(sale.paid_at or clock.now()).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            sale.state.label,
            str(_l("umum")),
            sale.order.payment.label,
            sale.delivery.label,
            "; ".join(
                f"{line.product_name}{f' ({line.variant_name})' if line.variant_name else ''}"
                f" × {line.quantity}"
                for line in sale.lines
            ),
            sale.items_total,
            sale.delivery_fee,
            sale.total,
        ]
        for sale in sales
    ]
    invoices = paid_invoices(
        cooperative_id,
        clock.day_start(spans[0][0]),
        clock.day_start(spans[-1][1] + timedelta(days=1)),
    )
    rows += [
        [
            invoice.number,
            as_utc(invoice.paid_at).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            str(_l("Lunas")),
            f"{_l('pemerintah')}: {invoice.agency}",
            invoice.method,
            "",
            invoice.goods,
            invoice.amount,
            0,
            invoice.amount,
        ]
        for invoice in invoices
    ]
    return exports.write_csv(exports.Sheet("penjualan", SALES_COLUMNS, rows))
