"""Unanswered offers and unaccepted Surat Pesanan lapse after their working days (weekends and
the configured holidays skipped): the periodic task writes the lapse; a page shows it, computed,
and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.database import as_utc
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.procurement import deadlines, negotiation, purchasing
from marketplace.procurement.exceptions import Lapsed
from marketplace.procurement.models import (
    OrderStatus,
    ProcurementEvent,
    QuotationStatus,
)
from tests.conftest import login, logout
from tests.procurement import workflow as wf
from tests.queries import counted

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def run_periodic(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "run-periodic", "--all"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_lapse_task_is_registered(app: Flask) -> None:
    listing = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "procurement.lapse\tevery 300s\tmarketplace.procurement.deadlines:lapse_due" in listing


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
    assert not deadlines.quotation_has_lapsed(quotation)
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
    assert deadlines.lapse_quotation(quotation.id)
    assert quotation.status == QuotationStatus.LAPSED


#: Who opens which page of a procurement, and the form that answers the deadline there (gone
#: once the deadline has passed): an offer waits for the agency, a counter-offer for the
#: cooperative.
OFFER_PAGES = (
    ("pejabat_pengadaan@agency.test", "/procurement/requests/{request}", None),
    ("pejabat_pengadaan@agency.test", "/procurement/quotations/{quotation}", "/agree"),
)
COUNTER_PAGES = (
    ("pejabat_pengadaan@agency.test", "/procurement/requests/{request}", None),
    ("owner@coop.test", "/procurement/cooperative/quotations/{quotation}", "/offer"),
)
ORDER_PAGES = (
    ("ppk@agency.test", "/procurement/orders/{order}", "/cancel"),
    ("owner@coop.test", "/procurement/cooperative/orders/{order}", "/accept"),
)


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def open_pages(
    app: Flask, client: FlaskClient, pages: tuple[tuple[str, str, str | None], ...], **ids: int
) -> list[str]:
    """Open each page as its reader; the bodies, and no write while they are served."""
    bodies = []
    for email, path, _answer in pages:
        logout(client)
        login(client, email)
        with counted(app) as statements:
            page = client.get(path.format(**ids))
        assert page.status_code == 200, path
        assert writes(statements) == [], f"GET {path} wrote {writes(statements)}"
        bodies.append(page.get_data(as_text=True))
    return bodies


@pytest.mark.parametrize(
    ("countered", "pages", "waiting"),
    [(False, OFFER_PAGES, "status--quoted"), (True, COUNTER_PAGES, "status--countered")],
    ids=["offer", "counter-offer"],
)
def test_a_page_shows_a_due_offer_as_lapsed_and_writes_nothing(
    app: Flask,
    client: FlaskClient,
    clock: ModuleType,
    countered: bool,
    pages: tuple[tuple[str, str, str | None], ...],
    waiting: str,
) -> None:
    with app.test_request_context():
        c = wf.cast()
        quotation = wf.quoted(c)
        if countered:
            negotiation.counter_offer(c.pp, quotation.id, wf.prices(quotation.request, 8_500))
        db.session.commit()
    ids = {"request": quotation.request_id, "quotation": quotation.id}
    for body, (_email, path, answer) in zip(
        open_pages(app, client, pages, **ids), pages, strict=True
    ):
        assert f'{waiting}">' in body, path
        if answer is not None:  # the quotation's own page: its deadline and the answer
            assert "Dijawab paling lambat" in body and f"/{quotation.id}{answer}" in body, path
    clock.advance(timedelta(days=6))
    for body, (_email, path, answer) in zip(
        open_pages(app, client, pages, **ids), pages, strict=True
    ):
        assert 'status--lapsed">Kedaluwarsa<' in body and waiting not in body, path
        assert "Dijawab paling lambat" not in body, path
        if answer is not None:
            assert f"/{quotation.id}{answer}" not in body, path
    db.session.refresh(quotation)
    assert quotation.status != QuotationStatus.LAPSED and quotation.lapses_at is not None
    assert "procurement.lapse" in run_periodic(app)  # the job writes the lapse
    db.session.refresh(quotation)
    assert quotation.status == QuotationStatus.LAPSED and quotation.lapses_at is None


def test_a_page_shows_a_due_surat_pesanan_as_lapsed_and_writes_nothing(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast()
        order = wf.issued(c)
        db.session.commit()
    for body, (_email, path, answer) in zip(
        open_pages(app, client, ORDER_PAGES, order=order.id), ORDER_PAGES, strict=True
    ):
        assert 'status--issued">' in body and "Diterima koperasi paling lambat" in body, path
        assert f"/{order.id}{answer}" in body, path
    clock.advance(timedelta(days=6))
    for body, (_email, path, answer) in zip(
        open_pages(app, client, ORDER_PAGES, order=order.id), ORDER_PAGES, strict=True
    ):
        assert 'status--lapsed">Kedaluwarsa<' in body, path
        assert "Diterima koperasi paling lambat" not in body, path
        assert f"/{order.id}{answer}" not in body, path
    db.session.refresh(order)
    assert order.status == OrderStatus.ISSUED and order.acceptance_due_at is not None
    assert "procurement.lapse" in run_periodic(app)
    db.session.refresh(order)
    assert order.status == OrderStatus.LAPSED and order.acceptance_due_at is None
    event = db.session.scalars(
        select(ProcurementEvent).order_by(ProcurementEvent.id.desc())
    ).first()
    assert event is not None and (event.actor, event.to_status) == ("system", "lapsed")


def test_a_surat_pesanan_not_accepted_in_time_lapses(app: Flask, clock: ModuleType) -> None:
    with app.test_request_context():
        c = wf.cast()
        order = wf.issued(c)
        db.session.commit()
    assert as_utc(order.acceptance_due_at).astimezone(WIB) == wib(2026, 12, 5)
    clock.freeze(wib(2026, 12, 4, 23, 0))
    with app.test_request_context():
        assert not deadlines.lapse_order(order.id)
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
