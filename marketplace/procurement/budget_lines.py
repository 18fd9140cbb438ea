"""Budget lines: the accounts of an agency's DPA (kode rekening belanja under a sub-activity)
that its requests and Surat Pesanan are charged to.

The agency's PPK enters its lines for a year from its DPA and records each revision
(pergeseran) as a row of its own, with the day, the change and the reason; nothing is edited in
place. A line's figures are computed from the procurement's own records, never kept as counters
that could drift:

- **budget**: the DPA's amount plus its revisions;
- **committed**: the Surat Pesanan that name the line and are live (issued, accepted, being
  delivered, delivered, closed), at their total including PPN. A Surat Pesanan that was declined,
  lapsed or cancelled releases its value. Once delivery is over (delivered, or ended short by the
  PPK) an order commits what its BASTs accepted, with PPN as each invoice computes it, so an
  order ended short gives back what will not come and a line's committed equals its realised
  once everything is paid;
- **realised**: the paid invoices of those orders, at their total including PPN (an invoice
  cancelled or returned to unpaid stops counting by its status alone);
- **remaining**: budget minus committed.

A request cannot be sent with a ceiling above the line's remaining budget, nor a Surat Pesanan
issued above it; the Surat Pesanan's check runs under the line's row lock (PostgreSQL), so two
approvals cannot both take the last of a line. A revision cannot take a line below what is
committed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.i18n import rupiah
from marketplace.procurement import tax
from marketplace.procurement.common import (
    MAX_AMOUNT,
    agency_ids,
    procurement_settings,
    today,
)
from marketplace.procurement.exceptions import BudgetExceeded, InvalidProcurementInput
from marketplace.procurement.lifecycle import LIVE_ORDERS
from marketplace.procurement.models import (
    Agency,
    Bast,
    BudgetLine,
    BudgetRevision,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    ProcurementRequest,
    ProcurementRole,
    PurchaseOrder,
)

PPK = ProcurementRole.PPK
#: Kode rekening belanja (Permendagri 90/2019): akun 5, kelompok, jenis, objek, rincian objek,
#: sub rincian objek, e.g. 5.1.02.01.01.0024.
ACCOUNT_CODE_RE = re.compile(r"^5\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}$")
#: Kode sub kegiatan: urusan, bidang, program, kegiatan, sub kegiatan, e.g. 4.01.01.2.01.0001.
SUB_ACTIVITY_CODE_RE = re.compile(r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}\.\d{4}$")
#: After delivery is over, an order commits what its BASTs accepted.
DELIVERY_OVER = frozenset({OrderStatus.DELIVERED, OrderStatus.CLOSED})


@dataclass(frozen=True)
class LineDetails:
    """What the PPK enters for a line from the DPA."""

    agency_id: int
    year: int
    account_code: str
    account_name: str
    sub_activity_code: str
    sub_activity_name: str
    amount: int


@dataclass(frozen=True)
class LineFigures:
    """A line with its budget, committed and realised, computed now."""

    line: BudgetLine
    budget: int
    committed: int
    realised: int

    @property
    def remaining(self) -> int:
        return self.budget - self.committed


def _refuse(message: str) -> InvalidProcurementInput:
    return InvalidProcurementInput(message)


def check_account_code(code: str) -> str:
    code = code.strip()
    if not ACCOUNT_CODE_RE.match(code):
        raise _refuse(
            _(
                "Kode rekening belanja mengikuti format Permendagri 90: enam bagian angka "
                "dipisah titik, diawali 5, misalnya 5.1.02.01.01.0024."
            )
        )
    return code


def check_sub_activity_code(code: str) -> str:
    code = code.strip()
    if not SUB_ACTIVITY_CODE_RE.match(code):
        raise _refuse(
            _(
                "Kode sub kegiatan DPA terdiri dari enam bagian angka dipisah titik, misalnya "
                "4.01.01.2.01.0001."
            )
        )
    return code


def _check_name(name: str, what: str) -> str:
    name = name.strip()
    if not name or len(name) > 255:
        raise _refuse(_("Isi %(what)s (paling banyak 255 karakter).", what=what))
    return name


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise _refuse(_("Isi pagu dalam rupiah bulat."))
    if not 0 <= amount <= MAX_AMOUNT:
        raise _refuse(_("Pagu tidak boleh negatif atau terlalu besar."))
    return amount


# --- look-ups ------------------------------------------------------------------------------------


def agency_line(user: User, line_id: int, role: ProcurementRole | None = None) -> BudgetLine:
    """A line of an agency where the user holds ``role`` (any when None); any other is 404."""
    line = db.session.scalar(
        select(BudgetLine)
        .where(BudgetLine.id == line_id, BudgetLine.agency_id.in_(agency_ids(user, role)))
        .options(
            selectinload(BudgetLine.agency),
            selectinload(BudgetLine.revisions).selectinload(BudgetRevision.created_by),
        )
    )
    if line is None:
        raise NotFound()
    return line


def agency_lines(user: User, year: int) -> list[LineFigures]:
    """The lines of the user's agencies for a year, with their figures (a fixed number of
    queries)."""
    lines = db.session.scalars(
        select(BudgetLine)
        .where(BudgetLine.agency_id.in_(agency_ids(user)), BudgetLine.year == year)
        .options(selectinload(BudgetLine.agency))
        .order_by(BudgetLine.agency_id, BudgetLine.sub_activity_code, BudgetLine.account_code)
    ).all()
    return figures_of(lines)


def lines_of_year(agency_ids_: Iterable[int], year: int) -> list[LineFigures]:
    """Every line of these agencies for a year, with their figures (the reports)."""
    lines = db.session.scalars(
        select(BudgetLine)
        .join(Agency, Agency.id == BudgetLine.agency_id)
        .where(BudgetLine.agency_id.in_(list(agency_ids_)), BudgetLine.year == year)
        .options(contains_eager(BudgetLine.agency))
        .order_by(Agency.name, BudgetLine.account_code, BudgetLine.sub_activity_code)
    ).all()
    return figures_of(lines)


def figures_of(lines: Sequence[BudgetLine]) -> list[LineFigures]:
    """Budget, committed and realised of each line, in four queries whatever their number."""
    ids = [line.id for line in lines]
    if not ids:
        return []
    revised = _revised(ids)
    committed = _committed(ids)
    realised = _realised(ids)
    return [
        LineFigures(
            line,
            line.amount + revised.get(line.id, 0),
            committed.get(line.id, 0),
            realised.get(line.id, 0),
        )
        for line in lines
    ]


def _revised(ids: Sequence[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(BudgetRevision.line_id, func.sum(BudgetRevision.change))
        .where(BudgetRevision.line_id.in_(ids))
        .group_by(BudgetRevision.line_id)
    ).all()
    return {line_id: int(total or 0) for line_id, total in rows}


def _committed(ids: Sequence[int]) -> dict[int, int]:
    orders = db.session.execute(
        select(
            PurchaseOrder.id,
            PurchaseOrder.budget_line_id,
            PurchaseOrder.status,
            PurchaseOrder.total,
            PurchaseOrder.is_pkp,
        ).where(
            PurchaseOrder.budget_line_id.in_(ids),
            PurchaseOrder.status.in_([str(status) for status in LIVE_ORDERS]),
        )
    ).all()
    over = {
        order_id: is_pkp
        for order_id, _line, status, _total, is_pkp in orders
        if status in DELIVERY_OVER
    }
    accepted: dict[int, int] = defaultdict(int)
    if over:
        settings = procurement_settings()
        for order_id, accepted_total in db.session.execute(
            select(Bast.purchase_order_id, Bast.accepted_total).where(
                Bast.purchase_order_id.in_(list(over))
            )
        ):
            accepted[order_id] += tax.total_including_ppn(
                accepted_total, is_pkp=over[order_id], settings=settings
            )
    committed: dict[int, int] = defaultdict(int)
    for order_id, line_id, _status, total, _pkp in orders:
        committed[line_id] += accepted[order_id] if order_id in over else total
    return committed


def _realised(ids: Sequence[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(PurchaseOrder.budget_line_id, func.sum(Invoice.total))
        .join(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
        .where(PurchaseOrder.budget_line_id.in_(ids), Invoice.status == InvoiceStatus.PAID)
        .group_by(PurchaseOrder.budget_line_id)
    ).all()
    return {line_id: int(total or 0) for line_id, total in rows}


def figures(line: BudgetLine) -> LineFigures:
    return figures_of([line])[0]


def _locked(line_id: int) -> BudgetLine:
    """The line, its row locked until the transaction ends (PostgreSQL; SQLite has one writer
    at a time anyway), so what is checked against it cannot change before the commit."""
    line = db.session.get(BudgetLine, line_id, with_for_update=True, populate_existing=True)
    if line is None:
        raise NotFound()
    return line


# --- the PPK's entries ---------------------------------------------------------------------------


def create_line(user: User, details: LineDetails) -> BudgetLine:
    """A line of the agency's DPA for a year (the agency's PPK only)."""
    if details.agency_id not in agency_ids(user, PPK):
        raise NotFound()
    year = details.year
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise _refuse(_("Tahun anggaran harus antara 2000 dan 2100."))
    line = BudgetLine(
        agency_id=details.agency_id,
        year=year,
        account_code=check_account_code(details.account_code),
        account_name=_check_name(details.account_name, _("nama rekening")),
        sub_activity_code=check_sub_activity_code(details.sub_activity_code),
        sub_activity_name=_check_name(details.sub_activity_name, _("nama sub kegiatan")),
        amount=_check_amount(details.amount),
        created_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(line)
            db.session.flush()
    except IntegrityError:
        raise _refuse(
            _(
                "Rekening %(account)s pada sub kegiatan %(sub)s tahun %(year)d sudah ada; catat "
                "perubahan pagunya sebagai pergeseran.",
                account=line.account_code,
                sub=line.sub_activity_code,
                year=year,
            )
        ) from None
    audit.record(
        "procurement.budget_line.created",
        line,
        actor_id=user.id,
        data={
            "agency_id": line.agency_id,
            "year": year,
            "account_code": line.account_code,
            "sub_activity_code": line.sub_activity_code,
            "amount": line.amount,
        },
    )
    return line


def revise_line(
    user: User, line_id: int, revised_on: date | None, change: int, reason: str
) -> BudgetRevision:
    """Record a pergeseran: the line's budget goes up or down by ``change``, never below what is
    already committed on it."""
    agency_line(user, line_id, PPK)
    line = _locked(line_id)
    if not isinstance(revised_on, date):
        raise _refuse(_("Isi tanggal pergeseran."))
    if revised_on > today():
        raise _refuse(_("Tanggal pergeseran tidak boleh setelah hari ini."))
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise _refuse(_("Isi perubahan pagu dalam rupiah bulat, tambah atau kurang, bukan 0."))
    if abs(change) > MAX_AMOUNT:
        raise _refuse(_("Perubahan pagu terlalu besar."))
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise _refuse(_("Tulis alasan pergeseran (paling banyak 2000 karakter)."))
    now = figures(line)
    after = now.budget + change
    if after < now.committed:
        raise _refuse(
            _(
                "Pergeseran ini membuat pagu %(account)s menjadi %(after)s, di bawah nilai Surat "
                "Pesanan yang sudah terikat %(committed)s.",
                account=line.account_code,
                after=rupiah(after),
                committed=rupiah(now.committed),
            )
        )
    revision = BudgetRevision(
        line_id=line.id,
        revised_on=revised_on,
        change=change,
        reason=reason,
        created_by_id=user.id,
    )
    db.session.add(revision)
    db.session.flush()
    db.session.expire(line, ["revisions"])
    audit.record(
        "procurement.budget_line.revised",
        line,
        actor_id=user.id,
        data={"change": change, "before": now.budget, "after": after, "reason": reason},
    )
    return revision


# --- requests and Surat Pesanan ------------------------------------------------------------------


def request_choices(agency_ids_: Iterable[int], year: int) -> list[LineFigures]:
    """The lines a request of these agencies may name (the year's), with what remains."""
    lines = db.session.scalars(
        select(BudgetLine)
        .where(BudgetLine.agency_id.in_(list(agency_ids_)), BudgetLine.year == year)
        .order_by(BudgetLine.agency_id, BudgetLine.sub_activity_code, BudgetLine.account_code)
    ).all()
    return figures_of(lines)


def _agency_has_lines(agency_id: int, year: int) -> bool:
    return (
        db.session.scalar(
            select(BudgetLine.id)
            .where(BudgetLine.agency_id == agency_id, BudgetLine.year == year)
            .limit(1)
        )
        is not None
    )


def check_request_line(agency_id: int, budget_line_id: int | None) -> int | None:
    """The line a request names: one of its own agency's (an id from elsewhere is refused like
    an unknown one) for this year; required once the agency has entered lines for this year."""
    if budget_line_id is None:
        if _agency_has_lines(agency_id, today().year):
            raise _refuse(_("Pilih rekening belanja (kode rekening DPA) untuk permintaan ini."))
        return None
    line = db.session.get(BudgetLine, budget_line_id)
    if line is None or line.agency_id != agency_id:
        raise _refuse(_("Pilih rekening belanja dari daftar rekening OPD Anda."))
    if line.year != today().year:
        # A year's DPA pays only that year's purchases.
        raise _refuse(
            _(
                "Rekening %(account)s adalah anggaran tahun %(year)d; pilih rekening tahun ini.",
                account=line.account_code,
                year=line.year,
            )
        )
    return line.id


def check_request_fits(request: ProcurementRequest) -> None:
    """At sending: the request names a line (once the agency has lines) and its ceiling fits
    in what remains of it."""
    check_request_line(request.agency_id, request.budget_line_id)
    if request.budget_line_id is None:
        return
    line = db.session.get(BudgetLine, request.budget_line_id)
    assert line is not None  # checked above
    now = figures(line)
    if request.ceiling > now.remaining:
        raise BudgetExceeded(
            _("HPS/pagu permintaan ini"), request.ceiling, line.label, now.remaining, now.budget
        )


def check_order_fits(request: ProcurementRequest, total: int) -> int | None:
    """At issuing a Surat Pesanan of ``total`` (including PPN): the request's line, locked, has
    that much left. Returns the line's id for the order to name."""
    if request.budget_line_id is None:
        return None
    line = _locked(request.budget_line_id)
    now = figures(line)
    if total > now.remaining:
        raise BudgetExceeded(
            _("Nilai Surat Pesanan ini"), total, line.label, now.remaining, now.budget
        )
    return line.id


@dataclass(frozen=True)
class BudgetTotals:
    """The sums of an agency's lines of a year."""

    budget: int
    committed: int
    realised: int

    @property
    def remaining(self) -> int:
        return self.budget - self.committed


def budget_totals(rows: Iterable[LineFigures]) -> dict[int, BudgetTotals]:
    """Per agency, the sums of its lines' figures."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        total = sums[row.line.agency_id]
        total[0] += row.budget
        total[1] += row.committed
        total[2] += row.realised
    return {agency: BudgetTotals(*values) for agency, values in sums.items()}


def as_row(figures_: LineFigures) -> list[Any]:
    """A line's figures as an export row."""
    line = figures_.line
    return [
        line.agency.name,
        line.year,
        line.account_code,
        line.account_name,
        line.sub_activity_code,
        line.sub_activity_name,
        figures_.budget,
        figures_.committed,
        figures_.realised,
        figures_.remaining,
    ]
