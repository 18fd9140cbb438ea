"""Signed documents kept with the procurement: the Surat Pesanan, each BAST and each invoice,
signed on paper (with the e-meterai where one is due), scanned or photographed and uploaded
back by either party. Both parties see every scan of their procurement; nobody else does (an
id from elsewhere answers as missing). A scan is never replaced or deleted."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.access import membership_of
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.procurement.common import agency_ids
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.models import (
    Delivery,
    PurchaseOrder,
    SignedDocument,
    SignedScan,
)
from marketplace.storage import PRIVATE_PREFIX, storage
from marketplace.uploads import UploadRejected, check_image_or_pdf

FOLDER = PRIVATE_PREFIX + "procurement-signed"


@dataclass(frozen=True)
class Signable:
    """A document of the procurement that may come back signed."""

    key: str  # "order:12", "bast:3", "invoice:5": the form's value
    kind: SignedDocument
    document_id: int
    number: str

    @property
    def label(self) -> str:
        return f"{self.kind.label} {self.number}"


def _side(user: User, order: PurchaseOrder) -> str | None:
    """Which party of the order the user is: the agency's, the cooperative's, or none."""
    if order.agency_id in agency_ids(user):
        return "agency"
    membership = membership_of(user)
    if membership is not None and membership.cooperative_id == order.cooperative_id:
        return "cooperative"
    return None


def party_order(user: User, order_id: int) -> tuple[PurchaseOrder, str]:
    """The Surat Pesanan (with its BASTs and invoices) and the user's side of it."""
    order = db.session.scalar(
        select(PurchaseOrder)
        .where(PurchaseOrder.id == order_id)
        .options(
            selectinload(PurchaseOrder.deliveries).joinedload(Delivery.bast),
            selectinload(PurchaseOrder.invoices),
        )
    )
    side = _side(user, order) if order is not None else None
    if order is None or side is None:
        raise NotFound()
    return order, side


def signables(order: PurchaseOrder) -> list[Signable]:
    """The documents of the order that exist so far, in the order they were made."""
    found = [Signable(f"order:{order.id}", SignedDocument.ORDER, order.id, order.number or "")]
    for delivery in order.deliveries:
        if delivery.bast is not None:
            bast = delivery.bast
            found.append(
                Signable(f"bast:{bast.id}", SignedDocument.BAST, bast.id, bast.number or "")
            )
    found += [
        Signable(f"invoice:{i.id}", SignedDocument.INVOICE, i.id, i.number or "")
        for i in order.invoices
    ]
    return found


def scans(order_id: int) -> list[SignedScan]:
    """Every scan of the order's documents, the newest first."""
    return list(
        db.session.scalars(
            select(SignedScan)
            .where(SignedScan.purchase_order_id == order_id)
            .options(joinedload(SignedScan.uploaded_by))
            .order_by(SignedScan.id.desc())
        )
    )


def upload(user: User, order_id: int, document_key: str, data: bytes) -> SignedScan:
    """Keep the scan of one of the order's documents, sent by one of its parties."""
    order, side = party_order(user, order_id)
    chosen = next((s for s in signables(order) if s.key == document_key), None)
    if chosen is None:
        raise InvalidProcurementInput(_("Pilih dokumen yang dipindai dari daftar."))
    if not data:
        raise InvalidProcurementInput(_("Pilih berkas pindaian (PDF atau foto)."))
    config = current_app.config
    try:
        checked = check_image_or_pdf(
            data,
            max_bytes=config["PAYMENT_PROOF_MAX_BYTES"],
            max_pixels=config["PAYMENT_PROOF_MAX_PIXELS"],
        )
    except UploadRejected as error:
        raise InvalidProcurementInput(str(error)) from None
    scan = SignedScan(
        purchase_order_id=order.id,
        kind=chosen.kind,
        document_id=chosen.document_id,
        document_number=chosen.number,
        storage_key=storage().save(checked.data, FOLDER, checked.extension),
        content_type=checked.content_type,
        side=side,
        uploaded_by_id=user.id,
        uploaded_at=clock.now(),
    )
    db.session.add(scan)
    db.session.flush()
    audit.record(
        "procurement.signed_scan",
        scan,
        actor_id=user.id,
        cooperative_id=order.cooperative_id,
        data={"order": order.number, "document": chosen.label, "side": side},
    )
    return scan


def scan_file(user: User, order_id: int, scan_id: int) -> tuple[bytes, str, str]:
    """A scan's bytes, type and download name, for a party of its order only."""
    party_order(user, order_id)
    scan = db.session.get(SignedScan, scan_id)
    if scan is None or scan.purchase_order_id != order_id:
        raise NotFound()
    try:
        data = storage().read(scan.storage_key)
    except FileNotFoundError as error:
        raise NotFound() from error
    extension = scan.storage_key.rpartition(".")[2]
    name = f"{scan.kind}-{scan.document_number or scan.document_id}-ttd-{scan.id}.{extension}"
    return data, scan.content_type, name.replace("/", "-")
