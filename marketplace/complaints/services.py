"""Complaints and returns: the rules of each step, and who is told.

A shopper complains about a part of their order within ORDER_COMPLAINT_DAYS of its delivery
(whether or not receipt was confirmed), choosing lines and quantities, with a reason, a message
and up to three photos (checked and stored as transfer proofs are: private files, served only
to the shopper, the cooperative and the city). One complaint per part. The cooperative answers
within COMPLAINT_ANSWER_WORKING_DAYS working days (Saturdays and Sundays do not count); an open
complaint left unanswered past that goes to the city (`escalation`).

Every step is a move of `machine.MACHINE` (a guarded update, so two people acting at once
cannot both move it), a step on the part's timeline (`orders.moves.note_complaint_step`), an
audit entry, and a notice to whoever acts next.

Money goes back through the payment path the shopper used (`payments.refunds.refund_allocation`,
once per complaint: its ``complaint_id`` is unique). Money the cooperative collected itself (a
transfer to its own account, cash at pickup) is returned by the cooperative: it records the
transfer with a proof, and the shopper's confirmation completes the refund. A refund is at most
what was paid for the chosen units, line by line, in whole rupiah.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _

from marketplace import audit, clock
from marketplace.accounts.models import User
from marketplace.complaints.exceptions import ComplaintProblem
from marketplace.complaints.machine import MACHINE
from marketplace.complaints.models import (
    Complaint,
    ComplaintLine,
    ComplaintPhoto,
    ComplaintReason,
    Resolution,
)
from marketplace.complaints.money import start_refund
from marketplace.complaints.moves import clean_text, move
from marketplace.complaints.notices import tell_cooperative, tell_shopper, when
from marketplace.complaints.queries import (
    COMPLAINABLE,
    MAX_PHOTOS,
    PHOTO_FOLDER,
    PHOTO_MAX_SIDE,
    C,
    answer_due,
    complaint_of_part,
    cooperative_complaint,
    shopper_complaint,
    window_end,
)
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.inventory import stock
from marketplace.inventory.exceptions import InsufficientStock
from marketplace.notifications.models import NotificationKind
from marketplace.orders import moves as order_moves
from marketplace.orders.models import ActorKind
from marketplace.storage import storage
from marketplace.uploads import check_image_or_pdf


def _store_photos(photos: list[bytes]) -> list[tuple[str, str]]:
    """Check each photo as a transfer proof is checked; store them privately."""
    config = current_app.config
    checked = [
        check_image_or_pdf(
            data,
            max_bytes=config["PAYMENT_PROOF_MAX_BYTES"],
            max_pixels=config["PAYMENT_PROOF_MAX_PIXELS"],
            max_side=PHOTO_MAX_SIDE,
        )
        for data in photos
    ]
    return [
        (storage().save(item.data, PHOTO_FOLDER, item.extension), item.content_type)
        for item in checked
    ]


def open_complaint(
    user: User,
    number: str,
    part_id: int,
    *,
    reason: str,
    message: str,
    quantities: Mapping[int, int],
    photos: list[bytes] | None = None,
) -> Complaint:
    """The shopper complains about a part of their order (see the module docstring)."""
    vendor_order = order_moves.shopper_vendor_order(user, number, part_id)
    now = clock.now()
    end = window_end(vendor_order)
    if vendor_order.state not in COMPLAINABLE or end is None:
        raise ComplaintProblem(_("Komplain hanya dapat diajukan setelah pesanan diterima."))
    if now >= end:
        raise ComplaintProblem(
            _(
                "Batas waktu komplain (%(days)s hari setelah pesanan diterima) sudah lewat.",
                days=current_app.config["ORDER_COMPLAINT_DAYS"],
            )
        )
    if complaint_of_part(vendor_order.id) is not None:
        raise ComplaintProblem(_("Bagian pesanan ini sudah memiliki komplain."))
    if reason not in set(ComplaintReason):
        raise ComplaintProblem(_("Pilih alasan komplain."))
    message = clean_text(message)
    if not message:
        raise ComplaintProblem(_("Ceritakan masalahnya untuk koperasi."))
    lines = {line.id: line for line in vendor_order.lines}
    chosen = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not chosen:
        raise ComplaintProblem(_("Pilih barang dan jumlah yang dikomplain."))
    for line_id, quantity in chosen.items():
        line = lines.get(line_id)
        if line is None:
            raise NotFound()
        if quantity < 0 or quantity > line.quantity:
            raise ComplaintProblem(
                _(
                    "Jumlah untuk %(name)s harus antara 1 dan %(max)s.",
                    name=line.product_name,
                    max=line.quantity,
                )
            )
    photos = [data for data in (photos or []) if data]
    if len(photos) > MAX_PHOTOS:
        raise ComplaintProblem(_("Paling banyak %(count)s foto.", count=MAX_PHOTOS))
    stored = _store_photos(photos)
    complaint = Complaint(
        vendor_order_id=vendor_order.id,
        cooperative_id=vendor_order.cooperative_id,
        user_id=user.id,
        reason=reason,
        message=message,
        status=C.OPEN,
        answer_due_at=answer_due(now),
        created_at=now,
        updated_at=now,
        lines=[
            ComplaintLine(order_line_id=line_id, quantity=quantity)
            for line_id, quantity in sorted(chosen.items())
        ],
        photos=[
            ComplaintPhoto(storage_key=key, content_type=content_type, position=position)
            for position, (key, content_type) in enumerate(stored)
        ],
    )
    db.session.add(complaint)
    db.session.flush()  # the unique part refuses a second complaint opened at the same time
    order_moves.note_complaint_step(
        vendor_order,
        ActorKind.SHOPPER,
        user.id,
        f"{ComplaintReason(reason).label}: {message}",
    )
    audit.record(
        "complaint.opened",
        complaint,
        actor_id=user.id,
        cooperative_id=vendor_order.cooperative_id,
        data={"number": number, "reason": reason, "lines": len(chosen)},
    )
    tell_cooperative(
        complaint,
        NotificationKind.COMPLAINT_OPENED,
        lambda: _(
            "Komplain baru untuk pesanan %(number)s. Jawab sebelum %(due)s.",
            number=number,
            due=when(complaint.answer_due_at),
        ),
    )
    return complaint


# The cooperative's answer ------------------------------------------------------------------


def _line_refunds(complaint: Complaint, amounts: Mapping[int, int]) -> int:
    """Set each line's refund (at most what was paid for its complained units); the total."""
    total = 0
    for line in complaint.lines:
        amount = amounts.get(line.order_line_id, 0)
        if amount < 0 or amount > line.paid:
            raise ComplaintProblem(
                _(
                    "Pengembalian untuk %(name)s paling banyak %(max)s.",
                    name=line.order_line.product_name,
                    max=rupiah(line.paid),
                )
            )
        line.refund_amount = amount
        total += amount
    if set(amounts) - {line.order_line_id for line in complaint.lines}:
        raise NotFound()
    if total <= 0:
        raise ComplaintProblem(_("Tulis jumlah yang dikembalikan."))
    return total


def accept_refund(
    member: User, cooperative_id: int, complaint_id: int, amounts: Mapping[int, int], note: str = ""
) -> Complaint:
    """The cooperative accepts: money back, per line (full or partial)."""
    complaint = cooperative_complaint(cooperative_id, complaint_id)
    MACHINE.find(complaint.status, C.REFUND_ACCEPTED, actor=ActorKind.COOPERATIVE)
    total = _line_refunds(complaint, amounts)
    note = clean_text(note)
    move(
        complaint,
        C.REFUND_ACCEPTED,
        ActorKind.COOPERATIVE,
        member.id,
        _("Koperasi menyetujui pengembalian dana %(amount)s.", amount=rupiah(total))
        + (f" {note}" if note else ""),
        _answered(member, Resolution.REFUND, note, refund_amount=total),
    )
    start_refund(complaint, total, member.id)
    tell_shopper(
        complaint,
        lambda: _(
            "Komplain pesanan %(number)s diterima: %(amount)s dikembalikan.",
            number=complaint.vendor_order.order.number,
            amount=rupiah(total),
        ),
    )
    return complaint


def _answered(
    member: User, resolution: Resolution, note: str, **values: object
) -> dict[str, object]:
    return {
        "answered_at": clock.now(),
        "answered_by": member.id,
        "answer_note": note,
        "resolution": resolution.value,
        **values,
    }


def accept_replacement(
    member: User, cooperative_id: int, complaint_id: int, note: str = ""
) -> Complaint:
    """The cooperative sends the goods again (the shopper closes the complaint on arrival):
    they leave its stock now, all of them or none (too few free: refused, nothing changes)."""
    complaint = cooperative_complaint(cooperative_id, complaint_id)
    note = clean_text(note)
    MACHINE.find(complaint.status, C.REPLACEMENT_ACCEPTED, actor=ActorKind.COOPERATIVE)
    quantities: dict[int, int] = {}
    for line in complaint.lines:
        variant_id = line.order_line.variant_id
        if variant_id is not None:
            quantities[variant_id] = quantities.get(variant_id, 0) + line.quantity
    try:
        stock.send_replacement(
            quantities,
            note=_("Pengganti komplain %(number)s", number=complaint.vendor_order.order.number),
            actor_id=member.id,
        )
    except InsufficientStock as shortage:
        raise InsufficientStock(
            shortage.available,
            _(
                "Stok tidak cukup untuk barang pengganti (tersedia %(n)d). Tambah stok dulu, "
                "atau setujui dengan pengembalian dana.",
                n=shortage.available,
            ),
        ) from None
    move(
        complaint,
        C.REPLACEMENT_ACCEPTED,
        ActorKind.COOPERATIVE,
        member.id,
        _("Koperasi akan mengirim barang pengganti.") + (f" {note}" if note else ""),
        _answered(member, Resolution.REPLACEMENT, note),
    )
    tell_shopper(
        complaint,
        lambda: _(
            "Komplain pesanan %(number)s diterima: koperasi mengirim barang pengganti.",
            number=complaint.vendor_order.order.number,
        ),
    )
    return complaint


def request_return(
    member: User, cooperative_id: int, complaint_id: int, amounts: Mapping[int, int], note: str = ""
) -> Complaint:
    """The cooperative asks for the goods back first; the refund (per line) follows when it
    confirms they arrived."""
    complaint = cooperative_complaint(cooperative_id, complaint_id)
    MACHINE.find(complaint.status, C.RETURN_REQUESTED, actor=ActorKind.COOPERATIVE)
    total = _line_refunds(complaint, amounts)
    note = clean_text(note)
    move(
        complaint,
        C.RETURN_REQUESTED,
        ActorKind.COOPERATIVE,
        member.id,
        _(
            "Koperasi meminta barang dikembalikan; dana %(amount)s dikembalikan setelah "
            "barang diterima.",
            amount=rupiah(total),
        )
        + (f" {note}" if note else ""),
        _answered(member, Resolution.RETURN, note, refund_amount=total),
    )
    tell_shopper(
        complaint,
        lambda: _(
            "Koperasi meminta barang pesanan %(number)s dikembalikan. Catat pengirimannya.",
            number=complaint.vendor_order.order.number,
        ),
    )
    return complaint


def reject(member: User, cooperative_id: int, complaint_id: int, reason: str) -> Complaint:
    """The cooperative rejects, with its reason (the shopper may ask the city)."""
    reason = clean_text(reason)
    if not reason:
        raise ComplaintProblem(_("Tulis alasan penolakan untuk pembeli."))
    complaint = cooperative_complaint(cooperative_id, complaint_id)
    move(
        complaint,
        C.REJECTED,
        ActorKind.COOPERATIVE,
        member.id,
        _("Koperasi menolak komplain: %(reason)s", reason=reason),
        _answered(member, Resolution.REJECTED, reason),
    )
    tell_shopper(
        complaint,
        lambda: _(
            "Koperasi menolak komplain pesanan %(number)s. Anda dapat meminta Admin Kota "
            "memutuskan.",
            number=complaint.vendor_order.order.number,
        ),
    )
    return complaint


# Goods sent back ----------------------------------------------------------------------------


def record_return_shipment(
    user: User, number: str, part_id: int, courier: str, tracking_number: str
) -> Complaint:
    """The shopper sent the goods back: the courier and its tracking number."""
    courier = (courier or "").strip()
    tracking_number = (tracking_number or "").strip()
    if not courier or not tracking_number:
        raise ComplaintProblem(_("Tulis nama kurir dan nomor resi pengiriman."))
    complaint = shopper_complaint(user, number, part_id)
    move(
        complaint,
        C.RETURN_SHIPPED,
        ActorKind.SHOPPER,
        user.id,
        _(
            "Pembeli mengirim barang kembali: %(courier)s %(tracking)s",
            courier=courier,
            tracking=tracking_number,
        ),
        {
            "return_courier": courier[:60],
            "return_tracking_number": tracking_number[:80],
            "return_shipped_at": clock.now(),
        },
    )
    tell_cooperative(
        complaint,
        NotificationKind.COMPLAINT_ANSWERED,
        lambda: _(
            "Barang pesanan %(number)s dikirim kembali (%(courier)s %(tracking)s). Konfirmasi "
            "setelah diterima.",
            number=number,
            courier=courier,
            tracking=tracking_number,
        ),
    )
    return complaint


def confirm_return_received(
    member: User, cooperative_id: int, complaint_id: int, *, sellable: bool
) -> Complaint:
    """The goods came back: sellable ones go back into stock, the units returned come off
    "Terjual", and the refund agreed starts."""
    complaint = cooperative_complaint(cooperative_id, complaint_id)
    note = (
        _("Koperasi menerima barang kembali (dapat dijual lagi).")
        if sellable
        else _("Koperasi menerima barang kembali (tidak dapat dijual lagi).")
    )
    move(
        complaint,
        C.REFUND_ACCEPTED,
        ActorKind.COOPERATIVE,
        member.id,
        note,
        {"return_received_at": clock.now(), "return_sellable": sellable},
    )
    quantities: dict[int, int] = {}
    for line in complaint.lines:
        variant_id = line.order_line.variant_id
        quantities[variant_id] = quantities.get(variant_id, 0) + line.quantity
    stock.take_back(
        quantities,
        sellable=sellable,
        note=complaint.vendor_order.order.number or "",
        actor_id=member.id,
    )
    start_refund(complaint, complaint.refund_amount or 0, member.id)
    tell_shopper(
        complaint,
        lambda: _(
            "Koperasi menerima barang pesanan %(number)s kembali; dana Anda dikembalikan.",
            number=complaint.vendor_order.order.number,
        ),
    )
    return complaint


# The shopper's other steps --------------------------------------------------------------------


def close_by_shopper(user: User, number: str, part_id: int) -> Complaint:
    """The shopper accepts a rejection, or says the replacement arrived."""
    complaint = shopper_complaint(user, number, part_id)
    move(
        complaint,
        C.CLOSED,
        ActorKind.SHOPPER,
        user.id,
        _("Pembeli menutup komplain."),
        {"closed_at": clock.now()},
    )
    return complaint
