"""Destination zones of the cooperatives' own courier tables: pure, from region codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.labels import LabelledEnum

#: Jawa Timur's province code.
EAST_JAVA = "35"
#: DKI Jakarta, Jawa Barat, Jawa Tengah, DI Yogyakarta, Jawa Timur, Banten.
JAVA = frozenset({"31", "32", "33", "34", "35", "36"})


class Zone(LabelledEnum):
    """From nearest to farthest; a destination is in the first zone that holds it."""

    DISTRICT = "district", _l("Satu kecamatan")
    CITY = "city", _l("Satu kota/kabupaten")
    EAST_JAVA = "east_java", _l("Jawa Timur")
    JAVA = "java", _l("Pulau Jawa")
    OUTSIDE_JAVA = "outside_java", _l("Luar Jawa")


def _province(code: str) -> str:
    return code.split(".", 1)[0]


def _regency(code: str) -> str:
    return ".".join(code.split(".")[:2])


def _district(code: str) -> str:
    return ".".join(code.split(".")[:3])


def zone_of(origin_district: str, destination: str) -> Zone:
    """The zone of a destination (a district or village code, "35.76.02" or "35.76.02.1009")
    seen from the cooperative's district."""
    if _district(destination) == _district(origin_district):
        return Zone.DISTRICT
    if _regency(destination) == _regency(origin_district):
        return Zone.CITY
    province = _province(destination)
    if province == EAST_JAVA:
        return Zone.EAST_JAVA
    if province in JAVA:
        return Zone.JAVA
    return Zone.OUTSIDE_JAVA
