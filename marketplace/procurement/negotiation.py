"""Quotations and negotiation: offers, counter-offers line by line, agreement, forwarding to the
PPK, approval (which issues the Surat Pesanan) or sending back.

Each offer or counter-offer is a `QuotationRound` kept for ever with its message. An offer left
unanswered lapses after ``PROCUREMENT_QUOTATION_LAPSE_WORKING_DAYS`` working days
(`rules.quotation_lapses_at`; `deadlines` computes it and its periodic task records it). A
quotation whose total including PPN is above the request's ceiling, or above the top value band
(where a full contract is needed), is shown as such and can be neither agreed, forwarded nor
approved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.paging import Page, paginate
from marketplace.procurement import freezing, rules
from marketplace.procurement.common import (
    MAX_AMOUNT,
    agency_ids,
    agency_members,
    cooperative_id_of,
    cooperative_members,
    move,
    procurement_settings,
    today,
    totals_for,
)
from marketplace.procurement.deadlines import refuse_if_quotation_lapsed
from marketplace.procurement.exceptions import (
    InvalidProcurementInput,
    OrderValueAboveLimit,
    QuoteAboveCeiling,
    SplittingNotAcknowledged,
)
from marketplace.procurement.lifecycle import OPEN_QUOTATIONS, SETTLED_QUOTATIONS, find_transition
from marketplace.procurement.listing import PER_PAGE, ListQuery, in_period
from marketplace.procurement.models import (
    Actor,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    QuotationRound,
    QuotationRoundLine,
    QuotationStatus,
    RequestStatus,
    RoundKind,
)
from marketplace.procurement.notifications import (
    notify,
    tell_quotation_agency,
    tell_quotation_cooperative,
)
from marketplace.procurement.purchasing import issue_purchase_order, prior_orders
from marketplace.procurement.requests import check_future_date, check_price

Q = QuotationStatus
PP, PPK = ProcurementRole.PEJABAT_PENGADAAN, ProcurementRole.PPK


# --- look-ups --------------------------------------------------------------------------------


def _loaded() -> tuple[object, ...]:
    return (
        selectinload(Quotation.rounds).selectinload(QuotationRound.lines),
        selectinload(Quotation.request).selectinload(ProcurementRequest.lines),
        selectinload(Quotation.cooperative),
    )


def agency_quotation(
    user: User, quotation_id: int, role: ProcurementRole | None = None
) -> Quotation:
    """A quotation on a request of an agency where the user holds ``role``; else 404."""
    quotation = db.session.scalar(
        select(Quotation)
        .join(Quotation.request)
        .where(
            Quotation.id == quotation_id,
            ProcurementRequest.agency_id.in_(agency_ids(user, role)),
            ProcurementRequest.status != RequestStatus.DRAFT,
        )
        .options(*_loaded())  # type: ignore[arg-type]
    )
    if quotation is None:
        raise NotFound()
    return quotation


def cooperative_quotation(user: User, quotation_id: int) -> Quotation:
    """A quotation of the user's own cooperative on a sent request; any other is 404."""
    quotation = db.session.scalar(
        select(Quotation)
        .join(Quotation.request)
        .where(
            Quotation.id == quotation_id,
            Quotation.cooperative_id == cooperative_id_of(user),
            ProcurementRequest.status != RequestStatus.DRAFT,
        )
        .options(*_loaded())  # type: ignore[arg-type]
    )
    if quotation is None:
        raise NotFound()
    return quotation


def cooperative_quotations(user: User, query: ListQuery | None = None) -> Page:
    """The user's cooperative's quotations on sent requests, newest first, one page of the
    list filtered by status and the day the request was sent."""
    query = query or ListQuery()
    statement = (
        select(Quotation)
        .join(Quotation.request)
        .where(
            Quotation.cooperative_id == cooperative_id_of(user),
            ProcurementRequest.status != RequestStatus.DRAFT,
        )
        .options(selectinload(Quotation.request).selectinload(ProcurementRequest.agency))
        .order_by(Quotation.id.desc())
    )
    if query.status:
        statement = statement.where(Quotation.status == query.status)
    statement = in_period(statement, ProcurementRequest.sent_at, query)
    return paginate(statement, query.page, PER_PAGE)


# --- totals and the rules an agreement must meet ----------------------------------------------


def above_ceiling(quotation: Quotation, subtotal: int | None = None) -> bool:
    return totals_for(quotation, subtotal).total > quotation.request.ceiling


def _check_ceiling(quotation: Quotation, subtotal: int | None = None) -> None:
    totals = totals_for(quotation, subtotal)
    if totals.total > quotation.request.ceiling:
        raise QuoteAboveCeiling(totals.total, quotation.request.ceiling)


def _check_agreeable(quotation: Quotation, subtotal: int | None = None) -> None:
    """The price could become a Surat Pesanan: within the ceiling and within the top value band
    (above it a full contract is needed). Checked wherever a price may be agreed, so an
    agreement never ends where forwarding and approval would refuse it."""
    _check_ceiling(quotation, subtotal)
    rules.document_type_for(totals_for(quotation, subtotal).total, procurement_settings())


def agreement_refusal(quotation: Quotation) -> str | None:
    """Why the rules would refuse agreeing on the latest price (None when they would not)."""
    try:
        _check_agreeable(quotation)
    except (QuoteAboveCeiling, OrderValueAboveLimit) as error:
        return error.message
    return None


def _check_one_settled(quotation: Quotation) -> None:
    """Only one cooperative's quotation may be agreed (or with the PPK) at a time."""
    for other in quotation.request.quotations:
        if other.id != quotation.id and other.status in SETTLED_QUOTATIONS:
            raise InvalidProcurementInput(
                _(
                    "Harga dengan %(name)s sudah disepakati. Selesaikan atau batalkan "
                    "pengadaan itu dulu.",
                    name=other.cooperative.name,
                )
            )


@dataclass(frozen=True)
class ApprovalCheck:
    """What the PPK must know before approving: totals, the ceiling, the band, splitting."""

    totals: rules.Totals
    above_ceiling: bool
    document_type: rules.DocumentType | None
    band_problem: str | None
    splitting: rules.SplittingWarning | None
    #: Why the latest price cannot be agreed, forwarded or approved (the ceiling, the band).
    refusal: str | None


def _document_type(
    totals: rules.Totals, warning: rules.SplittingWarning | None
) -> rules.DocumentType:
    """The Surat Pesanan's document: its band, or, approved despite a splitting warning, the
    band the orders reach together (the paperwork the whole purchase needs). Raises
    OrderValueAboveLimit above the SPK band, alone or together: that needs a full contract."""
    judged = warning.combined_total if warning is not None else totals.total
    return rules.document_type_for(judged, procurement_settings())


def approval_check(quotation: Quotation) -> ApprovalCheck:
    settings = procurement_settings()
    totals = totals_for(quotation)
    request = quotation.request
    priors = prior_orders(
        request.agency_id,
        quotation.cooperative_id,
        {line.category_id for line in request.lines},
        today(),
    )
    warning = rules.splitting_warning(totals.total, today(), priors, settings)
    document_type, band_problem = None, None
    try:
        document_type = _document_type(totals, warning)
    except OrderValueAboveLimit as error:
        band_problem = error.message
    return ApprovalCheck(
        totals,
        totals.total > request.ceiling,
        document_type,
        band_problem,
        warning,
        agreement_refusal(quotation),
    )


# --- rounds -----------------------------------------------------------------------------------


def _answerable(quotation: Quotation, target: QuotationStatus, actor: Actor) -> None:
    """The move is in the table and the pending offer has not lapsed (even if the periodic
    task has not recorded the lapse yet)."""
    find_transition(quotation, target, actor)
    refuse_if_quotation_lapsed(quotation)


def _add_round(
    quotation: Quotation,
    kind: RoundKind,
    user: User,
    prices: Mapping[int, int],
    message: str,
    delivery_date: date | None = None,
) -> QuotationRound:
    """A new round with a price for every line of the request (no more, no fewer)."""
    request = quotation.request
    message = message.strip()
    if len(message) > 2000:
        raise InvalidProcurementInput(_("Pesan paling banyak 2000 karakter."))
    lines = {line.id: line for line in request.lines}
    if set(prices) != set(lines):
        raise InvalidProcurementInput(
            _("Isi harga untuk setiap barang dalam permintaan, tidak lebih dan tidak kurang.")
        )
    round_ = QuotationRound(
        number=len(quotation.rounds) + 1,
        kind=kind,
        author_id=user.id,
        created_at=clock.now(),
        message=message,
        delivery_date=delivery_date,
        subtotal=0,
    )
    subtotal = 0
    for line_id, line in sorted(lines.items(), key=lambda item: item[1].position):
        price = check_price(prices[line_id], line.name)
        total = price * line.quantity
        subtotal += total
        round_.lines.append(
            QuotationRoundLine(
                request_line_id=line_id, quantity=line.quantity, unit_price=price, line_total=total
            )
        )
    if subtotal > MAX_AMOUNT:
        raise InvalidProcurementInput(_("Nilai penawaran terlalu besar."))
    round_.subtotal = subtotal
    quotation.rounds.append(round_)
    db.session.flush()
    return round_


def _lapses_at() -> datetime:
    return rules.quotation_lapses_at(clock.now(), procurement_settings())


def _agency_pp(quotation: Quotation) -> list[User]:
    return agency_members(quotation.request.agency_id, PP)


# --- the cooperative's moves ------------------------------------------------------------------


def submit_offer(
    user: User,
    quotation_id: int,
    prices: Mapping[int, int],
    delivery_date: date | None,
    message: str = "",
) -> QuotationRound:
    """The cooperative's offer (first, or answering a counter-offer)."""
    quotation = cooperative_quotation(user, quotation_id)
    _answerable(quotation, Q.QUOTED, Actor.COOPERATIVE)
    if delivery_date is None:
        raise InvalidProcurementInput(_("Isi tanggal pengiriman yang Anda sanggupi."))
    check_future_date(delivery_date)
    round_ = _add_round(quotation, RoundKind.OFFER, user, prices, message, delivery_date)
    move(
        quotation,
        Q.QUOTED,
        Actor.COOPERATIVE,
        user,
        note=message,
        values={"subtotal": round_.subtotal, "lapses_at": _lapses_at()},
        data={"round": round_.number, "subtotal": round_.subtotal},
    )
    tell_quotation_agency(
        quotation,
        _agency_pp(quotation),
        lambda: _(
            "%(name)s mengirim penawaran untuk %(number)s.",
            name=quotation.cooperative.name,
            number=quotation.request.number,
        ),
    )
    freezing.freeze("round", round_.id, user, freezing.AS_COOPERATIVE)
    return round_


def accept_counter(user: User, quotation_id: int) -> Quotation:
    """The cooperative accepts the agency's counter-offer as it is: the prices are agreed."""
    quotation = cooperative_quotation(user, quotation_id)
    _answerable(quotation, Q.AGREED, Actor.COOPERATIVE)
    _check_agreeable(quotation)
    _check_one_settled(quotation)
    move(quotation, Q.AGREED, Actor.COOPERATIVE, user, values={"lapses_at": None})
    tell_quotation_agency(
        quotation,
        _agency_pp(quotation),
        lambda: _(
            "%(name)s menerima tawaran balik untuk %(number)s. Teruskan ke PPK.",
            name=quotation.cooperative.name,
            number=quotation.request.number,
        ),
    )
    return quotation


def decline_quotation(user: User, quotation_id: int, reason: str) -> Quotation:
    quotation = cooperative_quotation(user, quotation_id)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise InvalidProcurementInput(_("Tulis alasan Anda menolak."))
    _answerable(quotation, Q.DECLINED, Actor.COOPERATIVE)
    move(
        quotation,
        Q.DECLINED,
        Actor.COOPERATIVE,
        user,
        note=reason,
        values={"lapses_at": None, "status_reason": reason},
    )
    tell_quotation_agency(
        quotation,
        _agency_pp(quotation),
        lambda: _(
            "%(name)s menolak permintaan %(number)s: %(reason)s",
            name=quotation.cooperative.name,
            number=quotation.request.number,
            reason=reason,
        ),
    )
    return quotation


# --- the pejabat pengadaan's moves ------------------------------------------------------------


def counter_offer(
    user: User, quotation_id: int, prices: Mapping[int, int], message: str = ""
) -> QuotationRound:
    """A counter-offer with a price per line; it must stay within the ceiling and the top value
    band (the cooperative may accept it as it is)."""
    quotation = agency_quotation(user, quotation_id, PP)
    _answerable(quotation, Q.COUNTERED, Actor.PEJABAT_PENGADAAN)
    round_ = _add_round(quotation, RoundKind.COUNTER, user, prices, message)
    _check_agreeable(quotation, round_.subtotal)
    move(
        quotation,
        Q.COUNTERED,
        Actor.PEJABAT_PENGADAAN,
        user,
        note=message,
        values={"subtotal": round_.subtotal, "lapses_at": _lapses_at()},
        data={"round": round_.number, "subtotal": round_.subtotal},
    )
    tell_quotation_cooperative(
        quotation,
        lambda: _(
            "%(agency)s mengirim tawaran balik untuk %(number)s.",
            agency=quotation.request.agency.name,
            number=quotation.request.number,
        ),
    )
    freezing.freeze("round", round_.id, user, freezing.AS_PP)
    return round_


def agree_quotation(user: User, quotation_id: int) -> Quotation:
    """The pejabat pengadaan accepts the cooperative's offer as it is; refused (with the rule)
    above the ceiling or above the top value band, where it could never be approved."""
    quotation = agency_quotation(user, quotation_id, PP)
    _answerable(quotation, Q.AGREED, Actor.PEJABAT_PENGADAAN)
    _check_agreeable(quotation)
    _check_one_settled(quotation)
    move(quotation, Q.AGREED, Actor.PEJABAT_PENGADAAN, user, values={"lapses_at": None})
    tell_quotation_cooperative(
        quotation,
        lambda: _(
            "Penawaran Anda untuk %(number)s diterima dan akan diteruskan ke PPK.",
            number=quotation.request.number,
        ),
    )
    return quotation


def forward_quotation(user: User, quotation_id: int, note: str = "") -> Quotation:
    """Forward the agreed quotation to the PPK. One above the ceiling or above the top value
    band is refused here already, with the reason."""
    quotation = agency_quotation(user, quotation_id, PP)
    find_transition(quotation, Q.FORWARDED, Actor.PEJABAT_PENGADAAN)
    _check_agreeable(quotation)
    note = note.strip()[:2000]
    move(quotation, Q.FORWARDED, Actor.PEJABAT_PENGADAAN, user, note=note)
    tell_quotation_agency(
        quotation,
        agency_members(quotation.request.agency_id, PPK),
        lambda: _(
            "Penawaran %(name)s untuk %(number)s menunggu persetujuan Anda.",
            name=quotation.cooperative.name,
            number=quotation.request.number,
        ),
    )
    return quotation


# --- the PPK's moves --------------------------------------------------------------------------


def return_quotation(user: User, quotation_id: int, reason: str) -> Quotation:
    """Send the quotation back to the pejabat pengadaan with a reason."""
    quotation = agency_quotation(user, quotation_id, PPK)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise InvalidProcurementInput(_("Tulis alasan pengembalian."))
    move(
        quotation,
        Q.RETURNED,
        Actor.PPK,
        user,
        note=reason,
        values={"status_reason": reason},
    )
    tell_quotation_agency(
        quotation,
        _agency_pp(quotation),
        lambda: _(
            "PPK mengembalikan penawaran %(name)s untuk %(number)s: %(reason)s",
            name=quotation.cooperative.name,
            number=quotation.request.number,
            reason=reason,
        ),
    )
    return quotation


def approve_quotation(user: User, quotation_id: int, splitting_reason: str = "") -> PurchaseOrder:
    """Approve and issue the Surat Pesanan.

    Refused above the ceiling, above the top value band (a full contract is needed), and, when
    the splitting check warns, without a reason (which is recorded with the warning). Approved
    despite the warning, the Surat Pesanan is the document of the band the orders reach
    together, and refused when together they need a full contract.
    """
    quotation = agency_quotation(user, quotation_id, PPK)
    find_transition(quotation, Q.APPROVED, Actor.PPK)
    _check_ceiling(quotation)
    check = approval_check(quotation)
    document_type = _document_type(check.totals, check.splitting)
    splitting_reason = splitting_reason.strip()
    if len(splitting_reason) > 2000:
        raise InvalidProcurementInput(_("Alasan paling banyak 2000 karakter."))
    if check.splitting is not None and not splitting_reason:
        raise SplittingNotAcknowledged(check.splitting.message)
    warning = None
    if check.splitting is not None:
        # Kept as the Surat Pesanan prints it: in Indonesian, whatever the PPK reads in.
        with force_locale("id"):
            warning = check.splitting.message
    move(
        quotation,
        Q.APPROVED,
        Actor.PPK,
        user,
        note=splitting_reason if warning else "",
        values={"lapses_at": None},
        data={"splitting_warning": warning, "splitting_reason": splitting_reason or None},
    )
    request = quotation.request
    move(request, RequestStatus.AWARDED, Actor.PPK, user)
    for other in request.quotations:
        if other.id != quotation.id and other.status in OPEN_QUOTATIONS:
            move(other, Q.WITHDRAWN, Actor.PPK, user, values={"lapses_at": None})
            notify(
                cooperative_members(other.cooperative_id),
                lambda: _(
                    "Permintaan %(number)s diberikan kepada koperasi lain. Terima kasih atas "
                    "penawaran Anda.",
                    number=request.number,
                ),
                "procurement.coop_quotation",
                quotation_id=other.id,
            )
    return issue_purchase_order(
        quotation,
        user,
        check.totals.subtotal,
        check.totals.ppn,
        document_type,
        splitting_warning=warning,
        splitting_reason=splitting_reason if warning else None,
    )
