"""The money of a complaint: the refund through the payment path the shopper used, once per
complaint (`payments.refunds.refund_allocation` with its ``complaint_id``), and the refund the
cooperative makes itself when it collected the money (a transfer to its own account, cash at
pickup): its proof, then the shopper's confirmation, which completes the refund once."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.complaints.exceptions import ComplaintProblem
from marketplace.complaints.models import (
    Complaint,
)
from marketplace.complaints.notices import tell_shopper
from marketplace.complaints.queries import (
    PHOTO_MAX_SIDE,
    PROOF_FOLDER,
    cooperative_complaint,
    refund_of,
    shopper_complaint,
)
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.orders import moves as order_moves
from marketplace.orders.models import ActorKind, VendorOrder
from marketplace.payments import refunds, settlement
from marketplace.payments.models import (
    Payment,
    PaymentAllocation,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from marketplace.storage import storage
from marketplace.uploads import check_image_or_pdf

# ------------------------------------------------------------------------------------------
# Money
# ------------------------------------------------------------------------------------------


def _part_payment(vendor_order: VendorOrder) -> Payment | None:
    """The payment that paid the part (the largest share; None: paid outside the app)."""
    row = db.session.execute(
        select(Payment)
        .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .where(
            PaymentAllocation.vendor_order_id == vendor_order.id,
            Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]),
        )
        .order_by(PaymentAllocation.amount.desc(), Payment.id)
        .limit(1)
    ).first()
    return row[0] if row is not None else None


def start_refund(complaint: Complaint, amount: int, actor_id: int) -> Refund | None:
    """The refund through the payment path the shopper used, once per complaint."""
    if amount <= 0:
        return None
    vendor_order = complaint.vendor_order
    by_cooperative = settlement.collected_by_cooperative(vendor_order)
    return refunds.refund_allocation(
        None if by_cooperative else _part_payment(vendor_order),
        vendor_order,
        amount,
        RefundReason.COMPLAINT,
        actor_id,
        complaint_id=complaint.id,
        by_cooperative=by_cooperative,
    )


def record_cooperative_refund(
    member: User, cooperative_id: int, complaint_id: int, proof: bytes
) -> Complaint:
    """The cooperative returned money it had collected itself: its proof of the transfer (the
    shopper confirms it arrived)."""
    complaint = cooperative_complaint(cooperative_id, complaint_id)
    refund = refund_of(complaint)
    if (
        refund is None
        or refund.method != RefundMethod.COOPERATIVE
        or refund.status != RefundStatus.PENDING
    ):
        raise ComplaintProblem(_("Tidak ada pengembalian dana yang menunggu bukti dari koperasi."))
    config = current_app.config
    checked = check_image_or_pdf(
        proof,
        max_bytes=config["PAYMENT_PROOF_MAX_BYTES"],
        max_pixels=config["PAYMENT_PROOF_MAX_PIXELS"],
        max_side=PHOTO_MAX_SIDE,
    )
    # A proof sent again replaces the one shown; the earlier file is kept (it is evidence, and
    # its key stays in the audit log).
    earlier = complaint.refund_proof_key
    complaint.refund_proof_key = storage().save(checked.data, PROOF_FOLDER, checked.extension)
    complaint.refund_proof_content_type = checked.content_type
    complaint.refund_proof_at = clock.now()
    db.session.flush()
    order_moves.note_complaint_step(
        complaint.vendor_order,
        ActorKind.COOPERATIVE,
        member.id,
        _("Koperasi mengirim bukti pengembalian dana %(amount)s.", amount=rupiah(refund.amount)),
    )
    audit.record(
        "complaint.refund_proof",
        complaint,
        actor_id=member.id,
        cooperative_id=cooperative_id,
        data={"refund_id": refund.id, "amount": refund.amount, "earlier": earlier},
    )
    tell_shopper(
        complaint,
        lambda: _(
            "Koperasi mengirim bukti pengembalian dana pesanan %(number)s. Konfirmasi setelah "
            "dana Anda terima.",
            number=complaint.vendor_order.order.number,
        ),
    )
    return complaint


def confirm_cooperative_refund(user: User, number: str, part_id: int) -> Refund:
    """The shopper says the cooperative's refund arrived: it completes, once (the refund's
    guarded move refuses a second confirmation)."""
    complaint = shopper_complaint(user, number, part_id)
    refund = refund_of(complaint)
    if (
        refund is None
        or refund.method != RefundMethod.COOPERATIVE
        or refund.status != RefundStatus.PENDING
        or not complaint.refund_proof_key
    ):
        raise ComplaintProblem(_("Tidak ada pengembalian dana yang menunggu konfirmasi Anda."))
    refunds.complete_refund(refund, f"koperasi {complaint.id}", actor_id=user.id)
    order_moves.note_complaint_step(
        complaint.vendor_order,
        ActorKind.SHOPPER,
        user.id,
        _("Pembeli mengonfirmasi dana diterima."),
    )
    return refund
