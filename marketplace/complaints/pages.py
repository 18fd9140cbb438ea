"""What every side's complaint page shows, and its private files (the workspaces use these)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from marketplace.complaints import queries
from marketplace.complaints.models import Complaint
from marketplace.http import private_download


def file_response(data: bytes, content_type: str, name: str) -> Response:
    """A complaint's photo or refund proof, only to those allowed to see it: never cached by
    anyone else, images inline, PDFs downloaded."""
    extension = content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    return private_download(
        data, content_type, f"{name}.{extension}", inline=content_type.startswith("image/")
    )


def photo_response(complaint: Complaint, photo_id: int) -> Response:
    data, content_type = queries.photo_of(complaint, photo_id)
    return file_response(data, content_type, f"komplain-{complaint.id}-foto-{photo_id}")


def proof_response(complaint: Complaint) -> Response:
    data, content_type = queries.private_file(
        complaint.refund_proof_key, complaint.refund_proof_content_type
    )
    return file_response(data, content_type, f"komplain-{complaint.id}-bukti-pengembalian")


def context(complaint: Complaint) -> dict[str, object]:
    """The complaint, its part and order, its steps and its refund, for a template."""
    return {
        "complaint": complaint,
        "part": complaint.vendor_order,
        "order": complaint.vendor_order.order,
        "steps": queries.timeline(complaint),
        "refund": queries.refund_of(complaint),
        "lapsed": queries.is_lapsed(complaint),
    }
