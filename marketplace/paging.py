"""One page of a long list: fetched with one row more than shown, to know whether another page
follows (no COUNT). Used by the administrator's lists and the procurement lists alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from marketplace.extensions import db

#: The highest page number served; a larger one reads as the last page anyone could mean.
MAX_PAGE = 10_000


@dataclass
class Page:
    """One page of a list: the rows, the page number and whether another page follows."""

    items: list[Any]
    page: int
    has_next: bool


def page_from(value: str | None) -> int:
    """A page number from a query string: anything but 1..MAX_PAGE is the first page."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_PAGE else 1


def paginate(statement: Select[Any], page: int, per_page: int, scalars: bool = True) -> Page:
    """Fetch one page (and one row more, to know whether there is a next page; no COUNT)."""
    page = max(1, min(page, MAX_PAGE))
    statement = statement.offset((page - 1) * per_page).limit(per_page + 1)
    result = db.session.scalars(statement) if scalars else db.session.execute(statement)
    rows = list(result.unique().all() if scalars else result.all())
    return Page(rows[:per_page], page, len(rows) > per_page)
