"""Reading regions: children of a parent, prefix search by name, an address's path.

Search compares ``search_name`` by prefix under one parent (or one level), which the two
indexes of ``regions`` answer without a scan (see bench/regions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.regions.models import LEVELS, PROVINCE, Region, level_of, parent_of

_KIND = re.compile(
    r"^(provinsi|prov|kabupaten|kab|kota administrasi|kota adm|kota|kecamatan|kec|distrik"
    r"|kelurahan|kel|desa)\.?\s+"
)
_NOISE = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
SEARCH_LIMIT = 20
# More than any region has children (108 villages at most in the 2025 data).
CHILDREN_LIMIT = 200


def normalise(name: str) -> str:
    """ "Kota Mojokerto" → "mojokerto"; "Kab. Bogor" → "bogor"; "Pabean  Cantian" → "pabean
    cantian". What the search column holds and what a typed prefix is compared with."""
    text = _SPACES.sub(" ", _NOISE.sub(" ", name.lower())).strip()
    return _KIND.sub("", text, count=1)[:80]


_CITY_KIND = {"kota": "Kota ", "kota administrasi": "Kota ", "kota adm": "Kota "}
_REGENCY_KIND = {"kabupaten": "Kabupaten ", "kab": "Kabupaten "}


def _kind_typed(prefix: str) -> str | None:
    """ "kota mo" → "Kota ": the start the region's full name must have as well."""
    text = _SPACES.sub(" ", _NOISE.sub(" ", prefix.lower())).strip()
    found = _KIND.match(text + " ")
    if found is None:
        return None
    kind = found.group(1)
    return _CITY_KIND.get(kind) or _REGENCY_KIND.get(kind)


def is_code(code: str) -> bool:
    return bool(_CODE.match(code))


def get(code: str) -> Region | None:
    if not is_code(code):
        return None
    return db.session.get(Region, code)


def children(parent_code: str | None) -> list[Region]:
    """The regions directly under ``parent_code`` (the provinces for None), by name."""
    query = select(Region).order_by(Region.name)
    if parent_code is None:
        query = query.where(Region.level == PROVINCE)
    else:
        query = query.where(Region.parent_code == parent_code)
    return list(db.session.scalars(query))


def search(parent_code: str | None, prefix: str) -> list[Region]:
    """Regions under ``parent_code`` (provinces for None) whose name starts with ``prefix``;
    every child (by name) for an empty prefix, the first few otherwise."""
    needle = normalise(prefix)
    limit = SEARCH_LIMIT if needle else CHILDREN_LIMIT
    query = select(Region).order_by(Region.search_name, Region.code).limit(limit)
    if parent_code is None:
        query = query.where(Region.level == PROVINCE)
    else:
        query = query.where(Region.parent_code == parent_code)
    if needle:
        # The normalised needle holds only [a-z0-9' ], so LIKE needs no escaping.
        query = query.where(Region.search_name.like(needle + "%"))
    kind = _kind_typed(prefix)
    if kind is not None:
        # "Kota Mojokerto" and "Kabupaten Mojokerto" share a search name; the kind typed
        # tells them apart.
        query = query.where(Region.name.startswith(kind, autoescape=True))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class RegionPath:
    """A village and the regions above it, as an address holds them."""

    province: Region
    regency: Region
    district: Region
    village: Region


def path_of(village_code: str) -> RegionPath | None:
    """The four regions of a village code, or None when it is no loaded village."""
    if not is_code(village_code) or level_of(village_code) != LEVELS[-1]:
        return None
    codes = [village_code]
    while (parent := parent_of(codes[-1])) is not None:
        codes.append(parent)
    found = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    if len(found) != len(LEVELS):
        return None
    village, district, regency, province = (found[code] for code in codes)
    return RegionPath(province, regency, district, village)
