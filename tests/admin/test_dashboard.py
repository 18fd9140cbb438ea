"""The programme dashboard: every figure checked against a small known data set, the government
figures from paid procurement invoices and through their interface, the exports, and the same
number of queries with 100 and with 1,000 products and orders."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Select, insert, select

from marketplace.admin import reports
from marketplace.admin.dashboard import write_table
from marketplace.catalogue.models import Category, Product, ProductStatus, ProductVariant
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, VendorOrder
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.procurement import workflow as wf
from tests.queries import counted

TODAY = date(2026, 12, 1)  # the `clock` fixture's day in Kota Mojokerto


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sale(
    cooperative: Cooperative,
    lines: list[tuple[ProductVariant, int]],
    *,
    status: str,
    paid_at: datetime | None,
    created_at: datetime | None = None,
) -> VendorOrder:
    """A vendor order as the orders module leaves it, written directly with its dates."""
    user = UserFactory()
    items_total = sum(variant.price * quantity for variant, quantity in lines)
    created = created_at or (paid_at - timedelta(hours=1) if paid_at else utc(2026, 11, 1))
    order = Order(
        user_id=user.id,
        idempotency_key=f"k{user.id:020d}",
        payment_method="bank_transfer",
        items_total=items_total,
        delivery_total=0,
        grand_total=items_total,
        recipient_name="Uji",
        phone="081234567890",
        street="Jl. Uji",
        kelurahan="Miji",
        kecamatan="Kranggan",
        city="Kota Mojokerto",
        province="Jawa Timur",
        postal_code="61321",
        created_at=created,
    )
    vendor_order = VendorOrder(
        order=order,
        cooperative_id=cooperative.id,
        cooperative_name=cooperative.name,
        status=status,
        delivery_method="pickup",
        delivery_fee=0,
        items_total=items_total,
        total=items_total,
        paid_at=paid_at,
        created_at=created,
    )
    for variant, quantity in lines:
        vendor_order.lines.append(
            OrderLine(
                variant_id=variant.id,
                product_name=variant.product.name,
                sku=variant.sku,
                cooperative_name=cooperative.name,
                unit="pak",
                unit_price=variant.price,
                quantity=quantity,
                line_total=variant.price * quantity,
            )
        )
    db.session.add(order)
    db.session.add(vendor_order)
    db.session.flush()
    return vendor_order


def known_data() -> dict[str, Any]:
    food = CategoryFactory(name="Makanan", name_en="Food")
    keripik = CategoryFactory(name="Keripik", name_en="Chips", parent=food)
    sambal = CategoryFactory(name="Sambal", name_en="Sauces", parent=food)
    fashion = CategoryFactory(name="Fashion", name_en="Fashion")

    a = CooperativeFactory(
        name="Koperasi A",
        is_pilot=True,
        pp55_certificate_number="A",
        pp55_valid_until=date(2027, 12, 31),
    )
    b = CooperativeFactory(
        name="Koperasi B", pp55_certificate_number="B", pp55_valid_until=date(2026, 12, 31)
    )
    c = CooperativeFactory(
        name="Koperasi C",
        is_pilot=True,
        status=CooperativeStatus.SUSPENDED,
        pp55_certificate_number="C",
        pp55_valid_until=date(2020, 1, 1),
    )
    CooperativeFactory(name="Koperasi D", status=CooperativeStatus.PENDING)
    e = CooperativeFactory(
        name="Koperasi E", pp55_certificate_number="E", pp55_valid_until=date(2026, 6, 30)
    )

    def variant(
        cooperative: Cooperative, name: str, category: Category, price: int, **fields: Any
    ) -> ProductVariant:
        product = ProductFactory(cooperative=cooperative, name=name, category=category, **fields)
        made: ProductVariant = VariantFactory(product=product, price=price)
        return made

    kx = variant(
        a, "Keripik X", keripik, 10_000, halal_number="H1", halal_valid_until=date(2027, 6, 1)
    )
    sy = variant(
        a, "Sambal Y", sambal, 25_000, halal_number="H2", halal_valid_until=date(2027, 1, 15)
    )
    bz = variant(b, "Batik Z", fashion, 200_000)
    jw = variant(c, "Jamu W", food, 15_000, halal_number="H3", halal_valid_until=date(2020, 1, 1))
    variant(
        e,
        "Madu V",
        food,
        50_000,
        status=ProductStatus.PENDING_REVIEW,
        halal_number="H4",
        halal_valid_until=date(2026, 11, 1),
    )

    sale(a, [(kx, 3), (sy, 1)], status="completed", paid_at=utc(2026, 10, 5, 3))
    sale(a, [(kx, 2)], status="paid", paid_at=utc(2026, 11, 10, 3))
    sale(b, [(bz, 1)], status="delivered", paid_at=utc(2026, 11, 20, 3))
    sale(b, [(bz, 1)], status="refunded", paid_at=utc(2026, 11, 21, 3))
    sale(a, [(kx, 5)], status="awaiting_payment", paid_at=None, created_at=utc(2026, 11, 30, 3))
    sale(a, [(kx, 7)], status="completed", paid_at=utc(2025, 12, 15, 3))  # before the period
    # 18:00 UTC on 30 November is 01:00 on 1 December in Mojokerto: a December sale.
    sale(c, [(jw, 2)], status="accepted", paid_at=utc(2026, 11, 30, 18))
    # 17:30 UTC on 31 December 2025 is 00:30 on 1 January 2026: inside the period.
    sale(
        a,
        [(kx, 1)],
        status="completed",
        paid_at=utc(2025, 12, 31, 17, 30),
        created_at=utc(2025, 12, 31, 17, 10),
    )
    return {"a": a, "b": b, "c": c, "e": e, "food": food, "fashion": fashion}


@pytest.fixture
def period(app_ctx: Flask, clock: Any) -> reports.Period:
    return reports.period_ending(TODAY)


def test_the_period_is_the_last_twelve_months_in_mojokerto(period: reports.Period) -> None:
    assert (period.first, period.last, len(period.months)) == ("2026-01", "2026-12", 12)
    assert period.start == utc(2025, 12, 31, 17)
    assert period.end == utc(2026, 12, 31, 17)


def test_every_figure_against_a_known_data_set(period: reports.Period) -> None:
    data = known_data()
    assert reports.summary() == reports.Summary(
        approved_cooperatives=3,
        pilot_cooperatives=1,
        applications_waiting=1,
        suspended_cooperatives=1,
        active_products=3,
        products_waiting_review=1,
    )
    by_cooperative = [
        (r.name, r.is_pilot, r.orders, r.amount) for r in reports.sales_by_cooperative(period)
    ]
    assert by_cooperative == [
        ("Koperasi B", False, 1, 200_000),
        ("Koperasi A", True, 3, 85_000),
        ("Koperasi C", True, 1, 30_000),
        ("Koperasi E", False, 0, 0),
    ]
    assert [(r.category_id, r.quantity, r.amount) for r in reports.sales_by_category(period)] == [
        (data["fashion"].id, 1, 200_000),
        (data["food"].id, 9, 115_000),
    ]
    months = {r.month: (r.orders, r.amount, r.growth) for r in reports.sales_by_month(period)}
    assert list(months) == list(period.months)
    assert months["2026-01"] == (1, 10_000, None)
    assert months["2026-02"] == (0, 0, Decimal("-100.0"))
    assert months["2026-03"] == (0, 0, None)
    assert months["2026-10"] == (1, 55_000, None)
    assert months["2026-11"] == (2, 220_000, Decimal("300.0"))
    assert months["2026-12"] == (1, 30_000, Decimal("-86.4"))
    assert sum(amount for _, amount, _ in months.values()) == 315_000
    assert [
        (r.name, r.cooperative, r.quantity, r.amount) for r in reports.top_products(period)
    ] == [
        ("Batik Z", "Koperasi B", 1, 200_000),
        ("Keripik X", "Koperasi A", 6, 60_000),
        ("Jamu W", "Koperasi C", 2, 30_000),
        ("Sambal Y", "Koperasi A", 1, 25_000),
    ]
    statuses = {r.status: r.count for r in reports.orders_by_status(period)}
    assert statuses == {
        "awaiting_payment": 1,
        "paid": 1,
        "accepted": 1,
        "shipped": 0,
        "ready_for_pickup": 0,
        "delivered": 1,
        "completed": 2,
        "cancelled": 0,
        "refunded": 1,
    }
    assert reports.certificate_standing(TODAY) == [
        reports.CertificateCount("halal", valid=1, expiring=1, expired=1),
        reports.CertificateCount("pp55", valid=1, expiring=1, expired=1),
    ]


def test_growth_and_share_are_rounded_half_up_to_one_decimal() -> None:
    assert reports.growth_percent(30_000, 220_000) == Decimal("-86.4")
    assert reports.growth_percent(1_001, 2_000) == Decimal("-50.0")  # -49.95 rounds away
    assert reports.growth_percent(5, 0) is None
    assert reports.share_percent(115_000, 315_000) == Decimal("36.5")
    assert reports.share_percent(1, 0) is None


def public_sales_as_government() -> Select[Any]:
    """A stand-in for the procurement workflow's source: the public sales lines, in the shape
    the interface asks for."""
    return (
        select(
            VendorOrder.cooperative_id.label("cooperative_id"),
            Product.category_id.label("category_id"),
            Product.id.label("product_id"),
            OrderLine.quantity.label("quantity"),
            OrderLine.line_total.label("amount"),
            VendorOrder.paid_at.label("paid_at"),
        )
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .join(ProductVariant, ProductVariant.id == OrderLine.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(VendorOrder.paid_at.is_not(None), VendorOrder.status.not_in(["refunded"]))
    )


def test_paid_government_invoices_reach_the_dashboard_without_ppn(
    period: reports.Period,
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=400, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 400), 400))
    assert reports.government_figures(period).total == 0  # issued, not paid yet
    wf.pay(c, invoice)
    figures = reports.government_figures(period)
    assert [(r.name, r.amount) for r in figures.by_cooperative] == [
        (c.cooperative.name, 4_000_000)  # Rp4.440.000 with PPN
    ]
    assert [(r.month, r.amount) for r in figures.by_month][-1] == ("2026-12", 4_000_000)
    assert sum(r.quantity for r in figures.by_category) == 400


def test_the_dashboard_shows_the_government_figures_of_paid_invoices(
    app_ctx: Flask, admin_client: FlaskClient, clock: Any
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=400, ceiling=20_000_000)
    wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 400), 400)))
    name = c.cooperative.name
    html = admin_client.get("/admin/").get_data(as_text=True)
    government = html[html.index('id="government-title"') :]
    assert "Rp4.000.000" in government  # Rp4.440.000 with PPN
    assert name in government
    rows = read_csv(admin_client.get("/admin/dashboard/government-cooperatives.csv"))
    assert [rows[1][0], rows[1][-1]] == [name, "4000000"]


def test_government_figures_through_the_interface(
    period: reports.Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = known_data()
    monkeypatch.setattr(reports, "government_sales", public_sales_as_government)
    figures = reports.government_figures(period)
    assert [(r.name, r.is_pilot, r.amount) for r in figures.by_cooperative] == [
        ("Koperasi B", False, 200_000),
        ("Koperasi A", True, 85_000),
        ("Koperasi C", True, 30_000),
    ]
    assert [(r.category_id, r.amount) for r in figures.by_category] == [
        (data["fashion"].id, 200_000),
        (data["food"].id, 115_000),
    ]
    assert [(r.month, r.amount, r.growth) for r in figures.by_month][-3:] == [
        ("2026-10", 55_000, None),
        ("2026-11", 220_000, Decimal("300.0")),
        ("2026-12", 30_000, Decimal("-86.4")),
    ]
    assert (figures.total, figures.pilot_total) == (315_000, 115_000)
    assert figures.pilot_share == Decimal("36.5")


def test_the_dashboard_page_shows_the_figures_and_says_what_is_missing(
    admin_client: FlaskClient, clock: Any
) -> None:
    known_data()
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "Rp315.000" in html  # public sales in the period
    assert "+36,5%" in html  # the pilot cooperatives' share of them
    assert "Rp200.000" in html and "Batik Z" in html
    assert "-86,4%" in html
    assert 'role="img"' in html and '<title id="chart-cooperatives-title">' in html
    assert "style=" not in html
    assert "Bagian belanja pemerintah untuk koperasi percontohan" in html


def test_the_dashboard_shows_government_figures_once_they_exist(
    admin_client: FlaskClient, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_data()
    monkeypatch.setattr(reports, "government_sales", public_sales_as_government)
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert "Bagian belanja pemerintah untuk koperasi percontohan" in html
    assert admin_client.get("/admin/dashboard/government-months.csv").status_code == 200


def read_csv(response: Any) -> list[list[str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_every_table_exports_as_csv_and_xlsx(admin_client: FlaskClient, clock: Any) -> None:
    known_data()
    response = admin_client.get("/admin/dashboard/cooperatives.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert read_csv(response) == [
        ["Koperasi", "Percontohan", "Pesanan", "Penjualan (Rp)"],
        ["Koperasi B", "Tidak", "1", "200000"],
        ["Koperasi A", "Ya", "3", "85000"],
        ["Koperasi C", "Ya", "1", "30000"],
        ["Koperasi E", "Tidak", "0", "0"],
    ]
    xlsx = admin_client.get("/admin/dashboard/months.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Bulan", "Pesanan", "Penjualan (Rp)", "Pertumbuhan dari bulan sebelumnya")
    assert rows[-1] == ("Des 2026", 1, 30000, -86.4)
    for key in ("categories", "top-products", "statuses", "certificates"):
        for fmt in ("csv", "xlsx"):
            assert admin_client.get(f"/admin/dashboard/{key}.{fmt}").status_code == 200, key
    government = read_csv(admin_client.get("/admin/dashboard/government-cooperatives.csv"))
    assert len(government) == 1  # its header: no government invoice is paid in this data set


def test_exported_cells_are_never_formulas(app_ctx: Flask) -> None:
    from marketplace.admin.dashboard import Column, Table

    table = Table(
        "uji",
        "Uji",
        [Column("Nama"), Column("Jumlah", "int")],
        [['=HYPERLINK("http://x")', 1], ["+62 812", 2], ["@SUM(A1)", 3], ["Biasa", -4]],
    )
    rows = list(csv.reader(io.StringIO(write_table(table, "csv").decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+62 812",
        "'@SUM(A1)",
        "Biasa",
    ]
    assert rows[4][1] == "-4"  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(write_table(table, "xlsx"))).active
    assert sheet is not None
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("http://x")'
    assert sheet["B5"].value == -4


# ---------------------------------------------------------------------------------------------
# A constant number of queries
# ---------------------------------------------------------------------------------------------


def bulk_sales(count: int, start: int) -> None:
    """``count`` products, each with a variant and one paid order, inserted in bulk."""
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.name == "Koperasi Besar"))
    if cooperative is None:
        cooperative = CooperativeFactory(name="Koperasi Besar", is_pilot=True)
    category = (
        CategoryFactory()
        if start == 0
        else db.session.scalar(select(Category).order_by(Category.id.desc()))
    )
    assert category is not None
    buyer = UserFactory()
    paid = utc(2026, 6, 1, 3)
    db.session.execute(
        insert(Product),
        [
            {
                "id": 100_000 + n,
                "cooperative_id": cooperative.id,
                "category_id": category.id,
                "name": f"Produk Massal {n}",
                "slug": f"produk-massal-{n}",
                "unit": "pak",
                "status": "active",
                "halal_number": "HM" if n % 2 else None,
                "halal_valid_until": date(2027, 1, 1) if n % 2 else None,
            }
            for n in range(start, start + count)
        ],
    )
    db.session.execute(
        insert(ProductVariant),
        [
            {
                "id": 100_000 + n,
                "product_id": 100_000 + n,
                "cooperative_id": cooperative.id,
                "sku": f"MASSAL-{n}",
                "price": 1_000 + n,
            }
            for n in range(start, start + count)
        ],
    )
    db.session.execute(
        insert(Order),
        [
            {
                "id": 100_000 + n,
                "user_id": buyer.id,
                "idempotency_key": f"massal-{n:012d}",
                "payment_method": "bank_transfer",
                "items_total": 1_000 + n,
                "delivery_total": 0,
                "grand_total": 1_000 + n,
                "recipient_name": "R",
                "phone": "081234567890",
                "street": "S",
                "kelurahan": "K",
                "kecamatan": "K",
                "city": "Kota Mojokerto",
                "province": "Jawa Timur",
                "postal_code": "61321",
                "created_at": paid,
            }
            for n in range(start, start + count)
        ],
    )
    db.session.execute(
        insert(VendorOrder),
        [
            {
                "id": 100_000 + n,
                "order_id": 100_000 + n,
                "cooperative_id": cooperative.id,
                "cooperative_name": cooperative.name,
                "status": "completed" if n % 3 else "paid",
                "delivery_method": "pickup",
                "delivery_fee": 0,
                "items_total": 1_000 + n,
                "total": 1_000 + n,
                "paid_at": paid + timedelta(days=n % 150),
                "created_at": paid,
            }
            for n in range(start, start + count)
        ],
    )
    db.session.execute(
        insert(OrderLine),
        [
            {
                "vendor_order_id": 100_000 + n,
                "variant_id": 100_000 + n,
                "product_name": f"Produk Massal {n}",
                "sku": f"MASSAL-{n}",
                "cooperative_name": cooperative.name,
                "unit": "pak",
                "unit_price": 1_000 + n,
                "quantity": 1,
                "line_total": 1_000 + n,
            }
            for n in range(start, start + count)
        ],
    )
    db.session.commit()


def test_the_dashboard_runs_the_same_queries_for_100_and_1000_products_and_orders(
    admin_client: FlaskClient, clock: Any
) -> None:
    app = admin_client.application
    bulk_sales(100, 0)
    admin_client.get("/admin/")  # warm up: the first page of a session loads a little more
    with counted(app) as few:
        assert admin_client.get("/admin/").status_code == 200
    bulk_sales(900, 100)
    with counted(app) as many:
        response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Produk Massal 999" in response.get_data(as_text=True)  # the new data is there
    assert len(many) == len(few), (len(few), len(many))
    assert len(few) <= 20, few
