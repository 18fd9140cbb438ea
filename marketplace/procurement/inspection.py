"""The inspection as it happened, for the BAST: the day the goods were inspected (entered by
the team, not always the day the BAST is recorded) and the inspection team (the PPHP: its chair
and members, each with name, NIP and role), chosen from the agency's members or typed for
someone who has no account here.

The rules: the day is not in the future and not before the goods could have been inspected (the
delivery's day, which is itself never before the Surat Pesanan); the team has at least one and at
most `MAX_TEAM` people, each named once, with a role and a valid NIP (or none, for the dotted
line). A chosen member's name and NIP come from their record unless typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.procurement.agencies import InvalidNip, clean_nip
from marketplace.procurement.common import local_day, today
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.models import AgencyMember, BastInspector, Delivery

MAX_TEAM = 5
#: The role printed for a receiver who inspected alone (documents are in Indonesian).
RECEIVER_ROLE = "Pemeriksa/Penerima Barang"
NAME_LENGTH = 120
ROLE_LENGTH = 60


@dataclass(frozen=True)
class Inspector:
    """One team member as entered: a member of the agency (``user_id``) or a typed name."""

    role: str
    user_id: int | None = None
    name: str = ""
    nip: str | None = None


@dataclass(frozen=True)
class Inspection:
    inspected_on: date
    team: list[Inspector] = field(default_factory=list)


@dataclass(frozen=True)
class TeamChoice:
    """An agency member offered in the team's list: the name and NIP their record gives."""

    user_id: int
    name: str
    nip: str | None


def team_choices(agency_id: int) -> list[TeamChoice]:
    """The agency's members (each person once), for choosing the team."""
    rows = db.session.execute(
        select(User.id, User.full_name, AgencyMember.nip)
        .join(AgencyMember, AgencyMember.user_id == User.id)
        .where(AgencyMember.agency_id == agency_id)
        .order_by(User.full_name, User.id, AgencyMember.id)
    )
    seen: dict[int, TeamChoice] = {}
    for user_id, name, nip in rows:
        if user_id not in seen or (nip and not seen[user_id].nip):
            seen[user_id] = TeamChoice(user_id, name or "", nip)
    return list(seen.values())


def earliest_day(delivery: Delivery) -> date:
    """The first day the goods could have been inspected: the delivery's, and never before the
    Surat Pesanan was issued."""
    return max(delivery.delivered_on, local_day(delivery.purchase_order.issued_at))


def _refuse(message: str) -> InvalidProcurementInput:
    return InvalidProcurementInput(message)


def check_day(delivery: Delivery, day: date) -> date:
    if day > today():
        raise _refuse(_("Tanggal pemeriksaan tidak boleh setelah hari ini."))
    order_day = local_day(delivery.purchase_order.issued_at)
    if day < order_day:
        raise _refuse(_("Tanggal pemeriksaan tidak boleh sebelum tanggal Surat Pesanan."))
    if day < delivery.delivered_on:
        raise _refuse(_("Tanggal pemeriksaan tidak boleh sebelum tanggal surat jalan."))
    return day


def team_rows(agency_id: int, team: list[Inspector]) -> list[BastInspector]:
    """The team as it will be printed, or a refusal saying which row is wrong."""
    if not team:
        raise _refuse(_("Isi paling sedikit satu anggota tim pemeriksa."))
    if len(team) > MAX_TEAM:
        raise _refuse(_("Tim pemeriksa paling banyak %(n)d orang.", n=MAX_TEAM))
    choices = {choice.user_id: choice for choice in team_choices(agency_id)}
    rows: list[BastInspector] = []
    people: set[object] = set()
    for position, inspector in enumerate(team, start=1):
        chosen = None
        if inspector.user_id is not None:
            # Never trust a posted id: only this agency's members may be chosen.
            chosen = choices.get(inspector.user_id)
            if chosen is None:
                raise _refuse(
                    _("Tim pemeriksa baris %(n)d: pilih anggota instansi ini.", n=position)
                )
        name = " ".join(inspector.name.split()) or (chosen.name if chosen else "")
        role = " ".join(inspector.role.split())
        try:
            nip = clean_nip(inspector.nip) or (chosen.nip if chosen else None)
        except InvalidNip as error:
            raise _refuse(
                _("Tim pemeriksa baris %(n)d: %(error)s", n=position, error=error.message)
            ) from error
        if not name:
            raise _refuse(_("Tim pemeriksa baris %(n)d: isi nama.", n=position))
        if len(name) > NAME_LENGTH:
            raise _refuse(
                _("Tim pemeriksa baris %(n)d: nama paling banyak 120 karakter.", n=position)
            )
        if not role:
            raise _refuse(_("Tim pemeriksa baris %(n)d: isi jabatan dalam tim.", n=position))
        if len(role) > ROLE_LENGTH:
            raise _refuse(
                _("Tim pemeriksa baris %(n)d: jabatan paling banyak 60 karakter.", n=position)
            )
        keys = {("user", chosen.user_id) if chosen else ("name", name.casefold())}
        if nip:
            keys.add(("nip", nip))
        if keys & people:
            raise _refuse(_("Tim pemeriksa baris %(n)d: orang ini sudah ada di tim.", n=position))
        people |= keys
        rows.append(
            BastInspector(
                position=position,
                user_id=chosen.user_id if chosen else None,
                name=name,
                nip=nip,
                role=role,
            )
        )
    return rows
