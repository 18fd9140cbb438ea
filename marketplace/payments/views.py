"""Small helpers the payment routes share."""

from __future__ import annotations

from werkzeug.wrappers import Response

from marketplace import exports
from marketplace.http import private_download
from marketplace.payments import settlement, transfers
from marketplace.payments.models import Payment


def proof_response(payment: Payment) -> Response:
    """A transfer proof, to the people allowed to see it: never cached by anyone else, images
    shown inline, PDFs downloaded (a browser's PDF viewer is more than a proof needs)."""
    data, content_type = transfers.proof_file(payment)
    extension = content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    return private_download(
        data,
        content_type,
        f"bukti-transfer-{payment.id}.{extension}",
        inline=content_type.startswith("image/"),
    )


def statement_download(cooperative_id: int) -> Response:
    """A cooperative's statement as a CSV file (for the cooperative and for the city)."""
    content = settlement.statement_csv(cooperative_id)
    return exports.download(content, f"laporan-koperasi-{cooperative_id}.csv")
