"""The public verification page of a frozen document (``/v/<token>``, printed with a QR code on
the document): anyone holding a copy may open it, without an account. It says only that the
document is genuine, its kind, number and version, when and by whom it was issued, and whether
a newer version exists: no amounts, no other party's data. A PDF copy may be checked against
the version's recorded hash; the file is never stored."""

from __future__ import annotations

from flask import current_app, render_template, request

from marketplace.extensions import limiter
from marketplace.http import FORM_ERROR, Page, user_or_address
from marketplace.policy import PUBLIC, allow
from marketplace.procurement import document_forms, freezing, verify_bp

#: A copy larger than this is not the document (the largest issued PDFs are far smaller).
MAX_COPY_BYTES = 20 * 1024 * 1024


def _verify_limit() -> str:
    return str(current_app.config["RATELIMIT_DOCUMENT_VERIFY"])


@verify_bp.route("/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_verify_limit, key_func=user_or_address)
def document(token: str) -> Page:
    frozen, latest = freezing.by_token(token)
    form = document_forms.VerifyCopyForm()
    identical: bool | None = None
    if request.method == "POST":
        if not form.validate_on_submit():
            page = render_template(
                "procurement/verify.html", frozen=frozen, latest=latest, form=form
            )
            return page, FORM_ERROR
        identical = freezing.same_bytes(frozen, form.copy.data.read(MAX_COPY_BYTES + 1))
    return render_template(
        "procurement/verify.html", frozen=frozen, latest=latest, form=form, identical=identical
    )
