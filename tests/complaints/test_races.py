"""Races on PostgreSQL, each side with its own connection on a database whose writes really
commit: a complaint's refund is applied once when both members of the cooperative accept it at
once, when the shopper asks the city while the cooperative accepts, and when the shopper
confirms the cooperative's own refund from two tabs at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.complaints import escalation, money, services
from marketplace.complaints.models import Complaint
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments import settlement
from marketplace.payments.models import EntryKind, Refund, SettlementEntry
from tests.complaints.filing import delivered, signed_sum
from tests.factories import CooperativeMemberFactory
from tests.payments.paying import image_bytes

pytestmark = pytest.mark.postgres


def at_once(app: Flask, *calls: Callable[[], Any]) -> list[str]:
    """Run each call in its own request and transaction at the same moment; 'ok' or the
    domain error's class name for each."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            with app.test_request_context():
                barrier.wait(timeout=30)
                try:
                    call()
                    db.session.commit()
                    results.append("ok")
                except DomainError as refused:
                    db.session.rollback()
                    results.append(type(refused).__name__)
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return sorted(results)


def a_complaint(app: Flask, **kwargs: Any) -> dict[str, Any]:
    with app.test_request_context():
        bought = delivered(**kwargs)
        colleague = CooperativeMemberFactory(cooperative=bought.part.cooperative).user
        complaint = services.open_complaint(
            bought.shopper,
            bought.number,
            bought.part_id,
            reason="damaged",
            message="Rusak.",
            quantities={bought.line_id: 2},
        )
        db.session.commit()
        return {
            "shopper_id": bought.shopper.id,
            "member_ids": (bought.member.id, colleague.id),
            "number": bought.number,
            "part_id": bought.part_id,
            "line_id": bought.line_id,
            "cooperative_id": bought.cooperative_id,
            "complaint_id": complaint.id,
        }


def user(user_id: int) -> Any:
    from marketplace.accounts.models import User

    return db.session.get(User, user_id)


def refunds_of_complaint(complaint_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(Refund).where(Refund.complaint_id == complaint_id)
        )
        or 0
    )


def test_two_members_accepting_at_once_make_one_refund(committed_app: Flask) -> None:
    app = committed_app
    app.config["PAYMENT_TRANSFER_ACCOUNT"] = "platform"
    c = a_complaint(app)

    def accept(member_id: int, amount: int) -> Callable[[], Any]:
        return lambda: services.accept_refund(
            user(member_id), c["cooperative_id"], c["complaint_id"], {c["line_id"]: amount}
        )

    results = at_once(app, accept(c["member_ids"][0], 20_000), accept(c["member_ids"][1], 5_000))
    assert results == ["ComplaintMoveRefused", "ok"]
    with app.test_request_context():
        complaint = db.session.get(Complaint, c["complaint_id"])
        assert complaint is not None and complaint.status == "refund_accepted"
        assert refunds_of_complaint(c["complaint_id"]) == 1
        refund = db.session.scalar(select(Refund).where(Refund.complaint_id == complaint.id))
        assert refund is not None and refund.amount == complaint.refund_amount


def test_the_shopper_asking_the_city_while_the_cooperative_accepts_moves_it_once(
    committed_app: Flask,
) -> None:
    app = committed_app
    c = a_complaint(app)
    results = at_once(
        app,
        lambda: services.accept_refund(
            user(c["member_ids"][0]),
            c["cooperative_id"],
            c["complaint_id"],
            {c["line_id"]: 10_000},
        ),
        lambda: escalation.escalate_as_shopper(
            user(c["shopper_id"]), c["number"], c["part_id"], "Lama sekali."
        ),
    )
    assert results == ["ComplaintMoveRefused", "ok"]
    with app.test_request_context():
        complaint = db.session.get(Complaint, c["complaint_id"])
        assert complaint is not None
        expected_refunds = 1 if complaint.status == "refund_accepted" else 0
        assert complaint.status in ("refund_accepted", "escalated")
        assert refunds_of_complaint(c["complaint_id"]) == expected_refunds


def test_a_cooperative_s_refund_confirmed_from_two_tabs_is_applied_once(
    committed_app: Flask,
) -> None:
    app = committed_app
    app.config["PLATFORM_COMMISSION_PERCENT"] = "10"
    c = a_complaint(app)
    with app.test_request_context():
        member = user(c["member_ids"][0])
        services.accept_refund(
            member, c["cooperative_id"], c["complaint_id"], {c["line_id"]: 10_000}
        )
        money.record_cooperative_refund(
            member, c["cooperative_id"], c["complaint_id"], image_bytes()
        )
        db.session.commit()

    def confirm() -> Any:
        return money.confirm_cooperative_refund(user(c["shopper_id"]), c["number"], c["part_id"])

    results = at_once(app, confirm, confirm)
    assert results[-1] == "ok" and results.count("ok") == 1
    with app.test_request_context():
        reversals = db.session.scalars(
            select(SettlementEntry).where(
                SettlementEntry.vendor_order_id == c["part_id"],
                SettlementEntry.kind == EntryKind.COMMISSION_REVERSAL,
            )
        ).all()
        assert [entry.amount for entry in reversals] == [3_000 - 2_000]
        assert settlement.balance(c["cooperative_id"]) == signed_sum(c["cooperative_id"])
