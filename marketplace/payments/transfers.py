"""Bank transfers: the shopper's proof, and its review by the cooperative or the city.

The proof is checked (`marketplace.uploads`) and stored under a random name in a private folder;
the parts it pays stay open at least PAYMENT_PROOF_REVIEW_HOURS for the review, and their
timelines say the proof is being checked (`orders.moves.note_proof_sent`). A cooperative
sees only proofs of transfers to its own account, and its members are emailed to check each
one; with PAYMENT_TRANSFER_ACCOUNT=platform the money is in the platform's account and only the
city confirms. Confirming marks the parts paid through the orders capability; rejecting needs a
reason, which the shopper is sent and the parts' timelines show.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.cooperatives.services import active_members
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.mail import queue_email
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify, whatsapp_link
from marketplace.observability import count_event, count_payment
from marketplace.orders import moves as order_moves
from marketplace.orders.models import ActorKind, PaymentMethod, VendorOrder, VendorOrderStatus
from marketplace.payments.exceptions import MissingReason, NothingToPay, ProofProblem
from marketplace.payments.models import Payee, Payment, PaymentAllocation, PaymentStatus
from marketplace.payments.records import lock_order, locked, log_event, move_payment
from marketplace.payments.services import apply_received, order_payments, shopper_order
from marketplace.storage import PRIVATE_PREFIX, storage
from marketplace.uploads import CheckedFile, check_image_or_pdf
from marketplace.urls import absolute_url

S = VendorOrderStatus
P = PaymentStatus
PROOF_FOLDER = PRIVATE_PREFIX + "transfer-proofs"
#: A proof image is stored at most this many pixels on its long side: a receipt photographed
#: at 4000×3000 stays readable at 2400×1800 (a third of the pixels), and a phone's screenshot
#: of its banking app (1080×2400) is kept as it is.
PROOF_MAX_SIDE = 2400


def submit_transfer_proof(user: User, number: str, part_id: int | None, data: bytes) -> Payment:
    """The shopper sends proof of a transfer. The file is checked (`marketplace.uploads`) and
    stored under a random name in a private folder; the parts stay open for the review at least
    PAYMENT_PROOF_REVIEW_HOURS."""
    order = order_moves.order_to_act_on(user, number)
    lock_order(order.id)
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        raise ProofProblem(_("Pesanan ini tidak dibayar dengan transfer bank."))
    boxes = order_payments(order).transfer_boxes
    box = next((b for b in boxes if b.key == part_id or b.key is None), None)
    if box is None:
        raise NotFound()
    if box.pending is not None:
        raise ProofProblem(
            _("Bukti transfer sebelumnya masih diperiksa. Tunggu hasilnya sebelum mengirim lagi.")
        )
    if not box.can_upload:
        raise NothingToPay()
    config = current_app.config
    checked: CheckedFile = check_image_or_pdf(
        data,
        max_bytes=config["PAYMENT_PROOF_MAX_BYTES"],
        max_pixels=config["PAYMENT_PROOF_MAX_PIXELS"],
        max_side=PROOF_MAX_SIDE,
    )
    parts = [vo for vo in box.parts if vo.state == S.AWAITING_PAYMENT]
    payment = Payment(
        order_id=order.id,
        method=PaymentMethod.BANK_TRANSFER,
        status=P.PENDING,
        amount=sum(vo.total for vo in parts),
        payee=box.account.payee,
        reference=box.reference,
        bank_name=box.account.bank_name[:60],
        bank_account_number=box.account.number[:30],
        bank_account_holder=box.account.holder[:120],
        proof_content_type=checked.content_type,
        proof_size=len(checked.data),
        created_by=user.id,
    )
    payment.allocations = [
        PaymentAllocation(vendor_order_id=vo.id, amount=vo.total) for vo in parts
    ]
    db.session.add(payment)
    db.session.flush()
    payment.proof_key = storage().save(checked.data, PROOF_FOLDER, checked.extension)
    log_event(payment, "proof_uploaded", actor_id=user.id, data={"size": len(checked.data)})
    review_until = clock.now() + timedelta(hours=config["PAYMENT_PROOF_REVIEW_HOURS"])
    by_cooperative = payment.payee == Payee.COOPERATIVE
    for vo in parts:
        order_moves.note_proof_sent(
            vo, actor_id=user.id, review_until=review_until, reviewed_by_cooperative=by_cooperative
        )
    if by_cooperative:
        _queue_review_request(payment, parts[0], review_until)
    audit.record(
        "payment.proof_uploaded",
        payment,
        actor_id=user.id,
        cooperative_id=parts[0].cooperative_id if len(parts) == 1 else None,
        data={"number": order.number, "amount": payment.amount, "reference": payment.reference},
    )
    count_event("transfer_proof_uploaded")
    return payment


def _queue_review_request(payment: Payment, part: VendorOrder, review_until: datetime) -> None:
    """The money went to the cooperative's account, so only it can see whether it arrived: its
    members are asked to check (it hears of the order itself once the part is paid)."""
    order = payment.order
    notify(
        active_members(part.cooperative_id),
        NotificationKind.TRANSFER_PROOF,
        lambda: _(
            "Bukti transfer %(amount)s untuk pesanan %(number)s menunggu pemeriksaan Anda.",
            amount=rupiah(payment.amount),
            number=order.number,
        ),
        "payments.vendor_transfer",
        email_template="transfer_proof_received",
        email_context={
            "order": order,
            "payment": payment,
            "cooperative_name": part.cooperative_name,
            "review_until": review_until,
        },
        whatsapp_url=whatsapp_link(order.phone, order.number),
        payment_id=payment.id,
    )


def transfers_query() -> Any:
    return (
        select(Payment)
        .where(Payment.method == PaymentMethod.BANK_TRANSFER)
        .options(
            selectinload(Payment.allocations).selectinload(PaymentAllocation.vendor_order),
            selectinload(Payment.order),
        )
    )


def _to_cooperative(cooperative_id: int) -> Any:
    """Transfers to the cooperative's own account for its orders: the proofs it checks (with
    PAYMENT_TRANSFER_ACCOUNT=platform the city does)."""
    return and_(
        Payment.payee == Payee.COOPERATIVE,
        Payment.id.in_(
            select(PaymentAllocation.payment_id)
            .join(VendorOrder, VendorOrder.id == PaymentAllocation.vendor_order_id)
            .where(VendorOrder.cooperative_id == cooperative_id)
        ),
    )


def cooperative_transfers(
    cooperative_id: int, limit: int = 50
) -> tuple[list[Payment], list[Payment]]:
    """Proofs of transfers to the cooperative's own account: (waiting, recently decided)."""
    base = transfers_query().where(_to_cooperative(cooperative_id))
    waiting = list(db.session.scalars(base.where(Payment.status == P.PENDING).order_by(Payment.id)))
    decided = list(
        db.session.scalars(
            base.where(Payment.status != P.PENDING).order_by(Payment.id.desc()).limit(limit)
        )
    )
    return waiting, decided


def cooperative_transfer(cooperative_id: int, payment_id: int) -> Payment:
    """A transfer proof for the cooperative's own account; anything else is not found."""
    payment: Payment | None = db.session.scalar(
        transfers_query().where(Payment.id == payment_id, _to_cooperative(cooperative_id))
    )
    if payment is None:
        raise NotFound()
    return payment


def waiting_transfer_count(cooperative_id: int) -> int:
    """How many proofs of transfers to the cooperative's account wait for its check (the
    waiting list of `cooperative_transfers`, counted)."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(
            Payment.method == PaymentMethod.BANK_TRANSFER,
            Payment.status == P.PENDING,
            _to_cooperative(cooperative_id),
        )
    )
    return int(count or 0)


def admin_transfer(payment_id: int) -> Payment:
    payment: Payment | None = db.session.scalar(transfers_query().where(Payment.id == payment_id))
    if payment is None:
        raise NotFound()
    return payment


def shopper_proof(user: User, number: str, payment_id: int) -> Payment:
    order = shopper_order(user, number)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id or not payment.proof_key:
        raise NotFound()
    return payment


def proof_file(payment: Payment) -> tuple[bytes, str]:
    if not payment.proof_key:
        raise NotFound()
    try:
        return storage().read(payment.proof_key), payment.proof_content_type or "application/pdf"
    except FileNotFoundError as error:
        raise NotFound() from error


def confirm_transfer(payment: Payment, actor: User) -> list[VendorOrder]:
    """The money is in the account: the parts become paid (through the orders capability)."""
    payment = locked(payment)
    move_payment(
        payment,
        P.SUCCEEDED,
        kind="confirmed",
        actor_id=actor.id,
        values={"decided_at": clock.now(), "decided_by": actor.id},
    )
    audit.record(
        "payment.transfer_confirmed",
        payment,
        actor_id=actor.id,
        cooperative_id=_single_cooperative(payment),
        data={"number": payment.order.number, "amount": payment.amount},
    )
    return apply_received(payment, actor.id)


def reject_transfer(payment: Payment, actor: User, reason: str) -> None:
    """The money is not there (or the proof is wrong): the shopper is told why and may send a
    new proof; the parts stay unpaid and expire as their lifecycle says."""
    reason = (reason or "").strip()
    if not reason:
        raise MissingReason(_("Tulis alasan penolakan untuk pembeli."))
    payment = locked(payment)
    move_payment(
        payment,
        P.REJECTED,
        kind="rejected",
        note=reason,
        actor_id=actor.id,
        values={"decided_at": clock.now(), "decided_by": actor.id, "decision_note": reason},
    )
    audit.record(
        "payment.transfer_rejected",
        payment,
        actor_id=actor.id,
        cooperative_id=_single_cooperative(payment),
        data={"number": payment.order.number, "reason": reason[:500]},
    )
    count_event("transfer_proof_rejected")
    count_payment(payment.method, "failed")
    by = ActorKind.CITY_ADMIN if actor.is_city_admin else ActorKind.COOPERATIVE
    for allocation in payment.allocations:
        order_moves.note_proof_rejected(
            allocation.vendor_order, actor=by, actor_id=actor.id, reason=reason
        )
    order = payment.order
    shopper = order.user
    queue_email(
        shopper.email,
        "transfer_proof_rejected",
        shopper.locale,
        user=shopper,
        order=order,
        payment=payment,
        reason=reason,
        payment_url=absolute_url("payments.pay", number=order.number),
    )


def _single_cooperative(payment: Payment) -> int | None:
    ids = {a.vendor_order.cooperative_id for a in payment.allocations}
    return ids.pop() if len(ids) == 1 else None
