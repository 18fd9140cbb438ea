"""What the procurement's screens share: the roles the views are allowed to, how a refused or
invalid step is shown again, and what every page's template is given."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.http import FORM_ERROR, Page
from marketplace.inventory.exceptions import InsufficientStock
from marketplace.paging import page_from
from marketplace.procurement import document_forms, forms, listing, signed_scans, worklist
from marketplace.procurement.access import agency_role, has_role
from marketplace.procurement.common import last_day
from marketplace.procurement.exceptions import ProcurementError
from marketplace.procurement.lifecycle import can_move
from marketplace.procurement.listing import ListQuery
from marketplace.procurement.models import (
    Actor,
    DeliveryStatus,
    InvoiceStatus,
    OrderStatus,
    ProcurementRole,
    QuotationStatus,
    RequestStatus,
)

PP = agency_role(ProcurementRole.PEJABAT_PENGADAAN)
PPK = agency_role(ProcurementRole.PPK)
PENERIMA = agency_role(ProcurementRole.PENERIMA)
BENDAHARA = agency_role(ProcurementRole.BENDAHARA)
#: The refusals a step may raise with a message for the user.
REFUSALS = (ProcurementError, InsufficientStock)


def refused(error: DomainError, page: Callable[..., str], *args: Any, **kwargs: Any) -> Page:
    """Show the page again with the reason; nothing of the refused step is kept."""
    db.session.rollback()
    return page(*args, error=error.message, **kwargs), error.status_code


def invalid(page: Callable[..., str], *args: Any, **kwargs: Any) -> Page:
    db.session.rollback()
    return page(*args, **kwargs), FORM_ERROR


def helpers() -> dict[str, Any]:
    return {
        "can": can_move,
        "Actor": Actor,
        "Q": QuotationStatus,
        "O": OrderStatus,
        "D": DeliveryStatus,
        "INV": InvoiceStatus,
        "R": RequestStatus,
        "event_label": worklist.event_label,
        "last_day": last_day,
        "locale": str(get_locale()),
        "signed_scans": _signed_scans,
    }


def _signed_scans(order: Any) -> dict[str, Any]:
    """The order's signed scans and the form to send one, for its page's section."""
    form = document_forms.SignedScanForm(formdata=None)
    form.set_choices(signed_scans.signables(order))
    return {"scans": signed_scans.scans(order.id), "form": form}


def holds(role: ProcurementRole, agency_id: int) -> bool:
    return has_role(current_user, role, agency_id)


def last_prices(quotation: Any) -> dict[int, int | None]:
    """The latest round's price of each line of the request (None before any round)."""
    latest = quotation.latest_round
    return {
        line.id: latest.price_of(line.id) if latest else None for line in quotation.request.lines
    }


def list_query(
    statuses: Iterable[Any], cooperatives: bool = True
) -> tuple[ListQuery, forms.ListFilterForm]:
    """The list's filters from the query string: what the page can use, and the form showing
    what it could not (each unusable value is dropped, the rest still filter)."""
    form = forms.ListFilterForm(request.args)
    form.set_choices(statuses, listing.cooperative_choices() if cooperatives else None)
    form.validate()

    def usable(field: Any) -> Any:
        return None if field.errors else field.data

    cooperative = usable(form.cooperative)
    query = ListQuery(
        status=usable(form.status) or "",
        cooperative_id=int(cooperative) if cooperative else None,
        date_from=usable(form.date_from),
        date_to=usable(form.date_to),
        page=page_from(request.args.get("page")),
    )
    return query, form
