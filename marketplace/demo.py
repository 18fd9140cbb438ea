"""``flask seed-demo``: the pilot's demo data, loaded idempotently.

Everything is looked up by its natural key (slug, email) before it is created, so running the
command twice changes nothing the second time. Stock enters through the inventory module, so the
ledger matches on hand from the start. Product pictures are drawn here with Pillow (no downloads).
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from flask import g
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import delete, func, select, update

from marketplace import clock, demo_data
from marketplace.accounts.models import Address, User
from marketplace.accounts.services import create_user, find_user_by_email
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
    CourierRateBand,
    MemberRole,
)
from marketplace.cooperatives.services import apply_for_cooperative
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.models import MovementReason
from marketplace.mail import OutboxEmail
from marketplace.procurement.models import Agency, AgencyMember, ProcurementRole
from marketplace.urls import site_request_context

DEMO_PASSWORD = "opop-demo"  # noqa: S105 - published in the README for the demo

AGENCIES = (
    (
        "bagian-umum-setda",
        "Bagian Umum Sekretariat Daerah Kota Mojokerto",
        "Jl. Gajah Mada No. 145, Kota Mojokerto",
    ),
    (
        "dinas-pendidikan",
        "Dinas Pendidikan dan Kebudayaan Kota Mojokerto",
        "Jl. Pemuda No. 28, Kota Mojokerto",
    ),
)

#: (email, full name, roles in the first agency)
AGENCY_ACCOUNTS = (
    ("pengadaan@demo.test", "Siti Rahmawati", (ProcurementRole.PEJABAT_PENGADAAN,)),
    ("ppk@demo.test", "Bambang Sutrisno", (ProcurementRole.PPK,)),
    ("penerima@demo.test", "Dewi Lestari", (ProcurementRole.PENERIMA,)),
    ("bendahara@demo.test", "Agus Prasetyo", (ProcurementRole.BENDAHARA,)),
)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed_demo() -> str:
    """Load (or complete) the demo data and return a one-line summary."""
    categories = _seed_categories()
    _seed_shopper()
    _seed_admin()
    cooperatives = _seed_cooperatives()
    _seed_application()
    _seed_delivery(cooperatives)
    created = _seed_products(cooperatives, categories)
    _seed_agencies()
    orders = _seed_orders()
    procurements = _seed_procurements()
    db.session.flush()
    return (
        f"Demo data ready: {len(cooperatives)} cooperatives, {len(demo_data.PRODUCTS)} products "
        f"({created} new), {len(AGENCIES)} agencies, {orders} new demo orders, {procurements} "
        f"new demo procurements. Password for every demo account: {DEMO_PASSWORD}"
    )


def _user(email: str, name: str, *, is_city_admin: bool = False) -> User:
    user = find_user_by_email(email)
    if user is None:
        user = create_user(
            email, DEMO_PASSWORD, name, verified=True, is_city_admin=is_city_admin, locale="id"
        )
    return user


def _seed_categories() -> dict[str, Category]:
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


def _seed_shopper() -> None:
    user = _user("pembeli@demo.test", "Nur Aini")
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
            )
        )


def _seed_admin() -> None:
    _user("admin@demo.test", "Admin DiskopUkmperindag", is_city_admin=True)


def _seed_cooperatives() -> dict[str, Cooperative]:
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
        owner = _user(item.email, item.owner_name)
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


def _seed_application() -> None:
    """A cooperative that has applied and waits for the city's decision (admin's queue)."""
    applicant = _user("pendaftar@demo.test", "Siti Rohmah")
    if db.session.scalar(
        select(CooperativeMember.id).where(CooperativeMember.user_id == applicant.id)
    ):
        return
    cooperative = apply_for_cooperative(applicant, demo_data.PENDING_APPLICATION)
    cooperative.is_demo = True


def _seed_delivery(cooperatives: dict[str, Cooperative]) -> None:
    """Delivery options and courier bands, for cooperatives still as the migration left them
    (all defaults, no bands), so a cooperative's own later changes are never undone."""
    with_bands = set(db.session.scalars(select(CourierRateBand.cooperative_id).distinct()))
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
            db.session.add(
                CourierRateBand(
                    cooperative_id=cooperative.id, max_weight_grams=max_weight_grams, fee=fee
                )
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


def _seed_orders() -> int:
    """Two orders for the demo shopper, placed and moved through the real services (so stock,
    ledger and timelines are right) on the clock of their day. Emails about this invented
    history are dropped: nobody should receive them."""
    from marketplace.orders import checkout as order_checkout
    from marketplace.orders import moves as order_moves
    from marketplace.orders.models import DeliveryMethod, Order, PaymentMethod

    shopper = find_user_by_email("pembeli@demo.test")
    if shopper is None or db.session.scalar(select(Order.id).where(Order.user_id == shopper.id)):
        return 0
    address = next(a for a in shopper.addresses if a.is_default)
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    now = clock.now()
    first_email = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    with site_request_context():
        for days_ago, items, delivery, reached in DEMO_ORDERS:
            placed_at = now - timedelta(days=days_ago)
            with clock.frozen(placed_at):
                cart = cart_services.user_cart(shopper)
                for slug, quantity in items:
                    cart_services.add_item(cart, products[slug].variants[0].id, quantity)
                choices = order_checkout.CheckoutChoices(
                    address=order_checkout.ShippingAddress(
                        **{
                            f.name: getattr(address, f.name)
                            for f in fields(order_checkout.ShippingAddress)
                        }
                    ),
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
            parts = [(part.id, _owner_of(part.cooperative_id)) for part in order.vendor_orders]
            with clock.frozen(placed_at + timedelta(hours=5)):
                for part_id, member in parts:
                    order_moves.accept_vendor_order(member, part_id)
            if reached == "completed":
                with clock.frozen(placed_at + timedelta(days=1)):
                    for part_id, member in parts:
                        order_moves.mark_ready_for_pickup(member, part_id)
                with clock.frozen(placed_at + timedelta(days=1, hours=4)):
                    for part_id, member in parts:
                        order_moves.mark_delivered(member, part_id)
                for part_id, _member in parts:
                    order_moves.complete_vendor_order(part_id)
        g.pop("queued_emails", None)
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > first_email))
    return len(DEMO_ORDERS)


@dataclass(frozen=True)
class DemoProcurement:
    """A procurement of the demo agency, taken through the real services to ``reached``: a
    state of the Surat Pesanan (or ``draft``/``countered`` for the request and negotiation)."""

    title: str
    cooperative: str
    #: (product slug, quantity, offered unit price, agreed unit price)
    lines: tuple[tuple[str, int, int, int], ...]
    reached: str
    days_ago: int
    #: (accepted, rejected) per line for the first delivery, when it gets that far.
    first_delivery: tuple[tuple[int, int], ...] = ()


#: One procurement in each state of the Surat Pesanan, plus a draft and an open negotiation,
#: each from its own cooperative (so no splitting warning is staged by accident).
DEMO_PROCUREMENTS = (
    DemoProcurement(
        "Kain batik tulis untuk cendera mata tamu Wali Kota",
        "koppontren-miftahul-ulum",
        (("kain-batik-tulis-mrico-bolong-miftahul-ulum", 10, 200_000, 195_000),),
        "closed",
        21,
    ),
    DemoProcurement(
        "Sabun herbal untuk toilet kantor Setda",
        "kopwan-sekar-melati",
        (("sabun-herbal-sereh-wangi-sekar-melati", 60, 15_000, 15_000),),
        "delivered",
        12,
    ),
    DemoProcurement(
        "Sambal dan bumbu pecel untuk dapur umum",
        "koppontren-nurul-huda",
        (
            ("sambal-bawang-pedas-nurul-huda", 48, 20_000, 20_000),
            ("bumbu-pecel-kacang-nurul-huda", 50, 14_000, 14_000),
        ),
        "partly_delivered",
        8,
        first_delivery=((24, 0), (48, 2)),
    ),
    DemoProcurement(
        "Air minum kemasan untuk rapat paripurna",
        "koppontren-bustanul-ulum",
        (("air-minum-kemasan-600-ml-karton-bustanul-ulum", 60, 34_000, 34_000),),
        "accepted",
        3,
    ),
    DemoProcurement(
        "Minuman sari rosella untuk pameran OPOP",
        "koppontren-darul-falah",
        (("minuman-sari-rosella-karton-darul-falah", 20, 31_000, 31_000),),
        "issued",
        0,
    ),
    DemoProcurement(
        "Mukena untuk musala Balai Kota",
        "koppontren-roudlotul-jannah",
        (("mukena-katun-rayon-bordir-roudlotul-jannah", 20, 175_000, 170_000),),
        "declined",
        6,
    ),
    DemoProcurement(
        "Madu randu untuk bingkisan hari jadi kota",
        "ksu-sumber-rejeki",
        (("madu-randu-500-g-sumber-rejeki", 24, 80_000, 80_000),),
        "lapsed",
        10,
    ),
    DemoProcurement(
        "Miniatur Gapura Bajang Ratu untuk tamu kehormatan",
        "koperasi-bhumi-majapahit",
        (("miniatur-gapura-bajang-ratu-terakota-bhumi-majapahit", 20, 75_000, 70_000),),
        "cancelled",
        5,
    ),
    DemoProcurement(
        "Jamu instan untuk senam Jumat",
        "kopwan-sekar-melati",
        (("jamu-temulawak-instan-200-g-sekar-melati", 20, 22_000, 22_000),),
        "draft",
        1,
    ),
    DemoProcurement(
        "Kopi bubuk untuk ruang tunggu pelayanan",
        "ksu-sumber-rejeki",
        (("kopi-robusta-bubuk-lereng-welirang-sumber-rejeki", 50, 31_000, 29_000),),
        "countered",
        1,
    ),
)


def _seed_procurements() -> int:
    """The demo agency's procurements, each through the real services on the clock of its
    day, so timelines, documents, stock, audit and notifications are as they would be. Emails
    about this invented history are dropped and its notifications are marked read."""
    from marketplace.procurement.models import Notification, ProcurementRequest

    agency = db.session.scalar(select(Agency).where(Agency.slug == AGENCIES[0][0]))
    if agency is None:
        return 0
    existing = set(
        db.session.scalars(
            select(ProcurementRequest.title).where(ProcurementRequest.agency_id == agency.id)
        )
    )
    wanted = [spec for spec in DEMO_PROCUREMENTS if spec.title not in existing]
    if not wanted:
        return 0
    people = {email: find_user_by_email(email) for email, _name, _roles in AGENCY_ACCOUNTS}
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    first_email = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    first_notice = db.session.scalar(select(func.max(Notification.id))) or 0
    now = clock.now()
    with site_request_context():
        for spec in wanted:
            _stage_procurement(spec, agency, people, products, now)
        g.pop("queued_emails", None)
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > first_email))
    db.session.execute(
        update(Notification).where(Notification.id > first_notice).values(read_at=now)
    )
    return len(wanted)


def _stage_procurement(
    spec: DemoProcurement,
    agency: Agency,
    people: dict[str, User | None],
    products: dict[str, Product],
    now: datetime,
) -> None:
    from marketplace.procurement import (
        deadlines,
        fulfilment,
        negotiation,
        payment,
        purchasing,
        requests,
    )
    from marketplace.procurement.common import local_day

    pp = people["pengadaan@demo.test"]
    ppk = people["ppk@demo.test"]
    receiver = people["penerima@demo.test"]
    treasurer = people["bendahara@demo.test"]
    assert pp and ppk and receiver and treasurer
    start = now - timedelta(days=spec.days_ago, hours=6)
    cooperative = products[spec.lines[0][0]].cooperative
    member = _owner_of(cooperative.id)

    def at(hours: float) -> Any:
        return clock.frozen(start + timedelta(hours=hours))

    with at(0):
        day = local_day(start)
        request = requests.create_request(
            pp,
            requests.RequestDetails(
                agency_id=agency.id,
                title=spec.title,
                kode_rup=f"4512{3000 + len(spec.title):04d}",
                ceiling=sum(quantity * offered for _s, quantity, offered, _a in spec.lines) * 2,
                delivery_date=day + timedelta(days=10),
                delivery_addresses=agency.address,
                notes="Data contoh (fiktif) untuk demo Pasar OPOP.",
                cooperative_ids=(cooperative.id,),
            ),
        )
        for slug, quantity, _offered, _agreed in spec.lines:
            requests.add_catalogue_line(pp, request.id, products[slug].variants[0].id, quantity)
        if spec.reached == "draft":
            return
        requests.send_request(pp, request.id)
    quotation = request.quotations[0]
    lines = {line.variant_id: line.id for line in request.lines}

    def prices(agreed: bool) -> dict[int, int]:
        return {
            lines[products[slug].variants[0].id]: agreed_price if agreed else offered
            for slug, _quantity, offered, agreed_price in spec.lines
        }

    with at(1):
        negotiation.submit_offer(
            member,
            quotation.id,
            prices(agreed=False),
            local_day(start) + timedelta(days=8),
            "Siap kirim.",
        )
    if prices(agreed=False) != prices(agreed=True):
        with at(2):
            negotiation.counter_offer(pp, quotation.id, prices(agreed=True), "Mohon harga terbaik.")
        if spec.reached == "countered":
            return
        with at(3):
            negotiation.accept_counter(member, quotation.id)
    else:
        with at(2):
            negotiation.agree_quotation(pp, quotation.id)
    with at(4):
        negotiation.forward_quotation(pp, quotation.id)
    with at(5):
        order = negotiation.approve_quotation(ppk, quotation.id)
    if spec.reached == "issued":
        return
    if spec.reached == "lapsed":
        deadlines.lapse_order(order.id)
        return
    if spec.reached == "declined":
        with at(6):
            purchasing.decline_order(member, order.id, "Bahan baku belum tersedia bulan ini.")
        return
    with at(24):
        purchasing.accept_order(member, order.id)
    if spec.reached == "accepted":
        return
    if spec.reached == "cancelled":
        with at(26):
            purchasing.cancel_order(ppk, order.id, "Acara penyambutan tamu diundur.")
        return
    first = spec.first_delivery or tuple((line.quantity, 0) for line in order.lines)
    with at(48):
        delivery = fulfilment.record_delivery(
            member,
            order.id,
            {
                line.id: accepted + rejected
                for line, (accepted, rejected) in zip(order.lines, first, strict=True)
            },
            fulfilment.DeliveryDetails(
                delivered_on=local_day(start + timedelta(hours=48)),
                driver="Pak Slamet",
                vehicle="S 1801 NB",
            ),
        )
    with at(51):
        accepted_by_line = {
            dl.id: accepted for dl, (accepted, _r) in zip(delivery.lines, first, strict=True)
        }
        bast = fulfilment.inspect_delivery(
            receiver,
            delivery.id,
            accepted_by_line,
            {
                dl.id: "Kemasan penyok." if rejected else ""
                for dl, (_a, rejected) in zip(delivery.lines, first, strict=True)
            },
        )
    with at(72):
        invoice = fulfilment.issue_invoice(member, bast.id)
    if spec.reached != "closed":
        return
    with at(120):
        payment.record_payment(
            treasurer,
            invoice.id,
            payment.PaymentDetails(
                method="transfer",
                reference=f"SP2D-{invoice.id:05d}/BU/2026",
                paid_on=local_day(start + timedelta(hours=120)),
                bukti_potong_number=f"BP22-{invoice.id:05d}" if invoice.pph22 else "",
            ),
        )


def _owner_of(cooperative_id: int) -> User:
    member = db.session.scalars(
        select(CooperativeMember).where(
            CooperativeMember.cooperative_id == cooperative_id,
            CooperativeMember.role == MemberRole.OWNER,
        )
    ).first()
    assert member is not None
    return member.user


def _seed_products(cooperatives: dict[str, Cooperative], categories: dict[str, Category]) -> int:
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


def _seed_agencies() -> None:
    agencies = {a.slug: a for a in db.session.scalars(select(Agency))}
    for slug, name, address in AGENCIES:
        if slug not in agencies:
            agency = Agency(slug=slug, name=name, address=address, is_demo=True)
            db.session.add(agency)
            db.session.flush()
            agencies[slug] = agency
    first = agencies[AGENCIES[0][0]]
    for email, name, roles in AGENCY_ACCOUNTS:
        user = _user(email, name)
        for role in roles:
            exists = db.session.scalar(
                select(AgencyMember.id).where(
                    AgencyMember.agency_id == first.id,
                    AgencyMember.user_id == user.id,
                    AgencyMember.role == role,
                )
            )
            if not exists:
                db.session.add(AgencyMember(agency_id=first.id, user_id=user.id, role=role))
    # The second agency has a procurement officer of its own, so agencies can be told apart.
    second = agencies[AGENCIES[1][0]]
    other = _user("pengadaan2@demo.test", "Rudi Hartono")
    exists = db.session.scalar(
        select(AgencyMember.id).where(
            AgencyMember.agency_id == second.id, AgencyMember.user_id == other.id
        )
    )
    if not exists:
        db.session.add(
            AgencyMember(
                agency_id=second.id, user_id=other.id, role=ProcurementRole.PEJABAT_PENGADAAN
            )
        )


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
