"""The cooperatives' settlement ledger: earnings from delivered parts, commission, what the
cooperative collected itself, payouts; the balance is always the sum of the entries."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask, current_app
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace import clock
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.notifications.models import Notification, NotificationKind
from marketplace.orders import moves as order_moves
from marketplace.orders.models import (
    DeliveryMethod,
    Order,
    PaymentMethod,
    VendorOrder,
    VendorOrderStatus,
)
from marketplace.payments import refunds, settlement, transfers
from marketplace.payments.exceptions import PayoutProblem
from marketplace.payments.models import (
    ENTRY_SIGNS,
    EntryKind,
    Payee,
    Payment,
    PaymentStatus,
    RefundReason,
    SettlementEntry,
)
from marketplace.payments.settings import commission_on, commission_rate
from tests.conftest import login
from tests.factories import CooperativeFactory, CooperativeMemberFactory, UserFactory
from tests.payments.paying import image_bytes
from tests.shopping import place, stocked_variant


def entries(cooperative_id: int) -> list[tuple[str, int]]:
    return [
        (e.kind, e.amount)
        for e in db.session.scalars(
            select(SettlementEntry)
            .where(SettlementEntry.cooperative_id == cooperative_id)
            .order_by(SettlementEntry.id)
        )
    ]


def deliver(part: VendorOrder, member: Any) -> None:
    """Take a paid (or pay-at-pickup) part through to delivery, as the cooperative would."""
    order_moves.accept_vendor_order(member, part.id)
    if part.delivery_method == DeliveryMethod.PICKUP:
        order_moves.mark_ready_for_pickup(member, part.id)
    else:
        order_moves.mark_shipped(member, part.id, "Kurir koperasi")
    order_moves.mark_delivered(member, part.id)


def past_complaints(*parts: VendorOrder) -> None:
    """Parts completed and past their complaint window: their money may be paid out."""
    days = current_app.config["ORDER_COMPLAINT_DAYS"] + 1
    for part in parts:
        part.status = VendorOrderStatus.COMPLETED
        part.delivered_at = clock.now() - timedelta(days=days)
    db.session.flush()


def pay_by_transfer(order: Order, member: Any) -> None:
    for part in order.vendor_orders:
        payment = transfers.submit_transfer_proof(order.user, order.number, part.id, image_bytes())
        transfers.confirm_transfer(payment, member)


def test_commission_is_rounded_down_in_integer_arithmetic() -> None:
    assert commission_on(10_000, commission_rate("0")) == 0
    assert commission_on(10_000, commission_rate("2.5")) == 250
    assert commission_on(999, commission_rate("2.5")) == 24  # 24.975 → 24
    assert commission_on(1, commission_rate(100)) == 1
    assert commission_on(123_457, commission_rate("1/3")) == 411  # 411.52... → 411
    for bad in (-1, "101", "lima", 2.5):
        with pytest.raises(ValueError, match="PLATFORM_COMMISSION_PERCENT"):
            commission_rate(bad)


def test_a_delivered_transfer_to_the_cooperative_is_earned_and_collected(app_ctx: Flask) -> None:
    variant = stocked_variant(10)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    order = place(UserFactory(), (variant, 2))
    pay_by_transfer(order, member)
    [part] = order.vendor_orders
    cooperative_id = part.cooperative_id
    assert entries(cooperative_id) == []  # paid, not yet delivered: nothing earned

    deliver(part, member)

    assert entries(cooperative_id) == [
        (EntryKind.EARNING, part.total),
        (EntryKind.COLLECTED, part.total),
    ]
    assert settlement.balance(cooperative_id) == 0


def test_completion_posts_nothing_whether_the_shopper_or_the_timer_completes(
    app_ctx: Flask, clock: ModuleType
) -> None:
    """The earnings are posted at delivery; confirming receipt completes the part as the
    periodic job would, and neither adds, changes or removes an entry."""
    ledgers = []
    for _ in range(2):
        variant = stocked_variant(10)
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        order = place(UserFactory(), (variant, 2))
        pay_by_transfer(order, member)
        deliver(order.vendor_orders[0], member)
        ledgers.append((order, entries(variant.product.cooperative_id)))
    (by_shopper, delivered_shopper), (by_timer, delivered_timer) = ledgers
    shopper_part, timer_part = by_shopper.vendor_orders[0], by_timer.vendor_orders[0]

    assert order_moves.confirm_receipt(by_shopper.user, by_shopper.number or "", shopper_part.id)
    clock.advance(timedelta(days=current_app.config["ORDER_AUTO_COMPLETE_DAYS"]))
    assert order_moves.complete_vendor_order(timer_part.id)

    assert shopper_part.status == timer_part.status == "completed"
    assert entries(shopper_part.cooperative_id) == delivered_shopper
    assert entries(timer_part.cooperative_id) == delivered_timer
    assert delivered_shopper == [
        (EntryKind.EARNING, shopper_part.total),
        (EntryKind.COLLECTED, shopper_part.total),
    ]


def test_a_delivered_card_part_is_owed_to_the_cooperative_less_commission(
    app_ctx: Flask,
) -> None:
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "2.5"
    try:
        variant = stocked_variant(10, price=12_345)
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        app_ctx.config["STRIPE_SECRET_KEY"] = "sk_test_x"
        order = place(
            UserFactory(),
            (variant, 3),
            payment=PaymentMethod.CARD,
            delivery=DeliveryMethod.LOCAL_DELIVERY,
        )
        app_ctx.config["STRIPE_SECRET_KEY"] = None
        [part] = order.vendor_orders
        order_moves.mark_vendor_order_paid(part)  # as the webhook would
        deliver(part, member)
    finally:
        app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"
        app_ctx.config["STRIPE_SECRET_KEY"] = None
    commission = 37_035 * 25 // 1000  # 2.5% of the goods (3 × 12.345), not of the delivery fee
    assert entries(part.cooperative_id) == [
        (EntryKind.EARNING, part.total),
        (EntryKind.COMMISSION, commission),
    ]
    assert settlement.balance(part.cooperative_id) == part.total - commission


def test_pay_at_pickup_is_recorded_when_handed_over(app_ctx: Flask) -> None:
    variant = stocked_variant(10)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    order = place(UserFactory(), (variant, 2), payment=PaymentMethod.PAY_AT_PICKUP)
    [part] = order.vendor_orders
    order_moves.accept_vendor_order(member, part.id)
    order_moves.mark_ready_for_pickup(member, part.id)
    assert db.session.scalars(select(Payment)).all() == []

    order_moves.mark_delivered(member, part.id)

    [payment] = db.session.scalars(select(Payment)).all()
    assert (payment.method, payment.state, payment.amount, payment.payee) == (
        PaymentMethod.PAY_AT_PICKUP,
        PaymentStatus.SUCCEEDED,
        part.total,
        "cooperative",
    )
    assert [a.vendor_order_id for a in payment.allocations] == [part.id]
    assert payment.decided_by == member.id
    assert entries(part.cooperative_id) == [
        (EntryKind.EARNING, part.total),
        (EntryKind.COLLECTED, part.total),
    ]


def test_payouts_never_exceed_the_balance(app_ctx: Flask) -> None:
    admin = UserFactory(is_city_admin=True)
    variant = stocked_variant(10)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    app_ctx.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    order = place(UserFactory(), (variant, 5), payment=PaymentMethod.CARD)
    app_ctx.config["STRIPE_SECRET_KEY"] = None
    [part] = order.vendor_orders
    order_moves.mark_vendor_order_paid(part)
    deliver(part, member)
    past_complaints(part)
    cooperative_id = part.cooperative_id
    assert settlement.balance(cooperative_id) == 50_000

    with pytest.raises(PayoutProblem, match="melebihi saldo"):
        settlement.record_payout(admin, cooperative_id, 50_001, date(2026, 12, 2), "TRF-1")
    with pytest.raises(PayoutProblem):
        settlement.record_payout(admin, cooperative_id, 10_000, date(2026, 12, 2), " ")
    with pytest.raises(NotFound):
        settlement.record_payout(member, cooperative_id, 10_000, date(2026, 12, 2), "TRF-1")
    settlement.record_payout(admin, cooperative_id, 30_000, date(2026, 12, 2), "TRF-1")

    assert settlement.balance(cooperative_id) == 20_000
    statement = settlement.statement(cooperative_id)
    assert [line.balance_after for line in statement.lines] == [20_000, 50_000]
    rows = list(
        csv.reader(io.StringIO(settlement.statement_csv(cooperative_id).decode("utf-8-sig")))
    )
    assert rows[0][0] == "Tanggal"
    assert [row[-2:] for row in rows[1:]] == [["50000", "50000"], ["-30000", "20000"]]
    assert rows[2][0] == "2026-12-02" and rows[2][3] == "TRF-1"


def test_spreadsheet_formulas_in_the_csv_are_defused(app_ctx: Flask) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = CooperativeFactory()
    variant = stocked_variant(10, product__cooperative=cooperative)
    member = CooperativeMemberFactory(cooperative=cooperative).user
    app_ctx.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    order = place(UserFactory(), (variant, 1), payment=PaymentMethod.CARD)
    app_ctx.config["STRIPE_SECRET_KEY"] = None
    order_moves.mark_vendor_order_paid(order.vendor_orders[0])
    deliver(order.vendor_orders[0], member)
    past_complaints(order.vendor_orders[0])
    settlement.record_payout(admin, cooperative.id, 1_000, date(2026, 12, 2), "=HYPERLINK(1)")
    rows = list(
        csv.reader(io.StringIO(settlement.statement_csv(cooperative.id).decode("utf-8-sig")))
    )
    assert rows[-1][3] == "'=HYPERLINK(1)"


def test_the_cooperative_sees_its_own_statement_and_exports_it(app: Flask) -> None:
    cooperative = CooperativeFactory(name="Koppontren Sejahtera")
    CooperativeMemberFactory(cooperative=cooperative, user=UserFactory(email="m@example.test"))
    other = CooperativeFactory(name="Koppontren Lain")
    client = app.test_client()
    login(client, "m@example.test")
    page = client.get("/vendor/statement").get_data(as_text=True)
    assert "Laporan keuangan Koppontren Sejahtera" in page
    assert "Koppontren Lain" not in page
    export = client.get("/vendor/statement.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.get_data(as_text=True).startswith("\ufeffTanggal,")
    # The cooperative comes from the membership, never from the request.
    assert client.get(f"/admin/payments/cooperatives/{other.id}/statement").status_code == 403
    assert (
        client.get(f"/vendor/statement?cooperative={other.id}")
        .get_data(as_text=True)
        .count("Koppontren Lain")
        == 0
    )


def test_the_city_records_a_payout_from_the_desk(app: Flask) -> None:
    UserFactory(email="admin@example.test", is_city_admin=True)
    with app.test_request_context():
        variant = stocked_variant(10)
        member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
        app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
        order = place(UserFactory(), (variant, 2), payment=PaymentMethod.CARD)
        app.config["STRIPE_SECRET_KEY"] = None
        order_moves.mark_vendor_order_paid(order.vendor_orders[0])
        deliver(order.vendor_orders[0], member)
        past_complaints(order.vendor_orders[0])
        db.session.commit()
        cooperative_id = variant.cooperative_id
    client = app.test_client()
    login(client, "admin@example.test")
    assert "Saldo koperasi" in client.get("/admin/payments/").get_data(as_text=True)
    form = client.get(f"/admin/payments/payouts/new?cooperative={cooperative_id}")
    assert form.status_code == 200
    data = {
        "cooperative_id": str(cooperative_id),
        "amount": "20000",
        "paid_on": "2026-12-03",
        "bank_reference": "JATIM-0001",
        "note": "",
    }
    too_much = client.post("/admin/payments/payouts/new", data={**data, "amount": "20001"})
    assert too_much.status_code == 400 and "melebihi saldo" in too_much.get_data(as_text=True)
    bad = client.post("/admin/payments/payouts/new", data={**data, "amount": "25.000,5"})
    assert bad.status_code == 400
    response = client.post("/admin/payments/payouts/new", data=data)
    assert response.status_code == 302
    with app.test_request_context():
        assert settlement.balance(cooperative_id) == 0
    page = client.get(f"/admin/payments/cooperatives/{cooperative_id}/statement")
    assert "JATIM-0001" in page.get_data(as_text=True)


# ---- the balance is the sum of the entries, whatever happens ------------------------------

HOW = st.sampled_from(["card", "transfer", "pickup"])
FATE = st.sampled_from(["deliver", "cancel_unpaid", "cancel_paid", "leave"])


@given(
    orders_made=st.lists(st.tuples(HOW, st.integers(1, 4), FATE), min_size=1, max_size=5),
    rate=st.sampled_from(["0", "2.5", "10", "33.3"]),
    payouts=st.lists(st.integers(1, 120_000), max_size=3),
)
def test_the_balance_is_always_the_sum_of_the_entries(
    app_ctx: Flask, orders_made: list[tuple[str, int, str]], rate: str, payouts: list[int]
) -> None:
    # Each example works on a cooperative of its own (the factories commit, so examples share
    # the test's transaction, rolled back at its end).
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = rate
    app_ctx.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    try:
        cooperative = CooperativeFactory()
        member = CooperativeMemberFactory(cooperative=cooperative).user
        admin = UserFactory(is_city_admin=True)
        shopper = UserFactory()
        expected = 0
        delivered = 0
        for how, quantity, fate in orders_made:
            variant = stocked_variant(10, price=7_777, product__cooperative=cooperative)
            method = {
                "card": PaymentMethod.CARD,
                "transfer": PaymentMethod.BANK_TRANSFER,
                "pickup": PaymentMethod.PAY_AT_PICKUP,
            }[how]
            order = place(shopper, (variant, quantity), payment=method)
            [part] = order.vendor_orders
            if fate == "cancel_unpaid":
                order_moves.cancel_by_shopper(shopper, order.number, part.id)
                continue
            if how == "card":
                order_moves.mark_vendor_order_paid(part)
            elif how == "transfer":
                pay_by_transfer(order, member)
            if fate == "cancel_paid" and how != "pickup":
                order_moves.reject_vendor_order(member, part.id, "Stok habis")
                continue
            if fate == "deliver":
                deliver(part, member)
                past_complaints(part)
                delivered += 1
                expected += part.total - commission_on(part.items_total, commission_rate(rate))
                if how != "card":  # the cooperative collected the money itself
                    expected -= part.total
        for amount in payouts:
            if amount <= settlement.balance(cooperative.id):
                settlement.record_payout(admin, cooperative.id, amount, date(2026, 12, 5), "R")
                expected -= amount
            else:
                with pytest.raises(PayoutProblem):
                    settlement.record_payout(admin, cooperative.id, amount, date(2026, 12, 5), "R")

        rows = db.session.scalars(
            select(SettlementEntry).where(SettlementEntry.cooperative_id == cooperative.id)
        ).all()
        balance = settlement.balance(cooperative.id)
        assert balance == sum(row.signed_amount for row in rows) == expected
        statement = settlement.statement(cooperative.id)
        assert statement.balance == balance
        assert (statement.lines[0].balance_after if statement.lines else 0) == balance
        assert all(row.amount >= 0 for row in rows)
        earnings = {row.vendor_order_id: row.amount for row in rows if row.kind == "earning"}
        assert len(earnings) == delivered
        for row in rows:
            if row.kind == "commission":
                assert row.amount <= earnings[row.vendor_order_id]
    finally:
        app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"
        app_ctx.config["STRIPE_SECRET_KEY"] = None


# ---- what each entry records, and the rules of the ledger's edges -------------------------


def card_part(cooperative: Any, quantity: int = 2, price: int = 10_000) -> VendorOrder:
    """A placed (unpaid) card part of ``cooperative``: no payment record exists for it."""
    app = current_app
    app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    try:
        variant = stocked_variant(10, price=price, product__cooperative=cooperative)
        order = place(UserFactory(), (variant, quantity), payment=PaymentMethod.CARD)
    finally:
        app.config["STRIPE_SECRET_KEY"] = None
    [part] = order.vendor_orders
    return part


def test_an_empty_ledger_has_a_zero_balance_and_an_unknown_one_is_not_found(
    app_ctx: Flask,
) -> None:
    cooperative = CooperativeFactory()
    assert settlement.balance(cooperative.id) == 0
    empty = settlement.statement(cooperative.id)
    assert (empty.cooperative, empty.lines, empty.balance, empty.earned, empty.paid_out) == (
        cooperative,
        [],
        0,
        0,
        0,
    )
    rows = list(
        csv.reader(io.StringIO(settlement.statement_csv(cooperative.id).decode("utf-8-sig")))
    )
    assert rows == [
        [
            "Tanggal",
            "Jenis",
            "Nomor pesanan",
            "Referensi bank",
            "Keterangan",
            "Jumlah (Rp)",
            "Saldo (Rp)",
        ]
    ]
    assert cooperative not in [c for c, _ in settlement.balances()]
    with pytest.raises(NotFound):
        settlement.statement(999_999)
    with pytest.raises(NotFound):
        settlement.statement_csv(999_999)


def test_each_delivery_entry_names_its_order_its_actor_and_the_rate(app_ctx: Flask) -> None:
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "2.5"
    try:
        cooperative = CooperativeFactory()
        member = CooperativeMemberFactory(cooperative=cooperative).user
        part = card_part(cooperative, quantity=3, price=12_345)
        order_moves.mark_vendor_order_paid(part)
        posted = settlement.post_delivery(part, actor_id=member.id)
        # The signal repeated (a retry, a second click): nothing is posted twice.
        assert settlement.post_delivery(part, actor_id=member.id) == []
    finally:
        app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"
    number = part.order.number
    assert [
        (e.kind, e.amount, e.vendor_order_id, e.order_number, e.note, e.created_by) for e in posted
    ] == [
        (EntryKind.EARNING, part.total, part.id, number, number, member.id),
        (EntryKind.COMMISSION, 37_035 * 25 // 1000, part.id, number, "2.5%", member.id),
    ]
    assert entries(cooperative.id) == [(e.kind, e.amount) for e in posted]
    assert all(e.invoice_id is None and e.paid_on is None for e in posted)
    assert all(e.bank_reference is None for e in posted)


def test_a_collection_names_its_order_and_who_handed_the_goods_over(app_ctx: Flask) -> None:
    cooperative = CooperativeFactory()
    member = CooperativeMemberFactory(cooperative=cooperative).user
    variant = stocked_variant(10, price=5_000, product__cooperative=cooperative)
    part = place(UserFactory(), (variant, 2), payment=PaymentMethod.PAY_AT_PICKUP).vendor_orders[0]
    posted = settlement.post_delivery(part, actor_id=member.id)
    number = part.order.number
    assert [(e.kind, e.amount, e.note, e.order_number, e.created_by) for e in posted] == [
        (EntryKind.EARNING, 10_000, number, number, member.id),
        (EntryKind.COLLECTED, 10_000, number, number, member.id),
    ]


def test_a_delivery_without_commission_is_still_posted_once(app_ctx: Flask) -> None:
    """With no commission and the money with the platform, the earning is the part's only
    entry: a repeated signal still posts nothing."""
    cooperative = CooperativeFactory()
    part = card_part(cooperative)
    assert [e.kind for e in settlement.post_delivery(part)] == [EntryKind.EARNING]
    assert settlement.post_delivery(part) == []
    assert entries(cooperative.id) == [(EntryKind.EARNING, 20_000)]


def test_a_commission_of_one_rupiah_is_charged(app_ctx: Flask) -> None:
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "1"
    try:
        cooperative = CooperativeFactory()
        part = card_part(cooperative, quantity=1, price=100)  # 1% of Rp100
        settlement.post_delivery(part)
    finally:
        app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"
    assert entries(cooperative.id) == [(EntryKind.EARNING, 100), (EntryKind.COMMISSION, 1)]
    assert settlement.balance(cooperative.id) == 99


@pytest.mark.parametrize(
    ("method", "account", "collected"),
    [
        (PaymentMethod.CARD, "cooperative", False),
        (PaymentMethod.PAY_AT_PICKUP, "platform", True),
        (PaymentMethod.BANK_TRANSFER, "cooperative", True),
        (PaymentMethod.BANK_TRANSFER, "platform", False),
    ],
)
def test_without_a_payment_record_the_order_s_method_says_who_collected(
    app_ctx: Flask, method: PaymentMethod, account: str, collected: bool
) -> None:
    """A part marked paid outside the app: cash at pickup and a transfer to the cooperative's
    own account are money the cooperative holds; card money and a transfer to the platform's
    account are the platform's to pay out."""
    cooperative = CooperativeFactory()
    app_ctx.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    try:
        variant = stocked_variant(10, price=5_000, product__cooperative=cooperative)
        order = place(UserFactory(), (variant, 2), payment=method)
    finally:
        app_ctx.config["STRIPE_SECRET_KEY"] = None
    [part] = order.vendor_orders
    assert db.session.scalars(select(Payment)).all() == []
    app_ctx.config["PAYMENT_TRANSFER_ACCOUNT"] = account
    try:
        settlement.post_delivery(part)
    finally:
        app_ctx.config["PAYMENT_TRANSFER_ACCOUNT"] = "cooperative"
    expected = [(EntryKind.EARNING, 10_000)]
    if collected:
        expected.append((EntryKind.COLLECTED, 10_000))
    assert entries(cooperative.id) == expected
    assert settlement.balance(cooperative.id) == (0 if collected else 10_000)


def test_a_refund_comes_out_of_an_earning_already_posted_and_only_then(app_ctx: Flask) -> None:
    cooperative = CooperativeFactory()
    member = CooperativeMemberFactory(cooperative=cooperative).user
    part = card_part(cooperative)
    # Another part of the same cooperative already earned: this one has not.
    settlement.post_delivery(card_part(cooperative, quantity=1))
    assert settlement.post_refund(part, 5_000, actor_id=member.id) is None
    assert entries(cooperative.id) == [(EntryKind.EARNING, 10_000)]

    settlement.post_delivery(part)
    refund = settlement.post_refund(part, 5_000, actor_id=member.id)

    assert refund is not None
    assert (refund.kind, refund.amount, refund.vendor_order_id, refund.note) == (
        EntryKind.REFUND,
        5_000,
        part.id,
        part.order.number,
    )
    assert (refund.order_number, refund.created_by) == (part.order.number, member.id)
    assert entries(cooperative.id) == [
        (EntryKind.EARNING, 10_000),
        (EntryKind.EARNING, 20_000),
        (EntryKind.REFUND, 5_000),
    ]
    assert settlement.balance(cooperative.id) == 25_000


def test_a_payout_is_checked_recorded_and_audited(app_ctx: Flask) -> None:
    from prometheus_client import REGISTRY

    from marketplace.audit import AuditLog

    def payouts_counted() -> float:
        sample = REGISTRY.get_sample_value("opop_events_total", {"kind": "settlement_payout"})
        return sample or 0.0

    counted_before = payouts_counted()

    admin = UserFactory(is_city_admin=True)
    cooperative = CooperativeFactory(name="Koppontren Amanah")
    member = CooperativeMemberFactory(cooperative=cooperative).user
    owed = card_part(cooperative, quantity=5)
    settlement.post_delivery(owed)  # Rp50.000 owed
    past_complaints(owed)
    day = date(2026, 12, 4)

    with pytest.raises(NotFound):
        settlement.record_payout(admin, 999_999, 1_000, day, "TRF-1")
    for blank in ("", "   ", None):
        with pytest.raises(PayoutProblem, match=r"^Tulis nomor referensi transfer bank\.$"):
            settlement.record_payout(admin, cooperative.id, 1_000, day, blank)  # type: ignore[arg-type]
    for amount in (0, -1):
        with pytest.raises(PayoutProblem, match=r"^Jumlah harus lebih dari nol\.$"):
            settlement.record_payout(admin, cooperative.id, amount, day, "TRF-1")
    with pytest.raises(
        PayoutProblem, match=r"^Jumlah melebihi saldo Koppontren Amanah \(Rp50\.000\)\.$"
    ):
        settlement.record_payout(admin, cooperative.id, 50_001, day, "TRF-1")
    assert entries(cooperative.id) == [(EntryKind.EARNING, 50_000)]

    reference = "  BNI-" + "7" * 100 + "  "
    payout = settlement.record_payout(
        admin, cooperative.id, 50_000, day, reference, note="  Desember  "
    )  # all of the balance may be paid out

    assert settlement.balance(cooperative.id) == 0
    assert payouts_counted() == counted_before + 1  # the operators' metric
    assert (payout.kind, payout.amount, payout.paid_on, payout.created_by) == (
        EntryKind.PAYOUT,
        50_000,
        day,
        admin.id,
    )
    assert payout.bank_reference == ("BNI-" + "7" * 100)[:80]
    assert (payout.note, payout.vendor_order_id, payout.order_number) == ("Desember", None, None)
    [log] = db.session.scalars(select(AuditLog).where(AuditLog.action == "settlement.payout")).all()
    assert (log.subject_type, log.subject_id, log.actor_id, log.cooperative_id) == (
        "SettlementEntry",
        payout.id,
        admin.id,
        cooperative.id,
    )
    assert log.data == {
        "amount": 50_000,
        "paid_on": "2026-12-04",
        "reference": "BNI-" + "7" * 100,
    }
    # The cooperative's members are told what was paid.
    told = db.session.scalars(
        select(Notification.message).where(
            Notification.user_id == member.id, Notification.kind == NotificationKind.PAYOUT
        )
    ).all()
    assert told == [
        "Pasar OPOP membayar Rp50.000 ke rekening koperasi Anda. Lihat rinciannya di laporan saldo."
    ]
    with pytest.raises(PayoutProblem, match=r"melebihi saldo Koppontren Amanah \(Rp0\)"):
        settlement.record_payout(admin, cooperative.id, 1, day, "TRF-2")
    another = card_part(cooperative, quantity=2)
    settlement.post_delivery(another)
    past_complaints(another)
    without_note = settlement.record_payout(admin, cooperative.id, 1_000, day, "TRF-3")
    assert without_note.note == ""
    # The ledger keeps the first 2,000 characters of a note.
    long_note = settlement.record_payout(admin, cooperative.id, 1_000, day, "TRF-4", "n" * 2_500)
    assert long_note.note == "n" * 2_000


def test_the_statement_totals_and_its_csv_read_every_column(app_ctx: Flask) -> None:
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "10"
    try:
        admin = UserFactory(is_city_admin=True)
        cooperative = CooperativeFactory()
        first = card_part(cooperative, quantity=2)
        second = card_part(cooperative, quantity=3)
        settlement.post_delivery(first)
        settlement.post_delivery(second)
    finally:
        app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"
    settlement.post_refund(second, 1_000)
    past_complaints(first, second)
    settlement.record_payout(admin, cooperative.id, 7_000, date(2026, 12, 6), "TRF-9", "Minggu 1")

    data = settlement.statement(cooperative.id)

    assert (data.earned, data.paid_out, data.balance) == (50_000, 7_000, 37_000)
    assert [(line.signed_amount, line.balance_after) for line in data.lines] == [
        (-7_000, 37_000),
        (-1_000, 44_000),
        (-3_000, 45_000),
        (30_000, 48_000),
        (-2_000, 18_000),
        (20_000, 20_000),
    ]
    rows = list(
        csv.reader(io.StringIO(settlement.statement_csv(cooperative.id).decode("utf-8-sig")))
    )
    posted_on = clock.local_day(data.lines[-1].entry.created_at).isoformat()
    one, two = first.order.number, second.order.number
    assert rows[1:] == [
        [posted_on, "Penjualan diterima pembeli", one, "", one, "20000", "20000"],
        [posted_on, "Komisi platform", one, "", "10%", "-2000", "18000"],
        [posted_on, "Penjualan diterima pembeli", two, "", two, "30000", "48000"],
        [posted_on, "Komisi platform", two, "", "10%", "-3000", "45000"],
        [posted_on, "Pengembalian dana ke pembeli", two, "", two, "-1000", "44000"],
        ["2026-12-06", "Pembayaran ke koperasi", "", "TRF-9", "Minggu 1", "-7000", "37000"],
    ]


def test_the_desk_lists_balances_largest_first_then_by_name(app_ctx: Flask) -> None:
    small = CooperativeFactory(name="Koppontren A-Kecil")
    tie_b = CooperativeFactory(name="Koppontren B-Sama")
    tie_a = CooperativeFactory(name="Koppontren A-Sama")
    big = CooperativeFactory(name="Koppontren Z-Besar")
    for cooperative, quantity in ((small, 1), (tie_b, 2), (tie_a, 2), (big, 3)):
        settlement.post_delivery(card_part(cooperative, quantity=quantity))
    settlement.post_delivery(card_part(small, quantity=1))
    # A cooperative that collected its money itself owes and is owed nothing: listed at zero.
    settled = CooperativeFactory(name="Koppontren Lunas")
    collected = card_part(settled, quantity=1)
    collected.order.payment_method = PaymentMethod.PAY_AT_PICKUP
    settlement.post_delivery(collected)

    listed = [
        (c.name, total)
        for c, total in settlement.balances()
        if c in (small, tie_a, tie_b, big, settled)
    ]

    assert listed == [
        ("Koppontren Z-Besar", 30_000),
        ("Koppontren A-Kecil", 20_000),
        ("Koppontren A-Sama", 20_000),
        ("Koppontren B-Sama", 20_000),
        ("Koppontren Lunas", 0),
    ]


def test_a_treasurer_s_payment_is_earned_collected_and_charged_commission_once(
    app_ctx: Flask,
) -> None:
    """What the cooperative received (after withholding) into its own account is both earned
    and collected; the commission is on the price excluding PPN; a repeat posts nothing."""
    from tests.procurement import workflow as wf

    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=400, ceiling=20_000_000)
    first = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200))
    second = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    third = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    cooperative_id = c.cooperative.id
    long_number = "INV-2026-000001/KOPERASI/JATIM"  # longer than the ledger's 24 characters
    paid_on = date(2026, 12, 3)
    # The payments' rows as the treasurer's service writes them (without its posting).
    from marketplace.procurement.models import InvoicePayment

    paid = {}
    for invoice in (first, second, third):
        paid[invoice.id] = InvoicePayment(
            invoice_id=invoice.id,
            method="transfer",
            reference="SP2D-1",
            paid_on=paid_on,
            amount=0,
            ppn_withheld=0,
            pph22_withheld=0,
        )
        db.session.add(paid[invoice.id])
    db.session.flush()
    app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "2.5"
    try:
        posted = settlement.post_invoice_payment(
            cooperative_id,
            first.id,
            long_number,
            payment_id=paid[first.id].id,
            received=1_970_000,
            price_excluding_ppn=2_000_000,
            paid_on=paid_on,
            actor_id=c.treasurer.id,
        )
        again = settlement.post_invoice_payment(
            cooperative_id,
            first.id,
            long_number,
            payment_id=paid[first.id].id,
            received=1_970_000,
            price_excluding_ppn=2_000_000,
            paid_on=paid_on,
        )
        # 2.5% of Rp40 is one rupiah; of Rp39, less than a rupiah: no commission line at all.
        one = settlement.post_invoice_payment(
            cooperative_id,
            second.id,
            "INV-2",
            payment_id=paid[second.id].id,
            received=40,
            price_excluding_ppn=40,
            paid_on=paid_on,
        )
        small = settlement.post_invoice_payment(
            cooperative_id,
            third.id,
            "INV-3",
            payment_id=paid[third.id].id,
            received=39,
            price_excluding_ppn=39,
            paid_on=paid_on,
        )
    finally:
        app_ctx.config["PLATFORM_COMMISSION_PERCENT"] = "0"

    assert again == []
    short, who = long_number[:24], c.treasurer.id
    assert [
        (e.kind, e.amount, e.invoice_id, e.order_number, e.note, e.created_by, e.paid_on)
        for e in posted
    ] == [
        (EntryKind.EARNING, 1_970_000, first.id, short, long_number, who, paid_on),
        (EntryKind.COMMISSION, 50_000, first.id, short, "2.5%", who, paid_on),
        (EntryKind.COLLECTED, 1_970_000, first.id, short, long_number, who, paid_on),
    ]
    assert all(e.vendor_order_id is None and e.cooperative_id == cooperative_id for e in posted)
    assert [(e.kind, e.amount) for e in one] == [
        (EntryKind.EARNING, 40),
        (EntryKind.COMMISSION, 1),
        (EntryKind.COLLECTED, 40),
    ]
    assert [(e.kind, e.amount, e.order_number, e.created_by) for e in small] == [
        (EntryKind.EARNING, 39, "INV-3", None),
        (EntryKind.COLLECTED, 39, "INV-3", None),
    ]
    assert settlement.balance(cooperative_id) == -50_001  # the cooperative owes the commission


def test_the_payment_that_paid_the_part_says_who_collected_not_today_s_setting(
    app_ctx: Flask,
) -> None:
    """The city may switch transfers to its own account while parts are on their way: a part
    paid into the cooperative's account stays collected by the cooperative, and one paid into
    the platform's stays the platform's, whatever the setting says at delivery. A proof that
    was rejected, and another order's payment, say nothing about this part."""
    config = app_ctx.config
    admin = UserFactory(is_city_admin=True)
    variant = stocked_variant(10, price=5_000)
    member = CooperativeMemberFactory(cooperative=variant.product.cooperative).user
    cooperative_id = variant.product.cooperative.id
    # Another order, of another cooperative, paid into that cooperative's own account.
    elsewhere = stocked_variant(10, price=7_000)
    other_member = CooperativeMemberFactory(cooperative=elsewhere.product.cooperative).user
    pay_by_transfer(place(UserFactory(), (elsewhere, 1)), other_member)

    to_cooperative = place(UserFactory(), (variant, 2))
    pay_by_transfer(to_cooperative, member)

    rejected_then_platform = place(UserFactory(), (variant, 1))
    [second] = rejected_then_platform.vendor_orders
    wrong = transfers.submit_transfer_proof(
        rejected_then_platform.user, rejected_then_platform.number, second.id, image_bytes()
    )
    assert wrong.payee == Payee.COOPERATIVE
    transfers.reject_transfer(wrong, member, "Nominal tidak terbaca.")
    config["PAYMENT_TRANSFER_ACCOUNT"] = "platform"
    try:
        right = transfers.submit_transfer_proof(
            rejected_then_platform.user, rejected_then_platform.number, None, image_bytes()
        )
        assert right.payee == Payee.PLATFORM
        transfers.confirm_transfer(right, admin)
        # Delivered while the setting says "platform": the first part was still paid to the
        # cooperative.
        [first] = to_cooperative.vendor_orders
        deliver(first, member)
    finally:
        config["PAYMENT_TRANSFER_ACCOUNT"] = "cooperative"
    # Delivered while the setting says "cooperative": the second was paid to the platform.
    deliver(second, member)
    assert entries(cooperative_id) == [
        (EntryKind.EARNING, first.total),
        (EntryKind.COLLECTED, first.total),
        (EntryKind.EARNING, second.total),
    ]
    assert settlement.balance(cooperative_id) == second.total


def test_a_gateway_fee_charged_to_a_cooperative_is_posted_once_per_part(app_ctx: Flask) -> None:
    cooperative = CooperativeFactory()
    part = card_part(cooperative)
    assert settlement.post_gateway_fee(cooperative.id, 0, vendor_order=part, reference="t0") is None
    first = settlement.post_gateway_fee(cooperative.id, 150, vendor_order=part, reference="txn_1")
    assert first is not None
    assert (first.kind, first.amount, first.vendor_order_id, first.note, first.order_number) == (
        EntryKind.GATEWAY_FEE,
        150,
        part.id,
        "txn_1",
        part.order.number,
    )
    # The part paid again (a duplicate, refunded): its fee is not charged twice.
    assert (
        settlement.post_gateway_fee(cooperative.id, 90, vendor_order=part, reference="txn_2")
        is None
    )
    # Another part of the same cooperative is charged its own.
    other = card_part(cooperative, quantity=1)
    assert settlement.post_gateway_fee(cooperative.id, 60, vendor_order=other, reference="txn_3")
    payout_fee = settlement.post_gateway_fee(
        cooperative.id, 2_775, vendor_order=None, reference="opop-payout-x"
    )
    assert payout_fee is not None
    assert (payout_fee.kind, payout_fee.vendor_order_id, payout_fee.note) == (
        EntryKind.PAYOUT_FEE,
        None,
        "opop-payout-x",
    )
    assert entries(cooperative.id) == [
        (EntryKind.GATEWAY_FEE, 150),
        (EntryKind.GATEWAY_FEE, 60),
        (EntryKind.PAYOUT_FEE, 2_775),
    ]
    assert settlement.balance(cooperative.id) == -(150 + 60 + 2_775)


def test_a_delivered_part_is_charged_its_gateway_fee_down_to_one_rupiah(app_ctx: Flask) -> None:
    """The once-per-part check looks for a fee, not for any entry: a part whose earning is
    already in the ledger (the fee reported after delivery) is charged too, and any fee above
    zero is a fee."""
    cooperative = CooperativeFactory()
    part = card_part(cooperative, quantity=1)
    earned = settlement.post_delivery(part)
    fee = settlement.post_gateway_fee(cooperative.id, 1, vendor_order=part, reference="txn_9")
    assert fee is not None and (fee.kind, fee.amount) == (EntryKind.GATEWAY_FEE, 1)
    assert entries(cooperative.id)[-1] == (EntryKind.GATEWAY_FEE, 1)
    assert (
        settlement.balance(cooperative.id)
        == sum(entry.amount * ENTRY_SIGNS[entry.kind] for entry in earned) - 1
    )


def test_a_payout_waits_for_completion_and_the_end_of_the_complaint_window(
    app_ctx: Flask,
) -> None:
    """The city pays out only what is available: a delivered part's money once the part is
    completed and its complaint window is over; the refusal says what may be paid now."""
    admin = UserFactory(is_city_admin=True)
    cooperative = CooperativeFactory(name="Koppontren Amanah")
    done, recent = card_part(cooperative, quantity=2), card_part(cooperative, quantity=3)
    settlement.post_delivery(done)
    settlement.post_delivery(recent)
    past_complaints(done)
    recent.status = VendorOrderStatus.COMPLETED  # confirmed at once, still inside the window
    recent.delivered_at = clock.now() - timedelta(days=1)
    db.session.flush()
    assert settlement.balance(cooperative.id) == 50_000
    assert settlement.available(cooperative.id) == 20_000
    with pytest.raises(PayoutProblem) as refused:
        settlement.record_payout(admin, cooperative.id, 20_001, date(2026, 12, 6), "TRF-1")
    assert str(refused.value) == (
        "Yang bisa dibayarkan ke Koppontren Amanah sekarang Rp20.000 dari saldo Rp50.000: uang "
        "pesanan yang belum selesai, masih dalam masa komplain, atau sedang dikomplain ditahan "
        "dulu."
    )
    assert settlement.balance(cooperative.id) == 50_000  # nothing recorded
    settlement.record_payout(admin, cooperative.id, 20_000, date(2026, 12, 6), "TRF-1")
    past_complaints(recent)
    assert settlement.available(cooperative.id) == 30_000


# A complaint's refund in the ledger ------------------------------------------------------------


def test_a_fee_charged_before_delivery_neither_blocks_the_earning_nor_lets_a_refund_out(
    app_ctx: Flask,
) -> None:
    """The gateway's fee of a part can reach the ledger before the part is delivered (the
    reconciliation runs on the payment): a refund then still takes nothing out, since nothing
    was earned, and the delivery still posts the earning."""
    cooperative = CooperativeFactory()
    part = card_part(cooperative)
    settlement.post_gateway_fee(cooperative.id, 300, vendor_order=part, reference="txn_1")
    assert settlement.post_refund(part, 5_000, goods=5_000) is None
    assert entries(cooperative.id) == [(EntryKind.GATEWAY_FEE, 300)]

    settlement.post_delivery(part)
    assert entries(cooperative.id) == [(EntryKind.GATEWAY_FEE, 300), (EntryKind.EARNING, 20_000)]
    assert settlement.balance(cooperative.id) == 20_000 - 300


@pytest.mark.parametrize(
    ("price", "back"),
    [
        (100, 1),  # Rp1 of Rp100 refunded at 1%: the commission goes from Rp1 to Rp0
        (250, 0),  # Rp1 of Rp250: Rp2 before and after, so no entry at all
    ],
)
def test_the_commission_on_refunded_goods_comes_back_to_the_rupiah(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch, price: int, back: int
) -> None:
    """What stays charged is exactly the commission the kept goods would have had, rounded
    down: a refund of one rupiah of goods gives back the one rupiah of commission it takes
    away, and a refund that changes nothing of the commission posts no entry for it."""
    monkeypatch.setitem(app_ctx.config, "PLATFORM_COMMISSION_PERCENT", "1")
    cooperative = CooperativeFactory()
    part = card_part(cooperative, quantity=1, price=price)
    settlement.post_delivery(part)
    charged = commission_on(price, commission_rate("1"))

    settlement.post_refund(part, 1, goods=1)

    expected = [(EntryKind.EARNING, price), (EntryKind.COMMISSION, charged), (EntryKind.REFUND, 1)]
    if back:
        expected.append((EntryKind.COMMISSION_REVERSAL, back))
    assert entries(cooperative.id) == expected
    assert settlement.balance(cooperative.id) == price - 1 - commission_on(
        price - 1, commission_rate("1")
    )


def test_each_part_gets_back_the_commission_it_was_charged(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A complaint about one part gives back that part's commission, not another's posted
    before it; the entry names the part's order and who returned the money, as the statement
    shows it."""
    monkeypatch.setitem(app_ctx.config, "PLATFORM_COMMISSION_PERCENT", "10")
    cooperative = CooperativeFactory()
    member = CooperativeMemberFactory(cooperative=cooperative).user
    first, second = card_part(cooperative, quantity=1), card_part(cooperative, quantity=2)
    settlement.post_delivery(first)
    settlement.post_delivery(second)

    settlement.post_refund(second, 20_000, actor_id=member.id, goods=20_000)

    assert entries(cooperative.id)[-2:] == [
        (EntryKind.REFUND, 20_000),
        (EntryKind.COMMISSION_REVERSAL, 2_000),
    ]
    reversal = db.session.scalars(
        select(SettlementEntry).where(SettlementEntry.kind == EntryKind.COMMISSION_REVERSAL)
    ).one()
    number = second.order.number
    assert (reversal.vendor_order_id, reversal.order_number, reversal.note) == (
        second.id,
        number,
        number,
    )
    assert reversal.created_by == member.id
    assert settlement.balance(cooperative.id) == 10_000 - 1_000


def test_at_a_commission_of_100_percent_all_goods_refunded_give_it_all_back(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The city may set the commission as high as 100%: goods refunded in full still leave
    no commission charged."""
    monkeypatch.setitem(app_ctx.config, "PLATFORM_COMMISSION_PERCENT", "100")
    cooperative = CooperativeFactory()
    part = card_part(cooperative, quantity=1)
    settlement.post_delivery(part)

    settlement.post_refund(part, 10_000, goods=10_000)

    assert entries(cooperative.id) == [
        (EntryKind.EARNING, 10_000),
        (EntryKind.COMMISSION, 10_000),
        (EntryKind.REFUND, 10_000),
        (EntryKind.COMMISSION_REVERSAL, 10_000),
    ]
    assert settlement.balance(cooperative.id) == 0


def test_money_the_cooperative_returned_itself_posts_only_the_commission_s_return(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger never held money the cooperative collected: its refund posts no refund
    entry (and returns none), only the commission on the goods back."""
    monkeypatch.setitem(app_ctx.config, "PLATFORM_COMMISSION_PERCENT", "10")
    cooperative = CooperativeFactory()
    part = card_part(cooperative, quantity=2)
    settlement.post_delivery(part)

    assert settlement.post_refund(part, 10_000, goods=10_000, from_platform=False) is None

    assert entries(cooperative.id) == [
        (EntryKind.EARNING, 20_000),
        (EntryKind.COMMISSION, 2_000),
        (EntryKind.COMMISSION_REVERSAL, 1_000),
    ]


def test_a_hold_registered_by_another_capability_keeps_its_parts_money_back(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upper layer (the complaints) tells the ledger which parts' money to hold: a part
    past its window is available until such a hold names it."""
    monkeypatch.setattr(settlement, "_HOLDS", list(settlement._HOLDS))
    cooperative = CooperativeFactory()
    kept, other = card_part(cooperative, quantity=1), card_part(cooperative, quantity=2)
    settlement.post_delivery(kept)
    settlement.post_delivery(other)
    past_complaints(kept, other)
    assert settlement.available(cooperative.id) == 30_000

    settlement.register_hold(lambda: select(VendorOrder.id).where(VendorOrder.id == kept.id))

    assert settlement.held(cooperative.id) == 10_000
    assert settlement.available(cooperative.id) == 20_000


def test_only_a_complaint_s_refund_on_its_way_holds_the_part_s_money(app_ctx: Flask) -> None:
    """A duplicate payment being returned is not the part's money: it holds nothing back,
    while a complaint's refund still on its way holds its whole part."""
    cooperative = CooperativeFactory()
    paid_twice, complained = card_part(cooperative, quantity=1), card_part(cooperative)
    settlement.post_delivery(paid_twice)
    settlement.post_delivery(complained)
    past_complaints(paid_twice, complained)
    refunds.refund_allocation(None, paid_twice, 5_000, RefundReason.DUPLICATE, notify=False)
    assert settlement.available(cooperative.id) == 30_000

    refunds.refund_allocation(None, complained, 5_000, RefundReason.COMPLAINT, notify=False)
    assert settlement.held(cooperative.id) == 20_000
    assert settlement.available(cooperative.id) == 10_000
