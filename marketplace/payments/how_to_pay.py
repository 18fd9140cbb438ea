"""How to pay a virtual account at each bank ("cara bayar"), and the names shoppers know the
gateway's channels by.

The menus are each bank's own words (they are not translated: the shopper sees them in the
bank's app or ATM as written here); the steps around them are ours. The amount is fixed by the
virtual account: the bank shows it before the shopper confirms.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from marketplace.i18n import rupiah

#: The names on the buttons (the gateway's codes are upper case: BCA, SHOPEEPAY, ...).
CHANNEL_NAMES = {
    "QRIS": "QRIS",
    "BCA": "BCA",
    "BNI": "BNI",
    "BRI": "BRI",
    "MANDIRI": "Mandiri",
    "PERMATA": "Permata",
    "BSI": "BSI (Bank Syariah Indonesia)",
    "OVO": "OVO",
    "DANA": "DANA",
    "SHOPEEPAY": "ShopeePay",
    "LINKAJA": "LinkAja",
    "GOPAY": "GoPay",
}


def channel_name(code: str) -> str:
    return CHANNEL_NAMES.get(code, code.title())


#: Each bank's menus: ATM, mobile banking, internet banking (its app's and site's names).
_MENUS: dict[str, tuple[tuple[str, str], ...]] = {
    "BCA": (
        ("ATM BCA", "Transaksi Lainnya › Transfer › ke Rek BCA Virtual Account"),
        ("BCA mobile (m-BCA)", "m-Transfer › BCA Virtual Account"),
        ("KlikBCA", "Transfer Dana › Transfer ke BCA Virtual Account"),
    ),
    "BNI": (
        ("ATM BNI", "Menu Lain › Transfer › Virtual Account Billing"),
        ("BNI Mobile Banking (wondr)", "Transfer › Virtual Account Billing"),
        ("BNI Internet Banking", "Transfer › Virtual Account Billing"),
    ),
    "BRI": (
        ("ATM BRI", "Transaksi Lain › Pembayaran › Lainnya › BRIVA"),
        ("BRImo", "Pembayaran › BRIVA"),
        ("Internet Banking BRI", "Pembayaran › BRIVA"),
    ),
    "MANDIRI": (
        ("ATM Mandiri", "Bayar/Beli › Lainnya › Multipayment"),
        ("Livin' by Mandiri", "Bayar › Buat Pembayaran Baru › Multipayment"),
        ("Mandiri Internet Banking", "Bayar › Multipayment"),
    ),
    "PERMATA": (
        ("ATM Permata", "Transaksi Lainnya › Pembayaran › Pembayaran Lainnya › Virtual Account"),
        ("PermataMobile X", "Bayar Tagihan › Virtual Account"),
        ("PermataNet", "Pembayaran › Pembayaran Tagihan › Virtual Account"),
    ),
    "BSI": (
        ("ATM BSI", "Menu Lainnya › Pembayaran/Pembelian › Institusi"),
        ("BSI Mobile", "Bayar › E-Commerce"),
        ("BSI Net Banking", "Pembayaran › E-Commerce"),
    ),
}


@dataclass(frozen=True)
class PayPlace:
    """One way to pay (an ATM, the bank's app, its website) and what to do there."""

    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class PaySteps:
    bank: str
    places: tuple[PayPlace, ...]


def virtual_account_steps(bank: str, number: str, amount: int) -> PaySteps:
    """The steps for paying ``amount`` rupiah to virtual account ``number`` at ``bank``."""
    places = tuple(
        PayPlace(
            name=place,
            steps=(
                _("Pilih menu %(menu)s.", menu=menu),
                _("Masukkan nomor virtual account %(number)s.", number=number),
                _(
                    "Pastikan tagihan atas nama Pasar OPOP sebesar %(amount)s, lalu konfirmasi.",
                    amount=rupiah(amount),
                ),
                _("Simpan bukti transaksi. Status pesanan berubah sendiri dalam beberapa menit."),
            ),
        )
        for place, menu in _MENUS.get(bank, ())
    )
    return PaySteps(bank=channel_name(bank), places=places)
