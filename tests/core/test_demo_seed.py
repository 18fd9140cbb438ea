"""``flask seed-demo``: the pilot's data, idempotent, refused in production."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import verify_password
from marketplace.catalogue.models import Product, ProductVariant
from marketplace.cooperatives.models import Cooperative, CooperativeMember
from marketplace.extensions import db
from marketplace.inventory.models import StockMovement
from marketplace.procurement.models import AgencyMember, BudgetLine, BudgetRevision, ProcurementRole
from marketplace.shipping import services


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (
            User,
            Cooperative,
            CooperativeMember,
            Product,
            ProductVariant,
            StockMovement,
            BudgetLine,
            BudgetRevision,
        )
    }


def test_seeding_loads_the_pilot_and_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    first = counts()
    assert first["Cooperative"] == 10
    assert first["Product"] >= 60
    kinds = db.session.execute(
        select(Cooperative.kind, Cooperative.status, func.count()).group_by(
            Cooperative.kind, Cooperative.status
        )
    ).all()
    # The nine pilot cooperatives, and one application waiting for the city.
    assert {(kind, status): n for kind, status, n in kinds} == {
        ("koppontren", "approved"): 6,
        ("koperasi", "approved"): 3,
        ("koppontren", "pending"): 1,
    }
    assert {c.kecamatan for c in db.session.scalars(select(Cooperative))} == {
        "Magersari",
        "Kranggan",
        "Prajurit Kulon",
    }
    assert all(c.is_demo for c in db.session.scalars(select(Cooperative)))

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert counts() == first
    # Seeding is slow (pictures, password hashes): the checks below share this one run.
    check_demo_accounts()
    check_stock_ledger()
    check_home_page(app)
    check_procurements(app)


def check_demo_accounts() -> None:
    emails = {
        "pembeli@demo.test",
        "admin@demo.test",
        "pengadaan@demo.test",
        "ppk@demo.test",
        "penerima@demo.test",
        "bendahara@demo.test",
        "pendaftar@demo.test",
    } | {f"koperasi{n}@demo.test" for n in range(1, 10)}
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    assert set(users) == emails
    assert all(verify_password(u.password_hash, "opop-demo") for u in users.values())
    assert users["admin@demo.test"].is_city_admin
    owners = db.session.scalars(select(CooperativeMember)).all()
    assert {m.user.email for m in owners} >= {f"koperasi{n}@demo.test" for n in range(1, 10)}
    applicant = next(m for m in owners if m.user.email == "pendaftar@demo.test")
    assert applicant.cooperative.status == "pending" and applicant.is_owner
    roles = {
        (m.user.email, m.role)
        for m in db.session.scalars(select(AgencyMember))
        if m.agency.slug == "bagian-umum-setda"
    }
    assert roles == {
        ("pengadaan@demo.test", ProcurementRole.PEJABAT_PENGADAAN),
        ("ppk@demo.test", ProcurementRole.PPK),
        ("penerima@demo.test", ProcurementRole.PENERIMA),
        ("bendahara@demo.test", ProcurementRole.BENDAHARA),
    }


def check_stock_ledger() -> None:
    mismatched = db.session.execute(
        select(ProductVariant.id)
        .outerjoin(StockMovement, StockMovement.variant_id == ProductVariant.id)
        .group_by(ProductVariant.id, ProductVariant.on_hand)
        .having(func.coalesce(func.sum(StockMovement.quantity), 0) != ProductVariant.on_hand)
    ).all()
    assert mismatched == []
    with_sizes = db.session.scalars(
        select(Product).join(ProductVariant).group_by(Product.id).having(func.count() > 1)
    ).all()
    assert len(with_sizes) >= 3


def test_seeding_is_refused_in_production_without_force() -> None:
    from tests.production import production_app

    prod = production_app()
    result = prod.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "Refusing" in result.output


def check_home_page(app: Flask) -> None:
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Koppontren Al-Hikmah" in html
    assert html.count('class="card product-card"') == 12
    cooperative = app.test_client().get("/cooperatives/koppontren-al-hikmah")
    assert cooperative.status_code == 200
    assert "https://wa.me/62" in cooperative.get_data(as_text=True)


def test_every_demo_cooperative_has_delivery_options(app: Flask) -> None:
    from marketplace.shipping.models import CourierZoneRate
    from marketplace.shipping.zones import Zone

    app.test_cli_runner().invoke(args=["seed-demo"])
    cooperatives = {c.slug: c for c in db.session.scalars(select(Cooperative))}
    with_rates = set(db.session.scalars(select(CourierZoneRate.cooperative_id).distinct()))
    for cooperative in cooperatives.values():
        assert (
            cooperative.offers_pickup
            or cooperative.offers_local_delivery
            or cooperative.offers_courier
        )
        assert cooperative.offers_courier == (cooperative.id in with_rates)
    assert not cooperatives["ksu-sumber-rejeki"].offers_pickup
    assert not cooperatives["kopwan-sekar-melati"].offers_local_delivery
    zone_bands = db.session.scalar(select(func.count()).select_from(CourierZoneRate))
    assert zone_bands % len(Zone) == 0  # every zone has each of the cooperative's bands
    app.test_cli_runner().invoke(args=["seed-demo"])
    assert db.session.scalar(select(func.count()).select_from(CourierZoneRate)) == zone_bands


def test_the_demo_courier_tables_charge_farther_zones_more(app_ctx: Flask) -> None:
    app_ctx.test_cli_runner().invoke(args=["seed-demo"])
    al_hikmah = db.session.scalar(
        select(Cooperative).where(Cooperative.slug == "koppontren-al-hikmah")
    )
    assert al_hikmah is not None
    quote = services.courier_rates(al_hikmah, "35.76.03", "61322", 800)  # Kranggan
    assert [rate.price for rate in quote.rates] == [11000]
    quote = services.courier_rates(al_hikmah, "51.71.01", "80111", 800)  # Denpasar, Bali
    assert [rate.price for rate in quote.rates] == [33000]
    # Heavier than its heaviest band: no courier, wherever it goes.
    assert services.courier_rates(al_hikmah, "35.76.03", "61322", 25000).rates == []


def test_the_demo_shopper_has_a_finished_and_a_running_order(app: Flask) -> None:
    from marketplace.mail import OutboxEmail
    from marketplace.messages.models import MessagePhoto, OrderMessage, ProductThread
    from marketplace.orders.models import Order

    app.test_cli_runner().invoke(args=["seed-demo"])
    shopper = db.session.scalars(select(User).where(User.email == "pembeli@demo.test")).one()
    orders = db.session.scalars(select(Order).where(Order.user_id == shopper.id)).all()
    statuses = sorted(part.status for order in orders for part in order.vendor_orders)
    # Two orders of its history, and nine parts handed over yesterday, each with a complaint.
    assert statuses == ["accepted", "completed", "completed"] + ["delivered"] * 9
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    keripik = db.session.scalars(
        select(Product).where(Product.slug == "keripik-tempe-original-al-hikmah")
    ).one()
    assert keripik.sold_count == 3
    # A thread on the completed order: the shopper's question with a photo, the cooperative's
    # answer, read.
    threads = db.session.execute(
        select(OrderMessage.side, OrderMessage.read_at.is_not(None))
        .where(OrderMessage.vendor_order_id.is_not(None))
        .order_by(OrderMessage.id)
    ).all()
    assert [tuple(row) for row in threads] == [("shopper", True), ("cooperative", True)]
    [photo] = db.session.scalars(select(MessagePhoto)).all()
    assert photo.storage_key.startswith("private/messages/")
    # A question about a product before buying, answered in 40 minutes.
    [question] = db.session.scalars(select(ProductThread)).all()
    assert (question.shopper_id, question.product.slug) == (
        shopper.id,
        "keripik-tempe-pedas-daun-jeruk-al-hikmah",
    )
    asked = db.session.execute(
        select(OrderMessage.side, OrderMessage.reply_seconds)
        .where(OrderMessage.product_thread_id == question.id)
        .order_by(OrderMessage.id)
    ).all()
    assert [tuple(row) for row in asked] == [("shopper", None), ("cooperative", 2400)]
    app.test_cli_runner().invoke(args=["seed-demo"])
    assert len(db.session.scalars(select(Order)).all()) == 2 + 9
    assert len(db.session.scalars(select(OrderMessage)).all()) == 4


def test_the_demo_has_a_complaint_in_each_state(app: Flask) -> None:
    from marketplace.complaints.models import Complaint, ComplaintStatus
    from marketplace.payments.models import Refund, RefundMethod

    app.test_cli_runner().invoke(args=["seed-demo"])
    complaints = db.session.scalars(select(Complaint).order_by(Complaint.id)).all()
    assert sorted(c.status for c in complaints) == sorted(ComplaintStatus)
    assert {c.user.email for c in complaints if c.user} == {"pembeli@demo.test"}
    assert {c.vendor_order.cooperative.slug for c in complaints} == {"koppontren-al-hikmah"}
    refunds = db.session.scalars(select(Refund).where(Refund.complaint_id.is_not(None))).all()
    # The cooperative's own refund with its proof, and the city's decided refund.
    assert sorted(r.amount for r in refunds) == [3_000, 5_000]
    assert {r.method for r in refunds} == {RefundMethod.COOPERATIVE}
    assert sum(1 for c in complaints if c.refund_proof_key) == 1
    app.test_cli_runner().invoke(args=["seed-demo"])
    assert len(db.session.scalars(select(Complaint)).all()) == len(ComplaintStatus)


def check_procurements(app: Flask) -> None:
    """One procurement in each state of the Surat Pesanan, plus a draft and an open
    negotiation, all of the demo agency, seeded once."""
    from marketplace.notifications.models import Notification
    from marketplace.procurement.models import (
        OrderStatus,
        ProcurementRequest,
        PurchaseOrder,
        QuotationStatus,
    )

    orders = db.session.scalars(select(PurchaseOrder)).all()
    assert sorted(o.status for o in orders) == sorted(OrderStatus)
    assert {o.agency.slug for o in orders} == {"bagian-umum-setda"}
    requests = db.session.scalars(select(ProcurementRequest)).all()
    assert len(requests) == len(orders) + 2
    assert "draft" in {r.status for r in requests}
    statuses = {q.status for r in requests for q in r.quotations}
    assert QuotationStatus.COUNTERED in statuses
    closed = next(o for o in orders if o.status == OrderStatus.CLOSED)
    assert all(invoice.payment is not None for invoice in closed.invoices)
    assert [r.kind for r in closed.quotation.rounds] == ["offer", "counter"]  # then accepted
    # A PKP cooperative with a valid PP 55 certificate: PPN collected, PPh 22 0.5% final, the
    # certificate and the faktur pajak on its invoice, which waits for the treasurer.
    [invoice] = [
        i for o in orders if o.is_pkp and o.cooperative.pp55_certificate_number for i in o.invoices
    ]
    assert invoice.pph22_final and invoice.pph22 == invoice.subtotal * 5 // 1000
    assert invoice.ppn_collected == invoice.ppn > 0
    assert invoice.pp55_certificate_number == invoice.cooperative.pp55_certificate_number
    assert invoice.faktur_pajak_number and len(invoice.faktur_pajak_number) == 17
    assert invoice.payment is None and invoice.purchase_order.status == OrderStatus.DELIVERED
    assert all(o.agency.npwp for o in orders)
    with app.app_context():  # the tax settings
        check_budget_lines(requests, orders)
    # The invented history's notifications are read; nobody is emailed about it.
    assert not db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()


def check_budget_lines(requests: list[Any], orders: list[Any]) -> None:
    """Every demo procurement names a budget line of its agency and year; a line's committed
    is its live orders' totals (a declined, lapsed or cancelled order commits nothing) and its
    realised the paid invoices; the meals line has had a revision."""
    from marketplace.procurement import budget_lines
    from marketplace.procurement.lifecycle import LIVE_ORDERS
    from marketplace.procurement.models import BudgetLine, OrderStatus

    assert all(r.budget_line and r.budget_line.agency_id == r.agency_id for r in requests)
    assert all(o.budget_line_id == o.request.budget_line_id for o in orders)
    lines = db.session.scalars(select(BudgetLine)).all()
    assert {line.agency.slug for line in lines} == {"bagian-umum-setda", "dinas-pendidikan"}
    assert any(line.revisions for line in lines)
    for figures in budget_lines.figures_of(lines):
        live = [
            o for o in orders if o.budget_line_id == figures.line.id and o.status in LIVE_ORDERS
        ]
        delivered = {OrderStatus.DELIVERED, OrderStatus.CLOSED}
        assert figures.committed == sum(
            sum(i.total for i in o.invoices) if o.status in delivered else o.total for o in live
        )
        assert figures.realised == sum(
            i.total for o in live for i in o.invoices if i.payment is not None
        )
    assert sum(f.realised for f in budget_lines.figures_of(lines)) > 0


def test_demo_addresses_have_regions_and_every_demo_order_address_still_displays(
    app: Flask,
) -> None:
    """The demo shopper's address has its region codes; each demo order (placed with its
    address copied in) shows it on its page and receipt as street, village, district,
    regency, province postcode."""
    from html import escape

    from marketplace.accounts.models import Address
    from marketplace.demo import DEMO_PASSWORD
    from marketplace.orders.models import Order
    from tests.conftest import login

    app.test_cli_runner().invoke(args=["seed-demo"])
    shopper = db.session.scalars(select(User).where(User.email == "pembeli@demo.test")).one()
    [address] = db.session.scalars(select(Address).where(Address.user_id == shopper.id)).all()
    assert (address.province_code, address.regency_code) == ("35", "35.76")
    assert (address.district_code, address.village_code) == ("35.76.02", "35.76.02.1009")
    client = app.test_client()
    login(client, "pembeli@demo.test", DEMO_PASSWORD)
    orders = db.session.scalars(select(Order).where(Order.user_id == shopper.id)).all()
    assert orders
    for order in orders:
        line = order.address_line()
        assert line.endswith(f", {order.province} {order.postal_code}")
        assert line.startswith(f"{order.street}, {order.kelurahan}, {order.kecamatan}, ")
        for page in (f"/orders/{order.number}", f"/orders/{order.number}/receipt"):
            assert escape(line) in client.get(page).get_data(as_text=True)
