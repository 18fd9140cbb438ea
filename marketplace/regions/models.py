"""One row per region at every level, keyed by its dotted Kemendagri code."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import Model

PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4
LEVELS = (PROVINCE, REGENCY, DISTRICT, VILLAGE)


class Region(Model):
    """A provinsi ("35"), kabupaten/kota ("35.76"), kecamatan ("35.76.02") or kelurahan/desa
    ("35.76.02.1009", with its postcode). ``search_name`` is the name lowercased, without
    punctuation or its kind ("Kota ", "Kabupaten "), for prefix search under a parent."""

    __tablename__ = "regions"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        CheckConstraint(
            "postal_code IS NULL OR length(postal_code) = 5", name="postal_code_length"
        ),
        Index(
            "ix_regions_parent_search",
            "parent_code",
            "search_name",
            postgresql_ops={"search_name": "text_pattern_ops"},
        ),
        Index(
            "ix_regions_level_search",
            "level",
            "search_name",
            postgresql_ops={"search_name": "text_pattern_ops"},
        ),
    )

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    parent_code: Mapped[str | None] = mapped_column(String(13))
    name: Mapped[str] = mapped_column(String(80))
    search_name: Mapped[str] = mapped_column(String(80))
    postal_code: Mapped[str | None] = mapped_column(String(5))


def level_of(code: str) -> int:
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None
