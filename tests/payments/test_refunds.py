"""Refunds: cancelling a paid part gives back exactly that part's money, by card through Stripe
(a partial refund) or by transfer recorded by the city; money that arrives for a cancelled part
goes back by itself."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import OutboxEmail
from marketplace.orders import moves as order_moves
from marketplace.orders.models import Order, PaymentMethod, VendorOrderStatus
from marketplace.payments import refunds as refund_service
from marketplace.payments import transfers
from marketplace.payments.models import (
    Payment,
    PaymentEvent,
    PaymentFlag,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
)
from tests.conftest import login
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
from tests.stripe_fake import FakeStripe

S = VendorOrderStatus
P = PaymentStatus


def paid_by_card(
    app: Flask, stripe_fake: FakeStripe, cooperatives: int = 2
) -> tuple[Order, FlaskClient]:
    order = placed_order(app, cooperatives=cooperatives)
    client = shopper_client(app)
    assert client.post(f"/orders/{order.number}/payment/card").status_code == 303
    assert (
        post_event(client, stripe_fake.complete(stripe_fake.only_session["id"])).status_code == 200
    )
    refresh(*order.vendor_orders)
    assert {part.status for part in order.vendor_orders} == {S.PAID}
    return order, client


def refunds_of(order: Order) -> list[Refund]:
    return list(
        db.session.scalars(
            select(Refund)
            .where(Refund.order_id == order.id)
            .order_by(Refund.id)
            .execution_options(populate_existing=True)
        )
    )


def test_cancelling_one_paid_part_refunds_exactly_that_part_by_card(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    first, second = order.vendor_orders
    intent = payments_of(order)[0].payment_intent

    response = client.post(
        f"/orders/{order.number}/parts/{first.id}/cancel", data={"reason": "Salah pilih"}
    )

    assert response.status_code == 302
    [refund] = refunds_of(order)
    assert (refund.method, refund.status, refund.amount, refund.reason) == (
        RefundMethod.CARD,
        RefundStatus.SUCCEEDED,
        first.total,
        RefundReason.CANCELLED,
    )
    [stripe_refund] = stripe_fake.refunds.values()
    assert stripe_refund["amount"] == first.total * 100  # its goods and delivery fee, no more
    assert stripe_refund["payment_intent"] == intent
    assert refund.provider_reference == stripe_refund["id"]
    assert [c.idempotency_key for c in stripe_fake.calls("POST", "/v1/refunds")] == [
        refund.idempotency_key
    ]
    refresh(first, second)
    assert (first.status, second.status) == (S.REFUNDED, S.PAID)
    payment = payments_of(order)[0]
    assert payment.state == P.SUCCEEDED  # part of it still pays the other cooperative
    # One email for the cancellation: it gives the reason and says how the money comes back.
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [e.subject for e in emails][-2:] == [
        f"Pesanan {order.number} dibatalkan, dana dikembalikan",
        f"Pesanan {order.number}: Dana dikembalikan",  # later, when Stripe returned it
    ]
    assert "Alasan pembatalan: Salah pilih" in emails[-2].body_text
    assert "ke kartu yang Anda pakai" in emails[-2].body_text
    # Stripe's own report of the refund matches ours: nothing to flag.
    assert post_event(client, stripe_fake.charge_refunded(intent)).status_code == 200
    assert payments_of(order)[0].flag is None


def test_cancelling_every_part_refunds_the_whole_payment(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    for part in order.vendor_orders:
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    assert [r.status for r in refunds_of(order)] == [RefundStatus.SUCCEEDED] * 2
    assert payments_of(order)[0].state == P.REFUNDED
    assert sum(r["amount"] for r in stripe_fake.refunds.values()) == order.grand_total * 100


def test_the_cooperatives_rejection_of_a_paid_part_refunds_it(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, _client = paid_by_card(app, stripe_fake, cooperatives=1)
    member = member_of(order)
    [part] = order.vendor_orders
    with app.test_request_context():
        order_moves.reject_vendor_order(member, part.id, "Stok rusak")
        db.session.commit()
        from marketplace.jobs import dispatch_after_commit

        dispatch_after_commit()
    refresh(part)
    assert part.status == S.REFUNDED
    assert [r.amount for r in refunds_of(order)] == [part.total]


def test_an_administrator_cancels_an_accepted_part_and_it_is_refunded(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, _client = paid_by_card(app, stripe_fake)
    first, second = order.vendor_orders
    with app.test_request_context():
        order_moves.accept_vendor_order(member_of(order, 1), second.id)
        db.session.commit()
    UserFactory(email="admin@example.test", is_city_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.test")

    page = admin.get(f"/admin/payments/orders/{order.number}").get_data(as_text=True)
    assert f"Batalkan bagian {second.cooperative_name}" in page
    refused = admin.post(
        f"/admin/payments/orders/{order.number}/parts/{second.id}/cancel", data={"reason": ""}
    )
    assert refused.status_code == 400
    response = admin.post(
        f"/admin/payments/orders/{order.number}/parts/{second.id}/cancel",
        data={"reason": "Koperasi tidak dapat mengirim"},
    )

    assert response.status_code == 302
    refresh(first, second)
    assert (first.status, second.status) == (S.PAID, S.REFUNDED)
    assert second.events[-2].actor_kind == "city_admin"
    assert [r.amount for r in refunds_of(order)] == [second.total]


def test_a_payment_completing_after_the_order_was_cancelled_is_refunded_and_flagged(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order = placed_order(app, quantity=3)
    client = shopper_client(app)
    client.post(f"/orders/{order.number}/payment/card")
    [part] = order.vendor_orders
    variant = part.lines[0].variant
    # The shopper cancels while Stripe's page is still open, then pays anyway.
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    refresh(part, variant)
    assert (part.status, variant.reserved) == (S.CANCELLED, 0)

    response = post_event(client, stripe_fake.complete(stripe_fake.only_session["id"]))

    assert response.status_code == 200
    [payment] = payments_of(order)
    assert payment.flag == PaymentFlag.PAID_AFTER_CANCEL and payment.is_flag_open
    assert payment.state == P.REFUNDED
    [refund] = refunds_of(order)
    assert (refund.reason, refund.status, refund.amount) == (
        RefundReason.PAID_AFTER_CANCEL,
        RefundStatus.SUCCEEDED,
        part.total,
    )
    assert [r["amount"] for r in stripe_fake.refunds.values()] == [part.total * 100]
    refresh(part, variant)
    assert part.status == S.CANCELLED  # never paid, so never "refunded"
    assert variant.reserved == 0  # the stock was released once, by the cancellation


def test_a_second_payment_for_a_paid_part_is_refunded_as_a_duplicate(
    app: Flask, stripe_fake: FakeStripe, clock: object
) -> None:
    order = placed_order(app, cooperatives=1)
    client = shopper_client(app)
    client.post(f"/orders/{order.number}/payment/card")
    first_session = stripe_fake.only_session["id"]
    # A second session for the same part (e.g. the first expired here but not at Stripe).
    with app.test_request_context():
        payment = payments_of(order)[0]
        payment.expires_at = None
        db.session.commit()
    client.post(f"/orders/{order.number}/payment/card")
    second_session = next(s for s in stripe_fake.sessions if s != first_session)
    post_event(client, stripe_fake.complete(first_session))
    post_event(client, stripe_fake.complete(second_session))
    first, second = payments_of(order)
    assert first.state == P.SUCCEEDED and first.flag is None
    assert second.flag == PaymentFlag.DUPLICATE and second.state == P.REFUNDED
    # The shopper is told the second payment goes back to the card (nothing was cancelled).
    [email] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == "refund_started")
    ).all()
    assert email.subject == f"Pengembalian dana pesanan {order.number}"
    assert "dibatalkan" not in email.body_text
    assert "Dana Rp20.000 untuk pesanan" in email.body_text
    assert "ke kartu yang Anda pakai" in email.body_text


def test_a_refund_stripe_refuses_is_retried_then_put_on_the_desk(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    [part] = order.vendor_orders
    app.config["PAYMENT_REFUND_MAX_ATTEMPTS"] = 2
    try:
        stripe_fake.fail_next(500, times=2)
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
        [refund] = refunds_of(order)
        assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 1)
        assert "APIError" in refund.last_error
        refresh(part)
        assert part.status == S.CANCELLED  # the cancellation itself went through

        with app.test_request_context():
            assert refund_service.retry_pending_refunds() == 0
        [refund] = refunds_of(order)
        assert (refund.status, refund.attempts) == (RefundStatus.FAILED, 2)
    finally:
        app.config["PAYMENT_REFUND_MAX_ATTEMPTS"] = 5

    UserFactory(email="admin@example.test", is_city_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.test")
    desk = admin.get("/admin/payments/").get_data(as_text=True)
    assert "Pengembalian lewat Stripe yang gagal" in desk
    admin.post(f"/admin/payments/refunds/{refund.id}/retry")  # Stripe answers now
    [refund] = refunds_of(order)
    assert refund.status == RefundStatus.SUCCEEDED
    refresh(part)
    assert part.status == S.REFUNDED


def test_a_refund_made_in_stripes_dashboard_is_flagged(app: Flask, stripe_fake: FakeStripe) -> None:
    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    intent = payments_of(order)[0].payment_intent
    response = post_event(client, stripe_fake.charge_refunded(intent, extra=500000))
    assert response.get_json()["outcome"] == "refund_reconciled"
    [payment] = payments_of(order)
    assert payment.flag == PaymentFlag.REFUNDED_OUTSIDE


def test_a_paid_transfer_part_cancelled_is_returned_by_transfer_by_the_city(
    app: Flask,
) -> None:
    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER, cooperatives=1)
    [part] = order.vendor_orders
    with app.test_request_context():
        user = order.user
        payment = transfers.submit_transfer_proof(user, order.number, part.id, image_bytes())
        transfers.confirm_transfer(payment, member_of(order))
        order_moves.cancel_by_shopper(user, order.number, part.id, "Tidak jadi")
        db.session.commit()
    [refund] = refunds_of(order)
    assert (refund.method, refund.status, refund.amount) == (
        RefundMethod.TRANSFER,
        RefundStatus.PENDING,
        part.total,
    )
    UserFactory(email="admin@example.test", is_city_admin=True)
    admin = app.test_client()
    login(admin, "admin@example.test")
    assert "Dana yang harus dikembalikan lewat transfer" in admin.get("/admin/payments/").get_data(
        as_text=True
    )
    assert admin.post(f"/admin/payments/refunds/{refund.id}", data={}).status_code == 400
    response = admin.post(
        f"/admin/payments/refunds/{refund.id}", data={"bank_reference": "BCA-778899"}
    )
    assert response.status_code == 302
    [refund] = refunds_of(order)
    assert (refund.status, refund.provider_reference) == (RefundStatus.SUCCEEDED, "BCA-778899")
    refresh(part)
    assert part.status == S.REFUNDED
    assert payments_of(order)[0].state == P.REFUNDED


def test_the_periodic_task_sends_pending_card_refunds_from_cron(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    [part] = order.vendor_orders
    stripe_fake.fail_next(503)
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    assert refunds_of(order)[0].status == RefundStatus.PENDING

    # cron: `flask jobs run-periodic`, an application context and no request
    result = app.test_cli_runner().invoke(args=["jobs", "run-periodic", "--all"])

    assert result.exit_code == 0, result.output
    assert refunds_of(order)[0].status == RefundStatus.SUCCEEDED
    refresh(part)
    assert part.status == S.REFUNDED
    status_email = db.session.scalars(
        select(OutboxEmail).where(
            OutboxEmail.subject == f"Pesanan {order.number}: Dana dikembalikan"
        )
    ).one()
    assert "http://localhost/orders/" in status_email.body_text


#: The domain, independently of `payments.states`: the statuses in which Stripe took the money
#: (applied to the order, held for the city's check, or since returned in full).
MONEY_RECEIVED = {P.SUCCEEDED, P.HELD, P.REFUNDED}


def card_payment_in(app: Flask, stripe_fake: FakeStripe, status: PaymentStatus) -> Payment:
    """A card payment brought to ``status`` the way it gets there in real life."""
    order = placed_order(app)
    client = shopper_client(app)
    assert client.post(f"/orders/{order.number}/payment/card").status_code == 303
    session_id = stripe_fake.only_session["id"]
    if status in (P.SUCCEEDED, P.REFUNDED):
        post_event(client, stripe_fake.complete(session_id))
    elif status == P.HELD:  # Stripe took less than the order's total: held for the city
        post_event(client, stripe_fake.complete(session_id, amount_total=100))
    elif status == P.EXPIRED:
        post_event(client, stripe_fake.expire(session_id))
    if status == P.REFUNDED:  # the shopper cancelled and got all of it back
        [part] = order.vendor_orders
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    [payment] = payments_of(order)
    assert payment.state == status
    return payment


def flag_notes(payment: Payment) -> list[str]:
    return list(
        db.session.scalars(
            select(PaymentEvent.note)
            .where(PaymentEvent.payment_id == payment.id, PaymentEvent.kind == "flagged")
            .order_by(PaymentEvent.id)
        )
    )


@pytest.mark.parametrize("status", sorted(MONEY_RECEIVED))
def test_money_returned_outside_the_app_is_flagged_whenever_stripe_had_taken_it(
    app: Flask, stripe_fake: FakeStripe, status: PaymentStatus
) -> None:
    """A refund made in Stripe's dashboard, beyond what Pasar OPOP asked for, goes on the city's
    desk: also when the payment was held for a check or already returned in full."""
    payment = card_payment_in(app, stripe_fake, status)
    asked = sum(r.amount for r in refunds_of(payment.order)) * 100
    client = shopper_client(app)
    signed = stripe_fake.charge_refunded(payment.payment_intent or "", extra=5000)
    assert post_event(client, signed).get_json()["outcome"] == "refund_reconciled"

    [payment] = payments_of(payment.order)
    refunded = stripe_fake.intents[payment.payment_intent or ""]["amount_refunded"]
    note = (
        f"Stripe refunded {refunded / 100:.2f} IDR of charge "
        f"{stripe_fake.intents[payment.payment_intent or '']['charge']}; "
        f"Pasar OPOP asked for {asked / 100:.2f} IDR."
    )
    notes = flag_notes(payment)
    assert payment.is_flag_open and note in (payment.flag_note or "")
    if status == P.HELD:  # it keeps its first reason (the amount), the note adds this one
        assert payment.flag == PaymentFlag.AMOUNT_MISMATCH
        assert len(notes) == 2 and notes[-1] == note
    else:
        assert payment.flag == PaymentFlag.REFUNDED_OUTSIDE
        assert notes == [note]


@pytest.mark.parametrize("status", [P.PENDING, P.EXPIRED])
def test_stripe_s_refund_report_for_money_never_received_flags_nothing(
    app: Flask, stripe_fake: FakeStripe, status: PaymentStatus
) -> None:
    assert status not in MONEY_RECEIVED
    payment = card_payment_in(app, stripe_fake, status)
    with app.test_request_context():
        refund_service.reconcile_card_refunds(payment, 5000, "ch_unknown")
        db.session.commit()
    [payment] = payments_of(payment.order)
    assert (payment.flag, flag_notes(payment)) == (None, [])


# ---- what a refund records, and the rules at its edges ------------------------------------

ALREADY_DONE = r"^Pengembalian dana ini sudah diproses atau tidak dapat diubah lagi\.$"


def audit_data(action: str) -> list[tuple[int | None, int | None, dict[str, object]]]:
    from marketplace.audit import AuditLog

    return [
        (log.actor_id, log.cooperative_id, log.data)
        for log in db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
    ]


def payment_events(payment: Payment, kind: str) -> list[tuple[str, dict[str, object]]]:
    return [
        (event.note, event.data)
        for event in db.session.scalars(
            select(PaymentEvent)
            .where(PaymentEvent.payment_id == payment.id, PaymentEvent.kind == kind)
            .order_by(PaymentEvent.id)
        )
    ]


def test_a_card_refund_is_sent_once_under_its_own_key_and_recorded_for_the_auditor(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    first, _second = order.vendor_orders
    [payment] = payments_of(order)
    client.post(f"/orders/{order.number}/parts/{first.id}/cancel", data={"reason": ""})

    [refund] = refunds_of(order)
    [sent] = stripe_fake.refunds.values()
    assert refund.idempotency_key == f"opop-refund-p{payment.id}-vo{first.id}"
    assert sent["metadata"] == {
        "refund_id": str(refund.id),
        "payment_id": str(payment.id),
        "order_id": str(order.id),
        "vendor_order_id": str(first.id),
    }
    assert (refund.payment_id, refund.vendor_order_id, refund.requested_by) == (
        payment.id,
        first.id,
        order.user_id,
    )
    assert (refund.attempts, refund.last_error, refund.completed_by) == (1, None, None)
    assert refund.completed_at is not None and refund.raw_payload["id"] == sent["id"]
    assert payment_events(payment, "refund_requested") == [
        (
            f"{first.cooperative_name}: {first.total}",
            {"refund_id": refund.id, "amount": first.total, "reason": "cancelled"},
        )
    ]
    assert payment_events(payment, "refund_completed") == [
        (sent["id"], {"refund_id": refund.id, "amount": first.total})
    ]
    assert audit_data("refund.requested") == [
        (
            order.user_id,
            first.cooperative_id,
            {
                "amount": first.total,
                "method": "card",
                "reason": "cancelled",
                "number": order.number,
            },
        )
    ]
    assert audit_data("refund.completed") == [
        (
            order.user_id,  # the shopper, whose cancellation sent it
            first.cooperative_id,
            {"amount": first.total, "reference": sent["id"], "method": "card"},
        )
    ]

    with app.test_request_context():
        # Asked again (a repeated signal, a second click): the same refund, nothing new sent.
        again = refund_service.refund_allocation(
            payment, first, first.total, RefundReason.CANCELLED, notify=False
        )
        assert again is not None and again.id == refund.id
        assert refund_service.refund_cancelled_part(first) == []
        assert refund_service.process_refund(refund.id) is False  # already completed
        assert refund_service.process_refund(999_999) is False
        assert refund_service.refunded_total(payment.id) == first.total
        db.session.commit()
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1
    assert len(refunds_of(order)) == 1


def test_a_refund_is_never_more_than_the_payment_still_holds(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    first, second = order.vendor_orders
    other = placed_order(app).vendor_orders[0]
    client.post(f"/orders/{order.number}/parts/{first.id}/cancel", data={"reason": ""})
    [payment] = payments_of(order)
    with app.test_request_context():
        capped = refund_service.refund_allocation(
            payment, second, payment.amount, RefundReason.DUPLICATE, notify=False
        )
        assert capped is not None and capped.amount == payment.amount - first.total
        assert capped.amount == second.total
        assert refund_service.refunded_total(payment.id) == payment.amount
        # Nothing is left of the payment: no refund for a part it did not pay for either.
        assert (
            refund_service.refund_allocation(
                payment, other, 1_000, RefundReason.DUPLICATE, notify=False
            )
            is None
        )
        # A failed refund no longer counts as money on its way back.
        capped.status = RefundStatus.FAILED
        assert refund_service.refunded_total(payment.id) == first.total
        assert refund_service.refund_allocation(None, other, 0, RefundReason.CANCELLED) is None
        db.session.rollback()


def test_a_part_marked_paid_without_a_payment_is_returned_by_transfer_by_the_city(
    app: Flask,
) -> None:
    from marketplace.errors import NotFound
    from marketplace.payments.exceptions import MissingReason, PaymentError

    order = placed_order(app, payment=PaymentMethod.BANK_TRANSFER, cooperatives=1)
    [part] = order.vendor_orders
    admin = UserFactory(is_city_admin=True)
    with app.test_request_context():
        order_moves.mark_vendor_order_paid(part)
        order_moves.cancel_by_admin(admin, part.id, "Koperasi tutup")
        db.session.commit()
    [refund] = refunds_of(order)
    assert (refund.payment_id, refund.method, refund.status, refund.amount) == (
        None,
        RefundMethod.TRANSFER,
        RefundStatus.PENDING,
        part.total,
    )
    assert refund.idempotency_key == f"opop-refund-vo{part.id}"
    [email] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == "refund_started")
    ).all()
    assert email.subject == f"Pesanan {order.number} dibatalkan, dana dikembalikan"
    assert "Alasan pembatalan: Koperasi tutup" in email.body_text
    assert "lewat transfer bank" in email.body_text and "Rp20.000" in email.body_text

    with app.test_request_context():
        with pytest.raises(NotFound):
            refund_service.mark_returned(order.user, refund.id, "BCA-1")
        with pytest.raises(NotFound):
            refund_service.mark_returned(admin, 999_999, "BCA-1")
        for blank in ("", "  ", None):
            with pytest.raises(MissingReason):
                refund_service.mark_returned(admin, refund.id, blank)  # type: ignore[arg-type]
        with pytest.raises(
            PaymentError,
            match=ALREADY_DONE,
        ):
            refund_service.retry_refund(admin, refund.id)  # not a card refund
        refund_service.mark_returned(admin, refund.id, "  BCA-2  ")
        with pytest.raises(
            PaymentError,
            match=ALREADY_DONE,
        ):
            refund_service.mark_returned(admin, refund.id, "BCA-3")  # returned once only
        db.session.commit()
    [refund] = refunds_of(order)
    assert (refund.status, refund.provider_reference, refund.completed_by) == (
        RefundStatus.SUCCEEDED,
        "BCA-2",
        admin.id,
    )
    refresh(part)
    assert part.status == S.REFUNDED


def pending_card_refund(app: Flask, stripe_fake: FakeStripe) -> tuple[Order, Refund]:
    """A cancelled card part whose refund Stripe refused once (a retryable error)."""
    order, client = paid_by_card(app, stripe_fake, cooperatives=1)
    [part] = order.vendor_orders
    stripe_fake.fail_next(500)
    client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    [refund] = refunds_of(order)
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 1)
    return order, refund


@pytest.mark.parametrize("answer", ["failed", "canceled"])
def test_a_refund_stripe_answers_failed_goes_to_the_desk_at_once(
    app: Flask, stripe_fake: FakeStripe, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    from marketplace.payments import stripe_gateway

    order, refund = pending_card_refund(app, stripe_fake)
    monkeypatch.setattr(
        stripe_gateway,
        "create_refund",
        lambda **_: stripe_gateway.RefundResult(id="re_x", status=answer, amount=None),
    )
    with app.test_request_context():
        assert refund_service.process_refund(refund.id) is False
    [refund] = refunds_of(order)
    assert (refund.status, refund.attempts, refund.last_error) == (
        RefundStatus.FAILED,
        2,
        f"Stripe refund {answer}",
    )
    [part] = order.vendor_orders
    assert audit_data("refund.failed") == [
        (None, part.cooperative_id, {"amount": part.total, "error": f"Stripe refund {answer}"})
    ]


def test_a_refund_stripe_has_not_finished_counts_as_sent(
    app: Flask, stripe_fake: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marketplace.payments import stripe_gateway

    order, refund = pending_card_refund(app, stripe_fake)
    monkeypatch.setattr(
        stripe_gateway,
        "create_refund",
        lambda **_: stripe_gateway.RefundResult(id="re_p", status="pending", amount=None),
    )
    with app.test_request_context():
        assert refund_service.process_refund(refund.id) is True
    [refund] = refunds_of(order)
    assert (refund.status, refund.provider_reference, refund.attempts) == (
        RefundStatus.SUCCEEDED,
        "re_p",
        2,
    )


def test_a_payment_without_a_payment_intent_cannot_be_refunded_by_card(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, refund = pending_card_refund(app, stripe_fake)
    with app.test_request_context():
        payments_of(order)[0].payment_intent = None
        db.session.commit()
        assert refund_service.process_refund(refund.id) is False
    [refund] = refunds_of(order)
    assert (refund.status, refund.last_error) == (
        RefundStatus.FAILED,
        "the payment has no PaymentIntent to refund",
    )
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1  # only the first, refused call


def test_the_periodic_task_sends_at_most_its_limit_oldest_first_and_the_city_retries(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    from marketplace.audit import AuditLog
    from marketplace.errors import NotFound
    from marketplace.payments.exceptions import PaymentError

    order, client = paid_by_card(app, stripe_fake)
    stripe_fake.fail_next(500, times=2)
    for part in order.vendor_orders:
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    assert [r.status for r in refunds_of(order)] == [RefundStatus.PENDING] * 2
    with app.test_request_context():
        assert refund_service.retry_pending_refunds(limit=1) == 1
    assert [r.status for r in refunds_of(order)] == [RefundStatus.SUCCEEDED, RefundStatus.PENDING]
    admin = UserFactory(is_city_admin=True)
    with app.test_request_context():
        for done_or_waiting in refunds_of(order):  # only a failed card refund is retried
            with pytest.raises(PaymentError, match=ALREADY_DONE):
                refund_service.retry_refund(admin, done_or_waiting.id)

    app.config["PAYMENT_REFUND_MAX_ATTEMPTS"] = 2
    try:
        stripe_fake.fail_next(500)
        with app.test_request_context():
            assert refund_service.retry_pending_refunds() == 0
    finally:
        app.config["PAYMENT_REFUND_MAX_ATTEMPTS"] = 5
    second = refunds_of(order)[1]
    assert (second.status, second.attempts) == (RefundStatus.FAILED, 2)

    with app.test_request_context():
        with pytest.raises(NotFound):
            refund_service.retry_refund(order.user, second.id)
        retried = refund_service.retry_refund(admin, second.id)
        assert (retried.status, retried.attempts) == (RefundStatus.PENDING, 0)
        db.session.commit()
        # The refund already sent takes no place in the batch: only pending ones are read.
        assert refund_service.retry_pending_refunds(limit=1) == 1
    second = refunds_of(order)[1]
    assert (second.status, second.attempts) == (RefundStatus.SUCCEEDED, 1)
    assert audit_data("refund.retried") == [
        (admin.id, None, {"amount": second.amount}),
    ]
    [retried_log] = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "refund.retried")
    ).all()
    assert (retried_log.subject_type, retried_log.subject_id) == ("Refund", second.id)


def test_stripe_s_report_completes_only_the_refunds_it_covers(
    app: Flask, stripe_fake: FakeStripe
) -> None:
    order, client = paid_by_card(app, stripe_fake)
    first, second = order.vendor_orders
    stripe_fake.fail_next(500, times=2)
    for part in (first, second):
        client.post(f"/orders/{order.number}/parts/{part.id}/cancel", data={"reason": ""})
    assert [r.status for r in refunds_of(order)] == [RefundStatus.PENDING] * 2
    [payment] = payments_of(order)
    with app.test_request_context():
        # Stripe returned the first part's money (the call went through after all).
        refund_service.reconcile_card_refunds(payment, first.total * 100, "ch_1")
        db.session.commit()
    done, waiting = refunds_of(order)
    assert (done.status, done.provider_reference, done.attempts) == (
        RefundStatus.SUCCEEDED,
        "ch_1",
        2,
    )
    assert (waiting.status, waiting.attempts) == (RefundStatus.PENDING, 1)
    [payment] = payments_of(order)
    assert payment.flag is None and payment.state == P.SUCCEEDED
    with app.test_request_context():
        refund_service.reconcile_card_refunds(payment, order.grand_total * 100, "ch_1")
        db.session.commit()
    assert [r.status for r in refunds_of(order)] == [RefundStatus.SUCCEEDED] * 2
    [payment] = payments_of(order)
    assert payment.flag is None and payment.state == P.REFUNDED
