"""The demo's shop: categories, cooperatives and their products (pictures drawn here with
Pillow, no downloads), a shopper, the city's administrator, an application waiting for approval,
delivery settings, and orders taken through the real services."""

from __future__ import annotations

import io
import textwrap
from datetime import date, timedelta
from typing import Any

from flask import g
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import delete, func, select, update

from marketplace import clock, demo_data
from marketplace.accounts.models import Address, User
from marketplace.accounts.services import find_user_by_email
from marketplace.cart import services as cart_services
from marketplace.catalogue.images import add_product_image
from marketplace.catalogue.models import (
    Category,
    PriceTier,
    Product,
    ProductStatus,
    ProductVariant,
)
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeMember,
    CooperativeStatus,
    MemberRole,
)
from marketplace.cooperatives.services import apply_for_cooperative
from marketplace.database import utcnow
from marketplace.demo.people import demo_user, owner_of
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.models import MovementReason
from marketplace.mail import OutboxEmail
from marketplace.notifications.models import Notification
from marketplace.shipping.models import CourierZoneRate
from marketplace.shipping.zones import Zone
from marketplace.urls import site_request_context


def seed_categories() -> dict[str, Category]:
    by_slug = {c.slug: c for c in db.session.scalars(select(Category))}
    for position, top in enumerate(demo_data.CATEGORIES):
        parent = by_slug.get(top.slug)
        if parent is None:
            parent = Category(slug=top.slug, name=top.name, name_en=top.name_en, position=position)
            db.session.add(parent)
            db.session.flush()
            by_slug[top.slug] = parent
        for child_position, child in enumerate(top.children):
            if child.slug not in by_slug:
                category = Category(
                    slug=child.slug,
                    name=child.name,
                    name_en=child.name_en,
                    parent_id=parent.id,
                    position=child_position,
                )
                db.session.add(category)
                by_slug[child.slug] = category
    db.session.flush()
    return by_slug


def seed_shopper() -> None:
    user = demo_user("pembeli@demo.test", "Nur Aini")
    user.phone = user.phone or "081234567890"
    if not user.addresses:
        db.session.add(
            Address(
                user_id=user.id,
                label="Rumah",
                recipient_name="Nur Aini",
                phone="081234567890",
                street="Jl. Brawijaya No. 21, RT 001/RW 002",
                kelurahan="Kedundung",
                kecamatan="Magersari",
                city="Kota Mojokerto",
                province="Jawa Timur",
                postal_code="61316",
                is_default=True,
                province_code="35",
                regency_code="35.76",
                district_code="35.76.02",
                village_code="35.76.02.1009",
            )
        )


def seed_admin() -> None:
    demo_user("admin@demo.test", "Admin DiskopUkmperindag", is_city_admin=True)


def seed_cooperatives() -> dict[str, Cooperative]:
    by_slug = {c.slug: c for c in db.session.scalars(select(Cooperative))}
    for item in demo_data.COOPERATIVES:
        cooperative = by_slug.get(item.slug)
        if cooperative is None:
            cooperative = Cooperative(
                slug=item.slug,
                name=item.name,
                kind=item.kind,
                pesantren_name=item.pesantren,
                description=item.description,
                kecamatan=item.kecamatan,
                kelurahan=item.kelurahan,
                address=item.address,
                postal_code=item.postcode,
                whatsapp=item.whatsapp,
                email=item.email,
                nib=item.nib,
                npwp=item.npwp,
                is_pkp=item.is_pkp,
                pp55_certificate_number=item.pp55_number,
                pp55_valid_until=_date(item.pp55_valid_until),
                bank_name=item.bank_name,
                bank_account_number=item.bank_account_number,
                bank_account_holder=item.bank_account_holder,
                local_delivery_fee=item.local_delivery_fee,
                status=CooperativeStatus.APPROVED,
                approved_at=utcnow(),
                is_demo=True,
                is_pilot=True,
            )
            db.session.add(cooperative)
            db.session.flush()
            by_slug[item.slug] = cooperative
        owner = demo_user(item.email, item.owner_name)
        has_membership = db.session.scalar(
            select(CooperativeMember.id).where(CooperativeMember.user_id == owner.id)
        )
        if not has_membership:
            db.session.add(
                CooperativeMember(
                    cooperative_id=cooperative.id, user_id=owner.id, role=MemberRole.OWNER
                )
            )
    db.session.flush()
    return by_slug


def seed_application() -> None:
    """A cooperative that has applied and waits for the city's decision (admin's queue)."""
    applicant = demo_user("pendaftar@demo.test", "Siti Rohmah")
    if db.session.scalar(
        select(CooperativeMember.id).where(CooperativeMember.user_id == applicant.id)
    ):
        return
    cooperative = apply_for_cooperative(applicant, demo_data.PENDING_APPLICATION)
    cooperative.is_demo = True


#: The demo's courier table: each weight band's fee, in percent, by destination zone (rounded
#: up to Rp500), so the workspace's table shows farther zones costing more.
ZONE_PERCENT = {
    Zone.DISTRICT: 100,
    Zone.CITY: 100,
    Zone.EAST_JAVA: 150,
    Zone.JAVA: 200,
    Zone.OUTSIDE_JAVA: 300,
}


def zone_fee(fee: int, zone: Zone) -> int:
    return -(-fee * ZONE_PERCENT[zone] // 50_000) * 500


def seed_delivery(cooperatives: dict[str, Cooperative]) -> None:
    """Delivery options and courier zone tables, for cooperatives still as the migration left
    them (all defaults, no courier rates), so a cooperative's own later changes are never
    undone."""
    with_bands = set(db.session.scalars(select(CourierZoneRate.cooperative_id).distinct()))
    for slug, delivery in demo_data.DELIVERY.items():
        cooperative = cooperatives[slug]
        untouched = (
            cooperative.offers_pickup
            and cooperative.offers_local_delivery
            and not cooperative.offers_courier
            and cooperative.id not in with_bands
        )
        if not untouched:
            continue
        cooperative.offers_pickup = delivery.pickup
        cooperative.offers_local_delivery = delivery.local_delivery
        cooperative.offers_courier = delivery.courier
        for max_weight_grams, fee in delivery.courier_bands:
            db.session.add_all(
                CourierZoneRate(
                    cooperative_id=cooperative.id,
                    zone=zone,
                    max_weight_grams=max_weight_grams,
                    fee=zone_fee(fee, zone),
                )
                for zone in Zone
            )
    db.session.flush()


#: The demo shopper's history: (days ago, [(product slug, quantity)], delivery, how far it got)
DEMO_ORDERS = (
    (
        12,
        [("keripik-tempe-original-al-hikmah", 3), ("sambal-bawang-pedas-nurul-huda", 2)],
        "pickup",
        "completed",
    ),
    (1, [("wedang-uwuh-celup-darul-falah", 2)], "local_delivery", "accepted"),
)


def seed_orders() -> int:
    """Two orders for the demo shopper, placed and moved through the real services (so stock,
    ledger and timelines are right) on the clock of their day. Emails about this invented
    history are dropped: nobody should receive them."""
    from marketplace.orders import checkout as order_checkout
    from marketplace.orders import moves as order_moves
    from marketplace.orders.delivery import ShippingAddress
    from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod

    shopper = find_user_by_email("pembeli@demo.test")
    if shopper is None or db.session.scalar(select(Order.id).where(Order.user_id == shopper.id)):
        return 0
    address = next(a for a in shopper.addresses if a.is_default)
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    now = clock.now()
    first_email = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    first_notice = db.session.scalar(select(func.max(Notification.id))) or 0
    with site_request_context():
        for days_ago, items, delivery, reached in DEMO_ORDERS:
            placed_at = now - timedelta(days=days_ago)
            with clock.frozen(placed_at):
                cart = cart_services.user_cart(shopper)
                for slug, quantity in items:
                    cart_services.add_item(cart, products[slug].variants[0].id, quantity)
                choices = order_checkout.CheckoutChoices(
                    address=ShippingAddress.from_saved(address),
                    delivery={
                        products[slug].cooperative_id: DeliveryMethod(delivery) for slug, _ in items
                    },
                    payment=PaymentMethod.BANK_TRANSFER,
                )
                order = order_checkout.place_order(
                    shopper, choices, order_checkout.new_idempotency_key()
                )
            with clock.frozen(placed_at + timedelta(hours=3)):
                order_moves.mark_order_paid(order, reference="DEMO-TRANSFER")
            parts = [(part.id, owner_of(part.cooperative_id)) for part in order.vendor_orders]
            with clock.frozen(placed_at + timedelta(hours=5)):
                for part_id, member in parts:
                    order_moves.accept_vendor_order(member, part_id)
            if reached == "completed":
                _talk(shopper, order, parts, placed_at)
                with clock.frozen(placed_at + timedelta(days=1)):
                    for part_id, member in parts:
                        order_moves.mark_ready_for_pickup(member, part_id)
                with clock.frozen(placed_at + timedelta(days=1, hours=4)):
                    for part_id, member in parts:
                        order_moves.mark_delivered(member, part_id)
                for part_id, _member in parts:
                    order_moves.complete_vendor_order(part_id)
                with clock.frozen(placed_at + timedelta(days=2)):
                    _review(shopper, order, parts)
        _ask(shopper, products, now - timedelta(days=3))
        g.pop("queued_emails", None)
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > first_email))
    # The invented history's notices (a review answered, a message) were read back then.
    db.session.execute(
        update(Notification).where(Notification.id > first_notice).values(read_at=clock.now())
    )
    return len(DEMO_ORDERS)


#: The demo shopper's reviews of a completed order: product slug -> (stars, text, the
#: cooperative's answer or None).
DEMO_REVIEWS = {
    "keripik-tempe-original-al-hikmah": (
        5,
        "Renyah dan tidak terlalu asin, anak-anak suka. Kemasannya rapi.",
        "Terima kasih, Bu Nur. Ditunggu pesanan berikutnya.",
    ),
    "sambal-bawang-pedas-nurul-huda": (4, "Pedasnya pas, tapi botolnya agak kecil.", None),
}


def _talk(shopper: User, order: Any, parts: list[tuple[int, User]], placed_at: Any) -> None:
    """The demo shopper asks the first cooperative of an order about pickup; it answers, and
    the shopper has read the answer."""
    from marketplace.messages import services as message_services
    from marketplace.messages.models import Side

    part_id, member = parts[0]
    part = next(part for part in order.vendor_orders if part.id == part_id)
    # With a photo of the order's note, as shoppers send on WhatsApp.
    note = draw_product_picture("Pesanan Bu Nur: 3 keripik tempe", (46, 125, 50), size=480)
    with clock.frozen(placed_at + timedelta(hours=6)):
        message_services.post(
            shopper, part, Side.SHOPPER, "Assalamualaikum, bisa diambil besok pagi?", [note]
        )
    with clock.frozen(placed_at + timedelta(hours=7)):
        message_services.post(
            member, part, Side.COOPERATIVE, "Waalaikumsalam, bisa, Bu. Kami buka pukul 08.00."
        )
    with clock.frozen(placed_at + timedelta(hours=8)):
        message_services.mark_read(part, Side.SHOPPER)


#: The demo shopper's question before buying: (product slug, question, the cooperative's answer).
DEMO_QUESTION = (
    "keripik-tempe-pedas-daun-jeruk-al-hikmah",
    "Pedasnya seberapa? Anak saya kelas 3 SD, kira-kira kuat tidak?",
    "Pedasnya sedang, Bu. Untuk anak-anak kami sarankan yang original dulu.",
)


def _ask(shopper: User, products: dict[str, Product], asked_at: Any) -> None:
    """The demo shopper asks a cooperative about a product before buying ("Tanya koperasi");
    the cooperative answers within the hour (its response time on its page)."""
    from marketplace.messages import services as message_services
    from marketplace.messages.models import Side

    slug, question, answer = DEMO_QUESTION
    product = products[slug]
    with clock.frozen(asked_at):
        thread = message_services.ask_about_product(shopper, product, question, [])
    with clock.frozen(asked_at + timedelta(minutes=40)):
        message_services.post(owner_of(product.cooperative_id), thread, Side.COOPERATIVE, answer)


def _review(shopper: User, order: Any, parts: list[tuple[int, User]]) -> None:
    """The demo shopper rates the lines of a completed order; a cooperative answers one."""
    from marketplace.reviews import services as review_services

    members = dict(parts)
    for part in order.vendor_orders:
        for line in part.lines:
            stars, body, answer = DEMO_REVIEWS.get(line.variant.product.slug, (5, "", None))
            review = review_services.write_review(shopper, order.number, line.id, stars, body)
            if answer:
                review_services.answer_review(
                    members[part.id], part.cooperative_id, review.id, answer
                )


def seed_products(cooperatives: dict[str, Cooperative], categories: dict[str, Category]) -> int:
    existing = set(db.session.scalars(select(Product.slug)))
    created = 0
    for item in demo_data.PRODUCTS:
        if item.slug in existing:
            continue
        cooperative = cooperatives[item.cooperative]
        product = Product(
            cooperative_id=cooperative.id,
            category_id=categories[item.category].id,
            name=item.name,
            slug=item.slug,
            description=item.description,
            unit=item.unit,
            weight_grams=item.weight_grams,
            min_order_qty=item.min_order_qty,
            status=ProductStatus.ACTIVE,
            is_featured=item.featured,
            halal_number=item.halal_number,
            halal_valid_until=_date(item.halal_valid_until),
            pirt_number=item.pirt_number,
            bpom_md_number=item.bpom_md_number,
            sni=item.sni,
            published_at=utcnow(),
        )
        db.session.add(product)
        db.session.flush()
        variants = item.variants or (demo_data.DemoVariant("", (), item.price, item.stock),)
        for position, spec in enumerate(variants):
            variant = ProductVariant(
                product_id=product.id,
                cooperative_id=cooperative.id,
                sku=f"{item.sku}-{spec.sku_suffix}" if spec.sku_suffix else item.sku,
                name=" / ".join(value for _, value in spec.options),
                options=dict(spec.options),
                price=spec.price,
                position=position,
            )
            db.session.add(variant)
            db.session.flush()
            for min_quantity, unit_price in item.tiers:
                db.session.add(
                    PriceTier(
                        variant_id=variant.id, min_quantity=min_quantity, unit_price=unit_price
                    )
                )
            if spec.stock > 0:
                stock.restock(
                    variant.id, spec.stock, reason=MovementReason.INITIAL, note="Stok awal demo"
                )
        _add_picture(product, item.category)
        created += 1
    db.session.flush()
    return created


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def draw_product_picture(name: str, color: tuple[int, int, int], size: int = 480) -> bytes:
    """A simple, friendly placeholder: the category's colour, a basket shape and the name."""
    image = Image.new("RGB", (size, size), color)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 60) for c in color)
    dark = tuple(max(0, c - 70) for c in color)
    draw.ellipse((size * 0.18, size * 0.12, size * 0.82, size * 0.62), fill=light)
    draw.rounded_rectangle((size * 0.3, size * 0.3, size * 0.7, size * 0.55), radius=18, fill=dark)
    font = ImageFont.load_default(size=size // 14)
    lines = textwrap.wrap(name, width=22)[:3]
    y = size * 0.68
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, y), line, fill=(255, 255, 255), font=font)
        y += size // 12
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=False)
    return buffer.getvalue()


def _add_picture(product: Product, category_slug: str) -> None:
    data = draw_product_picture(product.name, demo_data.image_color(category_slug), size=640)
    add_product_image(product.id, data, f"Foto {product.name}")
