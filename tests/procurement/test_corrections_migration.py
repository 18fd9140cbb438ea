"""The corrections' migration: the ledger entries of payments made before it belong to their
payment afterwards (so a payment made then can be reversed), and going down is refused while a
cancelled invoice or a reversed payment exists rather than losing it."""

from __future__ import annotations

from types import ModuleType

import pytest
from flask import Flask
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.payments import settlement
from marketplace.payments.models import SettlementEntry
from marketplace.procurement import corrections
from marketplace.procurement.models import Invoice, InvoicePayment, InvoiceStatus
from tests.procurement import workflow as wf

BEFORE = "c6e1a9d3f7b2"
REASON = "SP2D dicatat pada invoice yang salah"


def test_a_payment_made_before_the_migration_is_reversed_exactly_after_it(
    committed_app: Flask, clock: ModuleType
) -> None:
    from flask_migrate import downgrade, upgrade

    with committed_app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order = wf.accepted(c, price=10_000, quantity=300, ceiling=20_000_000)
        invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 300), 300))
        payment_id, invoice_id = wf.pay(c, invoice).id, invoice.id
        cooperative_id = c.cooperative.id
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        columns = db.session.execute(text("SELECT * FROM settlement_entries")).keys()
        assert "invoice_payment_id" not in columns
        db.session.commit()
        db.session.remove()
        upgrade()
    with committed_app.test_request_context():
        entries = db.session.scalars(
            select(SettlementEntry).where(SettlementEntry.invoice_id == invoice_id)
        ).all()
        assert entries and {e.invoice_payment_id for e in entries} == {payment_id}
        treasurer = db.session.merge(c.treasurer)
        corrections.reverse_payment(treasurer, invoice_id, REASON)
        db.session.commit()
        assert settlement.balance(cooperative_id) == 0
        assert db.session.get(Invoice, invoice_id).status == InvoiceStatus.ISSUED  # type: ignore[union-attr]


def test_going_down_is_refused_while_a_correction_exists(
    committed_app: Flask, clock: ModuleType
) -> None:
    from flask_migrate import downgrade

    with committed_app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order = wf.accepted(c, price=10_000, quantity=300, ceiling=20_000_000)
        invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 300), 300))
        wf.pay(c, invoice)
        corrections.reverse_payment(c.treasurer, invoice.id, REASON)
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):  # flask_migrate exits on the migration's RuntimeError
            downgrade(revision=BEFORE)
        db.session.remove()
        assert db.session.scalar(select(InvoicePayment.reversed_at)) is not None
