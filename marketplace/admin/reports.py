"""The programme dashboard's figures: aggregate SQL, one query per figure, however many
cooperatives, products and orders there are (a test holds the dashboard to the same number of
queries with 100 and with 1,000 products and orders).

**Public sales.** A vendor order counts as a sale once it is paid (``paid_at`` is set: by the
payment service, or at handover for pay at pickup) and for as long as it is not cancelled or
refunded. Amounts are the goods (``items_total`` or the order lines), not the delivery fees, in
whole rupiah. A sale belongs to the month it was paid in, in Kota Mojokerto's time zone.
Categories are reported by top category (a subcategory's sales count for its parent).

**Government sales** come from the procurement workflow, read through one small interface,
`marketplace.procurement.reporting.government_sales`: a SQLAlchemy ``Select`` whose rows are the
accepted lines of government purchases on paid invoices, with these labelled columns:

=================  ==========================================================================
``cooperative_id``  the supplying cooperative (``cooperatives.id``)
``category_id``     the product's category (``categories.id``, a subcategory or a top category)
``product_id``      the catalogue product, or NULL for a line bought to a written specification
``quantity``        accepted quantity (int)
``amount``          the accepted value of the line in whole rupiah, **excluding PPN**
``paid_at``         when the treasurer paid it (timestamptz, UTC): the month it counts in
=================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from marketplace import clock
from marketplace.catalogue.models import Category, Product, ProductStatus, ProductVariant
from marketplace.certificates.rules import Standing, expiry_standing
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from marketplace.orders.models import OrderLine, VendorOrder, VendorOrderStatus
from marketplace.procurement.reporting import government_sales

#: How many months the dashboard covers, the current one included.
MONTHS = 12
TOP_PRODUCTS = 10

S = VendorOrderStatus
NOT_SALES = (S.CANCELLED, S.REFUNDED)


# ---------------------------------------------------------------------------------------------
# The period and the calendar
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole months in Kota Mojokerto's time, as the UTC instants they start and end at."""

    months: tuple[str, ...]  # "2026-01" … oldest first
    start: datetime
    end: datetime

    @property
    def first(self) -> str:
        return self.months[0]

    @property
    def last(self) -> str:
        return self.months[-1]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_ending(today: date, months: int = MONTHS) -> Period:
    """The ``months`` whole months ending with the month of ``today``."""
    first = _add_months(today.replace(day=1), -(months - 1))
    after = _add_months(today.replace(day=1), 1)
    names = tuple(
        f"{d.year:04d}-{d.month:02d}" for d in (_add_months(first, i) for i in range(months))
    )
    return Period(
        names,
        # In UTC: SQLite compares the stored UTC text, and would drop any other offset.
        clock.day_start(first),
        clock.day_start(after),
    )


def month_of(column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp in Kota Mojokerto's time, on either database."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(
            func.timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"], column), "YYYY-MM"
        )
    # SQLite stores UTC without an offset; the zone has no daylight saving time (WIB is UTC+7).
    offset = clock.zone().utcoffset(datetime(2000, 1, 1)) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.strftime("%Y-%m", column, f"{minutes:+d} minutes")


def growth_percent(current: int, previous: int) -> Decimal | None:
    """Month-over-month growth in percent, one decimal; None when the previous month sold
    nothing (growth from zero is not a number)."""
    if previous == 0:
        return None
    value = Decimal(current - previous) * 100 / Decimal(previous)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    approved_cooperatives: int
    pilot_cooperatives: int
    applications_waiting: int
    suspended_cooperatives: int
    active_products: int
    products_waiting_review: int


@dataclass(frozen=True)
class CooperativeSales:
    cooperative_id: int
    name: str
    is_pilot: bool
    orders: int
    amount: int


@dataclass(frozen=True)
class CategorySales:
    category_id: int
    name: str
    name_en: str
    quantity: int
    amount: int


@dataclass(frozen=True)
class MonthSales:
    month: str
    orders: int
    amount: int
    growth: Decimal | None


@dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    cooperative: str
    quantity: int
    amount: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int


@dataclass(frozen=True)
class CertificateCount:
    kind: str  # "halal" or "pp55"
    valid: int
    expiring: int
    expired: int

    @property
    def total(self) -> int:
        return self.valid + self.expiring + self.expired


@dataclass
class GovernmentFigures:
    """Government purchases through the marketplace: paid procurement invoices."""

    by_cooperative: list[CooperativeSales] = field(default_factory=list)
    by_category: list[CategorySales] = field(default_factory=list)
    by_month: list[MonthSales] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.by_month)

    @property
    def pilot_total(self) -> int:
        return sum(row.amount for row in self.by_cooperative if row.is_pilot)

    @property
    def pilot_share(self) -> Decimal | None:
        """The share of government spend that went to the pilot cooperatives, in percent."""
        return share_percent(self.pilot_total, self.total)


# ---------------------------------------------------------------------------------------------
# Public figures
# ---------------------------------------------------------------------------------------------


def _is_sale(period: Period) -> ColumnElement[bool]:
    return and_(
        VendorOrder.paid_at.is_not(None),
        VendorOrder.status.not_in(NOT_SALES),
        VendorOrder.paid_at >= period.start,
        VendorOrder.paid_at < period.end,
    )


def summary() -> Summary:
    """The programme's size today. One query."""

    def cooperatives(*conditions: Any) -> Any:
        return select(func.count()).select_from(Cooperative).where(*conditions).scalar_subquery()

    def products(*conditions: Any) -> Any:
        return (
            select(func.count())
            .select_from(Product)
            .join(Cooperative, Cooperative.id == Product.cooperative_id)
            .where(*conditions)
            .scalar_subquery()
        )

    row = db.session.execute(
        select(
            cooperatives(Cooperative.status == CooperativeStatus.APPROVED),
            cooperatives(Cooperative.status == CooperativeStatus.APPROVED, Cooperative.is_pilot),
            cooperatives(
                Cooperative.status.in_(
                    [CooperativeStatus.PENDING, CooperativeStatus.CHANGES_REQUESTED]
                )
            ),
            cooperatives(Cooperative.status == CooperativeStatus.SUSPENDED),
            products(
                Product.status == ProductStatus.ACTIVE,
                Cooperative.status == CooperativeStatus.APPROVED,
            ),
            products(Product.status == ProductStatus.PENDING_REVIEW),
        )
    ).one()
    return Summary(*(int(value or 0) for value in row))


def sales_by_cooperative(period: Period) -> list[CooperativeSales]:
    """Every approved or suspended cooperative (and any other that sold), best first."""
    sales = (
        select(
            VendorOrder.cooperative_id.label("cooperative_id"),
            func.count(VendorOrder.id).label("orders"),
            func.sum(VendorOrder.items_total).label("amount"),
        )
        .where(_is_sale(period))
        .group_by(VendorOrder.cooperative_id)
        .subquery()
    )
    amount = func.coalesce(sales.c.amount, 0)
    rows = db.session.execute(
        select(
            Cooperative.id,
            Cooperative.name,
            Cooperative.is_pilot,
            func.coalesce(sales.c.orders, 0),
            amount,
        )
        .outerjoin(sales, sales.c.cooperative_id == Cooperative.id)
        .where(
            or_(
                Cooperative.status.in_([CooperativeStatus.APPROVED, CooperativeStatus.SUSPENDED]),
                sales.c.orders.is_not(None),
            )
        )
        .order_by(amount.desc(), Cooperative.name, Cooperative.id)
    ).all()
    return [
        CooperativeSales(cid, name, bool(pilot), int(orders), int(total))
        for cid, name, pilot, orders, total in rows
    ]


def sales_by_category(period: Period) -> list[CategorySales]:
    """Sales by top category, best first (categories that sold nothing are left out)."""
    top = aliased(Category)
    top_id = func.coalesce(Category.parent_id, Category.id)
    amount = func.sum(OrderLine.line_total)
    rows = db.session.execute(
        select(top.id, top.name, top.name_en, func.sum(OrderLine.quantity), amount)
        .select_from(OrderLine)
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .join(ProductVariant, ProductVariant.id == OrderLine.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Category, Category.id == Product.category_id)
        .join(top, top.id == top_id)
        .where(_is_sale(period))
        .group_by(top.id, top.name, top.name_en)
        .order_by(amount.desc(), top.name)
    ).all()
    return [
        CategorySales(cid, name, name_en, int(quantity), int(total))
        for cid, name, name_en, quantity, total in rows
    ]


def _with_growth(period: Period, amounts: dict[str, tuple[int, int]]) -> list[MonthSales]:
    """Every month of the period (months without sales as zero), with its growth."""
    result = []
    previous: int | None = None
    for month in period.months:
        orders, amount = amounts.get(month, (0, 0))
        growth = growth_percent(amount, previous) if previous is not None else None
        result.append(MonthSales(month, orders, amount, growth))
        previous = amount
    return result


def sales_by_month(period: Period) -> list[MonthSales]:
    month = month_of(VendorOrder.paid_at)
    rows = db.session.execute(
        select(month, func.count(VendorOrder.id), func.sum(VendorOrder.items_total))
        .where(_is_sale(period))
        .group_by(month)
    ).all()
    return _with_growth(period, {m: (int(n), int(total)) for m, n, total in rows})


def top_products(period: Period, limit: int = TOP_PRODUCTS) -> list[ProductSales]:
    amount = func.sum(OrderLine.line_total)
    quantity = func.sum(OrderLine.quantity)
    rows = db.session.execute(
        select(Product.id, Product.name, Cooperative.name, quantity, amount)
        .select_from(OrderLine)
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .join(ProductVariant, ProductVariant.id == OrderLine.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(_is_sale(period))
        .group_by(Product.id, Product.name, Cooperative.name)
        .order_by(amount.desc(), quantity.desc(), Product.name)
        .limit(limit)
    ).all()
    return [ProductSales(pid, name, coop, int(q), int(total)) for pid, name, coop, q, total in rows]


def orders_by_status(period: Period) -> list[StatusCount]:
    """Vendor orders placed in the period, by their status now (every status listed)."""
    counts: dict[str, int] = {
        str(status): int(n)
        for status, n in db.session.execute(
            select(VendorOrder.status, func.count())
            .where(VendorOrder.created_at >= period.start, VendorOrder.created_at < period.end)
            .group_by(VendorOrder.status)
        )
    }
    return [StatusCount(str(status), counts.get(str(status), 0)) for status in VendorOrderStatus]


def certificate_standing(today: date) -> list[CertificateCount]:
    """Halal certificates of products (not archived, of approved cooperatives) and the approved
    cooperatives' PP 55 certificates: valid, expiring within the warning window (90 days),
    expired. One query."""
    within = int(current_app.config["CERTIFICATE_WARNING_DAYS"][-1])
    halal = (
        select(
            literal("halal").label("kind"),
            expiry_standing(Product.halal_valid_until, today, within).label("standing"),
        )
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(
            Product.halal_number.is_not(None),
            Product.status != ProductStatus.ARCHIVED,
            Cooperative.status == CooperativeStatus.APPROVED,
        )
    )
    pp55 = select(
        literal("pp55").label("kind"),
        expiry_standing(Cooperative.pp55_valid_until, today, within).label("standing"),
    ).where(
        Cooperative.pp55_certificate_number.is_not(None),
        Cooperative.status == CooperativeStatus.APPROVED,
    )
    certificates = union_all(halal, pp55).subquery()
    rows = db.session.execute(
        select(certificates.c.kind, certificates.c.standing, func.count()).group_by(
            certificates.c.kind, certificates.c.standing
        )
    ).all()
    counts = {(kind, standing): int(n) for kind, standing, n in rows}
    return [
        CertificateCount(
            kind,
            counts.get((kind, Standing.VALID.value), 0),
            counts.get((kind, Standing.EXPIRING.value), 0),
            counts.get((kind, Standing.EXPIRED.value), 0),
        )
        for kind in ("halal", "pp55")
    ]


# ---------------------------------------------------------------------------------------------
# Government figures (through procurement.reporting.government_sales)
# ---------------------------------------------------------------------------------------------


def government_figures(period: Period) -> GovernmentFigures:
    """By cooperative, by top category and by month (three queries)."""
    lines = government_sales().subquery("government_sales")
    in_period = and_(lines.c.paid_at >= period.start, lines.c.paid_at < period.end)

    amount = func.sum(lines.c.amount)
    by_cooperative = db.session.execute(
        select(Cooperative.id, Cooperative.name, Cooperative.is_pilot, func.count(), amount)
        .select_from(lines)
        .join(Cooperative, Cooperative.id == lines.c.cooperative_id)
        .where(in_period)
        .group_by(Cooperative.id, Cooperative.name, Cooperative.is_pilot)
        .order_by(amount.desc(), Cooperative.name)
    ).all()

    top = aliased(Category)
    by_category = db.session.execute(
        select(top.id, top.name, top.name_en, func.sum(lines.c.quantity), amount)
        .select_from(lines)
        .join(Category, Category.id == lines.c.category_id)
        .join(top, top.id == func.coalesce(Category.parent_id, Category.id))
        .where(in_period)
        .group_by(top.id, top.name, top.name_en)
        .order_by(amount.desc(), top.name)
    ).all()

    month = month_of(lines.c.paid_at)
    by_month = db.session.execute(
        select(month, func.count(), amount).select_from(lines).where(in_period).group_by(month)
    ).all()
    return GovernmentFigures(
        by_cooperative=[
            CooperativeSales(cid, name, bool(pilot), int(n), int(total))
            for cid, name, pilot, n, total in by_cooperative
        ],
        by_category=[
            CategorySales(cid, name, name_en, int(q or 0), int(total))
            for cid, name, name_en, q, total in by_category
        ],
        by_month=_with_growth(period, {m: (int(n), int(total)) for m, n, total in by_month}),
    )
