"""Drafting, sending and cancelling requests for quotations (services, with the request context
the notifications need)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.catalogue.models import ProductStatus
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.notifications.models import Notification
from marketplace.procurement import requests
from marketplace.procurement.common import today
from marketplace.procurement.exceptions import InvalidProcurementInput, InvalidTransition
from marketplace.procurement.models import (
    ProcurementRequest,
    QuotationStatus,
    RequestLine,
    RequestStatus,
)
from tests.factories import CategoryFactory, CooperativeFactory, ProductFactory
from tests.procurement import workflow as wf
from tests.shopping import stocked_variant


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_a_catalogue_line_starts_from_the_current_tier_price(app_ctx: Flask) -> None:
    c = wf.cast(price=10_000)
    request = requests.create_request(c.pp, wf.details(c, cooperative_ids=()))
    line, invited = requests.add_catalogue_line(c.pp, request.id, c.variant.id, 150)
    assert line.reference_unit_price == 9_000  # the tier from 100 units
    assert line.name == "Keripik Tempe Uji"
    assert line.cooperative_id == c.cooperative.id
    assert line.category_id == c.variant.product.category_id
    # Its cooperative is invited so that someone can quote for it.
    assert invited is not None and invited.id == c.cooperative.id
    assert [q.cooperative_id for q in request.quotations] == [c.cooperative.id]
    requests.set_line_quantity(c.pp, request.id, line.id, 20)
    assert line.reference_unit_price == 10_000
    assert request.number == f"PMT-{today().year}-{request.id:06d}"


def test_a_specification_line_needs_a_kind_of_goods(app_ctx: Flask) -> None:
    c = wf.cast()
    request = requests.create_request(c.pp, wf.details(c))
    subcategory = CategoryFactory(parent=CategoryFactory())
    line = requests.add_specification_line(
        c.pp,
        request.id,
        name="Nasi kotak",
        specification="Nasi, ayam, sayur; kemasan kertas",
        unit="kotak",
        quantity=150,
        category_id=subcategory.id,
    )
    assert not line.is_catalogue and line.reference_unit_price is None
    for bad_category in (999_999, CategoryFactory().id):  # unknown, and a top-level category
        with pytest.raises(InvalidProcurementInput, match="jenis barang"):
            requests.add_specification_line(
                c.pp,
                request.id,
                name="Air mineral",
                specification="",
                unit="karton",
                quantity=10,
                category_id=bad_category,
            )
    assert len(request.lines) == 1


@pytest.mark.parametrize(
    ("quantity", "message"),
    [(0, "minimal 1"), (-5, "minimal 1"), (2_000_000, "paling banyak")],
)
def test_bad_quantities_are_refused(app_ctx: Flask, quantity: int, message: str) -> None:
    c = wf.cast()
    request = requests.create_request(c.pp, wf.details(c))
    with pytest.raises(InvalidProcurementInput, match=message):
        requests.add_catalogue_line(c.pp, request.id, c.variant.id, quantity)
    assert count(RequestLine) == 0


def test_a_product_that_is_not_in_the_catalogue_is_refused(app_ctx: Flask) -> None:
    c = wf.cast()
    request = requests.create_request(c.pp, wf.details(c))
    hidden = stocked_variant(10, product=ProductFactory(status=ProductStatus.HIDDEN))
    suspended = stocked_variant(
        10, product=ProductFactory(cooperative=CooperativeFactory(status="suspended"))
    )
    for variant_id in (hidden.id, suspended.id, 987_654):
        with pytest.raises(InvalidProcurementInput, match="tidak ada di katalog"):
            requests.add_catalogue_line(c.pp, request.id, variant_id, 5)
    assert count(RequestLine) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("delivery_date", "yesterday", "setelah hari ini"),
        ("delivery_date", "today", "setelah hari ini"),
        ("ceiling", 0, "HPS/pagu"),
        ("kode_rup", "a", "Kode RUP"),
        ("title", " ", "judul"),
        ("delivery_addresses", "\n \n", "alamat"),
        ("cooperative_ids", (987_654,), "koperasi"),
    ],
)
def test_bad_request_details_are_refused(
    app_ctx: Flask, field: str, value: Any, message: str
) -> None:
    c = wf.cast()
    if value == "yesterday":
        value = today() - timedelta(days=1)
    elif value == "today":
        value = today()
    with pytest.raises(InvalidProcurementInput, match=message):
        requests.create_request(c.pp, wf.details(c, **{field: value}))
    assert count(ProcurementRequest) == 0


def test_an_unapproved_cooperative_cannot_be_invited(app_ctx: Flask) -> None:
    c = wf.cast()
    pending = CooperativeFactory(status="pending")
    with pytest.raises(InvalidProcurementInput):
        requests.create_request(c.pp, wf.details(c, cooperative_ids=(pending.id,)))


def test_only_a_pejabat_pengadaan_of_the_agency_drafts_for_it(app_ctx: Flask) -> None:
    c = wf.cast()
    for user in (c.ppk, c.other_pp):
        with pytest.raises(NotFound):
            requests.create_request(user, wf.details(c))
    request = wf.draft(c)
    with pytest.raises(NotFound):
        requests.agency_request(c.other_pp, request.id)
    with pytest.raises(NotFound):
        requests.add_catalogue_line(c.other_pp, request.id, c.variant.id, 5)
    with pytest.raises(NotFound):
        requests.send_request(c.ppk, request.id)  # the PPK holds no pejabat pengadaan role
    assert requests.agency_request(c.ppk, request.id) == request  # but may read it


def test_a_draft_can_be_changed_until_it_is_sent(app_ctx: Flask, sent_mail: list[Any]) -> None:
    c = wf.cast()
    request = wf.draft(c)
    second = CooperativeFactory(name="Koperasi Kedua")
    requests.update_request(
        c.pp,
        request.id,
        wf.details(c, title="Konsumsi rapat", cooperative_ids=(c.cooperative.id, second.id)),
    )
    assert request.title == "Konsumsi rapat"
    assert {q.cooperative_id for q in request.quotations} == {c.cooperative.id, second.id}
    assert count(Notification) == 0  # nobody hears of a draft

    requests.send_request(c.pp, request.id)
    assert request.status == RequestStatus.SENT
    assert all(q.status == QuotationStatus.INVITED for q in request.quotations)
    for change in (
        lambda: requests.update_request(c.pp, request.id, wf.details(c)),
        lambda: requests.add_catalogue_line(c.pp, request.id, c.variant.id, 5),
        lambda: requests.remove_line(c.pp, request.id, request.lines[0].id),
    ):
        with pytest.raises(InvalidTransition):
            change()
    # The invited cooperative's members hear of it: in the app and by email.
    notices = db.session.scalars(select(Notification)).all()
    assert [n.user_id for n in notices] == [c.member.id]
    assert notices[0].link.startswith("/procurement/cooperative/quotations/")
    assert "meminta penawaran" in notices[0].message
    emails = db.session.scalars(select(OutboxEmail.to_address)).all()
    assert emails == ["owner@coop.test"]
    assert "procurement.request.draft" in audit_actions()
    assert "procurement.request.sent" in audit_actions()


def test_sending_needs_lines_and_cooperatives(app_ctx: Flask) -> None:
    c = wf.cast()
    empty = requests.create_request(c.pp, wf.details(c))
    with pytest.raises(InvalidProcurementInput, match="minimal satu barang"):
        requests.send_request(c.pp, empty.id)
    nobody = wf.draft(c)
    requests.update_request(c.pp, nobody.id, wf.details(c, cooperative_ids=()))
    with pytest.raises(InvalidProcurementInput, match="koperasi"):
        requests.send_request(c.pp, nobody.id)
    assert nobody.status == RequestStatus.DRAFT


def test_a_draft_whose_date_has_passed_cannot_be_sent(app_ctx: Flask, clock: Any) -> None:
    c = wf.cast()
    request = wf.draft(c, delivery_date=today() + timedelta(days=2))
    clock.advance(timedelta(days=3))
    with pytest.raises(InvalidProcurementInput, match="setelah hari ini"):
        requests.send_request(c.pp, request.id)


def test_cancelling_closes_the_open_negotiations(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c)
    request = quotation.request
    with pytest.raises(InvalidProcurementInput):
        requests.cancel_request(c.pp, request.id, "  ")
    requests.cancel_request(c.pp, request.id, "Anggaran dialihkan")
    assert request.status == RequestStatus.CANCELLED
    assert quotation.status == QuotationStatus.WITHDRAWN
    assert quotation.lapses_at is None
    messages = db.session.scalars(
        select(Notification.message).where(Notification.user_id == c.member.id)
    ).all()
    assert any("dibatalkan" in m and "Anggaran dialihkan" in m for m in messages)


def test_a_request_with_a_quotation_at_the_ppk_cannot_be_cancelled(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.forwarded(c)
    with pytest.raises(InvalidProcurementInput, match="PPK"):
        requests.cancel_request(c.pp, quotation.request_id, "Batal")


def test_catalogue_choices_find_products_by_name(app_ctx: Flask) -> None:
    c = wf.cast()
    ProductFactory(name="Sambal Bawang 100% Pedas")
    assert [p.id for p in requests.catalogue_choices("tempe uji")] == [c.variant.product_id]
    assert requests.catalogue_choices("100%")[0].name.startswith("Sambal")
    assert requests.catalogue_choices("_") == []
    assert requests.catalogue_choices("   ") == []
