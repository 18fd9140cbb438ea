"""Spend reports: per agency, per cooperative, per kind of goods and per month, and each
agency's share of its yearly goods budget spent here against the national target (40% of
goods and services spending for small businesses and cooperatives).

Spend is what the treasurers paid: invoices with a recorded payment, counted in the year of
the payment date, at their total including PPN (the agency's spending; the taxes withheld are
part of it). Per kind of goods the amounts exclude PPN, because PPN is computed per invoice,
not per line. City administrators see every agency; an agency member sees their own agencies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace import audit, exports
from marketplace.accounts.models import User
from marketplace.catalogue.models import Category
from marketplace.cooperatives.models import Cooperative
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.procurement import budget_lines
from marketplace.procurement.common import MAX_AMOUNT, agency_ids
from marketplace.procurement.exceptions import InvalidProcurementInput
from marketplace.procurement.models import Agency, Budget, Invoice, InvoiceLine, InvoicePayment
from marketplace.procurement.tax import format_percent

TABLES = ("agency", "cooperative", "category", "month", "budget", "account")


@dataclass(frozen=True)
class SpendRow:
    label: str
    invoices: int
    subtotal: int
    total: int


@dataclass(frozen=True)
class BudgetRow:
    """An agency's share of its goods budget spent here. The base is the goods budget the city
    entered; without it, the sum of the agency's budget lines stands in (``from_lines``)."""

    agency: Agency
    budget: int | None
    spent: int
    share: Fraction | None
    target: Fraction
    #: The sums of the agency's budget lines of the year (None without lines).
    lines: budget_lines.BudgetTotals | None = None
    from_lines: bool = False

    @property
    def share_label(self) -> str:
        return format_percent(self.share) if self.share is not None else "–"

    @property
    def meets_target(self) -> bool:
        return self.share is not None and self.share >= self.target


@dataclass(frozen=True)
class SpendReport:
    year: int
    by_agency: list[SpendRow]
    by_cooperative: list[SpendRow]
    by_category: list[SpendRow]
    by_month: list[SpendRow]
    budgets: list[BudgetRow]
    target: Fraction
    #: Every budget line of the year, with budget, committed and realised (by account code).
    accounts: list[budget_lines.LineFigures]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.by_agency)

    @property
    def target_label(self) -> str:
        return format_percent(self.target)


def target_percent() -> Fraction:
    return Fraction(current_app.config["PROCUREMENT_LOCAL_SHARE_TARGET_PERCENT"])


def visible_agencies(user: User) -> list[Agency]:
    """Every agency for a city administrator; the user's own for an agency member."""
    statement = select(Agency).order_by(Agency.name)
    if not user.is_city_admin:
        statement = statement.where(Agency.id.in_(agency_ids(user)))
    return list(db.session.scalars(statement))


def _paid(year: int, agencies: Sequence[int]) -> list[tuple[Invoice, InvoicePayment]]:
    rows = db.session.execute(
        select(Invoice, InvoicePayment)
        .join(InvoicePayment, InvoicePayment.invoice_id == Invoice.id)
        .where(
            Invoice.agency_id.in_(agencies),
            InvoicePayment.reversed_at.is_(None),
            InvoicePayment.paid_on >= date(year, 1, 1),
            InvoicePayment.paid_on <= date(year, 12, 31),
        )
        .order_by(InvoicePayment.paid_on, Invoice.id)
    ).all()
    return [(invoice, payment) for invoice, payment in rows]


def _rows(groups: dict[Any, list[Invoice]], label_of: dict[Any, str]) -> list[SpendRow]:
    rows = [
        SpendRow(
            label_of.get(key, str(key)),
            len(invoices),
            sum(i.subtotal for i in invoices),
            sum(i.total for i in invoices),
        )
        for key, invoices in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row.total, row.label))


def spend_report(user: User, year: int) -> SpendReport:
    agencies = visible_agencies(user)
    agency_ids_ = [a.id for a in agencies]
    paid = _paid(year, agency_ids_)
    invoices = [invoice for invoice, _payment in paid]

    by_agency: dict[int, list[Invoice]] = defaultdict(list)
    by_cooperative: dict[int, list[Invoice]] = defaultdict(list)
    by_month: dict[int, list[Invoice]] = defaultdict(list)
    for invoice, payment in paid:
        by_agency[invoice.agency_id].append(invoice)
        by_cooperative[invoice.cooperative_id].append(invoice)
        by_month[payment.paid_on.month].append(invoice)

    cooperative_names: dict[int, str] = dict(
        db.session.execute(
            select(Cooperative.id, Cooperative.name).where(Cooperative.id.in_(list(by_cooperative)))
        )
        .tuples()
        .all()
    )
    locale = str(get_locale())
    month_rows = [
        SpendRow(
            _month_name(year, month, locale),
            len(by_month[month]),
            sum(i.subtotal for i in by_month[month]),
            sum(i.total for i in by_month[month]),
        )
        for month in sorted(by_month)
    ]

    category_rows = _by_category([i.id for i in invoices], locale)
    target = target_percent()
    spent = {agency: sum(i.total for i in rows) for agency, rows in by_agency.items()}
    budgets: dict[int, int] = dict(
        db.session.execute(
            select(Budget.agency_id, Budget.goods_budget).where(
                Budget.year == year, Budget.agency_id.in_(agency_ids_)
            )
        )
        .tuples()
        .all()
    )
    accounts = budget_lines.lines_of_year(agency_ids_, year)
    line_totals = budget_lines.budget_totals(accounts)
    budget_rows = []
    for agency in agencies:
        lines = line_totals.get(agency.id)
        budget = budgets.get(agency.id)
        from_lines = budget is None and lines is not None
        base = lines.budget if from_lines and lines else budget
        used = spent.get(agency.id, 0)
        share = Fraction(used * 100, base) if base else None
        budget_rows.append(BudgetRow(agency, budget, used, share, target, lines, from_lines))
    return SpendReport(
        year=year,
        by_agency=_rows(by_agency, {a.id: a.name for a in agencies}),
        by_cooperative=_rows(by_cooperative, cooperative_names),
        by_category=category_rows,
        by_month=month_rows,
        budgets=budget_rows,
        target=target,
        accounts=accounts,
    )


def _month_name(year: int, month: int, locale: str) -> str:
    from babel.dates import format_date

    return format_date(date(year, month, 1), "LLLL yyyy", locale=locale)


def _by_category(invoice_ids: Iterable[int], locale: str) -> list[SpendRow]:
    """Per top-level category (the kind of goods), amounts excluding PPN."""
    ids = list(invoice_ids)
    if not ids:
        return []
    lines = db.session.execute(
        select(InvoiceLine.invoice_id, InvoiceLine.category_id, InvoiceLine.amount).where(
            InvoiceLine.invoice_id.in_(ids)
        )
    ).all()
    categories = {c.id: c for c in db.session.scalars(select(Category))}

    def top(category_id: int) -> Category:
        category = categories[category_id]
        return categories[category.parent_id] if category.parent_id else category

    amounts: dict[int, int] = defaultdict(int)
    invoices: dict[int, set[int]] = defaultdict(set)
    for invoice_id, category_id, amount in lines:
        key = top(category_id).id
        amounts[key] += amount
        invoices[key].add(invoice_id)
    rows = [
        SpendRow(categories[key].display_name(locale), len(invoices[key]), amount, amount)
        for key, amount in amounts.items()
    ]
    return sorted(rows, key=lambda row: (-row.total, row.label))


# --- export ------------------------------------------------------------------------------------


def table(report: SpendReport, name: str) -> tuple[list[str], list[list[Any]]]:
    """A report table as a header and rows of plain values (for CSV and XLSX)."""
    if name == "budget":
        header = [
            _("OPD"),
            _("Tahun"),
            _("Anggaran belanja barang"),
            _("Belanja di Pasar OPOP"),
            _("Persentase"),
            _("Target"),
            _("Pagu rekening DPA"),
            _("Terikat Surat Pesanan"),
            _("Realisasi rekening"),
        ]
        rows = [
            [
                row.agency.name,
                report.year,
                row.budget if row.budget is not None else "",
                row.spent,
                row.share_label,
                format_percent(row.target),
                *(
                    (row.lines.budget, row.lines.committed, row.lines.realised)
                    if row.lines
                    else ("", "", "")
                ),
            ]
            for row in report.budgets
        ]
        return header, rows
    if name == "account":
        return account_header(), [budget_lines.as_row(row) for row in report.accounts]
    first = {
        "agency": _("OPD"),
        "cooperative": _("Koperasi"),
        "category": _("Jenis barang"),
        "month": _("Bulan"),
    }[name]
    data = {
        "agency": report.by_agency,
        "cooperative": report.by_cooperative,
        "category": report.by_category,
        "month": report.by_month,
    }[name]
    header = [first, _("Jumlah invoice"), _("Nilai tanpa PPN"), _("Nilai termasuk PPN")]
    if name == "category":
        header = [first, _("Jumlah invoice"), _("Nilai tanpa PPN")]
        return header, [[r.label, r.invoices, r.subtotal] for r in data]
    return header, [[r.label, r.invoices, r.subtotal, r.total] for r in data]


def to_csv(report: SpendReport, name: str) -> bytes:
    if name not in TABLES:
        raise NotFound()
    header, rows = table(report, name)
    return exports.write_csv(exports.Sheet(name, header, rows))


def to_xlsx(report: SpendReport) -> bytes:
    """Every table, a worksheet each; the first column (names) wide enough to read."""
    sheet_names = {
        "agency": _("Per OPD"),
        "cooperative": _("Per koperasi"),
        "category": _("Per jenis barang"),
        "month": _("Per bulan"),
        "budget": _("Anggaran"),
        "account": _("Per rekening"),
    }
    sheets = []
    for name in TABLES:
        header, rows = table(report, name)
        widths = [40] + [16] * (len(header) - 1)
        sheets.append(exports.Sheet(str(sheet_names[name]), header, rows, widths))
    return exports.write_xlsx(*sheets)


# --- budgets -----------------------------------------------------------------------------------


def _line_sums(row: BudgetRow) -> tuple[Any, Any, Any]:
    if row.lines is None:
        return "", "", ""
    return row.lines.budget, row.lines.committed, row.lines.realised


def account_header() -> list[str]:
    return [
        _("OPD"),
        _("Tahun"),
        _("Kode rekening"),
        _("Nama rekening"),
        _("Kode sub kegiatan"),
        _("Nama sub kegiatan"),
        _("Pagu"),
        _("Terikat Surat Pesanan"),
        _("Realisasi"),
        _("Sisa"),
    ]


def budgets_for(year: int) -> list[tuple[Agency, Budget | None]]:
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.name)))
    budgets = {
        b.agency_id: b for b in db.session.scalars(select(Budget).where(Budget.year == year))
    }
    return [(agency, budgets.get(agency.id)) for agency in agencies]


def save_budget(user: User, agency_id: int, year: int, goods_budget: int) -> Budget:
    """Set an agency's goods budget for a year (city administrators only)."""
    if not user.is_city_admin:
        raise NotFound()
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise InvalidProcurementInput(_("Pilih OPD dari daftar."))
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidProcurementInput(_("Tahun anggaran harus antara 2000 dan 2100."))
    if isinstance(goods_budget, bool) or not isinstance(goods_budget, int):
        raise InvalidProcurementInput(_("Isi anggaran dalam rupiah bulat."))
    if not 0 <= goods_budget <= MAX_AMOUNT * 100:
        raise InvalidProcurementInput(_("Anggaran tidak boleh negatif atau terlalu besar."))
    budget = db.session.scalar(
        select(Budget).where(Budget.agency_id == agency.id, Budget.year == year)
    )
    before = budget.goods_budget if budget else None
    if budget is None:
        budget = Budget(agency_id=agency.id, year=year, goods_budget=goods_budget)
        db.session.add(budget)
    budget.goods_budget = goods_budget
    budget.updated_by_id = user.id
    db.session.flush()
    audit.record(
        "procurement.budget.saved",
        budget,
        actor_id=user.id,
        data={"agency": agency.slug, "year": year, "before": before, "after": goods_budget},
    )
    return budget
