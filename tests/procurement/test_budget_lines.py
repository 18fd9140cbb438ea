"""Budget lines (issue 23): an agency's DPA accounts per year, entered by its PPK, revised only
by revisions of their own; a Surat Pesanan commits its line when issued and releases it when it
ends without goods, a paid invoice realises it; neither a request nor a Surat Pesanan may take
more than what remains of the line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.procurement import budget_lines, negotiation, purchasing, requests
from marketplace.procurement.common import today
from marketplace.procurement.exceptions import BudgetExceeded, InvalidProcurementInput
from marketplace.procurement.models import BudgetLine, BudgetRevision, OrderStatus
from tests.procurement import workflow as wf

ACCOUNT = "5.1.02.01.01.0052"
SUB_ACTIVITY = "4.01.01.2.01.0001"


def line_for(c: wf.Cast, amount: int = 10_000_000, **overrides: Any) -> BudgetLine:
    """A line of the cast's agency for this year, entered by its PPK."""
    values: dict[str, Any] = {
        "agency_id": c.agency.id,
        "year": today().year,
        "account_code": ACCOUNT,
        "account_name": "Belanja Makanan dan Minuman Rapat",
        "sub_activity_code": SUB_ACTIVITY,
        "sub_activity_name": "Penyediaan Makanan dan Minuman",
        "amount": amount,
    }
    values.update(overrides)
    return budget_lines.create_line(c.ppk, budget_lines.LineDetails(**values))


def numbers(line: BudgetLine) -> tuple[int, int, int, int]:
    f = budget_lines.figures(line)
    return f.budget, f.committed, f.realised, f.remaining


# --- entering lines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["5.1.2.01.01.0024", "4.1.02.01.01.0024", "5102010124", "5.1.02.01.01.24", "5.1.02.01.01", ""],
)
def test_an_account_code_must_follow_permendagri_90(app_ctx: Flask, code: str) -> None:
    c = wf.cast()
    with pytest.raises(InvalidProcurementInput) as refused:
        line_for(c, account_code=code)
    assert "Permendagri 90" in refused.value.message
    assert "5.1.02.01.01.0024" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(BudgetLine)) == 0


def test_a_sub_activity_code_has_its_six_parts(app_ctx: Flask) -> None:
    c = wf.cast()
    with pytest.raises(InvalidProcurementInput) as refused:
        line_for(c, sub_activity_code="4.01.01.2.01")
    assert "4.01.01.2.01.0001" in refused.value.message
    line = line_for(c, account_code=" 5.1.02.01.01.0024 ")
    assert line.account_code == "5.1.02.01.01.0024"


def test_only_the_agencys_ppk_enters_its_lines(app_ctx: Flask) -> None:
    c = wf.cast()
    details = budget_lines.LineDetails(
        c.agency.id, today().year, ACCOUNT, "Belanja", SUB_ACTIVITY, "Sub", 1_000_000
    )
    for outsider in (c.pp, c.treasurer, c.other_ppk):
        with pytest.raises(NotFound):
            budget_lines.create_line(outsider, details)
    line = budget_lines.create_line(c.ppk, details)
    assert line.created_by_id == c.ppk.id
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "procurement.budget_line.created")
    ).one()
    assert entry.actor_id == c.ppk.id and entry.data["amount"] == 1_000_000


def test_the_same_account_twice_in_a_year_is_refused(app_ctx: Flask) -> None:
    c = wf.cast()
    line_for(c)
    with pytest.raises(InvalidProcurementInput) as refused:
        line_for(c, amount=5)
    assert "sudah ada" in refused.value.message and "pergeseran" in refused.value.message
    # The same account under another sub-activity, or another year, is another line.
    line_for(c, sub_activity_code="4.01.01.2.01.0002")
    line_for(c, year=today().year + 1)


# --- revisions -----------------------------------------------------------------------------------


def test_revisions_are_rows_of_their_own_and_the_budget_is_their_sum(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c, amount=10_000_000)
    budget_lines.revise_line(c.ppk, line.id, today(), 5_000_000, "DPPA pergeseran I")
    budget_lines.revise_line(c.ppk, line.id, today(), -3_000_000, "Pergeseran II")
    assert numbers(line) == (12_000_000, 0, 0, 12_000_000)
    assert line.amount == 10_000_000  # the DPA's figure is never edited
    rows = db.session.scalars(select(BudgetRevision).order_by(BudgetRevision.id)).all()
    assert [(r.change, r.reason, r.created_by_id) for r in rows] == [
        (5_000_000, "DPPA pergeseran I", c.ppk.id),
        (-3_000_000, "Pergeseran II", c.ppk.id),
    ]
    audited = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "procurement.budget_line.revised")
    ).all()
    assert [(a.data["before"], a.data["after"]) for a in audited] == [
        (10_000_000, 15_000_000),
        (15_000_000, 12_000_000),
    ]


def test_a_revision_needs_a_change_a_reason_and_a_day_not_to_come(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c)
    refusals = [
        (today(), 0, "alasan", "bukan 0"),
        (today(), 1_000, "  ", "alasan"),
        (today() + timedelta(days=1), 1_000, "alasan", "setelah hari ini"),
        (None, 1_000, "alasan", "tanggal"),
    ]
    for day, change, reason, said in refusals:
        with pytest.raises(InvalidProcurementInput) as refused:
            budget_lines.revise_line(c.ppk, line.id, day, change, reason)
        assert said in refused.value.message
    for outsider in (c.pp, c.other_ppk):
        with pytest.raises(NotFound):
            budget_lines.revise_line(outsider, line.id, today(), 1_000, "alasan")
    assert db.session.scalar(select(func.count()).select_from(BudgetRevision)) == 0


def test_a_revision_cannot_take_the_line_below_what_is_committed(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c, amount=10_000_000)
    wf.issued(c, ceiling=2_000_000, budget_line_id=line.id)  # 200 × 9.000 = 1.800.000
    with pytest.raises(InvalidProcurementInput) as refused:
        budget_lines.revise_line(c.ppk, line.id, today(), -8_200_001, "Dialihkan")
    assert "Rp1.799.999" in refused.value.message
    assert "Rp1.800.000" in refused.value.message
    budget_lines.revise_line(c.ppk, line.id, today(), -8_200_000, "Dialihkan")
    assert numbers(line) == (1_800_000, 1_800_000, 0, 0)


# --- requests ------------------------------------------------------------------------------------


def test_once_an_agency_has_lines_a_request_names_one_of_its_own(app_ctx: Flask) -> None:
    c = wf.cast()
    request = requests.create_request(c.pp, wf.details(c))  # no lines yet: as before
    assert request.budget_line_id is None
    line_for(c)
    with pytest.raises(InvalidProcurementInput) as refused:
        requests.create_request(c.pp, wf.details(c, ceiling=1_000_000))
    assert "rekening belanja" in refused.value.message
    other_ppk_line = budget_lines.create_line(
        c.other_ppk,
        budget_lines.LineDetails(
            c.other_agency.id, today().year, ACCOUNT, "Belanja", SUB_ACTIVITY, "Sub", 9_000_000
        ),
    )
    with pytest.raises(InvalidProcurementInput) as refused:
        requests.create_request(
            c.pp, wf.details(c, ceiling=1_000_000, budget_line_id=other_ppk_line.id)
        )
    assert "rekening OPD Anda" in refused.value.message
    # The draft made before the lines cannot be sent without one.
    requests.add_catalogue_line(c.pp, request.id, c.variant.id, 200)
    with pytest.raises(InvalidProcurementInput):
        requests.send_request(c.pp, request.id)


def test_a_request_above_the_lines_remaining_budget_is_not_sent(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c, amount=5_000_000)
    request = wf.draft(c, ceiling=6_000_000, budget_line_id=line.id)
    with pytest.raises(BudgetExceeded) as refused:
        requests.send_request(c.pp, request.id)
    message = refused.value.message
    assert "HPS/pagu permintaan ini Rp6.000.000" in message
    assert "sisa anggaran rekening 5.1.02.01.01.0052" in message
    assert "Rp5.000.000 dari pagu Rp5.000.000" in message
    assert refused.value.status_code == 409
    budget_lines.revise_line(c.ppk, line.id, today(), 1_000_000, "Tambahan dari BTT")
    assert requests.send_request(c.pp, request.id).status == "sent"


# --- committed and realised ----------------------------------------------------------------------


def test_issuing_the_surat_pesanan_commits_and_cancelling_releases(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c, amount=10_000_000)
    order = wf.issued(c, ceiling=2_000_000, budget_line_id=line.id)
    assert order.budget_line_id == line.id
    assert numbers(line) == (10_000_000, 1_800_000, 0, 8_200_000)
    purchasing.cancel_order(c.ppk, order.id, "Kegiatan ditunda")
    assert numbers(line) == (10_000_000, 0, 0, 10_000_000)


def test_a_declined_surat_pesanan_releases_its_line(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c)
    order = wf.issued(c, ceiling=2_000_000, budget_line_id=line.id)
    purchasing.decline_order(c.member, order.id, "Stok habis")
    assert order.status == OrderStatus.DECLINED
    assert numbers(line)[1] == 0


def test_a_paid_invoice_realises_what_was_committed(app_ctx: Flask) -> None:
    c = wf.cast(is_pkp=True)
    line = line_for(c, amount=10_000_000)
    # 200 × 9.000 = 1.800.000 + PPN 198.000
    order = wf.accepted(c, ceiling=2_000_000, budget_line_id=line.id)
    assert numbers(line) == (10_000_000, 1_998_000, 0, 8_002_000)
    invoice = wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200))
    assert numbers(line)[2] == 0  # invoiced is not paid
    wf.pay(c, invoice)
    assert numbers(line) == (10_000_000, 1_998_000, 1_998_000, 8_002_000)


def test_an_order_ended_short_commits_only_what_was_accepted(app_ctx: Flask) -> None:
    c = wf.cast(is_pkp=True)
    line = line_for(c, amount=10_000_000)
    order = wf.accepted(c, ceiling=2_000_000, budget_line_id=line.id)
    wf.inspect(c, wf.deliver(c, order, 100), 100)  # 900.000 + PPN 99.000
    assert numbers(line)[1] == 1_998_000  # still expecting the rest
    purchasing.end_order_short(c.ppk, order.id, "Sisa barang tidak tersedia")
    assert numbers(line) == (10_000_000, 999_000, 0, 9_001_000)


def test_a_surat_pesanan_above_what_remains_is_refused_with_the_numbers(app_ctx: Flask) -> None:
    c = wf.cast()
    line = line_for(c, amount=3_000_000)
    first = wf.forwarded(c, ceiling=2_000_000, budget_line_id=line.id)
    second = wf.forwarded(c, ceiling=2_000_000, budget_line_id=line.id)  # both fit when sent
    negotiation.approve_quotation(c.ppk, first.id)
    with pytest.raises(BudgetExceeded) as refused:
        negotiation.approve_quotation(c.ppk, second.id, "Kebutuhan rapat yang berbeda")
    message = refused.value.message
    assert "Nilai Surat Pesanan ini Rp1.800.000" in message
    assert "Rp1.200.000 dari pagu Rp3.000.000" in message
    assert numbers(line) == (3_000_000, 1_800_000, 0, 1_200_000)


def test_lines_figures_take_a_fixed_number_of_queries(app: Flask) -> None:
    from tests.queries import counted

    def paid_line(c: wf.Cast, n: int) -> None:
        line = line_for(c, account_code=f"5.1.02.01.01.00{n:02d}")
        order = wf.accepted(c, ceiling=2_000_000, budget_line_id=line.id)
        wf.pay(c, wf.invoice_for(c, wf.inspect(c, wf.deliver(c, order, 200), 200)))
        db.session.flush()

    with app.test_request_context():
        c = wf.cast(is_pkp=True)
        agency_id, year = c.agency.id, today().year
        paid_line(c, 1)
        db.session.expire_all()
        with counted(app) as one:
            budget_lines.lines_of_year([agency_id], year)
        paid_line(c, 2)
        paid_line(c, 3)
        db.session.expire_all()
        with counted(app) as three:
            figures = budget_lines.lines_of_year([agency_id], year)
        # The lines with their agency, the revisions, the live orders, the BASTs of the
        # delivered ones and the paid invoices: the same five statements for any number.
        assert len(one) == len(three) == 5
        assert [f.realised for f in figures] == [1_998_000] * 3
