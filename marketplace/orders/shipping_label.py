"""A part's shipping label: an A6 page to stick on the parcel, with the sender, the recipient,
the weight, the courier, and the tracking number and order number as Code 128 barcodes a
courier's scanner reads. Made here from the order (no outside service); the barcodes are SVG
drawn by python-barcode, so nothing is fetched while the PDF renders.
"""

from __future__ import annotations

import base64
import io

from barcode import Code128
from barcode.writer import SVGWriter
from flask import render_template

from marketplace.orders.models import DeliveryMethod, VendorOrder
from marketplace.pdf import pdf_from_html


def barcode_data_uri(text: str) -> str:
    """``text`` as a Code 128 barcode, an SVG image in a ``data:`` URL (the label prints the
    text itself below it, large enough to type)."""
    drawn = io.BytesIO()
    Code128(text, writer=SVGWriter()).write(
        drawn, options={"module_height": 12.0, "quiet_zone": 2.0, "write_text": False}
    )
    return "data:image/svg+xml;base64," + base64.b64encode(drawn.getvalue()).decode("ascii")


def is_labelled(vendor_order: VendorOrder) -> bool:
    """A part that travels to the shopper has a label; one collected at the cooperative not."""
    return vendor_order.delivery_method != DeliveryMethod.PICKUP


def label_html(vendor_order: VendorOrder) -> str:
    order = vendor_order.order
    return render_template(
        "orders/shipping_label.html",
        part=vendor_order,
        order=order,
        cooperative=vendor_order.cooperative,
        items=sum(line.quantity for line in vendor_order.lines),
        order_barcode=barcode_data_uri(order.number or ""),
        resi_barcode=(
            barcode_data_uri(vendor_order.tracking_number) if vendor_order.tracking_number else None
        ),
    )


def label_pdf(vendor_order: VendorOrder) -> bytes:
    return pdf_from_html(label_html(vendor_order))


def label_filename(vendor_order: VendorOrder) -> str:
    return f"label-{vendor_order.order.number}-{vendor_order.id}.pdf"
