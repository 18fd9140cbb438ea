"""The treasurer's tax records: the SPP and SPM beside a transfer's SP2D, the remittance of each
tax withheld on a paid invoice (billing code, NTPN, day), and the agency's monthly tax recap for
the SPT Masa, as a page and an XLSX. Bad input changes nothing; another agency's invoice or
recap is not found."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.audit import AuditLog
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.procurement import negotiation, payment, purchasing, tax, tax_records
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.models import (
    Invoice,
    InvoicePayment,
    ProcurementRole,
    PurchaseOrder,
)
from marketplace.procurement.tax_records import Remittance, TaxRecordDetails
from tests.conftest import login, logout
from tests.factories import AgencyMemberFactory, UserFactory
from tests.procurement import workflow as wf
from tests.queries import counted

TREASURER = "bendahara@agency.test"
OTHER_TREASURER = "bendahara@other.test"
PPN_CODE, PPN_NTPN = "012345678901234", "0A1B2C3D4E5F6G7H"
PPH_CODE, PPH_NTPN = "112345678901234", "1A1B2C3D4E5F6G7H"


def at(day: date) -> datetime:
    """10:00 in Mojokerto on ``day``."""
    return datetime(day.year, day.month, day.day, 3, tzinfo=UTC)


def pkp_invoice(app_clock: ModuleType) -> tuple[wf.Cast, Invoice]:
    """A PKP cooperative's Rp1.000.000 part of a Rp10.000.000 order, paid on 1 December 2026:
    PPN Rp110.000 collected and PPh 22 Rp15.000 withheld."""
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    wf.pay(c, invoice)
    assert (invoice.ppn_collected, invoice.pph22) == (110_000, 15_000)
    return c, invoice


def another_order(c: wf.Cast, quantity: int, title: str) -> PurchaseOrder:
    """A further order from the same cooperative, approved with the reason the splitting check
    asks for."""
    quotation = wf.forwarded(c, 10_000, quantity, title=title, ceiling=20_000_000)
    order = negotiation.approve_quotation(c.ppk, quotation.id, "Kebutuhan kegiatan yang lain.")
    return purchasing.accept_order(c.member, order.id)


def remit(c: wf.Cast, invoice: Invoice, **overrides: Any) -> InvoicePayment:
    values: dict[str, Any] = {
        "spp_number": "SPP-LS/0012/2026",
        "spm_number": "SPM-LS/0012/2026",
        "ppn": Remittance(PPN_CODE, PPN_NTPN, date(2026, 12, 1)),
        "pph22": Remittance(PPH_CODE, PPH_NTPN, date(2026, 12, 1)),
    }
    values.update(overrides)
    return tax_records.record_tax_records(c.treasurer, invoice.id, TaxRecordDetails(**values))


def audit_entries() -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog).where(AuditLog.action == "procurement.invoice.tax_records")
        )
    )


# --- the codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("012345678901234", "012345678901234"),
        (" 0123 4567 8901 234 ", "012345678901234"),
        ("0123-4567-8901-234", "012345678901234"),
        ("01234567890123", None),  # 14 digits
        ("0123456789012345", None),  # 16
        ("01234567890123A", None),
        ("０１２３４５６７８９０１２３４", None),  # full-width digits
        ("", None),
    ],
)
def test_a_billing_code_is_15_digits(value: str, code: str | None) -> None:
    assert tax.billing_code_digits(value) == code


@pytest.mark.parametrize(
    ("value", "ntpn"),
    [
        ("0A1B2C3D4E5F6G7H", "0A1B2C3D4E5F6G7H"),
        ("0a1b-2c3d 4e5f-6g7h", "0A1B2C3D4E5F6G7H"),
        ("1234567890123456", "1234567890123456"),
        ("0A1B2C3D4E5F6G7", None),  # 15
        ("0A1B2C3D4E5F6G7H8", None),  # 17
        ("0A1B2C3D4E5F6G7_", None),
        ("ＡＢＣＤ１２３４５６７８９０１２", None),  # full width
        ("", None),
    ],
)
def test_an_ntpn_is_16_letters_and_digits(value: str, ntpn: str | None) -> None:
    assert tax.ntpn_of(value) == ntpn


# --- recording ---------------------------------------------------------------------------------


def test_the_treasurer_records_spp_spm_and_each_tax_s_remittance(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c, invoice = pkp_invoice(clock)
    paid = remit(
        c,
        invoice,
        ppn=Remittance(" 0123 4567 8901 234", "0a1b-2c3d-4e5f-6g7h", date(2026, 12, 1)),
    )
    assert (paid.spp_number, paid.spm_number) == ("SPP-LS/0012/2026", "SPM-LS/0012/2026")
    assert (paid.ppn_billing_code, paid.ppn_ntpn, paid.ppn_remitted_on) == (
        PPN_CODE,
        PPN_NTPN,
        date(2026, 12, 1),
    )
    assert (paid.pph22_billing_code, paid.pph22_ntpn, paid.pph22_remitted_on) == (
        PPH_CODE,
        PPH_NTPN,
        date(2026, 12, 1),
    )
    assert (paid.ppn_unremitted, paid.pph22_unremitted) == (0, 0)
    [entry] = audit_entries()
    assert entry.actor_id == c.treasurer.id and entry.subject_id == invoice.id
    assert entry.data["before"]["ppn_ntpn"] is None
    assert entry.data["after"]["ppn_ntpn"] == PPN_NTPN
    assert entry.data["after"]["pph22_remitted_on"] == "2026-12-01"


def test_a_tax_left_empty_is_not_remitted_and_emptying_one_corrects_it(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c, invoice = pkp_invoice(clock)
    paid = remit(c, invoice, pph22=Remittance())
    assert paid.pph22_ntpn is None and paid.pph22_unremitted == 15_000
    assert paid.ppn_unremitted == 0
    remit(c, invoice, ppn=Remittance(), pph22=Remittance())
    assert (paid.ppn_billing_code, paid.ppn_ntpn, paid.ppn_remitted_on) == (None, None, None)
    assert paid.ppn_unremitted == 110_000
    # The audit log keeps what was there.
    assert audit_entries()[-1].data["before"]["ppn_ntpn"] == PPN_NTPN


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"ppn": Remittance("01234567890123", PPN_NTPN, date(2026, 12, 1))},
            "Kode billing PPN terdiri dari 15 angka.",
        ),
        (
            {"pph22": Remittance("PPH22", PPH_NTPN, date(2026, 12, 1))},
            "Kode billing PPh 22 terdiri dari 15 angka.",
        ),
        (
            {"ppn": Remittance(PPN_CODE, "123", date(2026, 12, 1))},
            "NTPN PPN terdiri dari 16 huruf dan angka.",
        ),
        (
            {"pph22": Remittance(PPH_CODE, "", date(2026, 12, 1))},
            "NTPN PPh 22 terdiri dari 16 huruf dan angka.",
        ),
        ({"ppn": Remittance(PPN_CODE, PPN_NTPN, None)}, "Isi tanggal setor PPN."),
        (
            {"pph22": Remittance(PPH_CODE, PPH_NTPN, date(2026, 12, 2))},
            "Tanggal setor PPh 22 tidak boleh di masa depan.",
        ),
        (
            {"ppn": Remittance(PPN_CODE, PPN_NTPN, date(2026, 11, 30))},
            "Tanggal setor PPN tidak boleh sebelum tanggal pembayaran.",
        ),
        ({"pph22": Remittance(PPN_CODE, PPH_NTPN, date(2026, 12, 1))}, "tidak boleh sama"),
        ({"pph22": Remittance(PPH_CODE, PPN_NTPN, date(2026, 12, 1))}, "tidak boleh sama"),
        ({"spp_number": "12"}, "Nomor SPP terdiri dari 3–60 karakter."),
        ({"spm_number": "x" * 61}, "Nomor SPM terdiri dari 3–60 karakter."),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(
    app_ctx: Flask, clock: ModuleType, overrides: dict[str, Any], message: str
) -> None:
    c, invoice = pkp_invoice(clock)
    with pytest.raises(InvalidProcurementInput, match=message):
        remit(c, invoice, **overrides)
    db.session.expire_all()
    paid = db.session.get(InvoicePayment, invoice.payment.id)  # type: ignore[union-attr]
    assert paid is not None
    assert (paid.spp_number, paid.ppn_ntpn, paid.pph22_ntpn) == (None, None, None)
    assert audit_entries() == []


def test_a_tax_that_was_not_withheld_has_no_remittance(app_ctx: Flask, clock: ModuleType) -> None:
    # Not PKP: no PPN; PPh 22 withheld on the Rp3.000.000 order.
    c = wf.cast(price=10_000, on_hand=2000)
    order = wf.accepted(c, price=10_000, quantity=300, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 300), 300))
    wf.pay(c, invoice)
    with pytest.raises(InvalidProcurementInput, match="PPN tidak dipotong atau dipungut"):
        remit(c, invoice)
    paid = remit(c, invoice, ppn=Remittance())
    assert (paid.pph22_withheld, paid.pph22_ntpn) == (45_000, PPH_NTPN)
    # A small order withholds nothing: neither tax may be recorded.
    small = another_order(c, 100, "Kecil")
    free = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, small, 100), 100))
    wf.pay(c, free)
    with pytest.raises(InvalidProcurementInput, match="PPh 22 tidak dipotong atau dipungut"):
        remit(c, free, ppn=Remittance())


def test_an_unpaid_invoice_has_no_tax_records_yet(app_ctx: Flask, clock: ModuleType) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    with pytest.raises(InvalidProcurementInput, match="belum dibayar"):
        remit(c, invoice)


def test_spp_and_spm_are_recorded_with_a_transfer_and_refused_for_a_card(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    first = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    paid = wf.pay(c, first, spp_number=" SPP-LS/7/2026 ", spm_number="SPM-LS/7/2026")
    assert (paid.spp_number, paid.spm_number) == ("SPP-LS/7/2026", "SPM-LS/7/2026")
    second = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    with pytest.raises(InvalidProcurementInput, match="tidak memakai SPP dan SPM"):
        wf.pay(c, second, method="card", reference="KKP-1", spp_number="SPP-LS/8/2026")
    assert second.payment is None
    by_card = wf.pay(c, second, method="card", reference="KKP-1")
    assert (by_card.spp_number, by_card.spm_number) == (None, None)
    with pytest.raises(InvalidProcurementInput, match="tidak memakai SPP dan SPM"):
        remit(c, second)
    assert remit(c, second, spp_number="", spm_number="").ppn_ntpn == PPN_NTPN


def test_only_the_agency_s_treasurer_records_another_agency_finds_nothing(
    app_ctx: Flask, clock: ModuleType
) -> None:
    c, invoice = pkp_invoice(clock)
    stranger = UserFactory(email=OTHER_TREASURER)
    AgencyMemberFactory(agency=c.other_agency, user=stranger, role=ProcurementRole.BENDAHARA)
    details = TaxRecordDetails(ppn=Remittance(PPN_CODE, PPN_NTPN, date(2026, 12, 1)))
    for user in (c.pp, c.ppk, c.receiver, stranger):
        with pytest.raises(NotFound):
            tax_records.record_tax_records(user, invoice.id, details)
    with pytest.raises(NotFound):
        tax_records.record_tax_records(c.treasurer, 987_654, details)
    with pytest.raises(NotFound):
        tax_records.tax_recap(stranger, c.agency.id, date(2026, 12, 1))
    with pytest.raises(NotFound):
        tax_records.recap_xlsx(c.pp, c.agency.id, date(2026, 12, 1))
    assert audit_entries() == []


def test_the_database_refuses_a_remittance_of_a_tax_not_withheld(
    app_ctx: Flask, clock: ModuleType
) -> None:
    _c, invoice = pkp_invoice(clock)
    assert invoice.payment is not None
    paid = update(InvoicePayment).where(InvoicePayment.id == invoice.payment.id)
    for values in (
        {"ppn_withheld": 0, "ppn_billing_code": PPN_CODE, "ppn_ntpn": PPN_NTPN,
         "ppn_remitted_on": date(2026, 12, 1)},
        {"pph22_ntpn": PPH_NTPN},  # without its billing code and day
    ):  # fmt: skip
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(paid.values(**values))


# --- the monthly recap -------------------------------------------------------------------------


@dataclass
class Month:
    cast: wf.Cast
    november: Invoice
    both: Invoice  # PKP, both taxes remitted
    ppn_open: Invoice  # PKP, PPh 22 remitted, PPN not yet
    ppn_only: Invoice  # PKP, a Rp1.900.000 order: PPN collected, no PPh 22; not yet remitted
    pph_only: Invoice  # not PKP, PPh 22 not yet remitted
    nothing: Invoice  # not PKP, a small order: nothing withheld


def december(app: Flask, clock: ModuleType) -> Month:
    """An agency's invoices paid in November and December 2026; December's remittances
    recorded on 10 December."""
    clock.freeze(at(date(2026, 11, 20)))
    c = wf.cast(price=10_000, on_hand=5000, is_pkp=True)
    order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
    november = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
    wf.pay(c, november)
    clock.freeze(at(date(2026, 12, 2)))
    both = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200))
    payment.record_faktur_pajak(c.member, both.id, "04002600000000123", date(2026, 12, 2))
    wf.pay(c, both, spp_number="SPP-LS/21/2026", spm_number="SPM-LS/21/2026")
    ppn_open = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 300), 300))
    wf.pay(c, ppn_open, reference="SP2D-0002/2026")
    under = another_order(c, 190, "Hanya PPN")
    ppn_only = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, under, 190), 190))
    wf.pay(c, ppn_only, reference="SP2D-0005/2026")
    assert (ppn_only.ppn_collected, ppn_only.pph22) == (209_000, 0)
    c.cooperative.is_pkp = False
    other = another_order(c, 300, "Tanpa PPN")
    clock.freeze(at(date(2026, 12, 3)))
    pph_only = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, other, 300), 300))
    wf.pay(c, pph_only, reference="SP2D-0003/2026")
    small = another_order(c, 100, "Kecil")
    nothing = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, small, 100), 100))
    wf.pay(c, nothing, reference="SP2D-0004/2026")
    clock.freeze(at(date(2026, 12, 10)))
    remit(c, both, spp_number="SPP-LS/21/2026", spm_number="SPM-LS/21/2026",
          ppn=Remittance(PPN_CODE, PPN_NTPN, date(2026, 12, 9)),
          pph22=Remittance(PPH_CODE, PPH_NTPN, date(2026, 12, 10)))  # fmt: skip
    remit(c, ppn_open, ppn=Remittance(),
          pph22=Remittance("212345678901234", "2A1B2C3D4E5F6G7H", date(2026, 12, 10)))  # fmt: skip
    return Month(c, november, both, ppn_open, ppn_only, pph_only, nothing)


def test_the_recap_adds_the_month_up_to_the_rupiah(app_ctx: Flask, clock: ModuleType) -> None:
    m = december(app_ctx, clock)
    recap = tax_records.tax_recap(m.cast.treasurer, m.cast.agency.id, date(2026, 12, 1))
    rows = recap.rows.items
    # November's payment and the one that withheld nothing are not in December's recap.
    assert [row.invoice_number for row in rows] == [
        m.both.number,
        m.ppn_open.number,
        m.ppn_only.number,
        m.pph_only.number,
    ]
    assert [(row.subtotal, row.dpp, row.ppn_withheld, row.pph22_withheld) for row in rows] == [
        (2_000_000, 1_833_333, 220_000, 30_000),
        (3_000_000, 2_750_000, 330_000, 45_000),
        (1_900_000, 1_741_667, 209_000, 0),
        (3_000_000, 0, 0, 45_000),
    ]
    assert [(row.ppn_unremitted, row.pph22_unremitted) for row in rows] == [
        (0, 0),
        (330_000, 0),
        (209_000, 0),
        (0, 45_000),
    ]
    first = rows[0]
    assert (first.faktur_pajak_number, first.faktur_pajak_date) == (
        "04002600000000123",
        date(2026, 12, 2),
    )
    assert (first.cooperative, first.npwp) == (
        m.cast.cooperative.name,
        m.cast.cooperative.npwp,
    )
    assert (first.spp_number, first.ppn_ntpn, first.ppn_remitted_on) == (
        "SPP-LS/21/2026",
        PPN_NTPN,
        date(2026, 12, 9),
    )
    assert first.bukti_potong_number == "BP-22-0001"
    t = recap.totals
    assert (t.invoices, t.subtotal, t.dpp) == (4, 9_900_000, 6_325_000)
    assert (t.ppn_withheld, t.ppn_remitted, t.ppn_unremitted) == (759_000, 220_000, 539_000)
    assert (t.pph22_withheld, t.pph22_remitted, t.pph22_unremitted) == (120_000, 75_000, 45_000)
    assert (t.ppn_unremitted_invoices, t.pph22_unremitted_invoices) == (2, 1)
    november = tax_records.tax_recap(m.cast.treasurer, m.cast.agency.id, date(2026, 11, 1))
    assert [row.invoice_number for row in november.rows.items] == [m.november.number]
    assert (november.totals.ppn_unremitted, november.totals.pph22_unremitted) == (110_000, 15_000)
    january = tax_records.tax_recap(m.cast.treasurer, m.cast.agency.id, date(2027, 1, 1))
    assert january.rows.items == [] and january.totals == tax_records.RecapTotals()


def test_the_recap_pages_its_rows_and_totals_the_whole_month(
    app_ctx: Flask, clock: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = december(app_ctx, clock)
    monkeypatch.setattr(tax_records, "RECAP_PER_PAGE", 2)
    first = tax_records.tax_recap(m.cast.treasurer, m.cast.agency.id, date(2026, 12, 1))
    second = tax_records.tax_recap(m.cast.treasurer, m.cast.agency.id, date(2026, 12, 1), 2)
    assert len(first.rows.items) == 2 and first.rows.has_next
    assert [row.invoice_number for row in second.rows.items] == [
        m.ppn_only.number,
        m.pph_only.number,
    ]
    assert not second.rows.has_next
    assert first.totals == second.totals and first.totals.pph22_withheld == 120_000


def test_the_xlsx_holds_every_row_in_whole_rupiah_with_the_totals(
    app_ctx: Flask, clock: ModuleType
) -> None:
    from openpyxl import load_workbook

    m = december(app_ctx, clock)
    name, content = tax_records.recap_xlsx(m.cast.treasurer, m.cast.agency.id, date(2026, 12, 1))
    assert name == f"rekap-pajak-{m.cast.agency.slug}-2026-12.xlsx"
    workbook = load_workbook(io.BytesIO(content))
    recap, summary = workbook.worksheets
    assert (recap.title, summary.title) == ("Rekap pajak", "Ringkasan")
    rows = [[cell.value for cell in row] for row in recap.iter_rows()]
    header = rows[0]
    assert header[:4] == ["Tanggal bayar", "Nomor invoice", "Koperasi penyedia", "NPWP koperasi"]
    assert header[-2:] == ["PPN belum disetor", "PPh 22 belum disetor"]
    assert len(rows) == 6  # the header, four invoices, the totals
    first = dict(zip(header, rows[1], strict=True))
    assert first["Tanggal bayar"] == datetime(2026, 12, 2)
    assert first["Nomor invoice"] == m.both.number
    assert first["NPWP koperasi"] == m.cast.cooperative.npwp
    assert first["Nomor faktur pajak"] == "04002600000000123"
    assert first["Tanggal faktur pajak"] == datetime(2026, 12, 2)
    assert (first["SPP"], first["SPM"]) == ("SPP-LS/21/2026", "SPM-LS/21/2026")
    assert first["Kode billing PPN"] == PPN_CODE and first["NTPN PPN"] == PPN_NTPN
    assert first["Tanggal setor PPN"] == datetime(2026, 12, 9)
    assert first["Nomor bukti potong"] == "BP-22-0001"
    amounts = [
        "Nilai tanpa PPN (DPP PPh 22)",
        "DPP PPN",
        "PPN dipungut",
        "PPh 22 dipotong",
        "PPN belum disetor",
        "PPh 22 belum disetor",
    ]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [[row[column] for column in amounts] for row in table] == [
        [2_000_000, 1_833_333, 220_000, 30_000, 0, 0],
        [3_000_000, 2_750_000, 330_000, 45_000, 330_000, 0],
        [1_900_000, 1_741_667, 209_000, 0, 209_000, 0],
        [3_000_000, 0, 0, 45_000, 0, 45_000],
        [9_900_000, 6_325_000, 759_000, 120_000, 539_000, 45_000],
    ]
    assert all(type(row[column]) is int for row in table for column in amounts)
    assert table[-1]["Tanggal bayar"] == "Jumlah"
    assert table[1]["NTPN PPN"] is None and table[3]["Kode billing PPN"] is None
    assert [[cell.value for cell in row] for row in summary.iter_rows()] == [
        ["Pajak", "Dipotong/dipungut", "Sudah disetor", "Belum disetor"],
        ["PPN", 759_000, 220_000, 539_000],
        ["PPh 22", 120_000, 75_000, 45_000],
    ]


# --- the pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """What the page tests need of `december`, read before its session ends."""

    agency_id: int
    npwp: str
    numbers: dict[str, str]
    ids: dict[str, int]


def built(app: Flask, clock: ModuleType) -> Built:
    with app.test_request_context():
        m = december(app, clock)
        stranger = UserFactory(email=OTHER_TREASURER)
        AgencyMemberFactory(
            agency=m.cast.other_agency, user=stranger, role=ProcurementRole.BENDAHARA
        )
        db.session.commit()
        invoices = {
            name: getattr(m, name)
            for name in ("november", "both", "ppn_open", "ppn_only", "pph_only", "nothing")
        }
        return Built(
            m.cast.agency.id,
            m.cast.cooperative.npwp,
            {name: invoice.number or "" for name, invoice in invoices.items()},
            {name: invoice.id for name, invoice in invoices.items()},
        )


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_the_treasurer_records_a_remittance_on_the_invoice_page(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    m = built(app, clock)
    invoice_id = m.ids["ppn_open"]
    login(client, TREASURER)
    page = text(client.get(f"/procurement/invoices/{invoice_id}"))
    assert "Catat SPP, SPM dan setoran pajak" in page and "Belum disetor" in page
    assert "Rekap pajak Desember 2026" in page
    assert f"/procurement/agencies/{m.agency_id}/tax-recap?month=2026-12" in page
    data = {
        "spp_number": "SPP-LS/22/2026",
        "spm_number": "SPM-LS/22/2026",
        "ppn_billing_code": "312345678901234",
        "ppn_ntpn": "3a1b2c3d4e5f6g7h",
        "ppn_remitted_on": "2026-12-10",
        "pph22_billing_code": "212345678901234",
        "pph22_ntpn": "2A1B2C3D4E5F6G7H",
        "pph22_remitted_on": "2026-12-10",
    }
    refused = client.post(
        f"/procurement/invoices/{invoice_id}/tax-records", data={**data, "ppn_ntpn": "123"}
    )
    assert refused.status_code == 400
    assert "NTPN PPN terdiri dari 16 huruf dan angka." in text(refused)
    response = client.post(f"/procurement/invoices/{invoice_id}/tax-records", data=data)
    assert response.status_code == 302, text(response)
    page = text(client.get(f"/procurement/invoices/{invoice_id}"))
    assert "NTPN 3A1B2C3D4E5F6G7H" in page and "SPP-LS/22/2026" in page
    # Another agency's treasurer and the agency's other roles find nothing to change.
    logout(client)
    login(client, OTHER_TREASURER)
    assert (
        client.post(f"/procurement/invoices/{invoice_id}/tax-records", data=data).status_code == 404
    )
    assert client.get(f"/procurement/invoices/{invoice_id}").status_code == 404
    logout(client)
    login(client, "pejabat_pengadaan@agency.test")
    page = text(client.get(f"/procurement/invoices/{invoice_id}"))
    assert "Setoran pajak" in page and "Catat SPP, SPM dan setoran pajak" not in page


def test_the_payment_form_takes_the_spp_and_spm(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100))
        db.session.commit()
        invoice_id = invoice.id
    login(client, TREASURER)
    page = text(client.get(f"/procurement/invoices/{invoice_id}"))
    assert "Nomor SPP" in page and "Nomor SPM" in page
    response = client.post(
        f"/procurement/invoices/{invoice_id}/pay",
        data={
            "method": "transfer",
            "reference": "SP2D-00123/2026",
            "paid_on": "2026-12-01",
            "bukti_potong_number": "BP-22-9",
            "spp_number": "SPP-LS/30/2026",
            "spm_number": "SPM-LS/30/2026",
        },
    )
    assert response.status_code == 302, text(response)
    paid = db.session.scalars(
        select(InvoicePayment).where(InvoicePayment.invoice_id == invoice_id)
    ).one()
    assert (paid.spp_number, paid.spm_number) == ("SPP-LS/30/2026", "SPM-LS/30/2026")


def test_the_recap_page_and_its_xlsx(app: Flask, client: FlaskClient, clock: ModuleType) -> None:
    m = built(app, clock)
    url = f"/procurement/agencies/{m.agency_id}/tax-recap"
    numbers = m.numbers
    login(client, TREASURER)
    page = text(client.get(url))  # this month: December 2026 on the app's clock
    assert "Rekap pajak Desember 2026" in page
    for name in ("both", "ppn_open", "ppn_only", "pph_only"):
        assert numbers[name] in page
    assert numbers["nothing"] not in page and numbers["november"] not in page
    assert "Rp759.000" in page and "Rp539.000" in page and "Rp45.000" in page
    assert "PPN belum disetor: Rp539.000 dari 2 invoice." in page
    assert "PPh 22 belum disetor: Rp45.000 dari 1 invoice." in page
    assert f"NPWP {m.npwp}" in page
    assert f"{url}.xlsx?month=2026-12" in page
    november = text(client.get(f"{url}?month=2026-11"))
    assert numbers["november"] in november and numbers["both"] not in november
    bad = client.get(f"{url}?month=2026-13")
    assert bad.status_code == 400 and "Pilih bulan dengan format 2026-12." in text(bad)
    download = client.get(f"{url}.xlsx?month=2026-12")
    assert download.status_code == 200
    assert download.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "rekap-pajak-" in download.headers["Content-Disposition"]
    assert client.get(f"{url}.xlsx?month=bulan").status_code == 400
    # The header links a treasurer to the recap.
    assert f'href="{url}"' in text(client.get("/procurement/"))
    logout(client)
    login(client, OTHER_TREASURER)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}.xlsx").status_code == 404
    assert client.get("/procurement/agencies/987654/tax-recap").status_code == 404
    logout(client)
    login(client, "ppk@agency.test")
    assert client.get(url).status_code == 403


def test_the_recap_page_runs_as_many_queries_for_many_rows_as_for_one(
    app: Flask, client: FlaskClient, clock: ModuleType
) -> None:
    with app.test_request_context():
        c = wf.cast(price=10_000, on_hand=2000, is_pkp=True)
        order = wf.accepted(c, price=10_000, quantity=1000, ceiling=20_000_000)
        wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100)))
        db.session.commit()
        url = f"/procurement/agencies/{c.agency.id}/tax-recap"
    login(client, TREASURER)

    def statements() -> int:
        with counted(app) as run:
            assert client.get(url).status_code == 200
        return len(run)

    one = statements()
    with app.test_request_context():
        for _n in range(4):
            wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 100), 100)))
        db.session.commit()
    assert text(client.get(url)).count('href="/procurement/invoices/') == 5
    assert statements() == one
