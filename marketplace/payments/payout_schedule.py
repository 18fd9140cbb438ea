"""The schedule the city turns on: once a day, every cooperative's available balance is paid
out through the gateway (`payments.payouts`), as if the administrator who turned the schedule
on had pressed "pay through Xendit" for each one.

Every rule of a payout by hand holds: the amount is what is available under the cooperative's
lock, a changed bank account waits out its hold, a bank the gateway cannot pay is left to the
manual path, and a payout above PAYOUT_APPROVAL_THRESHOLD waits for a second administrator
(another one than who turned the schedule on). A cooperative with a payout still under way (sent
or waiting for approval) is skipped that day. Off by default; without Xendit's keys it does
nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.jobs import discard_after_commit, each_in_own_transaction
from marketplace.observability import count_event
from marketplace.payments import payouts, settlement
from marketplace.payments.exceptions import PayoutProblem
from marketplace.payments.models import CooperativePayout, PayoutStatus
from marketplace.settings import AUTOMATIC_PAYOUTS, Setting, get_setting, set_setting

log = logging.getLogger(__name__)

NOTE = "Jadwal harian"


def is_on() -> bool:
    return bool(get_setting(AUTOMATIC_PAYOUTS))


def set_schedule(admin: User, enabled: bool) -> None:
    """Turn the daily payouts on or off (audited as a setting change)."""
    if not admin.is_city_admin:
        raise NotFound()
    set_setting(AUTOMATIC_PAYOUTS, bool(enabled), admin.id)


def _who_turned_it_on() -> User | None:
    setting = db.session.get(Setting, AUTOMATIC_PAYOUTS)
    user = (
        db.session.get(User, setting.updated_by_id) if setting and setting.updated_by_id else None
    )
    return user if user is not None and user.is_city_admin else None


def pay_on_schedule() -> int:
    """The daily task: start a payout for each cooperative with money available, then send
    them (each in its own transaction). Returns how many were started."""
    if not is_on() or not payouts.is_enabled():
        return 0
    admin = _who_turned_it_on()
    if admin is None:
        log.warning("Automatic payouts are on, but whoever turned them on is no city admin")
        return 0
    busy = set(
        db.session.scalars(
            select(CooperativePayout.cooperative_id).where(
                CooperativePayout.status.in_(
                    (PayoutStatus.AWAITING_APPROVAL, PayoutStatus.REQUESTED)
                )
            )
        )
    )
    due = [
        row.cooperative.id
        for row in payouts.overview(admin).cooperatives
        if row.available > 0
        and row.held_until is None
        and row.channel
        and row.cooperative.id not in busy
    ]
    db.session.commit()

    def start(cooperative_id: int) -> int | None:
        try:
            payout = payouts.start_payout(
                admin, cooperative_id, settlement.available(cooperative_id), NOTE
            )
        except PayoutProblem as problem:  # the balance or the account changed meanwhile
            log.info("No scheduled payout to cooperative %s: %s", cooperative_id, problem.message)
            return None
        finally:
            discard_after_commit()  # sent below, once committed
        return payout.id if payout.status == PayoutStatus.REQUESTED else -payout.id

    started = [
        payout_id
        for payout_id in each_in_own_transaction(
            due, start, lambda c: f"scheduled payout to cooperative {c} failed", logger=log
        )
        if payout_id is not None
    ]
    for _ in started:
        count_event("payout_scheduled")
    each_in_own_transaction(
        [payout_id for payout_id in started if payout_id > 0],
        payouts.send_payout,
        lambda payout_id: f"payout {payout_id} not sent",
        logger=log,
    )
    return len(started)
