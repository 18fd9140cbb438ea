"""Payouts to cooperatives through Xendit's Payout API, against the fake Xendit: the available
balance, one idempotency key per payout, the callback read back, a failure returning its amount
exactly once, a second administrator's approval, the hold after a bank account change, the
manual CSV, and nobody but the city reaching any of it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from marketplace.audit import AuditLog
from marketplace.cooperatives import services as cooperatives
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.http import FORM_ERROR
from marketplace.mail import OutboxEmail
from marketplace.orders.models import PaymentMethod, VendorOrder, VendorOrderStatus
from marketplace.payments import payouts, settlement
from marketplace.payments.exceptions import PayoutProblem
from marketplace.payments.models import (
    CooperativePayout,
    EntryKind,
    PayoutStatus,
    SettlementEntry,
)
from tests.conftest import login
from tests.factories import CooperativeFactory, CooperativeMemberFactory, UserFactory
from tests.shopping import place, stocked_variant
from tests.xendit_fake import FakeXendit

CALLBACK = "/payments/xendit/callback"
PAGE = "/admin/payments/payouts/"


def sold(cooperative: Any, price: int, *, completed: bool = True) -> VendorOrder:
    """A delivered card part of ``cooperative`` worth ``price`` (completed unless told)."""
    from flask import current_app

    current_app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    try:
        variant = stocked_variant(10, price=price, product__cooperative=cooperative)
        order = place(UserFactory(), (variant, 1), payment=PaymentMethod.CARD)
    finally:
        current_app.config["STRIPE_SECRET_KEY"] = None
    [part] = order.vendor_orders
    settlement.post_delivery(part)
    part.status = VendorOrderStatus.COMPLETED if completed else VendorOrderStatus.DELIVERED
    db.session.flush()
    return part


def bca_cooperative(**fields: Any) -> Any:
    return CooperativeFactory(bank_name="BCA", bank_account_number="1234567890", **fields)


def kinds(cooperative_id: int) -> list[tuple[str, int]]:
    return [
        (e.kind, e.amount)
        for e in db.session.scalars(
            select(SettlementEntry)
            .where(SettlementEntry.cooperative_id == cooperative_id)
            .order_by(SettlementEntry.id)
        )
    ]


def post_callback(client: FlaskClient, callback: Any) -> tuple[int, str]:
    response = client.post(CALLBACK, data=callback.payload, headers=callback.headers)
    body = response.get_json(silent=True) or {}
    return response.status_code, str(body.get("outcome", body.get("error", "")))


def actions(payout: CooperativePayout) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(
                AuditLog.action.like("payout.%"),
                AuditLog.subject_type == "CooperativePayout",
                AuditLog.subject_id == payout.id,
            )
            .order_by(AuditLog.id)
        )
    )


# ------------------------------------------------------------------------------------------
# The available balance and the bank's channel
# ------------------------------------------------------------------------------------------


def test_only_completed_parts_are_available(app_ctx: Flask) -> None:
    cooperative = bca_cooperative()
    sold(cooperative, 40_000)
    sold(cooperative, 25_000, completed=False)

    assert settlement.balance(cooperative.id) == 65_000
    assert payouts.not_yet_completed(cooperative.id) == 25_000
    assert settlement.available(cooperative.id) == 40_000


def test_a_cooperative_owing_commission_has_nothing_available(app_ctx: Flask) -> None:
    cooperative = bca_cooperative()
    admin = UserFactory(is_city_admin=True)
    sold(cooperative, 10_000)
    settlement.record_payout(admin, cooperative.id, 10_000, settlement.clock.today(), "TRF")
    sold(cooperative, 5_000, completed=False)
    assert settlement.available(cooperative.id) == 0  # the balance is all not yet completed


def test_a_returned_payout_is_its_own_entry_in_the_ledger(app_ctx: Flask) -> None:
    cooperative = bca_cooperative()
    sold(cooperative, 10_000)
    entry = settlement.post_payout_returned(cooperative.id, 4_000, "opop-payout-" + "x" * 90, "NO")

    assert (entry.kind, entry.amount, entry.cooperative_id, entry.note) == (
        EntryKind.RETURNED,
        4_000,
        cooperative.id,
        "NO",
    )
    assert entry.bank_reference == ("opop-payout-" + "x" * 90)[:80]
    assert (entry.vendor_order_id, entry.invoice_id, entry.created_by) == (None, None, None)
    assert entry.id is not None  # flushed
    assert entry.signed_amount == 4_000
    assert settlement.balance(cooperative.id) == 14_000
    assert settlement.post_payout_returned(cooperative.id, 1, "opop-payout-y").note == ""


@pytest.mark.parametrize(
    ("bank", "channel"),
    [
        ("BCA", "ID_BCA"),
        ("Bank BRI", "ID_BRI"),
        ("PT. Bank Mandiri Tbk", "ID_MANDIRI"),
        ("bank syariah indonesia", "ID_BSI"),
        ("BSI", "ID_BSI"),
        ("Bank Jatim", None),
        ("", None),
        (None, None),
    ],
)
def test_the_bank_s_name_gives_its_payout_channel(bank: str | None, channel: str | None) -> None:
    assert payouts.channel_for(bank) == channel


# ------------------------------------------------------------------------------------------
# Sending once
# ------------------------------------------------------------------------------------------


def test_a_payout_leaves_the_balance_and_is_sent_once_with_its_key(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = bca_cooperative()
    sold(cooperative, 50_000)

    payout = payouts.start_payout(admin, cooperative.id, 30_000, "Minggu 1")
    assert payout.status == PayoutStatus.REQUESTED
    assert payout.reference.startswith("opop-payout-")
    assert kinds(cooperative.id)[-1] == (EntryKind.PAYOUT, 30_000)
    assert settlement.available(cooperative.id) == 20_000

    assert payouts.send_payout(payout.id) is True
    [call] = xendit_fake.calls("POST", "/v2/payouts")
    assert call.idempotency_key == payout.idempotency_key
    assert call.body["reference_id"] == payout.reference
    assert call.body["amount"] == 30_000
    assert call.body["channel_code"] == "ID_BCA"
    assert call.body["channel_properties"] == {
        "account_number": "1234567890",
        "account_holder_name": cooperative.bank_account_holder,
    }
    db.session.refresh(payout)
    assert payout.gateway_id in xendit_fake.payouts
    assert (payout.status, payout.attempts, payout.gateway_status) == (
        PayoutStatus.REQUESTED,
        1,
        "ACCEPTED",
    )
    # Sending again (a second job, the periodic task) calls nothing: it has its answer.
    assert payouts.send_payout(payout.id) is False
    assert payouts.retry_unanswered() == 0
    assert len(xendit_fake.calls("POST", "/v2/payouts")) == 1
    assert actions(payout) == ["payout.started", "payout.requested"]


def test_a_timed_out_payout_is_sent_again_with_the_same_key_and_paid_once(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = bca_cooperative()
    sold(cooperative, 50_000)
    payout = payouts.start_payout(admin, cooperative.id, 50_000)

    app_ctx.config["XENDIT_TIMEOUT_SECONDS"] = 0.3
    xendit_fake.hang(1.0)  # Xendit creates the payout, but answers too late
    try:
        assert payouts.send_payout(payout.id) is False
    finally:
        xendit_fake.hang(0)
        xendit_fake.settle()
        app_ctx.config["XENDIT_TIMEOUT_SECONDS"] = 10.0
    db.session.refresh(payout)
    assert (payout.status, payout.gateway_id, payout.attempts) == (PayoutStatus.REQUESTED, None, 1)
    assert payout.last_error and "no answer" in payout.last_error
    assert len(xendit_fake.payouts) == 1  # it did go out

    assert payouts.retry_unanswered() == 1  # the periodic task, with the same key
    keys = {call.idempotency_key for call in xendit_fake.calls("POST", "/v2/payouts")}
    assert keys == {payout.idempotency_key}
    assert len(xendit_fake.payouts) == 1  # one payout at Xendit
    db.session.refresh(payout)
    assert payout.gateway_id == next(iter(xendit_fake.payouts))
    assert kinds(cooperative.id).count((EntryKind.PAYOUT, 50_000)) == 1


def test_a_payout_the_gateway_refuses_returns_its_amount(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = bca_cooperative()
    sold(cooperative, 50_000)
    payout = payouts.start_payout(admin, cooperative.id, 20_000)
    xendit_fake.fail_next(400, "API_VALIDATION_ERROR", "channel_code is not supported")

    assert payouts.send_payout(payout.id) is False

    db.session.refresh(payout)
    assert (payout.status, payout.failure_code) == (PayoutStatus.FAILED, "API_VALIDATION_ERROR")
    assert kinds(cooperative.id)[-2:] == [(EntryKind.PAYOUT, 20_000), (EntryKind.RETURNED, 20_000)]
    assert settlement.balance(cooperative.id) == 50_000
    assert payouts.send_payout(payout.id) is False  # a failed payout is never sent again
    assert actions(payout)[-1] == "payout.failed"


def test_a_payout_must_fit_the_available_balance_and_a_known_bank(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = bca_cooperative()
    sold(cooperative, 50_000)
    sold(cooperative, 30_000, completed=False)
    with pytest.raises(PayoutProblem, match="melebihi saldo tersedia"):
        payouts.start_payout(admin, cooperative.id, 50_001)
    for amount in (0, -5):
        with pytest.raises(PayoutProblem, match="lebih dari nol"):
            payouts.start_payout(admin, cooperative.id, amount)
    jatim = CooperativeFactory()  # Bank Jatim: paid by hand
    sold(jatim, 10_000)
    with pytest.raises(PayoutProblem, match="Bank Jatim"):
        payouts.start_payout(admin, jatim.id, 10_000)
    with pytest.raises(NotFound):
        payouts.start_payout(admin, 999_999, 1_000)
    with pytest.raises(NotFound):
        payouts.start_payout(UserFactory(), cooperative.id, 1_000)
    assert db.session.scalars(select(CooperativePayout)).all() == []


def test_without_xendit_keys_only_the_manual_path_is_offered(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        admin = UserFactory(is_city_admin=True, email="kota@example.test")
        cooperative = bca_cooperative()
        sold(cooperative, 50_000)
        with pytest.raises(PayoutProblem, match="Xendit belum diatur"):
            payouts.start_payout(admin, cooperative.id, 1_000)
    login(client, "kota@example.test")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Bayar lewat Xendit" not in page
    assert "Catat transfer bank manual" in page


# ------------------------------------------------------------------------------------------
# Callbacks
# ------------------------------------------------------------------------------------------


def sent(app: Flask, fake: FakeXendit, amount: int = 30_000) -> tuple[int, int, str]:
    """A payout sent through the fake: its id, its cooperative's id, and Xendit's payout id."""
    with app.test_request_context():
        admin = UserFactory(is_city_admin=True)
        cooperative = bca_cooperative()
        sold(cooperative, 50_000)
        payout = payouts.start_payout(admin, cooperative.id, amount)
        payouts.send_payout(payout.id)
        db.session.refresh(payout)
        assert payout.gateway_id
        return payout.id, cooperative.id, payout.gateway_id


def test_a_success_callback_marks_it_paid_and_the_statement_shows_it(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    payout_id, cooperative_id, gateway_id = sent(app, xendit_fake)
    callback = xendit_fake.payout_settled(gateway_id)

    assert post_callback(client, callback) == (200, "payout_succeeded")
    assert post_callback(client, callback) == (200, "duplicate")
    assert len(xendit_fake.calls("GET", f"/v2/payouts/{gateway_id}")) == 1  # read back once

    with app.test_request_context():
        payout = db.session.get(CooperativePayout, payout_id)
        assert payout is not None
        assert (payout.status, payout.gateway_status) == (PayoutStatus.SUCCEEDED, "SUCCEEDED")
        assert payout.settled_at is not None
        assert actions(payout)[-1] == "payout.succeeded"
        reference = payout.reference
        admin = UserFactory(is_city_admin=True, email="kota@example.test")
        member = CooperativeMemberFactory(
            cooperative=db.session.get(Cooperative, cooperative_id)
        ).user
        member_email = member.email
        assert admin.id
    login(client, "kota@example.test")
    page = client.get(f"/admin/payments/cooperatives/{cooperative_id}/statement")
    text = page.get_data(as_text=True)
    assert reference in text and gateway_id in text and "Berhasil" in text
    client.post("/account/logout")
    login(client, member_email)
    text = client.get("/vendor/statement").get_data(as_text=True)
    assert reference in text and gateway_id in text


def test_a_paid_payout_is_told_to_each_member_once_however_often_the_gateway_says_so(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    from marketplace.notifications.models import Notification, NotificationKind

    _, cooperative_id, gateway_id = sent(app, xendit_fake)
    with app.test_request_context():
        cooperative = db.session.get(Cooperative, cooperative_id)
        members = [CooperativeMemberFactory(cooperative=cooperative).user for _ in range(2)]
        member_ids = sorted(member.id for member in members)
        db.session.commit()
    callback = xendit_fake.payout_settled(gateway_id)
    assert post_callback(client, callback) == (200, "payout_succeeded")
    assert post_callback(client, callback) == (200, "duplicate")

    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.PAYOUT)
    ).all()
    assert sorted(told) == member_ids


def test_a_failure_callback_returns_the_amount_exactly_once(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    payout_id, cooperative_id, gateway_id = sent(app, xendit_fake)
    failed = xendit_fake.payout_settled(gateway_id, "FAILED")
    again = xendit_fake.callback("payout.failed", dict(xendit_fake.payouts[gateway_id]))

    assert post_callback(client, failed) == (200, "payout_failed")
    assert post_callback(client, failed) == (200, "duplicate")  # the same delivery
    assert post_callback(client, again) == (200, "payout_unchanged")  # another delivery

    with app.test_request_context():
        assert kinds(cooperative_id)[-2:] == [
            (EntryKind.PAYOUT, 30_000),
            (EntryKind.RETURNED, 30_000),
        ]
        assert settlement.balance(cooperative_id) == 50_000
        assert settlement.statement(cooperative_id).paid_out == 0
        payout = db.session.get(CooperativePayout, payout_id)
        assert payout is not None
        assert (payout.status, payout.failure_code) == (PayoutStatus.FAILED, "INVALID_DESTINATION")
        assert payout.returned_entry_id is not None


def test_a_payout_the_bank_sent_back_after_success_returns_its_amount(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    _payout_id, cooperative_id, gateway_id = sent(app, xendit_fake)
    assert post_callback(client, xendit_fake.payout_settled(gateway_id)) == (
        200,
        "payout_succeeded",
    )
    assert post_callback(client, xendit_fake.payout_settled(gateway_id, "REVERSED")) == (
        200,
        "payout_failed",
    )
    with app.test_request_context():
        assert settlement.balance(cooperative_id) == 50_000


def test_a_callback_is_read_back_and_a_mismatch_changes_nothing(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    payout_id, cooperative_id, gateway_id = sent(app, xendit_fake)
    # The callback says failed, but Xendit says it is still on its way: nothing returns.
    fake_news = xendit_fake.callback(
        "payout.failed", {**xendit_fake.payouts[gateway_id], "status": "FAILED"}
    )
    assert post_callback(client, fake_news) == (200, "payout_requested")
    # Xendit reports another amount for it: held as it is, for the city to look at.
    xendit_fake.tamper("payouts", gateway_id, amount=1_000, status="FAILED")
    assert post_callback(client, xendit_fake.payout_settled(gateway_id, "FAILED")) == (
        200,
        "payout_mismatch",
    )
    with app.test_request_context():
        payout = db.session.get(CooperativePayout, payout_id)
        assert payout is not None and payout.status == PayoutStatus.REQUESTED
        assert payout.last_error and "1000" in payout.last_error
        assert settlement.balance(cooperative_id) == 20_000


def test_a_callback_for_an_unknown_payout_is_acknowledged(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    callback = xendit_fake.callback(
        "payout.succeeded",
        {"id": "disb-nobody", "reference_id": "opop-payout-nobody", "status": "SUCCEEDED"},
    )
    assert post_callback(client, callback) == (200, "unknown_payout")


# ------------------------------------------------------------------------------------------
# A second administrator's approval
# ------------------------------------------------------------------------------------------


def test_above_the_threshold_a_second_administrator_approves(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    app_ctx.config["PAYOUT_APPROVAL_THRESHOLD"] = 40_000
    try:
        first = UserFactory(is_city_admin=True)
        second = UserFactory(is_city_admin=True)
        cooperative = bca_cooperative()
        sold(cooperative, 60_000)
        at_threshold = payouts.start_payout(first, cooperative.id, 40_000)
        assert at_threshold.status == PayoutStatus.REQUESTED  # not above: sent at once

        sold(cooperative, 50_000)
        payout = payouts.start_payout(first, cooperative.id, 50_000)
        assert payout.status == PayoutStatus.AWAITING_APPROVAL
        assert settlement.balance(cooperative.id) == 70_000  # nothing left yet
        with pytest.raises(PayoutProblem, match="admin kota yang lain"):
            payouts.approve_payout(first, payout.id)
        with pytest.raises(NotFound):
            payouts.approve_payout(UserFactory(), payout.id)

        payouts.approve_payout(second, payout.id)
        db.session.refresh(payout)
        assert (payout.status, payout.approved_by) == (PayoutStatus.REQUESTED, second.id)
        assert settlement.balance(cooperative.id) == 20_000
        with pytest.raises(PayoutProblem, match="sudah diproses"):
            payouts.approve_payout(second, payout.id)
        with pytest.raises(PayoutProblem, match="sudah diproses"):
            payouts.cancel_payout(second, payout.id)
        assert actions(payout) == ["payout.started", "payout.requested"]
    finally:
        app_ctx.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000_000


def test_an_approval_checks_the_balance_again_and_a_refusal_cancels(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    app_ctx.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000
    try:
        first = UserFactory(is_city_admin=True)
        second = UserFactory(is_city_admin=True)
        cooperative = bca_cooperative()
        sold(cooperative, 50_000)
        one = payouts.start_payout(first, cooperative.id, 40_000)
        two = payouts.start_payout(first, cooperative.id, 40_000)
        payouts.approve_payout(second, one.id)
        with pytest.raises(PayoutProblem, match="melebihi saldo tersedia"):
            payouts.approve_payout(second, two.id)
        payouts.cancel_payout(second, two.id)
        db.session.refresh(two)
        assert two.status == PayoutStatus.CANCELLED
        assert actions(two) == ["payout.started", "payout.cancelled"]
        assert settlement.balance(cooperative.id) == 10_000
    finally:
        app_ctx.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000_000


# ------------------------------------------------------------------------------------------
# A changed bank account
# ------------------------------------------------------------------------------------------


def test_a_changed_bank_account_holds_payouts_and_tells_every_owner(
    app_ctx: Flask, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = bca_cooperative()
    sold(cooperative, 50_000)
    owner = CooperativeMemberFactory(cooperative=cooperative)
    other_owner = CooperativeMemberFactory(cooperative=cooperative)
    CooperativeMemberFactory(cooperative=cooperative, role="staff")
    app_ctx.config["PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE"] = 24
    try:
        # Saving the same account again changes nothing and tells nobody.
        cooperatives.update_bank_account(
            owner,
            cooperatives.BankAccountData("BCA", "1234567890", cooperative.bank_account_holder),
        )
        assert cooperative.bank_account_changed_at is None
        cooperatives.update_bank_account(
            owner, cooperatives.BankAccountData("BRI", "99887766", "Koperasi Baru")
        )
        assert cooperative.bank_account_changed_at == clock.now()
        emails = db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.template == "bank_account_changed")
        ).all()
        assert sorted(e.to_address for e in emails) == sorted(
            [owner.user.email, other_owner.user.email]
        )
        assert all("24" in e.body_text and "99887766" in e.body_text for e in emails)

        with pytest.raises(PayoutProblem, match="ditahan sampai"):
            payouts.start_payout(admin, cooperative.id, 10_000)
        assert payouts.pending_csv(admin).count(b"99887766") == 0  # held: not in the bulk file

        clock.advance(timedelta(hours=23, minutes=59))
        assert payouts.held_until(cooperative) is not None
        clock.advance(timedelta(minutes=1))
        assert payouts.held_until(cooperative) is None
        payout = payouts.start_payout(admin, cooperative.id, 10_000)
        assert (payout.channel_code, payout.account_number) == ("ID_BRI", "99887766")
    finally:
        app_ctx.config["PAYOUT_HOLD_HOURS_AFTER_BANK_CHANGE"] = 48


def test_an_approval_waits_out_a_bank_change_made_meanwhile(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    app_ctx.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000
    try:
        cooperative = bca_cooperative()
        sold(cooperative, 50_000)
        owner = CooperativeMemberFactory(cooperative=cooperative)
        payout = payouts.start_payout(UserFactory(is_city_admin=True), cooperative.id, 20_000)
        cooperatives.update_bank_account(
            owner, cooperatives.BankAccountData("BNI", "555", "Orang Lain")
        )
        with pytest.raises(PayoutProblem, match="ditahan sampai"):
            payouts.approve_payout(UserFactory(is_city_admin=True), payout.id)
    finally:
        app_ctx.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000_000


# ------------------------------------------------------------------------------------------
# The manual path, and who may reach the pages
# ------------------------------------------------------------------------------------------


def test_the_csv_lists_each_available_balance_with_its_bank_account(
    app: Flask, client: FlaskClient
) -> None:
    with app.test_request_context():
        UserFactory(is_city_admin=True, email="kota@example.test")
        first = bca_cooperative(name="Koperasi A")
        sold(first, 70_000)
        sold(first, 5_000, completed=False)
        second = CooperativeFactory(name="Koperasi B", bank_account_holder="=cmd|' /C calc'!A0")
        sold(second, 20_000)
        nothing = CooperativeFactory(name="Koperasi C")
        sold(nothing, 10_000, completed=False)
    login(client, "kota@example.test")

    response = client.get("/admin/payments/payouts/pending.csv")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Koperasi", "Bank", "Nomor rekening", "Atas nama", "Jumlah (Rp)"]
    assert sorted(rows[1:]) == [
        ["Koperasi A", "BCA", "1234567890", "Koperasi A", "70000"],
        ["Koperasi B", "Bank Jatim", "0011223344", "'=cmd|' /C calc'!A0", "20000"],
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", PAGE),
        ("get", "/admin/payments/payouts/pending.csv"),
        ("post", "/admin/payments/payouts/cooperatives/{cooperative}/xendit"),
        ("post", "/admin/payments/payouts/{payout}/approve"),
        ("post", "/admin/payments/payouts/{payout}/cancel"),
        ("post", "/admin/payments/payouts/{payout}/retry"),
    ],
)
def test_a_cooperative_member_reaches_none_of_it(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit, method: str, path: str
) -> None:
    app.config["PAYOUT_APPROVAL_THRESHOLD"] = 1_000
    try:
        with app.test_request_context():
            cooperative = bca_cooperative()
            sold(cooperative, 50_000)
            payout = payouts.start_payout(UserFactory(is_city_admin=True), cooperative.id, 5_000)
            member = CooperativeMemberFactory(cooperative=cooperative).user
            ids = {"cooperative": cooperative.id, "payout": payout.id, "email": member.email}
        login(client, str(ids["email"]))
        response = getattr(client, method)(path.format(**ids), data={"amount": "5000"})
        assert response.status_code in (403, 404)
        with app.test_request_context():
            assert db.session.get(CooperativePayout, ids["payout"]).status == (  # type: ignore[union-attr]
                PayoutStatus.AWAITING_APPROVAL
            )
            assert len(db.session.scalars(select(CooperativePayout)).all()) == 1
    finally:
        app.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000_000
    assert xendit_fake.calls("POST", "/v2/payouts") == []


def test_the_city_pays_from_the_page_and_a_second_admin_approves(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    app.config["PAYOUT_APPROVAL_THRESHOLD"] = 30_000
    try:
        with app.test_request_context():
            UserFactory(is_city_admin=True, email="kota@example.test")
            UserFactory(is_city_admin=True, email="kota2@example.test")
            cooperative = bca_cooperative(name="Koperasi Bayar")
            sold(cooperative, 70_000)
            cooperative_id = cooperative.id
        login(client, "kota@example.test")
        page = client.get(PAGE).get_data(as_text=True)
        assert "Bayar lewat Xendit" in page and "Koperasi Bayar" in page
        url = f"/admin/payments/payouts/cooperatives/{cooperative_id}/xendit"

        refused = client.post(url, data={"amount": "70001"})
        assert refused.status_code == FORM_ERROR
        assert "melebihi saldo tersedia" in refused.get_data(as_text=True)
        assert client.post(url, data={"amount": "lima"}).status_code == FORM_ERROR

        assert client.post(url, data={"amount": "20000"}).status_code == 302
        assert len(xendit_fake.payouts) == 1  # sent after the commit
        assert client.post(url, data={"amount": "30001"}).status_code == 302
        assert len(xendit_fake.payouts) == 1  # waits for approval
        with app.test_request_context():
            waiting = db.session.scalar(
                select(CooperativePayout).where(
                    CooperativePayout.status == PayoutStatus.AWAITING_APPROVAL
                )
            )
            assert waiting is not None
            waiting_id = waiting.id
        same = client.post(f"/admin/payments/payouts/{waiting_id}/approve")
        assert same.status_code == FORM_ERROR
        assert "admin kota yang lain" in same.get_data(as_text=True)
        client.post("/account/logout")
        login(client, "kota2@example.test")
        assert "Setujui dan kirim" in client.get(PAGE).get_data(as_text=True)
        assert client.post(f"/admin/payments/payouts/{waiting_id}/approve").status_code == 302
        assert len(xendit_fake.payouts) == 2
        with app.test_request_context():
            assert settlement.balance(cooperative_id) == 19_999
    finally:
        app.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000_000


def test_the_city_sends_an_unanswered_payout_again_from_the_page(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    with app.test_request_context():
        UserFactory(is_city_admin=True, email="kota@example.test")
        cooperative = bca_cooperative()
        sold(cooperative, 50_000)
        cooperative_id = cooperative.id
    login(client, "kota@example.test")
    xendit_fake.fail_next(503, "SERVER_ERROR")
    url = f"/admin/payments/payouts/cooperatives/{cooperative_id}/xendit"
    assert client.post(url, data={"amount": "50000"}).status_code == 302
    assert xendit_fake.payouts == {}
    page = client.get(PAGE).get_data(as_text=True)
    assert "Kirim ulang" in page
    with app.test_request_context():
        payout = db.session.scalars(select(CooperativePayout)).one()
        payout_id, key = payout.id, payout.idempotency_key
    assert client.post(f"/admin/payments/payouts/{payout_id}/retry").status_code == 302
    assert len(xendit_fake.payouts) == 1
    assert {c.idempotency_key for c in xendit_fake.calls("POST", "/v2/payouts")} == {key}
    again = client.post(f"/admin/payments/payouts/{payout_id}/retry")
    assert again.status_code == FORM_ERROR  # it has its answer now


def test_the_payout_page_in_english(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit
) -> None:
    with app.test_request_context():
        UserFactory(is_city_admin=True, email="kota@example.test", locale="en")
        sold(bca_cooperative(), 50_000)
    login(client, "kota@example.test")
    page = client.get(PAGE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Pay through Xendit" in page
    assert "Payouts to cooperatives" in page


# ------------------------------------------------------------------------------------------
# The daily schedule the city turns on
# ------------------------------------------------------------------------------------------


def test_the_daily_schedule_pays_what_is_available_once_turned_on(
    app: Flask, client: FlaskClient, xendit_fake: FakeXendit, clock: ModuleType
) -> None:
    from marketplace.payments import payout_schedule

    app.config["PAYOUT_APPROVAL_THRESHOLD"] = 100_000
    try:
        with app.test_request_context():
            admin = UserFactory(is_city_admin=True, email="kota@example.test")
            plain = bca_cooperative(name="Koperasi Biasa")
            sold(plain, 40_000)
            sold(plain, 5_000, completed=False)
            large = bca_cooperative(name="Koperasi Besar")
            sold(large, 150_000)
            held = bca_cooperative(name="Koperasi Ditahan", bank_account_changed_at=clock.now())
            sold(held, 10_000)
            by_hand = CooperativeFactory(name="Koperasi Jatim")
            sold(by_hand, 10_000)
            ids = (plain.id, large.id, held.id, by_hand.id)
            assert payout_schedule.pay_on_schedule() == 0  # off by default
            with pytest.raises(NotFound):
                payout_schedule.set_schedule(UserFactory(), True)
        login(client, "kota@example.test")
        assert "setiap hari" in client.get(PAGE).get_data(as_text=True)
        client.post("/admin/payments/payouts/schedule", data={"enabled": "y"})

        with app.test_request_context():
            assert payout_schedule.is_on()
            assert payout_schedule.pay_on_schedule() == 2
            assert payout_schedule.pay_on_schedule() == 0  # under way: not twice
            started = {
                p.cooperative_id: (p.status, p.amount, p.requested_by, p.note)
                for p in db.session.scalars(select(CooperativePayout))
            }
            assert started == {
                ids[0]: (PayoutStatus.REQUESTED, 40_000, admin.id, "Jadwal harian"),
                ids[1]: (PayoutStatus.AWAITING_APPROVAL, 150_000, admin.id, "Jadwal harian"),
            }
            assert len(xendit_fake.payouts) == 1  # the one below the threshold, sent
            setting_changes = db.session.scalars(
                select(AuditLog).where(AuditLog.action == "setting.changed")
            ).all()
            assert [c.data["key"] for c in setting_changes] == ["payments.automatic_payouts"]
        client.post("/admin/payments/payouts/schedule", data={})
        with app.test_request_context():
            assert not payout_schedule.is_on()
    finally:
        app.config["PAYOUT_APPROVAL_THRESHOLD"] = 10_000_000


def test_a_refusal_after_the_payout_settled_meanwhile_returns_nothing_twice(
    app_ctx: Flask, xendit_fake: FakeXendit
) -> None:
    """The call's answer is recorded under the payout's lock: when a callback settled the payout
    while the call was out, a refusal then changes nothing."""
    admin = UserFactory(is_city_admin=True)
    cooperative = bca_cooperative()
    sold(cooperative, 50_000)
    payout = payouts.start_payout(admin, cooperative.id, 20_000)
    original = payouts.xendit_gateway.create_payout

    def settled_meanwhile(**kwargs: Any) -> Any:
        fresh = db.session.get(CooperativePayout, payout.id)
        assert fresh is not None
        fresh.failure_code = "X"
        payouts._fail(fresh, "payout.failed")
        raise payouts.GatewayError(detail="refused", retryable=False, code="REFUSED")

    payouts.xendit_gateway.create_payout = settled_meanwhile  # type: ignore[assignment]
    try:
        assert payouts.send_payout(payout.id) is False
    finally:
        payouts.xendit_gateway.create_payout = original  # type: ignore[assignment]
    assert [kind for kind, _ in kinds(cooperative.id)].count(EntryKind.RETURNED) == 1
    assert settlement.balance(cooperative.id) == 50_000


def test_a_payout_moves_only_as_its_money_can() -> None:
    """Money leaves the balance once (awaiting → requested, or refused before it left), comes
    to rest once (succeeded or failed), and a paid payout can still come back from the bank;
    nothing returns to waiting, and nothing moves out of failed or cancelled."""
    from marketplace.payments.models import PayoutStatus as S
    from marketplace.payments.payouts import MACHINE

    allowed = {
        (S.AWAITING_APPROVAL, S.REQUESTED),
        (S.AWAITING_APPROVAL, S.CANCELLED),
        (S.REQUESTED, S.SUCCEEDED),
        (S.REQUESTED, S.FAILED),
        (S.SUCCEEDED, S.FAILED),
    }
    for source in S:
        for target in S:
            assert MACHINE.can_move(source, target) == ((source, target) in allowed), (
                source,
                target,
            )
