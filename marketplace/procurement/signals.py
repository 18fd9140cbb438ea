"""Signals the procurement sends for packages that must react without being imported here.

``procurement_payment_recorded`` is sent when the bendahara records the payment of an invoice,
inside the request's transaction (after the payment row is flushed, before the commit), so a
receiver that adds rows to ``db.session`` (the cooperatives' settlement ledger of the payments
package) commits or rolls back together with the payment. Receivers must not commit.

Sender: the Flask app. Keyword arguments (all amounts whole rupiah):

- ``payment_id``, ``invoice_id``, ``invoice_number``, ``purchase_order_id``, ``cooperative_id``,
  ``agency_id``
- ``net_amount``: what the cooperative receives (the invoice's payable)
- ``gross_amount``: the invoice's total including PPN
- ``ppn_withheld``: PPN collected by the treasurer (0 when the cooperative remits it itself)
- ``pph22_withheld``: PPh 22 withheld
- ``bukti_potong_number`` (or None), ``method`` (``"transfer"`` or ``"card"``), ``reference``
  (the SP2D or card reference), ``paid_on`` (a date)
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

procurement_payment_recorded = _signals.signal("procurement-payment-recorded")
