"""The kinds of a cooperative's settlement ledger entry and the sign each one has (the ledger
itself: `payments.models.SettlementEntry`, `payments.settlement`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.labels import LabelledEnum


class EntryKind(LabelledEnum):
    """A line of a cooperative's statement. The sign is the kind's: see `ENTRY_SIGNS`."""

    #: A delivered part: its goods and its delivery fee.
    EARNING = "earning", _l("Penjualan diterima pembeli")
    #: The platform's commission on a delivered part's goods.
    COMMISSION = "commission", _l("Komisi platform")
    #: Money the cooperative received itself (a transfer to its account, cash at pickup).
    COLLECTED = "collected", _l("Diterima langsung oleh koperasi")
    #: Money returned to a shopper out of an earning already in the ledger.
    REFUND = "refund", _l("Pengembalian dana ke pembeli")
    #: Money the city paid out to the cooperative.
    PAYOUT = "payout", _l("Pembayaran ke koperasi")
    #: A payout sent through the gateway that failed (or the bank sent back): its amount returns.
    RETURNED = "returned", _l("Pembayaran ke koperasi gagal, saldo dikembalikan")
    #: The gateway's fee on a part's online payment, when the city charges fees to cooperatives.
    GATEWAY_FEE = "gateway_fee", _l("Biaya layanan pembayaran")
    #: The gateway's fee on a payout to the cooperative, likewise.
    PAYOUT_FEE = "payout_fee", _l("Biaya pencairan")
    #: The commission on goods refunded after a complaint comes back to the cooperative.
    COMMISSION_REVERSAL = "comm_refund", _l("Komisi atas barang yang dikembalikan")
    #: A government invoice's payment reversed by the treasurer (recorded by mistake): its
    #: earning, commission and collected entries come back out, amount for amount.
    EARNING_REVERSAL = "earn_rev", _l("Pembayaran invoice dibatalkan bendahara")
    COMMISSION_BACK = "comm_rev", _l("Komisi atas pembayaran yang dibatalkan")
    COLLECTED_REVERSAL = "coll_rev", _l("Penerimaan langsung yang dibatalkan")


#: +1: the platform owes the cooperative more; -1: less.
ENTRY_SIGNS = {
    EntryKind.EARNING: 1,
    EntryKind.COMMISSION: -1,
    EntryKind.COLLECTED: -1,
    EntryKind.REFUND: -1,
    EntryKind.PAYOUT: -1,
    EntryKind.RETURNED: 1,
    EntryKind.GATEWAY_FEE: -1,
    EntryKind.PAYOUT_FEE: -1,
    EntryKind.COMMISSION_REVERSAL: 1,
    EntryKind.EARNING_REVERSAL: -1,
    EntryKind.COMMISSION_BACK: 1,
    EntryKind.COLLECTED_REVERSAL: 1,
}
