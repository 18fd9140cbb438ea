"""A cooperative's owner cannot vanish while the shop depends on them; staff simply leave."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from marketplace.accounts.models import User
from marketplace.accounts.privacy import (
    ErasureRefused,
    collect_personal_data,
    erase_personal_data,
)
from marketplace.cooperatives.models import CooperativeMember, MemberRole
from marketplace.extensions import db


def _membership(user: User) -> CooperativeMember | None:
    return db.session.scalar(select(CooperativeMember).where(CooperativeMember.user_id == user.id))


@collect_personal_data.connect
def _export_membership(user: User) -> tuple[str, dict[str, Any]] | None:
    member = _membership(user)
    if member is None:
        return None
    return "cooperative_membership", {"cooperative": member.cooperative.name, "role": member.role}


@erase_personal_data.connect
def _leave_cooperative(user: User) -> None:
    member = _membership(user)
    if member is None:
        return
    if member.role == MemberRole.OWNER:
        raise ErasureRefused(
            str(
                _l(
                    "Anda pemilik sebuah koperasi. Serahkan kepemilikan atau hubungi "
                    "DiskopUkmperindag sebelum menghapus akun."
                )
            )
        )
    db.session.execute(delete(CooperativeMember).where(CooperativeMember.id == member.id))
