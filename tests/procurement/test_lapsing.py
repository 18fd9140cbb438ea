"""Unanswered offers and unaccepted Surat Pesanan lapse after their working days (weekends and
the configured holidays skipped), by the periodic task and when the page is opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from marketplace.database import as_utc
from marketplace.extensions import db
from marketplace.procurement import negotiation, purchasing
from marketplace.procurement.exceptions import Lapsed
from marketplace.procurement.models import (
    Notification,
    OrderStatus,
    ProcurementEvent,
    QuotationStatus,
)
from tests.conftest import login
from tests.procurement import workflow as wf

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def run_periodic(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "run-periodic", "--all"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_lapse_task_is_registered(app: Flask) -> None:
    listing = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "procurement.lapse\tevery 300s\tmarketplace.procurement.worklist:lapse_due" in listing


def test_an_unanswered_offer_lapses_after_three_working_days(app: Flask, clock: ModuleType) -> None:
    # Tuesday 1 December 2026, 10:00 WIB: Wednesday, Thursday and Friday to answer.
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.quoted(c)
        db.session.commit()
    assert as_utc(quotation.lapses_at).astimezone(WIB) == wib(2026, 12, 5)
    clock.freeze(wib(2026, 12, 4, 23, 59))
    run_periodic(app)
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.QUOTED
    clock.freeze(wib(2026, 12, 5, 0, 0))
    assert "procurement.lapse" in run_periodic(app)
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.LAPSED
    assert quotation.lapses_at is None
    event = db.session.scalars(
        select(ProcurementEvent).order_by(ProcurementEvent.id.desc())
    ).first()
    assert event is not None and (event.actor, event.to_status) == ("system", "lapsed")
    notified = db.session.scalars(
        select(Notification.user_id).where(Notification.message.contains("kedaluwarsa"))
    ).all()
    assert set(notified) == {c.pp.id, c.member.id}
    run_periodic(app)  # idempotent
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.LAPSED


def test_public_holidays_do_not_count(app_ctx: Flask, clock: ModuleType) -> None:
    clock.freeze(wib(2026, 12, 22, 10))  # Tuesday
    c = wf.cast()
    quotation = wf.quoted(c)
    clock.freeze(wib(2026, 12, 23, 10))  # Wednesday: the officer counter-offers
    negotiation.counter_offer(c.pp, quotation.id, wf.prices(quotation.request, 8_500))
    # Thursday 24, Christmas on Friday 25 skipped, the weekend skipped, Monday 28, Tuesday 29.
    assert as_utc(quotation.lapses_at).astimezone(WIB) == wib(2026, 12, 30)
    clock.freeze(wib(2026, 12, 29, 23, 59))
    assert not negotiation.quotation_has_lapsed(quotation)
    negotiation.accept_counter(c.member, quotation.id)
    assert quotation.status == QuotationStatus.AGREED


def test_a_lapsed_counter_offer_cannot_be_answered_even_before_the_task_ran(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast()
    quotation = wf.quoted(c)
    negotiation.counter_offer(c.pp, quotation.id, wf.prices(quotation.request, 8_500))
    clock.advance(timedelta(days=7))
    for answer in (
        lambda: negotiation.accept_counter(c.member, quotation.id),
        lambda: negotiation.decline_quotation(c.member, quotation.id, "Terlambat"),
    ):
        with pytest.raises(Lapsed):
            answer()
    assert quotation.status == QuotationStatus.COUNTERED
    assert negotiation.lapse_quotation(quotation.id)
    assert quotation.status == QuotationStatus.LAPSED


def test_opening_the_quotation_applies_a_due_lapse(
    app: Flask, client: object, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.quoted(c)
        db.session.commit()
    clock.advance(timedelta(days=6))
    login(client, "pejabat_pengadaan@agency.test")  # type: ignore[arg-type]
    page = client.get(f"/procurement/quotations/{quotation.id}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "Kedaluwarsa" in page.get_data(as_text=True)
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.LAPSED


def test_a_surat_pesanan_not_accepted_in_time_lapses(app: Flask, clock: ModuleType) -> None:
    with app.test_request_context():
        c = wf.cast()
        order = wf.issued(c)
        db.session.commit()
    assert as_utc(order.acceptance_due_at).astimezone(WIB) == wib(2026, 12, 5)
    clock.freeze(wib(2026, 12, 4, 23, 0))
    with app.test_request_context():
        assert not purchasing.lapse_order(order.id)
    clock.freeze(wib(2026, 12, 7, 9, 0))  # Monday
    with app.test_request_context(), pytest.raises(Lapsed):
        purchasing.accept_order(c.member, order.id)
    run_periodic(app)
    db.session.refresh(order)
    assert order.status == OrderStatus.LAPSED
    db.session.refresh(c.variant)
    assert c.variant.reserved == 0  # nothing was reserved: that happens on acceptance
    notified = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.message.contains("kedaluwarsa"))
        )
    )
    assert {c.member.id, c.ppk.id, c.pp.id} <= notified


def test_a_saturday_offer_counts_from_monday(app_ctx: Flask, clock: ModuleType) -> None:
    clock.freeze(wib(2026, 12, 5, 9))  # Saturday
    c = wf.cast()
    quotation = wf.quoted(c)
    assert as_utc(quotation.lapses_at).astimezone(WIB) == wib(2026, 12, 10)  # Mon, Tue, Wed
    assert as_utc(quotation.lapses_at) == datetime(2026, 12, 9, 17, tzinfo=UTC)
