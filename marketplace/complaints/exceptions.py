"""The complaints' errors: each message says what to do."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, TransitionRefused


class ComplaintProblem(DomainError):
    """The complaint cannot be made or changed as asked; the message says why."""

    default_message = _l("Komplain ini tidak dapat diproses.")


class ComplaintMoveRefused(TransitionRefused):
    """A move the complaint's machine does not allow (or someone else moved it first)."""

    default_message = _l("Komplain ini sudah berubah statusnya. Muat ulang halaman.")

    def describe(self, source: str, target: str) -> str:
        return str(
            _(
                "Komplain berstatus \u201c%(source)s\u201d tidak dapat diubah menjadi "
                "\u201c%(target)s\u201d.",
                source=source,
                target=target,
            )
        )
