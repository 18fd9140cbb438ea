"""The issued PDFs of the procurement's documents, frozen: the exact bytes each party received,
with their SHA-256 and the token of the public verification page."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import in_check, utcnow
from marketplace.extensions import Model
from marketplace.labels import LabelledEnum


class FrozenKind(LabelledEnum):
    """The documents frozen when they are issued: each round's letter (the cooperative's Surat
    Penawaran or the agency's counter-offer), the Surat Pesanan, each BAST, each invoice."""

    ROUND = "round", _l("Surat penawaran / negosiasi harga")
    ORDER = "order", _l("Surat Pesanan")
    BAST = "bast", _l("Berita Acara Serah Terima")
    INVOICE = "invoice", _l("Invoice / Kuitansi")


class FrozenDocument(Model):
    """One version of an issued document: its PDF stored once, never replaced or deleted. A
    later fact printed on it (a faktur pajak number, the payment) issues the next version, with
    the number suffixed ``/v2``, ``/v3``...; the earlier ones stay downloadable."""

    __tablename__ = "procurement_frozen_documents"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "version", name="uq_procurement_frozen_version"),
        UniqueConstraint("token", name="uq_procurement_frozen_token"),
        CheckConstraint(in_check(FrozenKind, "kind"), name="kind"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: The round's, Surat Pesanan's, BAST's or invoice's id.
    object_id: Mapped[int]
    version: Mapped[int]
    #: The number printed on this version: the document's, with ``/v<N>`` from version 2.
    number: Mapped[str] = mapped_column(String(40))
    storage_key: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    #: When the document (this version) was issued; ``frozen_at`` when its bytes were stored
    #: (later only for documents issued before freezing existed, frozen by the CLI).
    issued_at: Mapped[datetime]
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Who issued it as the verification page names them: the name, the role and the agency or
    #: cooperative, copied so that a later change of account leaves the record as it was.
    issued_by_name: Mapped[str] = mapped_column(String(120))
    issued_by_role: Mapped[str] = mapped_column(String(200))
    #: The public verification page's key (``/v/<token>``): random, 12 base32 characters.
    token: Mapped[str] = mapped_column(String(16))

    issued_by: Mapped[User | None] = relationship()

    @property
    def document_kind(self) -> FrozenKind:
        return FrozenKind(self.kind)
