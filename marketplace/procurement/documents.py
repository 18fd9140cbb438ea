"""The procurement's documents: permintaan penawaran, surat penawaran and the agency's counter-
offer (one letter per round, each with its own number), Surat Pesanan, surat jalan, BAST and
invoice/kuitansi. Each is one template rendered as a printable page and, by WeasyPrint, as a
PDF (the issued ones once, when issued: `freezing`); the PDF's stylesheets, fonts and images
come from this app's own files (`LocalFetcher`), never from the network.

Documents are official records: they are always rendered in Indonesian, whatever language the
reader browses in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.cooperatives.access import membership_of
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.pdf import pdf_from_html
from marketplace.procurement import tax
from marketplace.procurement.common import (
    agency_ids,
    last_day,
    local_day,
    procurement_settings,
    today,
    totals_for,
)
from marketplace.procurement.models import (
    AgencyMember,
    Bast,
    Delivery,
    Invoice,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
    QuotationRound,
    RequestStatus,
    RoundKind,
)

log = logging.getLogger(__name__)

KINDS = ("request", "quotation", "round", "order", "delivery", "bast", "invoice")


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    number: str
    template: str
    context: dict[str, Any]
    #: The agency whose officials sign it (their NIPs are printed under their names).
    agency_id: int | None = None
    #: The issued document whose frozen versions this one is (`freezing`): the round's letter
    #: for a quotation's latest offer; None for the request and the surat jalan, never frozen.
    frozen_as: tuple[str, int] | None = None

    @property
    def filename(self) -> str:
        return f"{self.number or self.kind}.pdf"


def _viewer(user: User) -> tuple[set[int], int | None]:
    membership = membership_of(user)
    return agency_ids(user), membership.cooperative_id if membership else None


def _may_see(user: User, agency_id: int, cooperative_id: int | None) -> bool:
    agencies, own_cooperative = _viewer(user)
    return agency_id in agencies or (
        cooperative_id is not None and cooperative_id == own_cooperative
    )


def _signatory(agency_id: int, role: ProcurementRole) -> User | None:
    """The first member holding ``role`` (for a signature block's printed name)."""
    return db.session.scalar(
        select(User)
        .join(AgencyMember, AgencyMember.user_id == User.id)
        .where(AgencyMember.agency_id == agency_id, AgencyMember.role == role)
        .order_by(AgencyMember.id)
        .limit(1)
    )


def officials_nips(agency_id: int | None) -> dict[int, str]:
    """The NIP of each of the agency's members who has one, by user id (one query per
    document, for every signature block on it)."""
    if agency_id is None:
        return {}
    rows = db.session.execute(
        select(AgencyMember.user_id, AgencyMember.nip)
        .where(AgencyMember.agency_id == agency_id, AgencyMember.nip.is_not(None))
        .order_by(AgencyMember.id)
    )
    nips: dict[int, str] = {}
    for user_id, nip in rows:
        nips.setdefault(user_id, nip)
    return nips


def load_document(user: User, kind: str, object_id: int) -> Document:
    """The document ``kind`` of the object, if the user may see it (their agency's, or their
    cooperative's); anything else is not found."""
    if kind == "request":
        req = db.session.get(ProcurementRequest, object_id)
        if req is None:
            raise NotFound()
        agencies, own = _viewer(user)
        invited = [q.cooperative for q in req.quotations]
        if req.agency_id not in agencies:
            # A cooperative sees a sent request it was invited to, addressed to itself only.
            invited = [c for c in invited if c.id == own]
            if req.status == RequestStatus.DRAFT or not invited:
                raise NotFound()
        return Document(
            kind,
            object_id,
            req.number or "",
            "procurement/documents/request.html",
            {"req": req, "invited": invited, "officer": req.created_by},
            req.agency_id,
        )
    if kind in ("quotation", "round"):
        return _round_document(user, kind, object_id)
    if kind in ("order", "bast", "invoice"):
        found = issued_document(kind, object_id)
        if found is None or not _may_see(user, found.agency_id, found.cooperative_id):
            raise NotFound()
        return found.document
    if kind == "delivery":
        delivery = db.session.get(Delivery, object_id)
        if delivery is None:
            raise NotFound()
        order = delivery.purchase_order
        if not _may_see(user, order.agency_id, order.cooperative_id):
            raise NotFound()
        return Document(
            kind,
            object_id,
            delivery.number or "",
            "procurement/documents/delivery.html",
            {"delivery": delivery, "order": order},
            order.agency_id,
        )
    raise NotFound()


def _round_document(user: User, kind: str, object_id: int) -> Document:
    """A round's own letter: the cooperative's offer (Surat Penawaran, signed by whoever sent
    it) or the agency's counter-offer (negosiasi harga, signed by the pejabat pengadaan who sent
    it). ``round`` names the round; ``quotation`` names the quotation and shows its latest
    offer (a later counter-offer never appears on the cooperative's letter)."""
    if kind == "round":
        round_ = db.session.get(QuotationRound, object_id)
        quotation = round_.quotation if round_ is not None else None
    else:
        quotation = db.session.get(Quotation, object_id)
        offers = [r for r in quotation.rounds if r.kind == RoundKind.OFFER] if quotation else []
        round_ = offers[-1] if offers else None
    if (
        round_ is None
        or quotation is None
        or quotation.request.status == RequestStatus.DRAFT
        or not _may_see(user, quotation.request.agency_id, quotation.cooperative_id)
    ):
        raise NotFound()
    return _round_letter(round_, kind, object_id)


def _round_letter(round_: QuotationRound, kind: str, object_id: int) -> Document:
    quotation = round_.quotation
    template = (
        "procurement/documents/quotation.html"
        if round_.kind == RoundKind.OFFER
        else "procurement/documents/counter_offer.html"
    )
    return Document(
        kind,
        object_id,
        round_.document_number,
        template,
        {
            "quotation": quotation,
            "req": quotation.request,
            "round": round_,
            "answers": round_.previous,
            "totals": totals_for(quotation, round_.subtotal),
        },
        quotation.request.agency_id,
        ("round", round_.id),
    )


@dataclass(frozen=True)
class _Issued:
    document: Document
    agency_id: int
    cooperative_id: int


def issued_document(kind: str, object_id: int) -> _Issued | None:
    """A round's letter, a Surat Pesanan, BAST or invoice as its document, whoever reads it
    (the same for all: what is frozen when it is issued)."""
    if kind == "round":
        round_ = db.session.get(QuotationRound, object_id)
        if round_ is None:
            return None
        quotation = round_.quotation
        return _Issued(
            _round_letter(round_, kind, object_id),
            quotation.request.agency_id,
            quotation.cooperative_id,
        )
    if kind == "order":
        order = db.session.get(PurchaseOrder, object_id)
        if order is None:
            return None
        document = Document(
            kind,
            object_id,
            order.number or "",
            "procurement/documents/order.html",
            _order(order),
            order.agency_id,
            (kind, object_id),
        )
    elif kind == "bast":
        bast = db.session.get(Bast, object_id)
        if bast is None:
            return None
        order = bast.purchase_order
        document = Document(
            kind,
            object_id,
            bast.number or "",
            "procurement/documents/bast.html",
            {
                "bast": bast,
                "delivery": bast.delivery,
                "order": order,
                "ppk": _signatory(order.agency_id, ProcurementRole.PPK),
            },
            order.agency_id,
            (kind, object_id),
        )
    elif kind == "invoice":
        invoice = db.session.get(Invoice, object_id)
        if invoice is None:
            return None
        order = invoice.purchase_order
        document = Document(
            kind,
            object_id,
            invoice.number or "",
            "procurement/documents/invoice.html",
            {
                "invoice": invoice,
                "order": order,
                "bast": invoice.bast,
                "treasurer": _signatory(order.agency_id, ProcurementRole.BENDAHARA),
            },
            order.agency_id,
            (kind, object_id),
        )
        return _Issued(document, invoice.agency_id, invoice.cooperative_id)
    else:
        return None
    return _Issued(document, order.agency_id, order.cooperative_id)


def _order(order: PurchaseOrder) -> dict[str, Any]:
    """The Surat Pesanan with the tax breakdown of its whole value (what each invoice will be
    judged on)."""
    settings = procurement_settings()
    breakdown = tax.calculate_invoice(
        [tax.InvoiceLine(line.quantity, line.unit_price) for line in order.lines],
        is_pkp=order.is_pkp,
        # Judged on the day it was issued: a copy frozen later (the CLI) prints what it said then.
        pp55_certificate_valid=order.cooperative.has_valid_pp55(local_day(order.issued_at)),
        order_total_excluding_ppn=order.subtotal,
        settings=settings,
    )
    return {
        "order": order,
        "breakdown": breakdown,
        "acceptance_last_day": last_day(order.acceptance_due_at)
        if order.acceptance_due_at
        else None,
        "ppk": order.issued_by,
    }


def render_html(
    document: Document,
    *,
    pdf: bool = False,
    verification: Any = None,
    versions: Sequence[Any] = (),
    document_date: date | None = None,
) -> str:
    """The document's HTML, in Indonesian; ``pdf`` leaves out the page's buttons.
    ``verification`` is the frozen version's verification block (`freezing.Verification`),
    ``versions`` the frozen versions the page lists, ``document_date`` the day printed as the
    day it was made (today unless given)."""
    settings = procurement_settings()
    dpp = settings.ppn_dpp_fraction
    with force_locale("id"):
        return render_template(
            document.template,
            document=document,
            pdf=pdf,
            verification=verification,
            versions=versions,
            document_date=document_date or today(),
            # PPN is labelled as the law states it: 12% of a DPP of 11/12 of the price.
            ppn_rate=tax.format_percent(settings.ppn_rate_percent),
            dpp_fraction=f"{dpp.numerator}/{dpp.denominator}",
            nips=officials_nips(document.agency_id),
            **document.context,
        )


# --- PDF --------------------------------------------------------------------------------------


def render_pdf(document: Document, **html_options: Any) -> bytes:
    """The document as a PDF, rendered by WeasyPrint from the same template as the page."""
    return _pdf_from_html(render_html(document, pdf=True, **html_options))


def _pdf_from_html(html: str) -> bytes:
    return pdf_from_html(html)


def generate_pdf(kind: str, object_id: int) -> None:
    """Formerly the job that cached an issued document's PDF; issued documents are now frozen
    in their issuing transaction (`freezing`). Kept only so that jobs queued before the upgrade
    end quietly instead of as dead letters."""
    log.info(
        "Ignoring the former PDF job for %s %s: documents are frozen at issue", kind, object_id
    )
