"""The courier services a cooperative hands parcels to when no aggregator books them: their
names as the shopper knows them, where the shopper follows a parcel, and what their tracking
numbers (resi) usually look like.

A resi that does not look like its courier's is warned about, never refused: couriers change
their formats, and a cooperative holding the receipt knows better than a pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Courier:
    code: str
    name: str
    #: The courier's own site, where a tracking number is entered.
    tracking_site: str
    #: What its tracking numbers usually look like (letters upper-cased, spaces removed).
    resi_pattern: re.Pattern[str]


COURIERS: tuple[Courier, ...] = (
    Courier("jne", "JNE", "https://www.jne.co.id", re.compile(r"[A-Z0-9]{10,16}")),
    Courier("jnt", "J&T Express", "https://jet.co.id", re.compile(r"J[A-Z]\d{10}|\d{12}")),
    Courier("sicepat", "SiCepat", "https://www.sicepat.com", re.compile(r"\d{12}")),
    Courier(
        "pos", "Pos Indonesia", "https://www.posindonesia.co.id", re.compile(r"[A-Z0-9]{10,20}")
    ),
    Courier("anteraja", "AnterAja", "https://anteraja.id", re.compile(r"\d{12,16}")),
)
BY_NAME = {courier.name.casefold(): courier for courier in COURIERS}
BY_CODE = {courier.code: courier for courier in COURIERS}


def courier_named(name: str | None) -> Courier | None:
    """The known courier a part was shipped with, by the name recorded on it."""
    return BY_NAME.get((name or "").strip().casefold())


def normalised_resi(resi: str) -> str:
    """A tracking number as couriers print it: upper case, without spaces or dashes."""
    return re.sub(r"[\s-]+", "", resi or "").upper()


def looks_unusual(courier: Courier | None, resi: str) -> bool:
    """Whether ``resi`` does not look like ``courier``'s tracking numbers (never for a courier
    not listed: there is nothing to compare with)."""
    if courier is None or not resi:
        return False
    return courier.resi_pattern.fullmatch(normalised_resi(resi)) is None
