"""The one table shape and the one guarded write (`marketplace.transitions`), as the machines
keyed by action (the city's decisions, a product's publication), refunds, the mail outbox and the
periodic runs use them: what each table allows, and that a move made meanwhile by someone else
wins over a stale copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from marketplace.audit import AuditLog
from marketplace.catalogue.management import PUBLICATION, InvalidStatusChange, change_publication
from marketplace.catalogue.models import Product, ProductStatus
from marketplace.cooperatives import services as cooperatives
from marketplace.cooperatives.exceptions import InvalidTransition
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.jobs import PeriodicRun, PeriodicTask, _claim_run
from marketplace.mail import MACHINE as MAIL
from marketplace.mail import OutboxEmail, _claim, resend
from marketplace.payments.exceptions import PaymentError
from marketplace.payments.models import RefundStatus
from marketplace.payments.refunds import MACHINE as REFUNDS
from marketplace.transitions import guarded_update
from tests.factories import CooperativeFactory, ProductFactory, UserFactory

C = CooperativeStatus
P = ProductStatus

#: The city's decisions: which statuses each may start from, and where it leads.
DECISIONS = {
    "approve": ({C.PENDING}, C.APPROVED),
    "request_changes": ({C.PENDING}, C.CHANGES_REQUESTED),
    "reject": ({C.PENDING, C.CHANGES_REQUESTED}, C.REJECTED),
    "suspend": ({C.APPROVED}, C.SUSPENDED),
    "reinstate": ({C.SUSPENDED}, C.APPROVED),
}


@pytest.mark.parametrize("status", list(C))
def test_the_city_may_take_exactly_the_decisions_of_its_table(app_ctx: Flask, status: C) -> None:
    expected = [action for action, (sources, _) in DECISIONS.items() if status in sources]
    assert cooperatives.DECISIONS.actions(status) == expected
    for action, (sources, target) in DECISIONS.items():
        if status in sources:
            assert cooperatives.DECISIONS.for_action(action, status).target == target
        else:
            with pytest.raises(InvalidTransition):
                cooperatives.DECISIONS.for_action(action, status)


def test_a_decision_on_a_stale_copy_is_refused_and_changes_nothing(app_ctx: Flask) -> None:
    admin = UserFactory(is_city_admin=True)
    cooperative = CooperativeFactory(status=C.PENDING)
    # Another administrator rejected it meanwhile; this copy still reads "pending".
    db.session.execute(
        update(Cooperative)
        .where(Cooperative.id == cooperative.id)
        .values(status=C.REJECTED)
        .execution_options(synchronize_session=False)
    )
    assert cooperative.status == C.PENDING
    audits = len(db.session.scalars(select(AuditLog)).all())
    with pytest.raises(InvalidTransition):
        cooperatives.approve(cooperative, admin)
    assert cooperative.status == C.REJECTED and cooperative.approved_at is None
    assert len(db.session.scalars(select(AuditLog)).all()) == audits


def test_a_decision_is_written_with_its_reason(app_ctx: Flask) -> None:
    cooperative = CooperativeFactory(status=C.APPROVED)
    cooperatives.decide(cooperative, "suspend", UserFactory(is_city_admin=True), " Izin habis ")
    stored = db.session.get(Cooperative, cooperative.id, populate_existing=True)
    assert stored is not None
    assert (stored.status, stored.status_reason) == (C.SUSPENDED, "Izin habis")


#: A product's publication: which statuses each action may start from.
PUBLISH_FROM = {
    "publish": {P.DRAFT, P.HIDDEN, P.PENDING_REVIEW},
    "unpublish": {P.ACTIVE},
    "archive": {P.DRAFT, P.HIDDEN, P.ACTIVE, P.PENDING_REVIEW},
    "restore": {P.ARCHIVED},
}


@pytest.mark.parametrize("status", list(P))
def test_a_product_s_publication_follows_its_table(app_ctx: Flask, status: P) -> None:
    for action, sources in PUBLISH_FROM.items():
        if status in sources:
            PUBLICATION.for_action(action, status)
        else:
            with pytest.raises(InvalidStatusChange):
                PUBLICATION.for_action(action, status)
    with pytest.raises(InvalidStatusChange):
        PUBLICATION.for_action("bogus", status)


def test_unpublishing_a_stale_copy_is_refused(app_ctx: Flask) -> None:
    product = ProductFactory(status=P.ACTIVE)
    member = UserFactory()
    db.session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(status=P.ARCHIVED)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(InvalidStatusChange):
        change_publication(product.cooperative_id, product.id, member.id, "unpublish")
    stored = db.session.get(Product, product.id, populate_existing=True)
    assert stored is not None and stored.status == P.ARCHIVED


def test_a_refund_completes_or_fails_while_pending_and_only_a_failed_one_is_retried(
    app_ctx: Flask,
) -> None:
    R = RefundStatus
    assert REFUNDS.pairs() == {
        (R.PENDING, R.SUCCEEDED),
        (R.PENDING, R.FAILED),
        (R.FAILED, R.PENDING),
    }
    with pytest.raises(PaymentError):
        REFUNDS.find(R.SUCCEEDED, R.PENDING)


def outbox_email(status: str, **values: object) -> OutboxEmail:
    email = OutboxEmail(
        to_address="a@example.test",
        subject="Uji",
        body_text="Uji",
        body_html="<p>Uji</p>",
        template="verify_email",
        locale="id",
        status=status,
        **values,
    )
    db.session.add(email)
    db.session.flush()
    return email


def test_an_email_is_claimed_when_pending_or_abandoned_only(app_ctx: Flask) -> None:
    assert MAIL.sources("sending") == {"pending", "sending"}
    timeout = timedelta(seconds=app_ctx.config["MAIL_CLAIM_TIMEOUT"] + 1)
    pending = outbox_email("pending")
    abandoned = outbox_email("sending", claimed_at=utcnow() - timeout)
    busy = outbox_email("sending", claimed_at=utcnow())
    finished = [outbox_email("sent"), outbox_email("failed")]
    ids = [e.id for e in (pending, abandoned, busy, *finished)]
    assert [_claim(email_id) for email_id in ids] == [True, True, False, False, False]
    assert not _claim(pending.id)  # claimed once
    stored = db.session.get(OutboxEmail, pending.id, populate_existing=True)
    assert stored is not None and (stored.status, stored.attempts) == ("sending", 1)


def test_resending_a_failed_email_starts_a_fresh_round(app_ctx: Flask) -> None:
    email = outbox_email("failed", attempts=8)
    resend(email.id, UserFactory().id)
    stored = db.session.get(OutboxEmail, email.id, populate_existing=True)
    assert stored is not None and (stored.status, stored.attempts) == ("pending", 0)


def test_a_periodic_task_s_turn_is_taken_once_per_interval(app_ctx: Flask) -> None:
    task = PeriodicTask("uji.tugas", "marketplace.jobs:failed_job_count", 60)
    assert _claim_run(task)
    assert not _claim_run(task)  # a second cron run in the same minute
    db.session.execute(
        update(PeriodicRun)
        .where(PeriodicRun.name == task.name)
        .values(last_run_at=utcnow() - timedelta(seconds=56))
    )
    assert _claim_run(task)


def test_a_guarded_update_by_key_needs_the_row_in_one_of_the_sources(app_ctx: Flask) -> None:
    email = outbox_email("sent")
    key = (OutboxEmail, email.id)
    assert not guarded_update(key, values={"status": "pending"}, sources={"failed"})
    assert guarded_update(key, values={"status": "failed"}, sources={"sent", "sending"})
    assert not guarded_update((OutboxEmail, email.id + 1000), values={"status": "pending"})
