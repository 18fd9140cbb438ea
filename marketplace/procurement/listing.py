"""The procurement lists' filters and pages: every list (the agency's requests and Surat
Pesanan, the cooperative's quotations, orders and payments) shows `PER_PAGE` rows a page, newest
first, filtered by status, cooperative and period (from/to, Mojokerto's calendar days, both
included). The filters travel in the paging links.

`ListQuery` is what a list was asked for, already checked (a value the page cannot use is
dropped by the form before it gets here, with a message): the queries apply it as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select

from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.procurement.common import start_of_day

PER_PAGE = 25


@dataclass(frozen=True)
class ListQuery:
    status: str = ""
    cooperative_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    @property
    def filtered(self) -> bool:
        return bool(self.status or self.cooperative_id or self.date_from or self.date_to)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this list with ``changes`` (a page), empty filters left out."""
        query = replace(self, **changes)
        values = {
            "status": query.status,
            "cooperative": query.cooperative_id,
            "date_from": query.date_from.isoformat() if query.date_from else None,
            "date_to": query.date_to.isoformat() if query.date_to else None,
            "page": query.page if query.page > 1 else None,
        }
        return {key: value for key, value in values.items() if value}


def in_period(statement: Select[Any], column: Any, query: ListQuery) -> Select[Any]:
    """Rows whose ``column`` falls in the query's days: a date column compares as it is, a
    timestamp from the start of the first day to the end of the last, in WIB."""
    is_day = getattr(column.type, "python_type", None) is date
    if query.date_from is not None:
        start: date | datetime = query.date_from if is_day else start_of_day(query.date_from)
        statement = statement.where(column >= start)
    if query.date_to is not None:
        if is_day:
            statement = statement.where(column <= query.date_to)
        else:
            statement = statement.where(column < start_of_day(query.date_to + timedelta(days=1)))
    return statement


def cooperative_choices() -> list[tuple[int, str]]:
    """Every cooperative by name (a suspended one's past orders stay findable)."""
    return [
        (cooperative_id, name)
        for cooperative_id, name in db.session.execute(
            select(Cooperative.id, Cooperative.name).order_by(Cooperative.name, Cooperative.id)
        )
    ]
