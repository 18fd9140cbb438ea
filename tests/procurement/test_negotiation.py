"""Quotations: offers and counter-offers in kept rounds, the ceiling, forwarding, the PPK's
approval (band and splitting checks) or sending back, and who may do what."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.notifications.models import Notification
from marketplace.procurement import negotiation, requests
from marketplace.procurement.common import today
from marketplace.procurement.exceptions import (
    InvalidProcurementInput,
    InvalidTransition,
    OrderValueAboveLimit,
    QuoteAboveCeiling,
    SplittingNotAcknowledged,
)
from marketplace.procurement.models import (
    OrderStatus,
    QuotationStatus,
    RequestStatus,
    RoundKind,
)
from marketplace.procurement.rules import DocumentType
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    CooperativeMemberFactory,
    ProductFactory,
)
from tests.procurement import workflow as wf
from tests.shopping import stocked_variant

Q = QuotationStatus


def notices_for(user: Any) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.message)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_offers_and_counter_offers_are_kept_round_by_round(app_ctx: Flask) -> None:
    c = wf.cast()
    request = wf.sent(c, quantity=200)
    quotation = wf.quotation_of(request, c.cooperative)
    line = request.lines[0]
    negotiation.submit_offer(
        c.member, quotation.id, {line.id: 9_500}, today() + timedelta(days=7), "Harga grosir"
    )
    assert quotation.status == Q.QUOTED and quotation.subtotal == 1_900_000
    assert quotation.lapses_at is not None
    negotiation.counter_offer(c.pp, quotation.id, {line.id: 8_500}, "Mohon harga 8.500")
    assert quotation.status == Q.COUNTERED
    negotiation.submit_offer(
        c.member, quotation.id, {line.id: 9_000}, today() + timedelta(days=7), "Paling rendah 9.000"
    )
    negotiation.agree_quotation(c.pp, quotation.id)
    assert quotation.status == Q.AGREED and quotation.lapses_at is None
    rounds = [(r.number, r.kind, r.price_of(line.id), r.message) for r in quotation.rounds]
    assert rounds == [
        (1, RoundKind.OFFER, 9_500, "Harga grosir"),
        (2, RoundKind.COUNTER, 8_500, "Mohon harga 8.500"),
        (3, RoundKind.OFFER, 9_000, "Paling rendah 9.000"),
    ]
    assert [r.author_id for r in quotation.rounds] == [c.member.id, c.pp.id, c.member.id]
    # Each step told the other side.
    assert any("mengirim penawaran" in m for m in notices_for(c.pp))
    assert any("tawaran balik" in m for m in notices_for(c.member))


def test_the_cooperative_may_accept_a_counter_offer(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c, price=9_500)
    line = quotation.request.lines[0]
    negotiation.counter_offer(c.pp, quotation.id, {line.id: 9_000})
    negotiation.accept_counter(c.member, quotation.id)
    assert quotation.status == Q.AGREED
    assert quotation.subtotal == 1_800_000
    assert any("menerima tawaran balik" in m for m in notices_for(c.pp))


def test_an_offer_must_price_exactly_the_request_lines(app_ctx: Flask) -> None:
    c = wf.cast()
    request = wf.sent(c)
    quotation = wf.quotation_of(request, c.cooperative)
    line = request.lines[0]
    soon = today() + timedelta(days=5)
    bad = [
        ({}, soon, "setiap barang"),
        ({line.id: 9_000, 987_654: 1}, soon, "setiap barang"),  # a foreign line id
        ({line.id: 0}, soon, "minimal Rp1"),
        ({line.id: 10**13}, soon, "terlalu besar"),
        ({line.id: 9_000}, today(), "setelah hari ini"),
        ({line.id: 9_000}, None, "tanggal"),
    ]
    for prices, delivery_date, message in bad:
        with pytest.raises(InvalidProcurementInput, match=message):
            negotiation.submit_offer(c.member, quotation.id, prices, delivery_date)
    db.session.refresh(quotation)
    assert quotation.status == Q.INVITED


def test_a_cooperative_cannot_see_another_cooperatives_quotation(app_ctx: Flask) -> None:
    c = wf.cast()
    rival = CooperativeFactory(name="Koperasi Pesaing")
    rival_member = CooperativeMemberFactory(cooperative=rival).user
    request = wf.draft(c)
    requests.update_request(
        c.pp, request.id, wf.details(c, cooperative_ids=(c.cooperative.id, rival.id))
    )
    requests.send_request(c.pp, request.id)
    ours = wf.quotation_of(request, c.cooperative)
    with pytest.raises(NotFound):
        negotiation.cooperative_quotation(rival_member, ours.id)
    with pytest.raises(NotFound):
        negotiation.submit_offer(
            rival_member, ours.id, wf.prices(request, 1), today() + timedelta(days=3)
        )
    assert [q.id for q in negotiation.cooperative_quotations(rival_member).items] != [ours.id]
    # Nor a draft addressed to itself.
    other_draft = wf.draft(c)
    with pytest.raises(NotFound):
        negotiation.cooperative_quotation(c.member, wf.quotation_of(other_draft, c.cooperative).id)


def test_a_quote_above_the_ceiling_is_shown_and_cannot_be_agreed(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c, price=9_000, quantity=200, ceiling=1_500_000)
    assert negotiation.above_ceiling(quotation)
    with pytest.raises(QuoteAboveCeiling, match="melebihi HPS/pagu"):
        negotiation.agree_quotation(c.pp, quotation.id)
    line = quotation.request.lines[0]
    # A counter-offer above the ceiling is refused too; one within it goes out.
    with pytest.raises(QuoteAboveCeiling):
        negotiation.counter_offer(c.pp, quotation.id, {line.id: 8_000})
    db.session.refresh(quotation)
    assert quotation.status == Q.QUOTED
    negotiation.counter_offer(c.pp, quotation.id, {line.id: 7_500})
    assert quotation.status == Q.COUNTERED and not negotiation.above_ceiling(quotation)


def test_the_ceiling_includes_ppn_for_a_pkp_cooperative(app_ctx: Flask) -> None:
    c = wf.cast(is_pkp=True)
    # 200 x 9.000 = 1.800.000, plus 11% PPN = 1.998.000.
    quotation = wf.quoted(c, price=9_000, ceiling=1_900_000)
    assert negotiation.totals_for(quotation).total == 1_998_000
    with pytest.raises(QuoteAboveCeiling):
        negotiation.agree_quotation(c.pp, quotation.id)


def test_only_one_cooperative_can_be_agreed_at_a_time(app_ctx: Flask) -> None:
    c = wf.cast()
    second = CooperativeFactory(name="Koperasi Kedua")
    second_member = CooperativeMemberFactory(cooperative=second).user
    request = wf.draft(c)
    requests.update_request(
        c.pp, request.id, wf.details(c, cooperative_ids=(c.cooperative.id, second.id))
    )
    requests.send_request(c.pp, request.id)
    soon = today() + timedelta(days=5)
    first_q = wf.quotation_of(request, c.cooperative)
    second_q = wf.quotation_of(request, second)
    negotiation.submit_offer(c.member, first_q.id, wf.prices(request, 9_000), soon)
    negotiation.submit_offer(second_member, second_q.id, wf.prices(request, 8_800), soon)
    negotiation.agree_quotation(c.pp, first_q.id)
    with pytest.raises(InvalidProcurementInput, match="sudah disepakati"):
        negotiation.agree_quotation(c.pp, second_q.id)
    # Approving the first withdraws the other and tells its cooperative.
    negotiation.forward_quotation(c.pp, first_q.id)
    negotiation.approve_quotation(c.ppk, first_q.id)
    assert second_q.status == Q.WITHDRAWN
    assert any("koperasi lain" in m for m in notices_for(second_member))


def test_a_pejabat_pengadaan_cannot_approve_and_another_agencys_ppk_cannot_see(
    app_ctx: Flask,
) -> None:
    c = wf.cast()
    quotation = wf.forwarded(c)
    with pytest.raises(NotFound):  # no PPK role in this agency
        negotiation.approve_quotation(c.pp, quotation.id)
    with pytest.raises(NotFound):
        negotiation.approve_quotation(c.other_ppk, quotation.id)
    with pytest.raises(NotFound):
        negotiation.return_quotation(c.other_ppk, quotation.id, "Tidak")
    with pytest.raises(NotFound):
        negotiation.agency_quotation(c.other_ppk, quotation.id)
    with pytest.raises(NotFound):  # the PPK does not negotiate
        negotiation.counter_offer(c.ppk, quotation.id, wf.prices(quotation.request, 1))
    assert quotation.status == Q.FORWARDED


def test_steps_out_of_order_are_refused(app_ctx: Flask) -> None:
    c = wf.cast()
    quotation = wf.quoted(c)
    with pytest.raises(InvalidTransition):
        negotiation.forward_quotation(c.pp, quotation.id)  # not agreed yet
    with pytest.raises(InvalidTransition):
        negotiation.accept_counter(c.member, quotation.id)  # no counter-offer pending
    with pytest.raises(InvalidTransition):
        negotiation.approve_quotation(c.ppk, quotation.id)  # not forwarded
    negotiation.agree_quotation(c.pp, quotation.id)
    with pytest.raises(InvalidTransition):
        negotiation.submit_offer(
            c.member, quotation.id, wf.prices(quotation.request, 1), today() + timedelta(days=3)
        )


def test_the_ppk_sends_back_with_a_reason_and_the_officer_forwards_again(
    app_ctx: Flask,
) -> None:
    c = wf.cast()
    quotation = wf.forwarded(c)
    assert any("menunggu persetujuan" in m for m in notices_for(c.ppk))
    with pytest.raises(InvalidProcurementInput):
        negotiation.return_quotation(c.ppk, quotation.id, "")
    negotiation.return_quotation(c.ppk, quotation.id, "Lampirkan survei harga")
    assert quotation.status == Q.RETURNED
    assert quotation.status_reason == "Lampirkan survei harga"
    assert any("Lampirkan survei harga" in m for m in notices_for(c.pp))
    negotiation.forward_quotation(c.pp, quotation.id, "Survei harga terlampir")
    order = negotiation.approve_quotation(c.ppk, quotation.id)
    assert order.status == OrderStatus.ISSUED


def test_approval_issues_the_surat_pesanan(app_ctx: Flask, sent_mail: list[Any]) -> None:
    c = wf.cast(is_pkp=True)
    quotation = wf.forwarded(c, price=9_000, quantity=200, ceiling=5_000_000)
    order = negotiation.approve_quotation(c.ppk, quotation.id)
    assert order.number == f"SP-{today().year}-{order.id:06d}"
    assert order.status == OrderStatus.ISSUED
    assert (order.subtotal, order.ppn, order.total) == (1_800_000, 198_000, 1_998_000)
    assert order.document_type == DocumentType.PROOF_OF_PURCHASE
    assert order.is_pkp and order.cooperative_name == "Koppontren Uji Sejahtera"
    assert order.agency_name == "Bagian Umum Setda Uji"
    assert order.issued_by_id == c.ppk.id
    line = order.lines[0]
    assert (line.quantity, line.unit_price, line.line_total) == (200, 9_000, 1_800_000)
    assert line.variant_id == c.variant.id  # the cooperative's own product holds stock
    assert order.acceptance_due_at is not None
    assert quotation.status == Q.APPROVED
    assert quotation.request.status == RequestStatus.AWARDED
    assert any("Surat Pesanan" in m and "Terima paling lambat" in m for m in notices_for(c.member))
    subjects = db.session.scalars(
        select(OutboxEmail.subject).where(OutboxEmail.to_address == "owner@coop.test")
    ).all()
    assert any(order.number in s for s in subjects)
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.actor_id == c.ppk.id)).all()
    assert "procurement.quotation.approved" in actions
    assert "procurement.purchase_order.issued" in actions


def test_a_line_from_another_cooperatives_catalogue_holds_no_stock(app_ctx: Flask) -> None:
    c = wf.cast()
    other = CooperativeFactory(name="Koperasi Setara")
    other_member = CooperativeMemberFactory(cooperative=other).user
    request = wf.draft(c)
    requests.update_request(
        c.pp, request.id, wf.details(c, cooperative_ids=(c.cooperative.id, other.id))
    )
    requests.send_request(c.pp, request.id)
    quotation = wf.quotation_of(request, other)
    negotiation.submit_offer(
        other_member, quotation.id, wf.prices(request, 9_000), today() + timedelta(days=5)
    )
    negotiation.agree_quotation(c.pp, quotation.id)
    negotiation.forward_quotation(c.pp, quotation.id)
    order = negotiation.approve_quotation(c.ppk, quotation.id)
    assert order.lines[0].variant_id is None


def test_above_the_top_band_the_order_is_refused_with_the_reason(
    app_ctx: Flask, small_bands: Any
) -> None:
    """Agreed under the shipped bands, forwarded after the city lowered them."""
    c = wf.cast()
    quotation = wf.agreed(c, price=9_000, quantity=200)  # Rp1.800.000
    small_bands()
    with pytest.raises(OrderValueAboveLimit, match="surat perjanjian") as refused:
        negotiation.forward_quotation(c.pp, quotation.id)
    assert "tidak boleh dipecah" in refused.value.message
    check = negotiation.approval_check(quotation)
    assert check.document_type is None and "melebihi batas SPK" in (check.band_problem or "")


def test_the_ppk_is_refused_above_the_top_band_too(app: Flask) -> None:
    """Forwarded under the shipped bands, approved after the city lowered them."""
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.forwarded(c, price=9_000, quantity=200)
        keys = (
            "PROCUREMENT_PROOF_OF_PURCHASE_MAX",
            "PROCUREMENT_KUITANSI_MAX",
            "PROCUREMENT_SPK_MAX",
        )
        before = {key: app.config[key] for key in keys}
        app.config.update(dict(zip(keys, (500_000, 1_000_000, 1_500_000), strict=True)))
        try:
            with pytest.raises(OrderValueAboveLimit):
                negotiation.approve_quotation(c.ppk, quotation.id)
        finally:
            app.config.update(before)


def earlier_order(c: Any, total_price: int, category: Any = None) -> Any:
    """An order issued earlier by the same agency from the same cooperative."""
    order = wf.issued(c, price=total_price // 200, quantity=200)
    if category is not None:
        for line in order.lines:
            line.category_id = category.id
        db.session.flush()
    return order


def test_the_ppk_must_acknowledge_a_splitting_warning_with_a_reason(
    app_ctx: Flask, clock: Any
) -> None:
    c = wf.cast()
    first = earlier_order(c, 8_000_000)
    clock.advance(timedelta(days=10))
    # Rp5.000.000 ten days later: each a proof of purchase, Rp13.000.000 together.
    quotation = wf.forwarded(c, price=25_000, quantity=200)
    check = negotiation.approval_check(quotation)
    assert check.splitting is not None
    assert [p.reference for p in check.splitting.related] == [first.number]
    with pytest.raises(SplittingNotAcknowledged, match="tidak boleh dipecah"):
        negotiation.approve_quotation(c.ppk, quotation.id)
    db.session.refresh(quotation)
    assert quotation.status == Q.FORWARDED
    order = negotiation.approve_quotation(
        c.ppk, quotation.id, "Kebutuhan acara berbeda yang tidak dapat direncanakan bersama"
    )
    assert order.splitting_warning and "13.000.000" in order.splitting_warning
    assert order.splitting_reason.startswith("Kebutuhan acara berbeda")
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "procurement.quotation.approved")
    ).all()[-1]
    assert entry.data["splitting_reason"].startswith("Kebutuhan acara")
    assert "13.000.000" in entry.data["splitting_warning"]


def test_other_goods_other_cooperatives_or_old_orders_do_not_warn(
    app_ctx: Flask, clock: Any
) -> None:
    c = wf.cast()
    earlier_order(c, 8_000_000, category=CategoryFactory(parent=CategoryFactory()))
    quotation = wf.forwarded(c, price=25_000, quantity=200)
    assert negotiation.approval_check(quotation).splitting is None  # another kind of goods
    negotiation.approve_quotation(c.ppk, quotation.id)


def test_orders_from_another_cooperative_do_not_warn(app_ctx: Flask) -> None:
    c = wf.cast()
    other = CooperativeFactory(name="Koperasi Lain")
    other_member = CooperativeMemberFactory(cooperative=other).user
    product = ProductFactory(cooperative=other, category=c.variant.product.category)
    elsewhere = replace(
        c, cooperative=other, member=other_member, variant=stocked_variant(500, product=product)
    )
    earlier_order(elsewhere, 8_000_000)
    quotation = wf.forwarded(c, price=25_000, quantity=200)
    assert negotiation.approval_check(quotation).splitting is None


def test_an_order_out_of_the_window_does_not_warn(app_ctx: Flask, clock: Any) -> None:
    c = wf.cast()
    earlier_order(c, 8_000_000)
    clock.advance(timedelta(days=31))
    quotation = wf.forwarded(c, price=25_000, quantity=200)
    assert negotiation.approval_check(quotation).splitting is None


def test_a_lapsed_or_declined_earlier_order_does_not_count(app_ctx: Flask) -> None:
    from marketplace.procurement import purchasing

    c = wf.cast()
    first = earlier_order(c, 8_000_000)
    purchasing.decline_order(c.member, first.id, "Stok tidak cukup")
    quotation = wf.forwarded(c, price=25_000, quantity=200)
    assert negotiation.approval_check(quotation).splitting is None


def test_declining_tells_the_officer(app_ctx: Flask) -> None:
    c = wf.cast()
    request = wf.sent(c)
    quotation = wf.quotation_of(request, c.cooperative)
    with pytest.raises(InvalidProcurementInput):
        negotiation.decline_quotation(c.member, quotation.id, " ")
    negotiation.decline_quotation(c.member, quotation.id, "Kapasitas produksi penuh")
    assert quotation.status == Q.DECLINED
    assert any("Kapasitas produksi penuh" in m for m in notices_for(c.pp))
