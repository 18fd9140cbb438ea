"""Helpers for the procurement workflow tests: an agency with its four roles, a cooperative with
a stocked catalogue product, and functions that take a procurement to each stage through the
real services (so the timeline, audit, stock and notifications are as in production)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from marketplace.accounts.models import User
from marketplace.catalogue.models import ProductVariant
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from marketplace.procurement import fulfilment, negotiation, payment, purchasing, requests
from marketplace.procurement.common import today
from marketplace.procurement.models import (
    Agency,
    Bast,
    Delivery,
    Invoice,
    InvoicePayment,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
    Quotation,
)
from tests.factories import (
    AgencyFactory,
    AgencyMemberFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    PriceTierFactory,
    ProductFactory,
    UserFactory,
)
from tests.shopping import stocked_variant


@dataclass
class Cast:
    agency: Agency
    pp: User
    ppk: User
    receiver: User
    treasurer: User
    cooperative: Cooperative
    member: User
    variant: ProductVariant
    other_agency: Agency
    other_ppk: User
    other_pp: User


def cast(
    *,
    price: int = 10_000,
    on_hand: int = 1000,
    is_pkp: bool = False,
    pp55_valid_until: date | None = None,
) -> Cast:
    """An agency with one user per role, a second agency, and a cooperative whose product
    (``price`` each, a tier of 9.000 from 100) has ``on_hand`` units."""
    agency = AgencyFactory(
        name="Bagian Umum Setda Uji", address="Jl. Gajah Mada 145", npwp="001234567602000"
    )
    people = {}
    for role in ProcurementRole:
        user = UserFactory(email=f"{role.value}@agency.test", full_name=f"Pak {role.value}")
        AgencyMemberFactory(agency=agency, user=user, role=role)
        people[role] = user
    other = AgencyFactory(name="Dinas Lain")
    other_ppk = UserFactory(email="ppk@other.test")
    AgencyMemberFactory(agency=other, user=other_ppk, role=ProcurementRole.PPK)
    other_pp = UserFactory(email="pp@other.test")
    AgencyMemberFactory(agency=other, user=other_pp, role=ProcurementRole.PEJABAT_PENGADAAN)
    cooperative = CooperativeFactory(
        name="Koppontren Uji Sejahtera",
        is_pkp=is_pkp,
        pp55_certificate_number="KET-1/PP55" if pp55_valid_until else None,
        pp55_valid_until=pp55_valid_until,
    )
    member = CooperativeMemberFactory(
        cooperative=cooperative, user=UserFactory(email="owner@coop.test", full_name="Bu Koperasi")
    ).user
    product = ProductFactory(cooperative=cooperative, name="Keripik Tempe Uji", unit="bungkus")
    variant = stocked_variant(on_hand, product=product, price=price)
    PriceTierFactory(variant=variant, min_quantity=100, unit_price=price - 1000)
    db.session.flush()
    return Cast(
        agency=agency,
        pp=people[ProcurementRole.PEJABAT_PENGADAAN],
        ppk=people[ProcurementRole.PPK],
        receiver=people[ProcurementRole.PENERIMA],
        treasurer=people[ProcurementRole.BENDAHARA],
        cooperative=cooperative,
        member=member,
        variant=variant,
        other_agency=other,
        other_ppk=other_ppk,
        other_pp=other_pp,
    )


def wib_today() -> date:
    """Today in Mojokerto, without an app context (for building form data in page tests)."""
    from zoneinfo import ZoneInfo

    from marketplace import clock

    return clock.now().astimezone(ZoneInfo("Asia/Jakarta")).date()


def inspection_fields(**overrides: str) -> dict[str, str]:
    """The inspection page's day and team as a browser posts them (today, one typed inspector)."""
    return {
        "inspected_on": wib_today().isoformat(),
        "team_1_member": "",
        "team_1_name": "Pak penerima",
        "team_1_role": "Pemeriksa/Penerima Barang",
        **overrides,
    }


def details(c: Cast, **overrides: Any) -> requests.RequestDetails:
    values: dict[str, Any] = {
        "agency_id": c.agency.id,
        "title": "Konsumsi rapat Desember",
        "kode_rup": "45123678",
        "ceiling": 50_000_000,
        "delivery_date": today() + timedelta(days=14),
        "delivery_addresses": "Kantor Bagian Umum, Jl. Gajah Mada 145\nAula Setda",
        "notes": "",
        "cooperative_ids": (c.cooperative.id,),
    }
    values.update(overrides)
    return requests.RequestDetails(**values)


def draft(c: Cast, quantity: int = 200, **overrides: Any) -> ProcurementRequest:
    """A draft with one catalogue line of the cast's product."""
    request = requests.create_request(c.pp, details(c, **overrides))
    requests.add_catalogue_line(c.pp, request.id, c.variant.id, quantity)
    return request


def sent(c: Cast, quantity: int = 200, **overrides: Any) -> ProcurementRequest:
    request = draft(c, quantity, **overrides)
    return requests.send_request(c.pp, request.id)


def quotation_of(request: ProcurementRequest, cooperative: Cooperative) -> Quotation:
    return next(q for q in request.quotations if q.cooperative_id == cooperative.id)


def prices(request: ProcurementRequest, price: int) -> dict[int, int]:
    return {line.id: price for line in request.lines}


def quoted(c: Cast, price: int = 9_000, quantity: int = 200, **overrides: Any) -> Quotation:
    request = sent(c, quantity, **overrides)
    quotation = quotation_of(request, c.cooperative)
    negotiation.submit_offer(
        c.member, quotation.id, prices(request, price), today() + timedelta(days=10), "Siap kirim"
    )
    return quotation


def agreed(c: Cast, price: int = 9_000, quantity: int = 200, **overrides: Any) -> Quotation:
    quotation = quoted(c, price, quantity, **overrides)
    return negotiation.agree_quotation(c.pp, quotation.id)


def forwarded(c: Cast, price: int = 9_000, quantity: int = 200, **overrides: Any) -> Quotation:
    quotation = agreed(c, price, quantity, **overrides)
    return negotiation.forward_quotation(c.pp, quotation.id)


def issued(c: Cast, price: int = 9_000, quantity: int = 200, **overrides: Any) -> PurchaseOrder:
    quotation = forwarded(c, price, quantity, **overrides)
    return negotiation.approve_quotation(c.ppk, quotation.id)


def accepted(c: Cast, price: int = 9_000, quantity: int = 200, **overrides: Any) -> PurchaseOrder:
    order = issued(c, price, quantity, **overrides)
    return purchasing.accept_order(c.member, order.id)


def deliver(c: Cast, order: PurchaseOrder, quantity: int) -> Delivery:
    line = order.lines[0]
    return fulfilment.record_delivery(
        c.member,
        order.id,
        {line.id: quantity},
        fulfilment.DeliveryDetails(delivered_on=today(), driver="Pak Sopir", vehicle="S 1234 AB"),
    )


def inspect(c: Cast, delivery: Delivery, accepted_quantity: int, note: str = "") -> Bast:
    line = delivery.lines[0]
    return fulfilment.inspect_delivery(
        c.receiver, delivery.id, {line.id: accepted_quantity}, {line.id: note}
    )


def invoice_for(c: Cast, bast: Bast) -> Invoice:
    return fulfilment.issue_invoice(c.member, bast.id)


def pay(c: Cast, invoice: Invoice, method: str = "transfer", **overrides: Any) -> InvoicePayment:
    values: dict[str, Any] = {
        "method": method,
        "reference": "SP2D-0001/2026",
        "paid_on": today(),
        "bukti_potong_number": "BP-22-0001" if invoice.pph22 else "",
    }
    values.update(overrides)
    return payment.record_payment(c.treasurer, invoice.id, payment.PaymentDetails(**values))
