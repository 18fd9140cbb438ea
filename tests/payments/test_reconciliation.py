"""The daily reconciliation with Xendit (marketplace/payments/reconciliation.py) against the fake
Xendit's transaction list: fees recorded on the payments they belong to, every difference put on
the city's desk once, resolved with a note; and the gateway's listing itself (filters, pages)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order, PaymentMethod
from marketplace.payments import reconciliation, xendit_gateway
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payments.reconciliation_models import (
    DifferenceKind,
    ReconciliationDifference,
    ReconciliationRun,
)
from tests.conftest import login
from tests.factories import UserFactory
from tests.payments.paying import payments_of, placed_order, refresh
from tests.payments.test_online_qris import post_callback
from tests.xendit_fake import FakeXendit

P = PaymentStatus
K = DifferenceKind
DAY = date(2026, 12, 1)  # the test clock's day in Mojokerto (10:00 WIB)


def paid_qris_order(app: Flask, fake: FakeXendit) -> tuple[Order, Payment]:
    order = placed_order(app, payment=PaymentMethod.QRIS, cooperatives=2)
    (payment,) = payments_of(order)
    paid = fake.payment_succeeded(payment.provider_reference or "")
    assert post_callback(app.test_client(), paid) == (200, "paid")
    refresh(payment)
    assert payment.state == P.SUCCEEDED
    return order, payment


def reconcile(app: Flask, day: date = DAY) -> reconciliation.DayResult:
    with app.test_request_context():
        result = reconciliation.reconcile_day(day)
        db.session.commit()
        return result


def differences() -> list[ReconciliationDifference]:
    return list(
        db.session.scalars(
            select(ReconciliationDifference)
            .order_by(ReconciliationDifference.id)
            .execution_options(populate_existing=True)
        )
    )


def test_a_paid_order_matches_and_its_fee_is_recorded_once(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    order, payment = paid_qris_order(app, xendit_fake)
    result = reconcile(app)
    fee = xendit_fake.fee_for("QR_CODE", order.grand_total)
    vat = fee * 11 // 100
    assert (result.transactions, result.matched, result.differences) == (1, 1, 0)
    assert (result.gross, result.fees) == (order.grand_total, fee + vat)
    refresh(payment)
    assert payment.gateway_fee == fee + vat
    assert payment.gateway_transaction_id and payment.gateway_transaction_id.startswith("txn_")
    # Again: the same figures, one run for the day, nothing new.
    again = reconcile(app)
    assert (again.matched, again.differences) == (1, 0)
    runs = list(db.session.scalars(select(ReconciliationRun)))
    assert [(r.day, r.transactions, r.gross, r.fees, r.differences) for r in runs] == [
        (DAY, 1, order.grand_total, fee + vat, 0)
    ]
    assert differences() == []


def test_money_xendit_has_that_we_do_not_is_put_on_the_desk_once(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    stray = xendit_fake.add_transaction(reference="OPOP-2026-999999", amount=25_000)
    result = reconcile(app)
    assert result.differences == 1
    (difference,) = differences()
    assert difference.difference_kind == K.PAID_NOT_RECORDED
    assert (difference.gateway_id, difference.reference) == (stray["id"], "OPOP-2026-999999")
    assert (difference.gateway_amount, difference.our_amount, difference.payment_id) == (
        25_000,
        None,
        None,
    )
    assert reconcile(app).differences == 0
    assert len(differences()) == 1


def test_a_payment_marked_received_here_that_xendit_does_not_have_is_a_difference(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    _order, payment = paid_qris_order(app, xendit_fake)
    # Xendit's ledger has no such money (the request never succeeded there).
    xendit_fake.payment_requests[payment.provider_reference or ""]["status"] = "PENDING"
    assert reconcile(app).differences == 1
    (difference,) = differences()
    assert difference.difference_kind == K.RECORDED_NOT_PAID
    assert (difference.payment_id, difference.our_amount, difference.gateway_amount) == (
        payment.id,
        payment.amount,
        None,
    )


def test_amounts_that_differ_are_a_difference_and_no_fee_is_taken_from_it(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    _order, payment = paid_qris_order(app, xendit_fake)
    xendit_fake.payment_requests[payment.provider_reference or ""]["amount"] = payment.amount + 1
    result = reconcile(app)
    assert (result.matched, result.differences) == (0, 1)
    (difference,) = differences()
    assert difference.difference_kind == K.AMOUNT_DIFFERS
    assert (difference.gateway_amount, difference.our_amount) == (
        payment.amount + 1,
        payment.amount,
    )
    refresh(payment)
    assert payment.gateway_fee is None


def test_a_payment_near_midnight_matches_across_the_days_edge(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    clock.freeze(datetime(2026, 12, 1, 16, 59, 30, tzinfo=UTC))  # 23:59:30 WIB
    _order, payment = paid_qris_order(app, xendit_fake)
    request = xendit_fake.payment_requests[payment.provider_reference or ""]
    request["updated"] = "2026-12-01T17:00:30.000Z"  # Xendit booked it at 00:00:30 WIB
    clock.freeze(datetime(2026, 12, 2, 18, 0, tzinfo=UTC))
    first = reconcile(app, DAY)
    second = reconcile(app, DAY + timedelta(days=1))
    assert (first.transactions, first.differences) == (0, 0)
    assert (second.transactions, second.matched, second.differences) == (1, 1, 0)
    assert differences() == []


def test_the_periodic_task_runs_yesterday_once_and_only_with_xendit(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType, config: dict[str, object]
) -> None:
    paid_qris_order(app, xendit_fake)
    clock.advance(timedelta(days=1))
    with app.test_request_context():
        first = reconciliation.reconcile_due()
        db.session.commit()
        assert first is not None and first.day == DAY and first.matched == 1
        assert reconciliation.reconcile_due() is None  # done already
    config["XENDIT_SECRET_KEY"] = None
    clock.advance(timedelta(days=1))
    with app.test_request_context():
        assert reconciliation.reconcile_due() is None
    assert int(db.session.scalar(select(func.count()).select_from(ReconciliationRun)) or 0) == 1


def test_the_command_compares_the_day_it_is_given(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    paid_qris_order(app, xendit_fake)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", "--day", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "2026-12-01: 1 transactions, 1 matched, 0 new differences" in result.output


def test_the_city_sees_the_difference_and_resolves_it_with_a_note(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    xendit_fake.add_transaction(reference="OPOP-2026-999999", amount=25_000)
    reconcile(app)
    (difference,) = differences()
    UserFactory(email="kota@example.test", is_city_admin=True)
    UserFactory(email="warga@example.test")
    db.session.commit()
    citizen = app.test_client()
    login(citizen, "warga@example.test")
    assert citizen.get("/admin/payments/reconciliation").status_code in (403, 404)
    refused = citizen.post(f"/admin/payments/reconciliation/{difference.id}", data={"note": "x"})
    assert refused.status_code in (403, 404)
    city = app.test_client()
    login(city, "kota@example.test")
    assert "1 selisih terbuka" in city.get("/admin/payments/").get_data(as_text=True)
    page = city.get("/admin/payments/reconciliation").get_data(as_text=True)
    assert "Dibayar di Xendit, tidak tercatat di sini" in page and "OPOP-2026-999999" in page
    assert "Rp25.000" in page
    empty = city.post(f"/admin/payments/reconciliation/{difference.id}", data={"note": "  "})
    assert empty.status_code == 400
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    assert differences()[0].resolved_at is None
    missing = city.post("/admin/payments/reconciliation/999999", data={"note": "sudah"})
    assert missing.status_code == 404
    done = city.post(
        f"/admin/payments/reconciliation/{difference.id}",
        data={"note": "Dana dikembalikan ke pengirim lewat dasbor Xendit."},
    )
    assert done.status_code == 302
    resolved = differences()[0]
    assert resolved.resolved_at is not None and resolved.resolution is not None
    assert "Tidak ada selisih yang terbuka." in city.get("/admin/payments/reconciliation").get_data(
        as_text=True
    )
    assert "selisih terbuka" not in city.get("/admin/payments/").get_data(as_text=True)
    english = city.get("/admin/payments/reconciliation?lang=en").get_data(as_text=True)
    assert "Reconciliation with Xendit" in english


def test_the_listing_sends_xendits_date_filters_and_reads_every_page(
    xendit: FakeXendit, clock: ModuleType
) -> None:
    start = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    for minute in range(60):
        xendit.add_transaction(
            reference=f"R{minute}", amount=1000 + minute, created=start + timedelta(minutes=minute)
        )
    xendit.add_transaction(reference="later", amount=5, created=start + timedelta(days=2))
    found = xendit_gateway.list_transactions(start, start + timedelta(hours=2))
    assert sorted(t.reference for t in found) == sorted(f"R{m}" for m in range(60))
    assert len({t.id for t in found}) == 60
    calls = xendit.calls("GET", "/transactions")
    assert len(calls) == 2  # 50, then 10
    first = parse_qs(urlsplit(calls[0].path).query)
    assert first["created[gte]"] == ["2026-12-01T00:00:00Z"]
    assert first["created[lte]"] == ["2026-12-01T02:00:00Z"]
    assert first["types"] == ["PAYMENT", "DISBURSEMENT"]
    assert parse_qs(urlsplit(calls[1].path).query)["after_id"] == [found[49].id]


def test_a_listing_xendit_refuses_is_a_gateway_error(xendit: FakeXendit) -> None:
    from marketplace.payments.gateway_exceptions import GatewayUnavailable

    xendit.fail_next(503, "SERVER_ERROR")
    start = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(GatewayUnavailable):
        xendit_gateway.list_transactions(start, start + timedelta(days=1))


def _succeeded_payout(amount: int, reference: str) -> int:
    from marketplace import clock as app_clock
    from marketplace.payments.models import CooperativePayout, PayoutStatus
    from tests.factories import CooperativeFactory

    payout = CooperativePayout(
        cooperative_id=CooperativeFactory(bank_name="BSI").id,
        amount=amount,
        reference=reference,
        idempotency_key=f"key-{reference}",
        status=PayoutStatus.SUCCEEDED,
        settled_at=app_clock.now(),
    )
    db.session.add(payout)
    db.session.commit()
    return payout.id


def test_payouts_are_compared_too_and_their_fee_recorded(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    from marketplace.payments.models import CooperativePayout

    with app.test_request_context():
        matched_id = _succeeded_payout(40_000, "opop-payout-cocok")
        lost_id = _succeeded_payout(15_000, "opop-payout-hilang")
    xendit_fake.add_transaction(
        kind="DISBURSEMENT", reference="opop-payout-cocok", amount=40_000, fee=2_500
    )
    stray = xendit_fake.add_transaction(
        kind="DISBURSEMENT", reference="opop-payout-asing", amount=9_000, fee=2_500
    )
    # A refund's payout to a shopper is checked by its own callbacks, not here.
    xendit_fake.add_transaction(kind="DISBURSEMENT", reference="opop-refund-7-0", amount=5_000)
    result = reconcile(app)
    assert (result.matched, result.differences) == (1, 2)
    assert (result.payouts, result.payout_fees) == (49_000, 2 * (2_500 + 275))
    matched = db.session.get(CooperativePayout, matched_id, populate_existing=True)
    assert matched is not None and matched.gateway_fee == 2_500 + 275
    found = {(d.kind, d.gateway_id, d.payout_id) for d in differences()}
    assert found == {
        (K.PAYOUT_MISSING, stray["id"], None),  # sent by Xendit, unknown here
        (K.PAYOUT_MISSING, None, lost_id),  # succeeded here, not sent by Xendit
    }
    assert reconcile(app).differences == 0
    run = db.session.scalars(select(ReconciliationRun)).one()
    assert (run.payouts, run.payout_fees) == (49_000, 2 * (2_500 + 275))


@pytest.mark.parametrize(
    ("fee", "amounts", "shares"),
    [
        (1_000, [3_000, 7_000], [300, 700]),
        (100, [1, 1, 1], [34, 33, 33]),  # the rupiah left over goes to the first on a tie
        (10, [1, 2], [3, 7]),  # remainders 1/3 and 2/3: the larger gets the rupiah
        (0, [5, 5], [0, 0]),
        (7, [10], [7]),
    ],
)
def test_a_fee_is_shared_in_whole_rupiah_that_add_up_to_it(
    fee: int, amounts: list[int], shares: list[int]
) -> None:
    assert reconciliation.fee_shares(fee, amounts) == shares
    assert sum(reconciliation.fee_shares(fee, amounts)) == fee


def test_fees_stay_the_platforms_unless_the_city_charges_them_to_cooperatives(
    app: Flask, xendit_fake: FakeXendit, clock: ModuleType, config: dict[str, object]
) -> None:
    from marketplace.payments import settlement
    from marketplace.payments.models import EntryKind, SettlementEntry

    def fee_entries() -> list[tuple[str, int, int | None]]:
        return [
            (e.kind, e.amount, e.vendor_order_id)
            for e in db.session.scalars(
                select(SettlementEntry)
                .where(SettlementEntry.kind.in_([EntryKind.GATEWAY_FEE, EntryKind.PAYOUT_FEE]))
                .order_by(SettlementEntry.id)
            )
        ]

    _first_order, first_payment = paid_qris_order(app, xendit_fake)
    reconcile(app)
    assert fee_entries() == []  # by default the platform bears them
    refresh(first_payment)
    assert first_payment.gateway_fee  # recorded, not charged

    config["GATEWAY_FEES_CHARGED_TO_COOPERATIVES"] = True
    other_order, other_payment = paid_qris_order(app, xendit_fake)
    with app.test_request_context():
        payout_id = _succeeded_payout(40_000, "opop-payout-biaya")
    xendit_fake.add_transaction(
        kind="DISBURSEMENT", reference="opop-payout-biaya", amount=40_000, fee=2_500
    )
    reconcile(app)
    refresh(other_payment)
    fee = other_payment.gateway_fee or 0
    parts = sorted(other_order.vendor_orders, key=lambda vo: vo.id)
    shares = reconciliation.fee_shares(fee, [vo.total for vo in parts])
    from marketplace.payments.models import CooperativePayout

    payout = db.session.get(CooperativePayout, payout_id)
    assert payout is not None
    assert fee_entries() == [
        (EntryKind.GATEWAY_FEE, shares[0], parts[0].id),
        (EntryKind.GATEWAY_FEE, shares[1], parts[1].id),
        (EntryKind.PAYOUT_FEE, 2_500 + 275, None),
    ]
    assert sum(shares) == fee > 0
    # The first order's fee was recorded before the setting: it is not charged afterwards, and
    # running the day again charges nothing twice.
    reconcile(app)
    assert len(fee_entries()) == 3
    with app.test_request_context():
        assert settlement.balance(payout.cooperative_id) == -(2_500 + 275)
