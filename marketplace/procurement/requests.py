"""Requests for quotations (permintaan penawaran): drafting, sending, cancelling.

A pejabat pengadaan drafts a request for one agency: the lines (catalogue products with their
current tier price as a starting point, or written specifications), quantities, delivery
address(es) and date, the Kode RUP and the ceiling (HPS/pagu), and the cooperatives invited to
quote. A draft can be changed until it is sent; sending invites the cooperatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.catalogue.models import Category, Product, ProductVariant
from marketplace.catalogue.search import visible_products
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.paging import Page, paginate
from marketplace.procurement import budget_lines, rules
from marketplace.procurement.common import (
    MAX_AMOUNT,
    MAX_LINES,
    MAX_QUANTITY,
    agency_ids,
    cooperative_members,
    document_number,
    move,
    procurement_settings,
    record_event,
    today,
)
from marketplace.procurement.exceptions import InvalidProcurementInput, InvalidTransition
from marketplace.procurement.lifecycle import OPEN_QUOTATIONS
from marketplace.procurement.listing import PER_PAGE, ListQuery, in_period
from marketplace.procurement.models import (
    Actor,
    ProcurementRequest,
    ProcurementRole,
    Quotation,
    QuotationStatus,
    RequestLine,
    RequestStatus,
)
from marketplace.procurement.notifications import notify

PP = ProcurementRole.PEJABAT_PENGADAAN
KODE_RUP_RE = re.compile(r"^[0-9A-Za-z./-]{3,30}$")


@dataclass(frozen=True)
class RequestDetails:
    """What the request form holds (the lines are added one by one)."""

    agency_id: int
    title: str
    kode_rup: str
    ceiling: int
    delivery_date: date | None
    delivery_addresses: str
    notes: str
    cooperative_ids: tuple[int, ...]
    #: The budget line (kode rekening belanja) the purchase is charged to.
    budget_line_id: int | None = None


def _refuse(message: str) -> InvalidProcurementInput:
    return InvalidProcurementInput(message)


def check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise _refuse(_("Jumlah harus berupa angka bulat."))
    if quantity < 1:
        raise _refuse(_("Jumlah minimal 1."))
    if quantity > MAX_QUANTITY:
        raise _refuse(_("Jumlah paling banyak %(n)s.", n=format_decimal(MAX_QUANTITY)))
    return quantity


def check_price(price: object, name: str) -> int:
    """A unit price of at least Rp1; ``name`` says which line the message is about."""
    if isinstance(price, bool) or not isinstance(price, int):
        raise _refuse(_("%(name)s: isi harga dalam rupiah bulat.", name=name))
    if price < 1:
        raise _refuse(_("%(name)s: harga minimal Rp1.", name=name))
    if price > MAX_AMOUNT:
        raise _refuse(_("%(name)s: harga terlalu besar.", name=name))
    return price


def check_future_date(day: date | None) -> None:
    """The delivery date must come after today (WIB)."""
    if not isinstance(day, date):
        raise _refuse(_("Isi tanggal pengiriman."))
    if day <= today():
        raise _refuse(_("Tanggal pengiriman harus setelah hari ini."))


def _check_details(details: RequestDetails) -> None:
    if not details.title.strip() or len(details.title) > 200:
        raise _refuse(_("Isi judul permintaan (paling banyak 200 karakter)."))
    if not KODE_RUP_RE.match(details.kode_rup.strip()):
        raise _refuse(_("Kode RUP terdiri dari 3–30 huruf, angka, titik, garis miring atau strip."))
    if isinstance(details.ceiling, bool) or not isinstance(details.ceiling, int):
        raise _refuse(_("HPS/pagu harus berupa rupiah bulat."))
    if not 1 <= details.ceiling <= MAX_AMOUNT:
        raise _refuse(_("HPS/pagu harus lebih dari Rp0."))
    rules.check_request_ceiling(details.ceiling, procurement_settings())
    check_future_date(details.delivery_date)
    addresses = [a for a in details.delivery_addresses.splitlines() if a.strip()]
    if not addresses or len(details.delivery_addresses) > 2000:
        raise _refuse(_("Isi minimal satu alamat pengiriman (satu alamat per baris)."))
    if len(details.notes) > 2000:
        raise _refuse(_("Catatan paling banyak 2000 karakter."))
    _invitable(details.cooperative_ids)
    budget_lines.check_request_line(details.agency_id, details.budget_line_id)


def _invitable(cooperative_ids: Iterable[int]) -> list[Cooperative]:
    """Approved cooperatives for these ids; an unknown or unapproved id is refused."""
    wanted = set(cooperative_ids)
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            select(Cooperative).where(
                Cooperative.id.in_(wanted), Cooperative.status == CooperativeStatus.APPROVED
            )
        )
    )
    if len(found) != len(wanted):
        raise _refuse(_("Pilih koperasi dari daftar koperasi yang aktif."))
    return found


def invitable_cooperatives() -> list[Cooperative]:
    return list(
        db.session.scalars(
            select(Cooperative)
            .where(Cooperative.status == CooperativeStatus.APPROVED)
            .order_by(Cooperative.name)
        )
    )


def categories() -> list[Category]:
    """Subcategories (with their parent loaded) for a specification line's kind of goods."""
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.parent_id.is_not(None))
            .order_by(Category.parent_id, Category.position, Category.id)
        )
    )


# --- look-ups --------------------------------------------------------------------------------


def agency_request(
    user: User, request_id: int, role: ProcurementRole | None = None
) -> ProcurementRequest:
    """A request of an agency where the user holds ``role`` (any role when None); else 404."""
    request = db.session.scalar(
        select(ProcurementRequest)
        .where(
            ProcurementRequest.id == request_id,
            ProcurementRequest.agency_id.in_(agency_ids(user, role)),
        )
        .options(
            selectinload(ProcurementRequest.lines),
            selectinload(ProcurementRequest.quotations).selectinload(Quotation.cooperative),
        )
    )
    if request is None:
        raise NotFound()
    return request


def _draft(user: User, request_id: int) -> ProcurementRequest:
    request = agency_request(user, request_id, PP)
    if request.status != RequestStatus.DRAFT:
        raise InvalidTransition(request.state, RequestStatus.DRAFT)
    return request


def list_requests(user: User, query: ListQuery) -> Page:
    """The requests of the user's agencies, newest first, one page of the filtered list: by
    status, by an invited cooperative and by the day it was made."""
    statement = (
        select(ProcurementRequest)
        .where(ProcurementRequest.agency_id.in_(agency_ids(user)))
        .options(selectinload(ProcurementRequest.quotations))
        .order_by(ProcurementRequest.id.desc())
    )
    if query.status:
        statement = statement.where(ProcurementRequest.status == query.status)
    if query.cooperative_id:
        statement = statement.where(
            select(Quotation.id)
            .where(
                Quotation.request_id == ProcurementRequest.id,
                Quotation.cooperative_id == query.cooperative_id,
            )
            .exists()
        )
    statement = in_period(statement, ProcurementRequest.created_at, query)
    return paginate(statement, query.page, PER_PAGE)


# --- drafting --------------------------------------------------------------------------------


def set_invitations(request: ProcurementRequest, cooperative_ids: Iterable[int]) -> None:
    """Invite exactly these (approved) cooperatives to the draft, numbering new quotations."""
    wanted = {c.id for c in _invitable(cooperative_ids)}
    for quotation in list(request.quotations):
        if quotation.cooperative_id not in wanted:
            request.quotations.remove(quotation)
    have = {q.cooperative_id for q in request.quotations}
    for cooperative_id in sorted(wanted - have):
        request.quotations.append(Quotation(cooperative_id=cooperative_id))
    db.session.flush()
    for quotation in request.quotations:
        if quotation.number is None:
            quotation.number = document_number("PNW", quotation.id)


def create_request(user: User, details: RequestDetails) -> ProcurementRequest:
    """A new draft request for an agency where the user is a pejabat pengadaan."""
    if details.agency_id not in agency_ids(user, PP):
        raise NotFound()
    _check_details(details)
    assert details.delivery_date is not None  # checked above
    request = ProcurementRequest(
        agency_id=details.agency_id,
        created_by_id=user.id,
        title=details.title.strip(),
        kode_rup=details.kode_rup.strip(),
        budget_line_id=details.budget_line_id,
        ceiling=details.ceiling,
        delivery_date=details.delivery_date,
        delivery_addresses=details.delivery_addresses.strip(),
        notes=details.notes.strip(),
        status=RequestStatus.DRAFT,
    )
    db.session.add(request)
    db.session.flush()
    request.number = document_number("PMT", request.id)
    set_invitations(request, details.cooperative_ids)
    record_event(request, Actor.PEJABAT_PENGADAAN, user, to_status=RequestStatus.DRAFT)
    db.session.flush()
    return request


def update_request(user: User, request_id: int, details: RequestDetails) -> ProcurementRequest:
    """Change a draft's details and invited cooperatives."""
    request = _draft(user, request_id)
    _check_details(details)
    request.title = details.title.strip()
    request.kode_rup = details.kode_rup.strip()
    request.budget_line_id = details.budget_line_id
    request.ceiling = details.ceiling
    assert details.delivery_date is not None  # checked above
    request.delivery_date = details.delivery_date
    request.delivery_addresses = details.delivery_addresses.strip()
    request.notes = details.notes.strip()
    sync_ceiling(request)
    set_invitations(request, details.cooperative_ids)
    db.session.flush()
    return request


def _next_position(request: ProcurementRequest) -> int:
    if len(request.lines) >= MAX_LINES:
        raise _refuse(_("Satu permintaan paling banyak %(n)d baris.", n=MAX_LINES))
    return max((line.position for line in request.lines), default=-1) + 1


def _visible_variant(variant_id: int) -> ProductVariant:
    variant = db.session.scalar(
        select(ProductVariant).where(
            ProductVariant.id == variant_id,
            ProductVariant.is_active,
            ProductVariant.product_id.in_(visible_products().with_only_columns(Product.id)),
        )
    )
    if variant is None:
        raise _refuse(_("Produk ini tidak ada di katalog. Pilih produk dari hasil pencarian."))
    return variant


def add_catalogue_line(
    user: User, request_id: int, variant_id: int, quantity: int
) -> tuple[RequestLine, Cooperative | None]:
    """Add a catalogue product; its cooperative is invited if it was not. Returns the line and
    the cooperative newly invited (or None)."""
    request = _draft(user, request_id)
    check_quantity(quantity)
    variant = _visible_variant(variant_id)
    product = variant.product
    if quantity < product.min_order_qty:
        raise _refuse(
            _(
                "Pembelian minimal %(name)s adalah %(n)d.",
                name=product.name,
                n=product.min_order_qty,
            )
        )
    if any(line.variant_id == variant.id for line in request.lines):
        raise _refuse(_("Produk ini sudah ada di permintaan; ubah jumlahnya di daftar."))
    name = product.name + (f" ({variant.name})" if variant.name else "")
    line = RequestLine(
        position=_next_position(request),
        variant_id=variant.id,
        cooperative_id=product.cooperative_id,
        category_id=product.category_id,
        name=name[:200],
        specification="",
        unit=product.unit,
        quantity=quantity,
        reference_unit_price=variant.unit_price_for(quantity),
    )
    request.lines.append(line)
    invited = None
    if all(q.cooperative_id != product.cooperative_id for q in request.quotations):
        set_invitations(
            request, [*(q.cooperative_id for q in request.quotations), product.cooperative_id]
        )
        invited = product.cooperative
    db.session.flush()
    return line, invited


def add_specification_line(
    user: User,
    request_id: int,
    *,
    name: str,
    specification: str,
    unit: str,
    quantity: int,
    category_id: int,
) -> RequestLine:
    """Add goods described in words (no catalogue product)."""
    request = _draft(user, request_id)
    check_quantity(quantity)
    name, unit, specification = name.strip(), unit.strip(), specification.strip()
    if not name or len(name) > 200:
        raise _refuse(_("Isi nama barang (paling banyak 200 karakter)."))
    if not unit or len(unit) > 30:
        raise _refuse(_("Isi satuan, misalnya pak, karton atau botol."))
    if len(specification) > 2000:
        raise _refuse(_("Spesifikasi paling banyak 2000 karakter."))
    category = db.session.get(Category, category_id)
    if category is None or category.parent_id is None:
        raise _refuse(_("Pilih jenis barang dari daftar."))
    line = RequestLine(
        position=_next_position(request),
        category_id=category.id,
        name=name,
        specification=specification,
        unit=unit,
        quantity=quantity,
    )
    request.lines.append(line)
    db.session.flush()
    return line


def _own_line(request: ProcurementRequest, line_id: int) -> RequestLine:
    for line in request.lines:
        if line.id == line_id:
            return line
    raise NotFound()


def set_line_quantity(user: User, request_id: int, line_id: int, quantity: int) -> RequestLine:
    request = _draft(user, request_id)
    line = _own_line(request, line_id)
    check_quantity(quantity)
    if line.variant is not None:
        if quantity < line.variant.product.min_order_qty:
            raise _refuse(
                _(
                    "Pembelian minimal %(name)s adalah %(n)d.",
                    name=line.name,
                    n=line.variant.product.min_order_qty,
                )
            )
        line.reference_unit_price = line.variant.unit_price_for(quantity)
    line.quantity = quantity
    sync_ceiling(request)
    db.session.flush()
    return line


def sync_ceiling(request: ProcurementRequest) -> None:
    """Once every line has its HPS, the request's HPS is their sum (the value the offers and the
    value bands are judged on); until then it is the total the officer entered."""
    total = request.lines_hps_total
    if total is not None:
        request.ceiling = total


def set_line_hps(
    user: User, request_id: int, line_id: int, unit_price: int | None
) -> ProcurementRequest:
    """Record (or clear) the owner's estimate of one unit of a draft's line."""
    request = _draft(user, request_id)
    line = _own_line(request, line_id)
    if unit_price is not None:
        check_price(unit_price, line.name)
        if unit_price * line.quantity > MAX_AMOUNT:
            raise _refuse(_("%(name)s: HPS terlalu besar.", name=line.name))
    line.hps_unit_price = unit_price
    sync_ceiling(request)
    db.session.flush()
    return request


def remove_line(user: User, request_id: int, line_id: int) -> None:
    request = _draft(user, request_id)
    request.lines.remove(_own_line(request, line_id))
    sync_ceiling(request)
    db.session.flush()


def catalogue_choices(text: str, limit: int = 20) -> list[Product]:
    """Products of the catalogue whose name contains ``text`` (for adding lines)."""
    text = text.strip()[:100]
    if not text:
        return []
    from marketplace.catalogue.search import with_variant_data

    statement = (
        visible_products()
        .where(Product.name.icontains(text, autoescape=True))
        .order_by(Product.name, Product.id)
        .limit(limit)
    )
    return list(db.session.scalars(with_variant_data(statement)).unique())


# --- sending and cancelling ------------------------------------------------------------------


def send_request(user: User, request_id: int) -> ProcurementRequest:
    """Invite the cooperatives: the request can no longer be changed."""
    request = _draft(user, request_id)
    if not request.lines:
        raise _refuse(_("Tambahkan minimal satu barang sebelum mengirim."))
    if not request.quotations:
        raise _refuse(_("Undang minimal satu koperasi sebelum mengirim."))
    check_future_date(request.delivery_date)
    rules.check_request_ceiling(request.ceiling, procurement_settings())
    budget_lines.check_request_fits(request)
    invited = {q.cooperative_id for q in request.quotations}
    for line in request.lines:
        if line.cooperative_id is not None and line.cooperative_id not in invited:
            raise _refuse(
                _(
                    "%(product)s berasal dari katalog koperasi yang tidak diundang. Undang "
                    "koperasinya atau hapus barang ini.",
                    product=line.name,
                )
            )
    for quotation in request.quotations:
        if quotation.cooperative.status != CooperativeStatus.APPROVED:
            raise _refuse(
                _(
                    "%(name)s tidak aktif lagi; hapus dari undangan.",
                    name=quotation.cooperative.name,
                )
            )
    move(
        request, RequestStatus.SENT, Actor.PEJABAT_PENGADAAN, user, values={"sent_at": clock.now()}
    )
    for quotation in request.quotations:
        notify(
            cooperative_members(quotation.cooperative_id),
            lambda: _(
                "%(agency)s meminta penawaran %(number)s: %(title)s.",
                agency=request.agency.name,
                number=request.number,
                title=request.title,
            ),
            "procurement.coop_quotation",
            quotation_id=quotation.id,
        )
    return request


def cancel_request(user: User, request_id: int, reason: str) -> ProcurementRequest:
    """Cancel a draft or a sent request; open negotiations are closed and the cooperatives told."""
    request = agency_request(user, request_id, PP)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise _refuse(_("Tulis alasan pembatalan."))
    if any(q.status == QuotationStatus.FORWARDED for q in request.quotations):
        raise _refuse(_("Sebuah penawaran sedang menunggu PPK. Minta PPK mengembalikannya dulu."))
    was_sent = request.status == RequestStatus.SENT
    move(
        request,
        RequestStatus.CANCELLED,
        Actor.PEJABAT_PENGADAAN,
        user,
        note=reason,
        values={"cancel_reason": reason},
    )
    for quotation in request.quotations:
        if quotation.status in OPEN_QUOTATIONS:
            move(
                quotation,
                QuotationStatus.WITHDRAWN,
                Actor.PEJABAT_PENGADAAN,
                user,
                note=reason,
                values={"lapses_at": None, "status_reason": reason},
            )
            if was_sent:
                notify(
                    cooperative_members(quotation.cooperative_id),
                    lambda: _(
                        "Permintaan penawaran %(number)s dibatalkan: %(reason)s",
                        number=request.number,
                        reason=reason,
                    ),
                    "procurement.coop_quotation",
                    quotation_id=quotation.id,
                )
    return request


def count_drafts(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(ProcurementRequest)
            .where(
                ProcurementRequest.agency_id.in_(agency_ids(user, PP)),
                ProcurementRequest.status == RequestStatus.DRAFT,
            )
        )
        or 0
    )
