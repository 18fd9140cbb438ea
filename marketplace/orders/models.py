"""Orders. One `Order` per checkout; one `VendorOrder` per cooperative in it, each following the
status machine of `marketplace.orders.lifecycle`; `OrderLine` copies what was bought so history
survives later edits of the catalogue; `VendorOrderEvent` is the timeline of each part."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User, address_line
from marketplace.catalogue.models import ProductVariant
from marketplace.cooperatives.models import Cooperative
from marketplace.database import TimestampMixin, in_check, money_column, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum
from marketplace.orders.couriers import Courier, courier_named


class PaymentMethod(LabelledEnum):
    #: One QR code for the whole order, paid from any e-wallet or m-banking app (Xendit).
    QRIS = "qris", _l("QRIS (semua e-wallet dan m-banking)")
    #: A bank's virtual account number for the whole order, the bank picked on our payment page.
    VIRTUAL_ACCOUNT = "virtual_account", _l("Virtual account bank")
    #: An e-wallet's own checkout (a link, or OVO's request in its app) for the whole order.
    EWALLET = "ewallet", _l("E-wallet")
    CARD = "card", _l("Kartu kredit/debit")
    BANK_TRANSFER = "bank_transfer", _l("Transfer bank")
    PAY_AT_PICKUP = "pay_at_pickup", _l("Bayar saat mengambil")


class DeliveryMethod(LabelledEnum):
    PICKUP = "pickup", _l("Ambil sendiri di koperasi")
    LOCAL_DELIVERY = "local_delivery", _l("Antar lokal (Kota Mojokerto)")
    COURIER = "courier", _l("Kurir")


class VendorOrderStatus(LabelledEnum):
    AWAITING_PAYMENT = "awaiting_payment", _l("Menunggu pembayaran")
    PAID = "paid", _l("Sudah dibayar")
    ACCEPTED = "accepted", _l("Diproses koperasi")
    SHIPPED = "shipped", _l("Dikirim")
    READY_FOR_PICKUP = "ready_for_pickup", _l("Siap diambil")
    # Not "Diterima": an accepted transfer proof and an order the cooperative takes on are said
    # to be "diterima" too; a delivered part is named by who has it now.
    DELIVERED = "delivered", _l("Diterima pembeli")
    COMPLETED = "completed", _l("Selesai")
    CANCELLED = "cancelled", _l("Dibatalkan")
    REFUNDED = "refunded", _l("Dana dikembalikan")


class ActorKind(LabelledEnum):
    """Who moved a vendor order: the shopper, the cooperative, the payment service, the system
    (expiry, automatic completion) or a city administrator."""

    SHOPPER = "shopper", _l("Pembeli")
    COOPERATIVE = "cooperative", _l("Koperasi")
    PAYMENT = "payment", _l("Pembayaran")
    SYSTEM = "system", _l("Sistem")
    CITY_ADMIN = "city_admin", _l("Admin Kota")


class EventKind(enum.StrEnum):
    """What a timeline entry records: a move of the status machine, or a step of a transfer's
    review, which leaves the status as it is (the part awaits payment until the money is
    confirmed) but is what the shopper and the cooperative wait on meanwhile."""

    MOVED = "moved"
    PROOF_SENT = "proof_sent"
    PROOF_REJECTED = "proof_rejected"
    #: A step of a complaint about the part (`marketplace.complaints`): its note says which.
    COMPLAINT = "complaint"


EVENT_TITLES = {
    EventKind.PROOF_SENT: _l("Bukti transfer dikirim"),
    EventKind.PROOF_REJECTED: _l("Bukti transfer ditolak"),
    EventKind.COMPLAINT: _l("Komplain"),
}


class Order(TimestampMixin, Model):
    """What the shopper placed in one checkout, with the delivery address copied in."""

    __tablename__ = "orders"
    __table_args__ = (
        # A double submit or a retried request carries the same key: one order.
        UniqueConstraint("user_id", "idempotency_key", name="uq_orders_user_idempotency_key"),
        CheckConstraint(in_check(PaymentMethod, "payment_method"), name="payment_method"),
        CheckConstraint("items_total >= 0", name="items_total_non_negative"),
        CheckConstraint("delivery_total >= 0", name="delivery_total_non_negative"),
        CheckConstraint("grand_total = items_total + delivery_total", name="grand_total_sum"),
        Index("ix_orders_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # OPOP-<year>-<id, six digits>; set from the id in the transaction that inserts the order.
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    payment_method: Mapped[str] = mapped_column(String(20))
    items_total: Mapped[int] = money_column()
    delivery_total: Mapped[int] = money_column()
    grand_total: Mapped[int] = money_column()
    recipient_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(255))
    kelurahan: Mapped[str] = mapped_column(String(80))
    kecamatan: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(80))
    postal_code: Mapped[str] = mapped_column(String(5))
    # Kemendagri codes of the regions above, copied from the address chosen (none for an
    # order placed before regions were chosen from the list).
    province_code: Mapped[str | None] = mapped_column(String(13))
    regency_code: Mapped[str | None] = mapped_column(String(13))
    district_code: Mapped[str | None] = mapped_column(String(13))
    village_code: Mapped[str | None] = mapped_column(String(13))

    user: Mapped[User] = relationship()
    vendor_orders: Mapped[list[VendorOrder]] = relationship(
        back_populates="order", order_by="VendorOrder.id", cascade="all, delete-orphan"
    )

    @property
    def payment(self) -> PaymentMethod:
        return PaymentMethod(self.payment_method)

    @property
    def current_total(self) -> int:
        """What the order comes to now: ``grand_total`` as placed, less the parts cancelled
        since (their stock went back and what was paid for them is refunded)."""
        return sum(part.total for part in self.vendor_orders if part.is_live)

    def address_line(self) -> str:
        return address_line(
            self.street,
            self.kelurahan,
            self.kecamatan,
            self.city,
            self.province,
            self.postal_code,
        )


class VendorOrder(TimestampMixin, Model):
    """One cooperative's part of an order: its lines, delivery, status and timeline."""

    __tablename__ = "vendor_orders"
    __table_args__ = (
        CheckConstraint(in_check(VendorOrderStatus, "status"), name="status"),
        CheckConstraint(in_check(DeliveryMethod, "delivery_method"), name="delivery_method"),
        CheckConstraint("items_total >= 0", name="items_total_non_negative"),
        CheckConstraint("delivery_fee >= 0", name="delivery_fee_non_negative"),
        CheckConstraint("total = items_total + delivery_fee", name="total_sum"),
        CheckConstraint("weight_grams >= 0", name="weight_non_negative"),
        UniqueConstraint("order_id", "cooperative_id", name="uq_vendor_orders_order_cooperative"),
        # Expiry scans unpaid parts by due time; automatic completion scans delivered ones.
        Index("ix_vendor_orders_status_payment_due_at", "status", "payment_due_at"),
        Index("ix_vendor_orders_status_delivered_at", "status", "delivered_at"),
        # The cooperative's order list (issue 6) filters by cooperative and status.
        Index("ix_vendor_orders_cooperative_id_status", "cooperative_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    cooperative_name: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default=VendorOrderStatus.AWAITING_PAYMENT)
    delivery_method: Mapped[str] = mapped_column(String(20))
    delivery_fee: Mapped[int] = money_column()
    items_total: Mapped[int] = money_column()
    total: Mapped[int] = money_column()
    weight_grams: Mapped[int] = mapped_column(default=0)
    # When an unpaid part expires: set at placement for card and bank transfer, at "ready for
    # pickup" for pay at pickup; cleared when it is paid.
    payment_due_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    # The courier service the shopper chose and paid for at checkout (courier parts only):
    # whose rates listed it ("table", "biteship"), its code there and how it read then.
    shipping_provider: Mapped[str | None] = mapped_column(String(20))
    courier_service_code: Mapped[str | None] = mapped_column(String(60))
    courier_service: Mapped[str | None] = mapped_column(String(160))
    # The courier the cooperative handed the parcel to, and its tracking number.
    courier_name: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="vendor_orders")
    cooperative: Mapped[Cooperative] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="vendor_order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[VendorOrderEvent]] = relationship(
        back_populates="vendor_order", order_by="VendorOrderEvent.id", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> VendorOrderStatus:
        return VendorOrderStatus(self.status)

    @property
    def delivery(self) -> DeliveryMethod:
        return DeliveryMethod(self.delivery_method)

    @property
    def delivery_label(self) -> str:
        """ "Kurir · JNE REG (1 - 2 hari)": the method, and the courier service chosen."""
        label = str(self.delivery.label)
        return f"{label} · {self.courier_service}" if self.courier_service else label

    @property
    def courier(self) -> Courier | None:
        """The listed courier service the part went with (None: another, or the cooperative's
        own pengantar)."""
        return courier_named(self.courier_name)

    @property
    def is_live(self) -> bool:
        """Not cancelled (nor refunded after its cancellation): it counts in the order's total."""
        return self.state not in (VendorOrderStatus.CANCELLED, VendorOrderStatus.REFUNDED)

    @property
    def proof_under_review(self) -> VendorOrderEvent | None:
        """The timeline entry of the transfer proof this unpaid part waits on, if one is being
        checked: the latest proof step is a proof sent, not one rejected."""
        if self.state != VendorOrderStatus.AWAITING_PAYMENT:
            return None
        for event in reversed(self.events):
            if event.kind == EventKind.PROOF_SENT:
                return event
            if event.kind == EventKind.PROOF_REJECTED:
                return None
        return None

    @property
    def status_label(self) -> str:
        """The status as the shopper and the cooperative read it: an unpaid part whose transfer
        proof is being checked says so rather than "awaiting payment"."""
        if self.proof_under_review is not None:
            return str(EVENT_TITLES[EventKind.PROOF_SENT])
        return self.state.label

    def rows(self) -> list[tuple[str, str, int, str, int, int]]:
        """(product, variant, quantity, unit, unit price, line total) for tables."""
        return [
            (
                line.product_name,
                line.variant_name,
                line.quantity,
                line.unit,
                line.unit_price,
                line.line_total,
            )
            for line in self.lines
        ]


class OrderLine(Model):
    """A copy of what was bought, at the price paid. ``variant_id`` keeps the stock link
    (RESTRICT: a variant with orders is archived, never deleted)."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_product"),
        CheckConstraint("weight_grams >= 0", name="weight_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(160))
    variant_name: Mapped[str] = mapped_column(String(120), default="")
    sku: Mapped[str] = mapped_column(String(60))
    cooperative_name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(30))
    unit_price: Mapped[int] = money_column()
    quantity: Mapped[int]
    line_total: Mapped[int] = money_column()
    weight_grams: Mapped[int] = mapped_column(default=0)

    vendor_order: Mapped[VendorOrder] = relationship(back_populates="lines")
    variant: Mapped[ProductVariant] = relationship()


class VendorOrderEvent(Model):
    """One step of a vendor order's timeline: from which status to which (or a step of its
    transfer proof's review, `EventKind`), who, when, a note."""

    __tablename__ = "vendor_order_events"
    __table_args__ = (
        CheckConstraint(in_check(VendorOrderStatus, "to_status"), name="to_status"),
        CheckConstraint(
            "from_status IS NULL OR " + in_check(VendorOrderStatus, "from_status"),
            name="from_status",
        ),
        CheckConstraint(in_check(ActorKind, "actor_kind"), name="actor_kind"),
        CheckConstraint(in_check(EventKind, "kind"), name="kind"),
        Index("ix_vendor_order_events_vendor_order_id_id", "vendor_order_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_order_id: Mapped[int] = mapped_column(ForeignKey("vendor_orders.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(
        String(20), default=EventKind.MOVED, server_default=EventKind.MOVED.value
    )
    # For a move, the statuses it went between; for a proof's step, the status it stayed in.
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")

    vendor_order: Mapped[VendorOrder] = relationship(back_populates="events")

    @property
    def status(self) -> VendorOrderStatus:
        return VendorOrderStatus(self.to_status)

    @property
    def actor(self) -> ActorKind:
        return ActorKind(self.actor_kind)

    @property
    def title(self) -> str:
        """The entry's heading on a timeline."""
        if self.kind in EVENT_TITLES:
            return str(EVENT_TITLES[EventKind(self.kind)])
        if self.from_status is None:
            return str(_l("Pesanan dibuat"))
        return self.status.label
