"""Issued documents, frozen: each round's letter, the Surat Pesanan, each BAST and each invoice
is rendered to PDF once, in the transaction that issues it, and those bytes are what every party
downloads from then on, whatever changes later in the templates or the data. Their SHA-256 is
recorded, and the document prints a short verification address (``/v/<token>``) with its QR
code: anyone holding a copy can check that it was issued, which version it is, when and by whom.

A later fact printed on a document (the faktur pajak number, the payment) does not touch the
bytes already issued: it issues the next version, numbered with a ``/v2``, ``/v3``... suffix
(a slash, because the round letters already end in ``-<round>``), with its own token.

Documents issued before freezing existed have no version until ``flask procurement
freeze-documents`` freezes them; until then a download renders them without storing anything
(a GET never writes) and the PDF says it carries no verification code.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from marketplace import audit, clock, jobs
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.payments.qr import qr_svg
from marketplace.procurement import documents
from marketplace.procurement.common import local_day
from marketplace.procurement.models import (
    Bast,
    FrozenDocument,
    FrozenKind,
    Invoice,
    PurchaseOrder,
    QuotationRound,
    RoundKind,
)
from marketplace.storage import PRIVATE_PREFIX, storage
from marketplace.urls import absolute_url, site_request_context

FOLDER = PRIVATE_PREFIX + "procurement-frozen"
FROZEN_KINDS = tuple(str(kind) for kind in FrozenKind)
#: 12 base32 characters: 60 random bits, short enough to type from paper.
TOKEN_LENGTH = 12

#: Who issues a document, as the verification page and the record name them.
AS_COOPERATIVE = "cooperative"
AS_PP = "pp"
AS_PPK = "ppk"
AS_RECEIVER = "receiver"
AS_TREASURER = "treasurer"


def _role_label(role: str) -> str:
    labels: dict[str, str] = {
        AS_COOPERATIVE: _("Penyedia"),
        AS_PP: _("Pejabat Pengadaan"),
        AS_PPK: _("Pejabat Pembuat Komitmen"),
        AS_RECEIVER: _("Pemeriksa/Penerima Barang"),
        AS_TREASURER: _("Bendahara Pengeluaran"),
    }
    return labels[role]


def new_token() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()[:TOKEN_LENGTH]


def numbered(number: str, version: int) -> str:
    """The number printed on a version: the document's own for the first, then ``/v<N>``."""
    return number if version == 1 else f"{number}/v{version}"


@dataclass(frozen=True)
class Verification:
    """What a frozen document prints near its signatures."""

    token: str
    version: int
    number: str

    @property
    def url(self) -> str:
        return absolute_url("verify.document", token=self.token)

    @property
    def qr(self) -> Markup:
        return qr_svg(self.url, label=_("Kode QR verifikasi dokumen"), scale=2)


def verification_of(frozen: FrozenDocument) -> Verification:
    return Verification(frozen.token, frozen.version, frozen.number)


# --- reading ----------------------------------------------------------------------------------


def versions(kind: str, object_id: int) -> list[FrozenDocument]:
    """The frozen versions of one document, the first first."""
    return list(
        db.session.scalars(
            select(FrozenDocument)
            .where(FrozenDocument.kind == kind, FrozenDocument.object_id == object_id)
            .order_by(FrozenDocument.version)
        )
    )


def by_token(token: str) -> tuple[FrozenDocument, int]:
    """The version a token names, and the number of the document's latest version; an unknown
    token is not found."""
    if not token.isalnum() or len(token) != TOKEN_LENGTH:
        raise NotFound()
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.token == token.lower()))
    if frozen is None:
        raise NotFound()
    latest = db.session.scalar(
        select(func.max(FrozenDocument.version)).where(
            FrozenDocument.kind == frozen.kind, FrozenDocument.object_id == frozen.object_id
        )
    )
    return frozen, int(latest or frozen.version)


def read(frozen: FrozenDocument) -> bytes:
    try:
        return storage().read(frozen.storage_key)
    except FileNotFoundError as error:
        raise NotFound() from error


def same_bytes(frozen: FrozenDocument, data: bytes) -> bool:
    """Whether ``data`` is exactly the PDF of that version (by its recorded hash)."""
    return secrets.compare_digest(hashlib.sha256(data).hexdigest(), frozen.sha256)


def pdf_of(document: documents.Document) -> tuple[bytes, FrozenDocument | None]:
    """The PDF a download serves: the latest frozen version's bytes, exactly as issued; for a
    document issued before freezing existed (not frozen yet by the CLI), a rendering that is
    not stored and says it carries no verification code."""
    if document.frozen_as is not None:
        found = versions(*document.frozen_as)
        if found:
            return read(found[-1]), found[-1]
    return documents.render_pdf(document), None


# --- freezing ---------------------------------------------------------------------------------


def _discard_on_rollback(session: Session, key: str) -> None:
    """Delete the stored file if the transaction that froze it rolls back: a file whose row was
    never committed is nobody's document. Committed, it stays for good."""
    pending: list[str] = session.info.setdefault("frozen_pending", [])
    pending.append(key)
    if event.contains(session, "after_rollback", _remove_pending):
        return
    event.listen(session, "after_rollback", _remove_pending)
    event.listen(session, "after_commit", _keep_pending)


def _remove_pending(session: Session) -> None:
    for key in session.info.pop("frozen_pending", []):
        storage().delete(key)


def _keep_pending(session: Session) -> None:
    session.info.pop("frozen_pending", None)


@dataclass(frozen=True)
class _Issuer:
    user: User | None
    role: str
    at: datetime


def _parties(kind: str, object_id: int) -> tuple[str, str]:
    """The agency's and the cooperative's names as the document prints them."""
    if kind == "round":
        quotation = db.session.get(QuotationRound, object_id).quotation  # type: ignore[union-attr]
        return quotation.request.agency.name, quotation.cooperative.name
    model = {"order": PurchaseOrder, "bast": Bast, "invoice": Invoice}[kind]
    obj: Any = db.session.get(model, object_id)
    order = obj if kind == "order" else obj.purchase_order
    return order.agency_name, order.cooperative_name


def original_issuer(kind: str, object_id: int) -> _Issuer:
    """Who issued a document and when, from its own record (for documents frozen later)."""
    if kind == "round":
        round_ = db.session.get(QuotationRound, object_id)
        assert round_ is not None
        role = AS_COOPERATIVE if round_.kind == RoundKind.OFFER else AS_PP
        return _Issuer(round_.author, role, round_.created_at)
    if kind == "order":
        order = db.session.get(PurchaseOrder, object_id)
        assert order is not None
        return _Issuer(order.issued_by, AS_PPK, order.issued_at)
    if kind == "bast":
        bast = db.session.get(Bast, object_id)
        assert bast is not None
        return _Issuer(bast.receiver, AS_RECEIVER, bast.issued_at)
    invoice = db.session.get(Invoice, object_id)
    assert invoice is not None
    issuer = db.session.get(User, invoice.issued_by_id) if invoice.issued_by_id else None
    return _Issuer(issuer, AS_COOPERATIVE, invoice.issued_at)


def freeze(
    kind: str, object_id: int, by: User | None, role: str, at: datetime | None = None
) -> FrozenDocument:
    """Issue the next version of a document: render its PDF with a new verification token,
    store the bytes and record them, in the caller's transaction. ``role`` is one of the
    ``AS_*`` names; ``at`` the moment of issue (now, unless freezing an older document)."""
    issued = documents.issued_document(kind, object_id)
    if issued is None:
        raise NotFound()
    document = issued.document
    at = at or clock.now()
    previous = db.session.scalar(
        select(func.max(FrozenDocument.version)).where(
            FrozenDocument.kind == kind, FrozenDocument.object_id == object_id
        )
    )
    version = int(previous or 0) + 1
    verification = Verification(new_token(), version, numbered(document.number, version))
    # Outside a request (the CLI, a job) links and static files need the site's address.
    with nullcontext() if has_request_context() else site_request_context():
        data = documents.render_pdf(
            document, verification=verification, document_date=local_day(at)
        )
        with force_locale("id"):
            agency, cooperative = _parties(kind, object_id)
            organisation = cooperative if role == AS_COOPERATIVE else agency
            role_text = f"{_role_label(role)}, {organisation}"
    key = storage().save(data, FOLDER, "pdf")
    _discard_on_rollback(db.session(), key)
    frozen = FrozenDocument(
        kind=kind,
        object_id=object_id,
        version=version,
        number=verification.number,
        storage_key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        issued_at=at,
        frozen_at=clock.now(),
        issued_by_id=by.id if by is not None else None,
        issued_by_name=(by.full_name or by.email)[:120] if by is not None else "–",
        issued_by_role=role_text[:200],
        token=verification.token,
    )
    db.session.add(frozen)
    db.session.flush()
    audit.record(
        "procurement.document.frozen",
        frozen,
        actor_id=by.id if by is not None else None,
        cooperative_id=issued.cooperative_id,
        data={"number": frozen.number, "version": version, "sha256": frozen.sha256},
    )
    return frozen


def missing() -> list[tuple[str, int]]:
    """The issued documents that have no frozen version yet: those issued before freezing
    existed."""
    frozen_ids = set(
        db.session.execute(select(FrozenDocument.kind, FrozenDocument.object_id).distinct())
    )
    todo: list[tuple[str, int]] = []
    for kind, model in (
        ("round", QuotationRound),
        ("order", PurchaseOrder),
        ("bast", Bast),
        ("invoice", Invoice),
    ):
        ids = db.session.scalars(select(model.id).order_by(model.id))
        todo += [(kind, i) for i in ids if (kind, i) not in frozen_ids]
    return todo


def freeze_missing() -> int:
    """Freeze each document `missing` a version, as of its own issue (its issuer, its date),
    each in its own transaction; returns how many. ``flask procurement freeze-documents`` runs
    it once after the upgrade; running it again freezes nothing twice."""
    log = logging.getLogger(__name__)

    def freeze_original(item: tuple[str, int]) -> None:
        issuer = original_issuer(*item)
        freeze(*item, issuer.user, issuer.role, issuer.at)

    done = jobs.each_in_own_transaction(
        missing(), freeze_original, lambda item: f"Could not freeze {item[0]} {item[1]}", logger=log
    )
    return len(done)
