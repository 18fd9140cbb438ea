"""One enum base with labels: every choice the screens name (a status, a method, a kind) is a
`LabelledEnum`, each member declared with its stored value and its lazy label::

    class InvoiceStatus(LabelledEnum):
        ISSUED = "issued", _l("Menunggu pembayaran")
        PAID = "paid", _l("Lunas")

``.value`` (and ``str()``) stay the stored string, so the database, the CHECK constraints and the
forms see what they saw before; ``.label`` is the label in the current locale. Templates read
``.label`` instead of spelling out a chain of ``{% if status == ... %}``.
"""

from __future__ import annotations

import enum
from typing import Self

from flask_babel.speaklater import LazyString


class LabelledEnum(enum.StrEnum):
    """A string enum whose members each carry a translatable label."""

    _value_: str
    _label: LazyString  # translated when read, in the reader's locale

    def __new__(cls, value: str, label: LazyString | None = None) -> Self:
        # Called only to declare members: once the class exists, ``Status("paid")`` looks a member
        # up without calling this. The default is for the type checker, which reads a lookup as a
        # call of this signature; a member declared without a label is refused.
        if label is None:
            raise TypeError(f"{cls.__name__} member {value!r} is declared without a label")
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The member's name for people, in the current locale."""
        return str(self._label)
