"""Payments: payment records and their log, Stripe card payments (only `stripe_gateway` imports
stripe), bank transfers with proofs, pay at pickup, refunds, and the cooperatives' settlement
ledger; the shopper's payment pages, the cooperative's transfer and statement screens, and the
city's payment desk."""

from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from marketplace.jobs import periodic

bp = Blueprint("payments", __name__)

# Card refunds whose call to Stripe failed (or never ran) are sent again.
periodic("payments.retry_refunds", "marketplace.payments.refunds:retry_pending_refunds", 300)
# Yesterday's payments compared with Xendit's transactions, once the day has ended (hourly: a
# day that could not be reached is tried again).
periodic("payments.reconcile", "marketplace.payments.reconciliation:reconcile_due", 3600)
# Refunds and payouts through the Indonesian gateway whose call failed are sent again.
periodic(
    "payments.retry_gateway_refunds", "marketplace.payments.gateway_refunds:retry_pending", 300
)
# Payouts to cooperatives sent without an answer go again, with the same idempotency key.
periodic("payments.retry_payouts", "marketplace.payments.payouts:retry_unanswered", 300)
# The daily payouts the city may turn on (off by default).
periodic(
    "payments.scheduled_payouts", "marketplace.payments.payout_schedule:pay_on_schedule", 86400
)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    from marketplace.errors import ConfigurationError
    from marketplace.payments import receivers, settings

    try:
        settings.validate(state.app.config)
    except settings.PaymentSettingsError as error:
        raise ConfigurationError(str(error)) from error
    # orders sits below payments and must not import it: payments listens to its moves.
    receivers.connect()


@bp.app_template_global("order_payments")
def _order_payments(order: Any) -> Any:
    """What the order page shows about paying (templates/payments/_order_panel.html)."""
    from marketplace.payments.services import order_payments

    return order_payments(order)


from marketplace.payments import routes  # noqa: E402,F401
