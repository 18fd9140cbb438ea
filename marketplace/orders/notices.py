"""What the people of an order are told: the emails of a move and the notes the system writes.

System notes are stored in the site's language whoever's request triggered them, and shown in the
reader's (`display_note`); `status_message` says in a sentence what happened to a part.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.cooperatives.services import active_members
from marketplace.i18n import format_day
from marketplace.mail import queue_email
from marketplace.notifications.models import NotificationKind
from marketplace.notifications.services import notify, whatsapp_link
from marketplace.orders.models import (
    VendorOrder,
    VendorOrderEvent,
    VendorOrderStatus,
)
from marketplace.urls import absolute_url

S = VendorOrderStatus


def tell_cooperative_cancelled(vendor_order: VendorOrder, event: VendorOrderEvent) -> None:
    """Someone else cancelled a part the cooperative was told to prepare: each member gets a
    notice, and its email unless they turned that off."""
    order = vendor_order.order
    notify(
        active_members(vendor_order.cooperative_id),
        NotificationKind.PART_CANCELLED,
        lambda: _(
            "Pesanan %(number)s dibatalkan oleh %(who)s. Jangan siapkan atau kirim barangnya.",
            number=order.number,
            who=event.actor.label.lower(),
        ),
        "vendors.order",
        email_template="vendor_order_cancelled",
        email_context={
            "order": order,
            "vendor_order": vendor_order,
            "event": event,
            "display_note": display_note,
        },
        whatsapp_url=whatsapp_link(order.phone, order.number),
        vendor_order_id=vendor_order.id,
    )


def queue_cooperative_email(vendor_order: VendorOrder, template: str, **context: Any) -> None:
    """Tell the members of the part's cooperative, each in their language."""
    order = vendor_order.order
    for member in active_members(vendor_order.cooperative_id):
        queue_email(
            member.email,
            template,
            member.locale,
            order=order,
            vendor_order=vendor_order,
            member=member,
            order_url=absolute_url("vendors.order", vendor_order_id=vendor_order.id),
            **context,
        )


#: Notes the system writes, by their Indonesian text. They are stored in the site's language
#: whoever's request triggered them, and shown in the reader's (`display_note`).
_SYSTEM_NOTES = {
    "Dibatalkan oleh pembeli.": _l("Dibatalkan oleh pembeli."),
    "Dibatalkan otomatis: batas waktu pembayaran atau pengambilan sudah lewat.": _l(
        "Dibatalkan otomatis: batas waktu pembayaran atau pengambilan sudah lewat."
    ),
    "Selesai otomatis setelah diterima.": _l("Selesai otomatis setelah diterima."),
    "Pembeli mengonfirmasi pesanan sudah diterima.": _l(
        "Pembeli mengonfirmasi pesanan sudah diterima."
    ),
    "Menunggu konfirmasi koperasi.": _l("Menunggu konfirmasi koperasi."),
    "Menunggu konfirmasi Pasar OPOP.": _l("Menunggu konfirmasi Pasar OPOP."),
}


def in_default_language(message: str) -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(_SYSTEM_NOTES[message])


def display_note(note: str) -> str:
    """A timeline note or cancellation reason as the reader should see it."""
    translated = _SYSTEM_NOTES.get(note)
    return str(translated) if translated is not None else note


def status_message(vendor_order: VendorOrder, event: VendorOrderEvent) -> str:
    """What happened to this part, in a sentence for the shopper (the current locale)."""
    name = vendor_order.cooperative_name
    status = event.status
    if status == S.PAID:
        return str(_("Pembayaran untuk pesanan dari %(name)s sudah diterima.", name=name))
    if status == S.ACCEPTED:
        return str(_("%(name)s sedang memproses pesanan Anda.", name=name))
    if status == S.SHIPPED:
        message = _("%(name)s sudah mengirim pesanan Anda.", name=name)
        if vendor_order.courier_name:
            message += " " + _("Dikirim lewat %(courier)s", courier=vendor_order.courier_name)
            if vendor_order.tracking_number:
                message += ", " + _("Nomor resi: %(number)s", number=vendor_order.tracking_number)
            message += "."
        return str(message)
    if status == S.READY_FOR_PICKUP:
        message = _(
            "Pesanan Anda siap diambil di %(name)s, %(address)s.",
            name=name,
            address=vendor_order.cooperative.address,
        )
        if vendor_order.payment_due_at is not None:
            message += " " + _(
                "Ambil dan bayar paling lambat %(deadline)s.",
                deadline=format_day(vendor_order.payment_due_at, "medium"),
            )
        return str(message)
    if status == S.DELIVERED:
        return str(_("Pesanan Anda dari %(name)s sudah diterima. Terima kasih!", name=name))
    if status == S.COMPLETED:
        return str(_("Pesanan Anda dari %(name)s sudah selesai.", name=name))
    if status == S.CANCELLED:
        message = _("Pesanan dari %(name)s dibatalkan.", name=name)
        if vendor_order.cancel_reason:
            message += " " + _(
                "Alasan pembatalan: %(reason)s", reason=display_note(vendor_order.cancel_reason)
            )
        return str(message)
    return str(_("Dana untuk pesanan dari %(name)s sudah dikembalikan.", name=name))


def queue_status_email(vendor_order: VendorOrder, event: VendorOrderEvent) -> None:
    order = vendor_order.order
    shopper = order.user
    locale = shopper.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = status_message(vendor_order, event)
    queue_email(
        shopper.email,
        "order_status_changed",
        locale,
        order=order,
        vendor_order=vendor_order,
        event=event,
        user=shopper,
        message=message,
        order_url=absolute_url("orders.detail", number=order.number),
    )
