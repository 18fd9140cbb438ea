"""A request for quotations, its lines, the cooperatives' quotations and their rounds, and the
procurement's timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalogue.models import Category, ProductVariant
from marketplace.cooperatives.models import Cooperative
from marketplace.database import TimestampMixin, in_check, money_column, utcnow
from marketplace.extensions import Model
from marketplace.procurement.models.agency import Agency
from marketplace.procurement.models.budget import BudgetLine
from marketplace.procurement.models.status import (
    Actor,
    QuotationStatus,
    RequestStatus,
    RoundKind,
    Subject,
)


class ProcurementRequest(TimestampMixin, Model):
    """A request for quotations (permintaan penawaran) prepared by a pejabat pengadaan."""

    __tablename__ = "procurement_requests"
    __table_args__ = (
        CheckConstraint(in_check(RequestStatus, "status"), name="status"),
        CheckConstraint("ceiling > 0", name="ceiling_positive"),
        Index("ix_procurement_requests_agency_id_status", "agency_id", "status", "id"),
        # The lists' period filters: the agency's requests by the day made, the cooperative's
        # quotations by the day the request was sent.
        Index("ix_procurement_requests_agency_id_created_at", "agency_id", "created_at"),
        Index("ix_procurement_requests_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # PMT-<year>-<id, six digits>; set from the id in the transaction that inserts it.
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kode_rup: Mapped[str] = mapped_column(String(30))
    #: The DPA account the purchase is charged to (kode rekening belanja and sub-activity);
    #: required once the agency has entered its lines for the year.
    budget_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_budget_lines.id", ondelete="RESTRICT"), index=True
    )
    #: The price ceiling (HPS/pagu), including PPN.
    ceiling: Mapped[int] = money_column()
    delivery_date: Mapped[date]
    #: One delivery address per line.
    delivery_addresses: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.DRAFT)
    sent_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()
    budget_line: Mapped[BudgetLine | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list[RequestLine]] = relationship(
        back_populates="request", order_by="RequestLine.position", cascade="all, delete-orphan"
    )
    quotations: Mapped[list[Quotation]] = relationship(
        back_populates="request", order_by="Quotation.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ProcurementEvent]] = relationship(
        back_populates="request", order_by="ProcurementEvent.id", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> RequestStatus:
        return RequestStatus(self.status)

    @property
    def lines_hps_total(self) -> int | None:
        """The request's HPS as the sum of its lines' HPS, once every line has one."""
        totals = [line.hps_total for line in self.lines]
        if not totals or any(total is None for total in totals):
            return None
        return sum(total for total in totals if total is not None)

    def address_list(self) -> list[str]:
        return [line.strip() for line in self.delivery_addresses.splitlines() if line.strip()]


class RequestLine(Model):
    """What the agency wants: a catalogue product (``variant_id``) or a written specification,
    with a quantity. The category says which kind of goods it is (for the splitting check and
    the reports)."""

    __tablename__ = "procurement_request_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "reference_unit_price IS NULL OR reference_unit_price >= 0",
            name="reference_unit_price_non_negative",
        ),
        CheckConstraint(
            "hps_unit_price IS NULL OR hps_unit_price >= 1", name="hps_unit_price_positive"
        ),
        Index("ix_procurement_request_lines_request_id_position", "request_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True
    )
    #: The cooperative whose catalogue the product comes from (None for a specification).
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int]
    #: The catalogue's tier price for this quantity when the line was added (a starting point).
    reference_unit_price: Mapped[int | None] = money_column()
    #: The owner's estimate (HPS) of one unit, entered by the pejabat pengadaan; an offer above
    #: it is flagged on the comparison.
    hps_unit_price: Mapped[int | None] = money_column()

    request: Mapped[ProcurementRequest] = relationship(back_populates="lines")
    variant: Mapped[ProductVariant | None] = relationship()
    category: Mapped[Category] = relationship()

    @property
    def is_catalogue(self) -> bool:
        return self.variant_id is not None

    @property
    def hps_total(self) -> int | None:
        """The line's HPS: its unit estimate times the quantity (None without an estimate)."""
        return None if self.hps_unit_price is None else self.hps_unit_price * self.quantity


class Quotation(TimestampMixin, Model):
    """One invited cooperative's negotiation on a request: its rounds of offers and
    counter-offers, until it is agreed, forwarded and approved (or ends otherwise)."""

    __tablename__ = "procurement_quotations"
    __table_args__ = (
        UniqueConstraint(
            "request_id", "cooperative_id", name="uq_procurement_quotations_request_cooperative"
        ),
        CheckConstraint(in_check(QuotationStatus, "status"), name="status"),
        CheckConstraint("subtotal >= 0", name="subtotal_non_negative"),
        Index("ix_procurement_quotations_cooperative_id_status", "cooperative_id", "status", "id"),
        Index("ix_procurement_quotations_status_lapses_at", "status", "lapses_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE")
    )
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=QuotationStatus.INVITED)
    #: The latest round's total excluding PPN (0 before the first offer).
    subtotal: Mapped[int] = money_column(default=0)
    #: When the pending offer or counter-offer lapses (None when nothing waits for an answer).
    lapses_at: Mapped[datetime | None]
    status_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ProcurementRequest] = relationship(back_populates="quotations")
    cooperative: Mapped[Cooperative] = relationship()
    rounds: Mapped[list[QuotationRound]] = relationship(
        back_populates="quotation", order_by="QuotationRound.number", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> QuotationStatus:
        return QuotationStatus(self.status)

    @property
    def latest_round(self) -> QuotationRound | None:
        return self.rounds[-1] if self.rounds else None


#: The prefix of each round's letter: the cooperative's offer (Surat Penawaran) and the agency's
#: counter-offer (negosiasi harga).
ROUND_DOCUMENT_PREFIXES = {RoundKind.OFFER: "PNW", RoundKind.COUNTER: "NEG"}


class QuotationRound(Model):
    """One offer or counter-offer: a price per line, a message, who and when. Kept for ever."""

    __tablename__ = "procurement_quotation_rounds"
    __table_args__ = (
        UniqueConstraint(
            "quotation_id", "number", name="uq_procurement_quotation_rounds_quotation_number"
        ),
        CheckConstraint(in_check(RoundKind, "kind"), name="kind"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("subtotal >= 0", name="subtotal_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotations.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(Text, default="")
    #: The delivery date the cooperative offers (offers only).
    delivery_date: Mapped[date | None]
    subtotal: Mapped[int] = money_column()

    quotation: Mapped[Quotation] = relationship(back_populates="rounds")
    author: Mapped[User | None] = relationship()
    lines: Mapped[list[QuotationRoundLine]] = relationship(
        back_populates="round", order_by="QuotationRoundLine.id", cascade="all, delete-orphan"
    )

    @property
    def round_kind(self) -> RoundKind:
        return RoundKind(self.kind)

    @property
    def document_number(self) -> str:
        """The number of this round's own letter: the quotation's number with the round's kind
        and place, ``PNW-2026-000012-1`` for the cooperative's first offer and
        ``NEG-2026-000012-2`` for the agency's counter-offer to it. Every round is a letter of
        its own, so a later round never changes an earlier one."""
        _prefix, _sep, rest = (self.quotation.number or "").partition("-")
        return f"{ROUND_DOCUMENT_PREFIXES[self.round_kind]}-{rest}-{self.number}"

    @property
    def previous(self) -> QuotationRound | None:
        """The round this one answers (None for the first offer)."""
        earlier = [r for r in self.quotation.rounds if r.number < self.number]
        return earlier[-1] if earlier else None

    def price_of(self, request_line_id: int) -> int | None:
        for line in self.lines:
            if line.request_line_id == request_line_id:
                return line.unit_price
        return None


class QuotationRoundLine(Model):
    __tablename__ = "procurement_quotation_round_lines"
    __table_args__ = (
        UniqueConstraint(
            "round_id", "request_line_id", name="uq_procurement_quotation_round_lines_round_line"
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_quotation_rounds.id", ondelete="CASCADE"), index=True
    )
    request_line_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_request_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    unit_price: Mapped[int] = money_column()
    line_total: Mapped[int] = money_column()

    round: Mapped[QuotationRound] = relationship(back_populates="lines")
    request_line: Mapped[RequestLine] = relationship()


class ProcurementEvent(Model):
    """One step of a procurement's timeline: which object moved to which state, who, when."""

    __tablename__ = "procurement_events"
    __table_args__ = (
        CheckConstraint(in_check(Actor, "actor"), name="actor"),
        CheckConstraint(in_check(Subject, "subject"), name="subject"),
        Index("ix_procurement_events_request_id_id", "request_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    #: The object's number as documents show it.
    reference: Mapped[str] = mapped_column(String(30), default="")
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ProcurementRequest] = relationship(back_populates="events")
    actor_user: Mapped[User | None] = relationship()

    @property
    def actor_kind(self) -> Actor:
        return Actor(self.actor)
