"""Addresses by region: the choices of the address form, and matching older free-text
addresses to region codes (``flask regions match-addresses``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import Address
from marketplace.extensions import db
from marketplace.regions import services as regions
from marketplace.regions.models import Region


@dataclass(frozen=True)
class RegionChoices:
    """The four lists of the address form: each lists the children of the one chosen above
    it (empty until that one is chosen). Codes not under their parent are dropped."""

    province: str
    regency: str
    district: str
    village: str
    provinces: list[Region]
    regencies: list[Region]
    districts: list[Region]
    villages: list[Region]


def region_choices(province: str, regency: str, district: str, village: str) -> RegionChoices:
    provinces = regions.children(None)
    province = province if province in {r.code for r in provinces} else ""
    regencies = regions.children(province) if province else []
    regency = regency if regency in {r.code for r in regencies} else ""
    districts = regions.children(regency) if regency else []
    district = district if district in {r.code for r in districts} else ""
    villages = regions.children(district) if district else []
    village = village if village in {r.code for r in villages} else ""
    return RegionChoices(
        province, regency, district, village, provinces, regencies, districts, villages
    )


def fill_region_lists(form: Any, refreshing: bool) -> RegionChoices:
    """Fill a form's four region lists (``province_code`` … ``village_code``) from the region
    table, each the children of the one chosen above. On the lists' refresh step (used without
    JavaScript) a chosen village fills ``postal_code``, which the shopper may still change."""
    choices = region_choices(
        form.province_code.data or "",
        form.regency_code.data or "",
        form.district_code.data or "",
        form.village_code.data or "",
    )
    pick = [("", _("Pilih dari daftar"))]
    for field, value, found in (
        (form.province_code, choices.province, choices.provinces),
        (form.regency_code, choices.regency, choices.regencies),
        (form.district_code, choices.district, choices.districts),
        (form.village_code, choices.village, choices.villages),
    ):
        field.choices = pick + [(r.code, r.name) for r in found]
        field.data = value
    if refreshing and choices.village:
        village = next(v for v in choices.villages if v.code == choices.village)
        form.postal_code.data = village.postal_code or form.postal_code.data
    return choices


def _key(name: str) -> str:
    """Names compared without spaces: "Gunung Gedangan" is the list's "Gununggedangan"."""
    return regions.normalise(name).replace(" ", "")


def _full_key(name: str) -> str:
    """The whole name, kind included: "Kota Mojokerto" is not "Kabupaten Mojokerto"."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _child_named(
    parent: str | None, name: str, cache: dict[str | None, list[Region]]
) -> Region | None:
    if parent not in cache:
        cache[parent] = regions.children(parent)
    found = [r for r in cache[parent] if _full_key(r.name) == _full_key(name)]
    if not found:
        found = [r for r in cache[parent] if _key(r.name) == _key(name)]
    return found[0] if len(found) == 1 else None


def match_address(address: Address, cache: dict[str | None, list[Region]]) -> bool:
    """Set the codes of ``address`` when its four names each name exactly one region under
    the one above; otherwise leave it as it is. The names it shows become the list's."""
    province = _child_named(None, address.province, cache)
    regency = province and _child_named(province.code, address.city, cache)
    district = regency and _child_named(regency.code, address.kecamatan, cache)
    village = district and _child_named(district.code, address.kelurahan, cache)
    if not (province and regency and district and village):
        return False
    set_region(address, regions.RegionPath(province, regency, district, village))
    return True


def set_region(address: Address, path: regions.RegionPath) -> None:
    address.province_code, address.province = path.province.code, path.province.name
    address.regency_code, address.city = path.regency.code, path.regency.name
    address.district_code, address.kecamatan = path.district.code, path.district.name
    address.village_code, address.kelurahan = path.village.code, path.village.name


def match_saved_addresses() -> tuple[int, int]:
    """(matched, left without codes) over every saved address without codes. Flushes."""
    cache: dict[str | None, list[Region]] = {}
    matched = left = 0
    for address in db.session.scalars(select(Address).where(Address.village_code.is_(None))):
        if match_address(address, cache):
            matched += 1
        else:
            left += 1
    db.session.flush()
    return matched, left
