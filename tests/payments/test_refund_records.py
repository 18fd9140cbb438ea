"""What the records of a refund tell the city and an auditor afterwards: who returned the money
and with which bank reference (kept within its column), why a refund failed, what the metrics
count, that only card refunds go to Stripe (and a refund settled meanwhile never again), and
that the periodic task logs a refund it could not process and goes on with the rest."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from sqlalchemy import insert, select, update

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrderEvent
from marketplace.payments import refunds as refund_service
from marketplace.payments import transfers
from marketplace.payments.exceptions import PaymentError
from marketplace.payments.models import (
    PaymentEvent,
    PaymentFlag,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from tests.factories import UserFactory
from tests.payments.paying import (
    image_bytes,
    member_of,
    payments_of,
    placed_order,
    post_event,
    refresh,
    shopper_client,
)
from tests.payments.test_refunds import (
    ALREADY_DONE,
    P,
    S,
    paid_by_card,
    pending_card_refund,
    refunds_of,
)
from tests.stripe_fake import FakeStripe


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def transfer_refund_waiting(app: Flask) -> tuple[Order, Refund]:
    """A part paid by transfer, then cancelled: the city owes the shopper a transfer back."""
    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER, cooperatives=1)
    [part] = order.vendor_orders
    with app.test_request_context():
        payment = transfers.submit_transfer_proof(order.user, order.number, part.id, image_bytes())
        transfers.confirm_transfer(payment, member_of(order))
        order_moves.cancel_by_shopper(order.user, order.number, part.id, "Tidak jadi")
        db.session.commit()
    [refund] = refunds_of(order)
    assert (refund.method, refund.status) == (RefundMethod.TRANSFER, RefundStatus.PENDING)
    return order, refund


def test_the_city_s_transfer_back_is_recorded_once_with_who_and_the_bank_reference(
    app: Flask,
) -> None:
    order, refund = transfer_refund_waiting(app)
    [part] = order.vendor_orders
    admin = UserFactory(is_city_admin=True)
    # A reference pasted from a bank's page can be long: it is kept to its column's 255.
    reference = "BCA-" + "7" * 296
    refunded = counted("opop_events_total", kind="payment_refunded")
    completed = counted("opop_refunds_total", method="transfer", outcome="completed")
    with app.test_request_context():
        refund_service.mark_returned(admin, refund.id, reference)
        db.session.commit()
    # What /metrics tells the operators: one refund completed, by transfer.
    assert counted("opop_events_total", kind="payment_refunded") == refunded + 1
    assert counted("opop_refunds_total", method="transfer", outcome="completed") == completed + 1
    [refund] = refunds_of(order)
    assert (refund.status, refund.provider_reference, refund.completed_by) == (
        RefundStatus.SUCCEEDED,
        reference[:255],
        admin.id,
    )
    refresh(part)
    assert part.status == S.REFUNDED
    # The part's timeline names the transfer the money went back by.
    last_step = db.session.scalars(
        select(VendorOrderEvent)
        .where(VendorOrderEvent.vendor_order_id == part.id)
        .order_by(VendorOrderEvent.id.desc())
        .limit(1)
    ).one()
    assert last_step.note == reference
    # The payment's history says who returned the money and who closed the payment.
    [payment] = payments_of(order)
    actors = {
        event.kind: event.actor_id
        for event in db.session.execute(
            select(PaymentEvent.kind, PaymentEvent.actor_id).where(
                PaymentEvent.payment_id == payment.id,
                PaymentEvent.kind.in_(["refund_completed", "refunded"]),
            )
        )
    }
    assert actors == {"refund_completed": admin.id, "refunded": admin.id}

    # Recorded once: a second "returned" (a double click, another administrator) is refused.
    with app.test_request_context(), pytest.raises(PaymentError, match=ALREADY_DONE):
        refund_service.mark_returned(admin, refund.id, "BCA-000")
    assert refunds_of(order)[0].provider_reference == reference[:255]


def test_a_refund_stripe_refuses_for_good_is_counted_audited_and_its_error_kept_in_bounds(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, refund = pending_card_refund(app, stripe_fake)
    [part] = order.vendor_orders
    failed_events = counted("opop_events_total", kind="refund_failed")
    failed_refunds = counted("opop_refunds_total", method="card", outcome="failed")
    # Not retryable: Stripe says the request itself is wrong, with a very long explanation.
    stripe_fake.fail_next(400, type_="invalid_request_error", message="Tidak bisa. " * 400)
    with app.test_request_context():
        assert refund_service.process_refund(refund.id) is False
    [refund] = refunds_of(order)
    assert refund.status == RefundStatus.FAILED
    assert refund.last_error.startswith("InvalidRequestError while")
    assert len(refund.last_error) == 2000
    [failed] = db.session.scalars(select(AuditLog).where(AuditLog.action == "refund.failed"))
    assert (failed.subject_type, failed.subject_id, failed.cooperative_id) == (
        "Refund",
        refund.id,
        part.cooperative_id,
    )
    assert failed.data["amount"] == part.total
    assert failed.data["error"] == refund.last_error[:500]
    assert counted("opop_events_total", kind="refund_failed") == failed_events + 1
    assert counted("opop_refunds_total", method="card", outcome="failed") == failed_refunds + 1


def test_a_refund_settled_while_it_waited_is_not_sent_to_stripe(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, refund = pending_card_refund(app, stripe_fake)
    sent = len(stripe_fake.calls("POST", "/v1/refunds"))
    with app.test_request_context():
        # This worker read the refund while it was pending; another then settled it.
        assert db.session.get(Refund, refund.id).status == RefundStatus.PENDING  # type: ignore[union-attr]
        db.session.execute(
            update(Refund).where(Refund.id == refund.id).values(status=RefundStatus.FAILED),
            execution_options={"synchronize_session": False},
        )
        assert refund_service.process_refund(refund.id) is False
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == sent
    assert refunds_of(order)[0].attempts == 1


def test_only_card_refunds_go_to_stripe_even_when_a_transfer_waits_longer(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    transfer_order, transfer = transfer_refund_waiting(app)
    card_order, card = pending_card_refund(app, stripe_fake)
    assert transfer.id < card.id
    sent = len(stripe_fake.calls("POST", "/v1/refunds"))
    with app.test_request_context():
        assert refund_service.process_refund(transfer.id) is False
        # The batch of one is the card refund: the older transfer is the city's to send.
        assert refund_service.retry_pending_refunds(limit=1) == 1
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == sent + 1
    assert refunds_of(transfer_order)[0].status == RefundStatus.PENDING
    assert refunds_of(card_order)[0].status == RefundStatus.SUCCEEDED


def test_the_periodic_task_logs_a_refund_it_could_not_process_and_goes_on(
    app: Flask,
    stripe_fake: FakeStripe,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    stripe_fake.fail_next(500, times=2)
    for part in order.vendor_orders:
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    broken, fine = refunds_of(order)
    process = refund_service.process_refund

    def breaks_on_the_first(refund_id: int) -> bool:
        if refund_id == broken.id:
            raise RuntimeError("the database went away")
        return process(refund_id)

    monkeypatch.setattr(refund_service, "process_refund", breaks_on_the_first)
    with app.test_request_context(), caplog.at_level(logging.ERROR):
        assert refund_service.retry_pending_refunds() == 1
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert (logged.name, logged.getMessage()) == (
        "marketplace.payments.refunds",
        f"refund {broken.id} could not be processed",
    )
    assert logged.exc_info is not None
    assert [r.status for r in refunds_of(order)] == [RefundStatus.PENDING, RefundStatus.SUCCEEDED]
    assert fine.id != broken.id


def test_stripe_s_report_after_one_refund_completes_nothing_it_does_not_cover(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    stripe_fake.fail_next(500, times=2)
    for part in order.vendor_orders:
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    with app.test_request_context():
        assert refund_service.retry_pending_refunds(limit=1) == 1
    first, second = refunds_of(order)
    assert (first.status, second.status) == (RefundStatus.SUCCEEDED, RefundStatus.PENDING)
    assert second.amount <= 2 * first.amount  # so counting the first twice would cover it
    intent = payments_of(order)[0].payment_intent
    # Stripe's report counts only the first refund: the second is still to be sent.
    response = post_event(client, stripe_fake.charge_refunded(intent))
    assert response.get_json()["outcome"] == "refund_reconciled"
    assert [r.status for r in refunds_of(order)] == [RefundStatus.SUCCEEDED, RefundStatus.PENDING]
    assert payments_of(order)[0].flag is None


def test_money_returned_from_stripe_s_dashboard_is_counted_for_the_alert(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    before = counted("opop_events_total", kind="payment_refunded_outside")
    intent = payments_of(order)[0].payment_intent
    post_event(client, stripe_fake.charge_refunded(intent, extra=500000))
    assert counted("opop_events_total", kind="payment_refunded_outside") == before + 1


def test_the_periodic_task_sends_at_most_a_hundred_refunds_a_run_oldest_first(
    app: Flask, stripe_fake: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog (Stripe down for a day) is worked off a hundred at a time, so one run of the
    job never holds the worker for the whole backlog; the oldest go first."""
    order, refund = pending_card_refund(app, stripe_fake)
    db.session.execute(
        insert(Refund),
        [
            {
                "order_id": order.id,
                "method": RefundMethod.CARD,
                "status": RefundStatus.PENDING,
                "reason": RefundReason.CANCELLED,
                "amount": 1000,
                "idempotency_key": f"backlog-{n}",
            }
            for n in range(100)
        ],
    )
    db.session.commit()
    waiting = list(
        db.session.scalars(
            select(Refund.id).where(Refund.status == RefundStatus.PENDING).order_by(Refund.id)
        )
    )
    assert len(waiting) == 101 and waiting[0] == refund.id
    sent: list[int] = []
    monkeypatch.setattr(refund_service, "process_refund", lambda id_: sent.append(id_) or True)
    with app.test_request_context():
        assert refund_service.retry_pending_refunds() == 100
    assert sent == waiting[:100]


def paid_in_one_tab_of_two(app: Flask, stripe_fake: FakeStripe) -> tuple[Order, Any, str]:
    """The shopper opened the card payment in two tabs and paid in the first: the order, the
    shopper's client and the second checkout session, still open at Stripe."""
    order = placed_order(app, cooperatives=1)
    client = shopper_client(app)
    client.post(f"/orders/{order.number}/payment/card")
    first_session = stripe_fake.only_session["id"]
    with app.test_request_context():
        payments_of(order)[0].expires_at = None
        db.session.commit()
    client.post(f"/orders/{order.number}/payment/card")
    second_session = next(s for s in stripe_fake.sessions if s != first_session)
    post_event(client, stripe_fake.complete(first_session))
    return order, client, second_session


def test_a_duplicate_payment_returned_after_delivery_leaves_the_cooperative_s_earning_alone(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    """The shopper paid twice (two tabs); the part was delivered before the second payment
    arrived. Returning the second payment takes nothing from the cooperative, which was paid
    for its goods once."""
    from marketplace.payments import settlement
    from marketplace.payments.models import SettlementEntry
    from tests.payments.test_settlement import deliver

    order, client, second_session = paid_in_one_tab_of_two(app, stripe_fake)
    [part] = order.vendor_orders
    with app.test_request_context():
        deliver(part, member_of(order))
        db.session.commit()
    earned = settlement.balance(part.cooperative_id)
    kinds_before = list(
        db.session.scalars(
            select(SettlementEntry.kind).where(SettlementEntry.vendor_order_id == part.id)
        )
    )

    post_event(client, stripe_fake.complete(second_session))

    _first, second = payments_of(order)
    assert second.flag == PaymentFlag.DUPLICATE and second.state == P.REFUNDED
    assert settlement.balance(part.cooperative_id) == earned
    assert (
        list(
            db.session.scalars(
                select(SettlementEntry.kind).where(SettlementEntry.vendor_order_id == part.id)
            )
        )
        == kinds_before
    )


def test_a_refund_of_a_delivered_part_s_own_money_comes_out_of_its_earning(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Money returned for goods already delivered is taken from the cooperative's ledger once,
    in the refund's amount, by whoever returned it; the commission stays charged (only a
    complaint's refund is of goods whose commission comes back)."""
    from marketplace.payments import settlement
    from marketplace.payments.models import EntryKind, SettlementEntry
    from tests.payments.test_settlement import deliver

    monkeypatch.setitem(app.config, "PLATFORM_COMMISSION_PERCENT", "10")
    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER, cooperatives=1)
    [part] = order.vendor_orders
    admin = UserFactory(is_city_admin=True)
    with app.test_request_context():
        member = member_of(order)
        payment = transfers.submit_transfer_proof(order.user, order.number, part.id, image_bytes())
        transfers.confirm_transfer(payment, member)
        deliver(part, member)
        db.session.commit()
        before = settlement.balance(part.cooperative_id)
        refund = refund_service.refund_allocation(payment, part, 7_000, RefundReason.CANCELLED)
        assert refund is not None
        db.session.commit()
        with caplog.at_level(logging.INFO, logger="marketplace.payments.refunds"):
            refund_service.mark_returned(admin, refund.id, "BCA-123")
        db.session.commit()
    # The part keeps its status (delivered goods are not "refunded"), and nothing was tried.
    refresh(part)
    assert part.status == S.DELIVERED
    assert not [r for r in caplog.records if r.name == "marketplace.payments.refunds"]
    assert settlement.balance(part.cooperative_id) == before - 7_000
    [entry] = db.session.scalars(
        select(SettlementEntry).where(
            SettlementEntry.vendor_order_id == part.id, SettlementEntry.kind == EntryKind.REFUND
        )
    )
    assert (entry.amount, entry.created_by) == (7_000, admin.id)
    kinds = db.session.scalars(
        select(SettlementEntry.kind).where(SettlementEntry.vendor_order_id == part.id)
    ).all()
    # Paid to the cooperative's own account: earned, collected, charged, and the refund.
    assert sorted(kinds) == sorted(
        [EntryKind.EARNING, EntryKind.COMMISSION, EntryKind.COLLECTED, EntryKind.REFUND]
    )


def test_a_refund_completing_as_another_refunds_the_part_is_recorded_and_logged(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Two refunds of one cancelled part (its payment, and money that arrived after the
    cancellation) complete at once: the one that finds the part already refunded by the other
    still completes, and the log says why the part did not move again."""
    from marketplace.orders.models import VendorOrder

    order, first = transfer_refund_waiting(app)
    [part] = order.vendor_orders
    admin = UserFactory(is_city_admin=True)
    with app.test_request_context():
        second = refund_service.refund_allocation(
            None, part, 5_000, RefundReason.PAID_AFTER_CANCEL, notify=False
        )
        assert second is not None
        db.session.commit()
    with app.test_request_context():
        assert db.session.get(VendorOrder, part.id).status == S.CANCELLED  # type: ignore[union-attr]
        # Meanwhile another worker completed the first refund and moved the part.
        db.session.execute(
            update(VendorOrder).where(VendorOrder.id == part.id).values(status=S.REFUNDED),
            execution_options={"synchronize_session": False},
        )
        with caplog.at_level(logging.INFO, logger="marketplace.payments.refunds"):
            refund_service.mark_returned(admin, second.id, "BCA-2")
        db.session.commit()
    assert [r.status for r in refunds_of(order)] == [RefundStatus.PENDING, RefundStatus.SUCCEEDED]
    refresh(part)
    assert part.status == S.REFUNDED
    assert [r.getMessage() for r in caplog.records if r.name == "marketplace.payments.refunds"] == [
        f"vendor order {part.id} was already refunded"
    ]
    [completed] = db.session.scalars(select(AuditLog).where(AuditLog.action == "refund.completed"))
    assert (completed.subject_id, completed.actor_id, completed.cooperative_id) == (
        second.id,
        admin.id,
        part.cooperative_id,
    )
    assert completed.data == {"amount": 5_000, "reference": "BCA-2", "method": "transfer"}
    assert first.id != second.id


def test_a_refund_completed_by_stripe_s_webhook_during_the_call_is_not_counted_again(
    app: Flask, stripe_fake: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call to Stripe holds no lock: when Stripe's report completes the refund meanwhile,
    the answer finds it done and leaves it alone, and the task does not count it as its own."""
    from marketplace.payments import stripe_gateway

    order, refund = pending_card_refund(app, stripe_fake)

    def completed_meanwhile(**_: object) -> stripe_gateway.RefundResult:
        db.session.execute(
            update(Refund)
            .where(Refund.id == refund.id)
            .values(status=RefundStatus.SUCCEEDED, provider_reference="re_webhook"),
            execution_options={"synchronize_session": False},
        )
        return stripe_gateway.RefundResult(id="re_call", status="succeeded", amount=None)

    monkeypatch.setattr(stripe_gateway, "create_refund", completed_meanwhile)
    with app.test_request_context():
        assert refund_service.retry_pending_refunds() == 0
    [refund] = refunds_of(order)
    assert (refund.status, refund.provider_reference, refund.attempts) == (
        RefundStatus.SUCCEEDED,
        "re_webhook",
        1,
    )


def test_cancelling_the_second_part_returns_its_own_amount_with_one_email(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    """One card payment paid two parts of different totals: cancelling the second returns the
    second's amount (not the first's), once, and the shopper gets one email about it."""
    from marketplace.mail import OutboxEmail
    from tests.shopping import place, stocked_variant

    with app.test_request_context():
        shopper = UserFactory(email="dua@example.test")
        order = place(
            shopper, (stocked_variant(10), 1), (stocked_variant(10), 3), payment=PaymentMethod.CARD
        )
        db.session.commit()
    client = shopper_client(app, "dua@example.test")
    client.post(f"/orders/{order.number}/payment/card")
    post_event(client, stripe_fake.complete(stripe_fake.only_session["id"]))
    first, second = order.vendor_orders
    assert first.total != second.total
    client.post(f"/orders/{order.number}/parts/{second.id}/cancel", data={"reason": "Kebanyakan"})
    [refund] = refunds_of(order)
    assert (refund.vendor_order_id, refund.amount) == (second.id, second.total)
    assert [r["amount"] for r in stripe_fake.refunds.values()] == [second.total * 100]
    started = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == "refund_started")
    ).all()
    assert [email.subject for email in started] == [
        f"Pesanan {order.number} dibatalkan, dana dikembalikan"
    ]


def test_a_declined_attempt_before_the_payment_is_not_refunded(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    """The card was declined once, then paid: cancelling the part returns the payment that
    took the money, and nothing for the attempt that took none."""
    order = placed_order(app, cooperatives=1)
    client = shopper_client(app)
    client.post(f"/orders/{order.number}/payment/card")
    declined = stripe_fake.only_session["id"]
    post_event(client, stripe_fake.payment_failed(declined))
    with app.test_request_context():
        payments_of(order)[0].expires_at = None
        db.session.commit()
    client.post(f"/orders/{order.number}/payment/card")
    paid = next(s for s in stripe_fake.sessions if s != declined)
    post_event(client, stripe_fake.complete(paid))
    attempts = payments_of(order)
    [took_money] = [p for p in attempts if p.state == P.SUCCEEDED]
    [part] = order.vendor_orders
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    [refund] = refunds_of(order)
    assert (refund.payment_id, refund.amount) == (took_money.id, part.total)


def test_the_city_s_cancellation_of_a_part_paid_outside_the_app_names_who_asked(
    app: Flask,
) -> None:
    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER, cooperatives=1)
    [part] = order.vendor_orders
    admin = UserFactory(is_city_admin=True)
    with app.test_request_context():
        order_moves.mark_vendor_order_paid(part)
        order_moves.cancel_by_admin(admin, part.id, "Koperasi tutup")
        db.session.commit()
    [refund] = refunds_of(order)
    assert (refund.payment_id, refund.requested_by) == (None, admin.id)
    [requested] = db.session.scalars(select(AuditLog).where(AuditLog.action == "refund.requested"))
    assert requested.actor_id == admin.id


def test_the_last_refund_of_a_payment_closes_it_even_when_another_worker_sent_the_first(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    """Both parts of a card payment were cancelled; another worker completed the first refund
    after this one had read it. Completing the second must count the first as returned (as the
    database has it), so the payment is closed as refunded."""
    order, client = paid_by_card(app, stripe_fake)
    stripe_fake.fail_next(500, times=2)
    for part in order.vendor_orders:
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    first, second = refunds_of(order)
    with app.test_request_context():
        stale = db.session.get(Refund, first.id)
        assert stale is not None and stale.status == RefundStatus.PENDING
        db.session.execute(
            update(Refund).where(Refund.id == first.id).values(status=RefundStatus.SUCCEEDED),
            execution_options={"synchronize_session": False},
        )
        assert refund_service.process_refund(second.id) is True
    assert payments_of(order)[0].state == P.REFUNDED


def test_the_refund_email_greets_the_shopper_in_their_language_with_the_order_link(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    from marketplace.mail import OutboxEmail

    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    order.user.locale = "en"
    db.session.commit()
    [part] = order.vendor_orders
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    [email] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == "refund_started")
    ).all()
    assert email.locale == "en"
    assert f"Hello {order.user.full_name}," in email.body_text
    assert f"http://localhost/orders/{order.number}" in email.body_text


def test_a_city_cancellation_is_recorded_as_the_city_s_request_and_counted(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, _client = paid_by_card(app, stripe_fake, cooperatives=1)
    [part] = order.vendor_orders
    admin = UserFactory(is_city_admin=True)
    requested = counted("opop_events_total", kind="refund_requested")
    with app.test_request_context():
        order_moves.cancel_by_admin(admin, part.id, "Koperasi tutup")
        db.session.commit()
    [refund] = refunds_of(order)
    assert refund.requested_by == admin.id
    [payment] = payments_of(order)
    [event] = db.session.scalars(
        select(PaymentEvent).where(
            PaymentEvent.payment_id == payment.id, PaymentEvent.kind == "refund_requested"
        )
    )
    assert event.actor_id == admin.id
    [audited] = db.session.scalars(select(AuditLog).where(AuditLog.action == "refund.requested"))
    assert audited.actor_id == admin.id
    assert counted("opop_events_total", kind="refund_requested") == requested + 1


def test_a_part_cancelled_twice_is_refunded_and_emailed_once(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    """The cancellation's signal arrives again (a retried job): nothing new is asked."""
    from marketplace.mail import OutboxEmail

    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    [part] = order.vendor_orders
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    with app.test_request_context():
        again = refund_service.refund_cancelled_part(db.session.get(type(part), part.id))  # type: ignore[arg-type]
        db.session.commit()
    assert again == []
    assert len(refunds_of(order)) == 1
    assert (
        len(
            db.session.scalars(
                select(OutboxEmail).where(OutboxEmail.template == "refund_started")
            ).all()
        )
        == 1
    )


def test_a_payment_arriving_after_the_part_was_cancelled_and_refunded_goes_back_too(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    """The shopper paid in two tabs; the first payment was returned when the part was
    cancelled, then the second went through: it gets a refund of its own."""
    order, client, second_session = paid_in_one_tab_of_two(app, stripe_fake)
    [part] = order.vendor_orders
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    post_event(client, stripe_fake.complete(second_session))
    first, second = payments_of(order)
    refunds = refunds_of(order)
    assert sorted(r.payment_id for r in refunds) == [first.id, second.id]
    assert all(r.amount == part.total for r in refunds)


def test_any_positive_amount_is_refunded_even_one_rupiah(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, _client = paid_by_card(app, stripe_fake, cooperatives=1)
    [part] = order.vendor_orders
    [payment] = payments_of(order)
    with app.test_request_context():
        refund = refund_service.refund_allocation(
            payment, part, 1, RefundReason.CANCELLED, notify=False
        )
        assert refund is not None and refund.amount == 1
        db.session.rollback()


def test_a_payment_s_own_refund_of_a_part_is_apart_from_its_complaint_s_refund(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A complaint's refund out of a payment does not stand for the part's other refund of
    that payment (a duplicate returned, a cancellation): that one is recorded on its own."""
    from marketplace.complaints import services as complaints
    from tests.payments.test_settlement import deliver

    monkeypatch.setitem(app.config, "PAYMENT_TRANSFER_ACCOUNT", "platform")
    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER, cooperatives=1)
    [part] = order.vendor_orders
    with app.test_request_context():
        member = member_of(order)
        payment = transfers.submit_transfer_proof(order.user, order.number, part.id, image_bytes())
        transfers.confirm_transfer(payment, member)
        deliver(part, member)
        line_id = part.lines[0].id
        complaint = complaints.open_complaint(
            order.user,
            order.number,
            part.id,
            reason="damaged",
            message="Sobek.",
            quantities={line_id: 1},
        )
        complaints.accept_refund(member, part.cooperative_id, complaint.id, {line_id: 1_000})
        [by_complaint] = db.session.scalars(select(Refund).where(Refund.payment_id == payment.id))
        assert by_complaint.complaint_id == complaint.id

        other = refund_service.refund_allocation(payment, part, 500, RefundReason.DUPLICATE)

        assert other is not None and other.id != by_complaint.id
        assert (other.complaint_id, other.reason, other.amount) == (
            None,
            RefundReason.DUPLICATE,
            500,
        )
        assert refund_service.refund_allocation(payment, part, 500, RefundReason.DUPLICATE) == other
