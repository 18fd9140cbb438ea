"""Spreadsheet exports (marketplace/exports.py): text typed by applicants, sellers or the city
never reaches a spreadsheet as a formula, numbers stay numbers, and every CSV or XLSX route of
the app goes through the one module."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.routing import Rule

from marketplace import clock, exports
from marketplace.extensions import db
from marketplace.orders import moves as order_moves
from marketplace.orders.models import PaymentMethod
from marketplace.payments import settlement
from marketplace.procurement import reports
from marketplace.procurement.common import today
from marketplace.procurement.models import Budget
from tests.conftest import login
from tests.factories import UserFactory
from tests.procurement import workflow as wf
from tests.shopping import place

DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "@SUM(1)", "+1", "-1+1", "\t=1", "\r=1"]

# ---------------------------------------------------------------------------------------------
# The safe cell
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_a_spreadsheet_would_run_gets_a_quote_in_front(text: str) -> None:
    assert exports.safe_cell(text) == "'" + text


def test_text_that_only_looks_like_a_negative_number_is_text_too() -> None:
    assert exports.safe_cell("-5") == "'-5"


def test_numbers_and_dates_stay_what_they_are() -> None:
    for value in (-5, 0, 12_500_000, -86.4, Decimal("-1.5"), date(2026, 12, 1)):
        cell = exports.safe_cell(value)
        assert cell == value and type(cell) is type(value)


def test_other_values_are_written_as_their_text_and_guarded_too() -> None:
    class Label:  # an enum's label or a lazy translation: not a str until written
        def __str__(self) -> str:
            return "=1+1"

    assert exports.safe_cell(Label()) == "'=1+1"
    assert exports.safe_cell(None) == ""
    assert exports.safe_cell("Koppontren Sejahtera") == "Koppontren Sejahtera"
    assert exports.safe_cell("Rp -5") == "Rp -5"  # only the first character matters


def test_csv_keeps_negative_numbers_as_numbers_and_quotes_text() -> None:
    sheet = exports.Sheet("uji", ["Nama", "Jumlah"], [["-5", -5], ["=1", 3]])
    content = exports.write_csv(sheet)
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    assert content.decode("utf-8-sig") == "Nama,Jumlah\r\n'-5,-5\r\n'=1,3\r\n"


def test_xlsx_stores_text_as_text_and_numbers_as_numbers() -> None:
    rows = [[text, -index] for index, text in enumerate(DANGEROUS, start=1)]
    workbook = load_workbook(io.BytesIO(exports.write_xlsx(exports.Sheet("uji", ["A", "B"], rows))))
    sheet = workbook.active
    assert sheet is not None
    for number, text in enumerate(DANGEROUS, start=2):
        name, amount = sheet.cell(number, 1), sheet.cell(number, 2)
        assert name.data_type == "s" and name.value == text.replace("\r", "\n")
        assert amount.data_type == "n" and amount.value == -(number - 1)


def test_xlsx_leaves_out_control_characters_it_cannot_store() -> None:
    """A name with a pasted control character still exports (openpyxl refused the workbook)."""
    rows = [["Koperasi\x0bAl-Hikmah\x00", 1]]
    workbook = load_workbook(io.BytesIO(exports.write_xlsx(exports.Sheet("uji", ["A", "B"], rows))))
    sheet = workbook.active
    assert sheet is not None
    assert sheet.cell(2, 1).value == "KoperasiAl-Hikmah"


def test_the_download_names_a_safe_file_and_is_never_cached(app_ctx: Flask) -> None:
    response = exports.download(b"a,b\r\n", 'laporan"; x=1/../../koperasi.csv')
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="laporan_x1_.._.._koperasi.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    response = exports.download(b"PK", "belanja-opop-2026.xlsx")
    assert response.mimetype == exports.XLSX_MIME
    with pytest.raises(KeyError):
        exports.download(b"<html>", "laporan.html")  # only spreadsheets leave through here


def test_only_the_export_module_writes_spreadsheets() -> None:
    """A second writer would need its own guard; every export uses this one instead."""
    package = Path(exports.__file__).parent
    writers = re.compile(r"csv\.writer\(|DictWriter\(|Workbook\(")
    found = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "exports.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# ---------------------------------------------------------------------------------------------
# Every export route, with hostile names in the data
# ---------------------------------------------------------------------------------------------

#: Every route that hands out a spreadsheet, and who may download it. A new export route
#: (any path naming csv or xlsx) fails the walk below until it is listed here.
EXPORT_ROUTES = {
    "admin.export_table": "admin",
    "payments.admin_statement_csv": "admin",
    "payments.vendor_statement_csv": "cooperative",
    "payments.pending_payouts_csv": "admin",
    "procurement.report_csv": "admin",
    "procurement.report_xlsx": "admin",
    "procurement.tax_recap_xlsx": "treasurer",
    "vendors.export": "cooperative",
    "vendors.sales_export": "cooperative",
    "vendors.template": "cooperative",
}
#: The routes whose file must carry the hostile text (the template holds examples only).
CARRYING = set(EXPORT_ROUTES) - {"vendors.template"}
ANY_CONVERTER = re.compile(r"<any\((?P<items>[^)]*)\):(?P<name>\w+)>")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def export_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if re.search(r"\b(csv|xlsx)\b", rule.rule) and "GET" in (rule.methods or ())
    ]


def export_urls(app: Flask, rule: Rule, values: dict[str, list[Any]]) -> list[str]:
    """Each URL of the rule: every item of its `any(...)` parts, the given values for the rest."""
    choices = {
        match["name"]: [item.strip(" '\"") for item in match["items"].split(",")]
        for match in ANY_CONVERTER.finditer(rule.rule)
    }
    for argument in sorted(rule.arguments - choices.keys()):
        choices[argument] = values[argument]
    with app.test_request_context():
        return [
            url_for(rule.endpoint, **dict(zip(choices, combination, strict=True)))
            for combination in itertools.product(*choices.values())
        ]


@dataclass
class HostileWorld:
    cooperative_id: int
    agency_id: int
    clients: dict[str, FlaskClient]


def hostile_world(app: Flask, text: str) -> HostileWorld:
    """A cooperative, its agency buyer, product and category all named ``text``, with a paid
    government invoice (PPh 22 withheld, so the treasurer's tax recap lists it), a delivered
    public sale and a payout whose reference and note are ``text``: something for every export
    to show."""
    with app.test_request_context():
        c = wf.cast()
        c.cooperative.name = c.agency.name = text
        product = c.variant.product
        product.name = product.description = product.category.name = text
        admin = UserFactory(email="admin@kota.test", is_city_admin=True)
        db.session.add(Budget(agency_id=c.agency.id, year=today().year, goods_budget=10_000_000))
        purchase_order = wf.accepted(c, quantity=300)
        bast = wf.inspect(c, wf.deliver(c, purchase_order, 300), 300)
        wf.pay(c, wf.invoice_for(c, bast))

        app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
        try:
            order = place(UserFactory(), (c.variant, 1), payment=PaymentMethod.CARD)
        finally:
            app.config["STRIPE_SECRET_KEY"] = None
        part = order.vendor_orders[0]
        order_moves.mark_vendor_order_paid(part)
        order_moves.accept_vendor_order(c.member, part.id)
        order_moves.mark_ready_for_pickup(c.member, part.id)
        order_moves.mark_delivered(c.member, part.id)
        # Completed and past its complaint window, so its money is available: the pending
        # payouts' CSV lists the cooperative.
        days = app.config["ORDER_AUTO_COMPLETE_DAYS"]
        app.config["ORDER_AUTO_COMPLETE_DAYS"] = 0
        try:
            assert order_moves.complete_vendor_order(part.id)
        finally:
            app.config["ORDER_AUTO_COMPLETE_DAYS"] = days
        part.delivered_at = clock.now() - timedelta(days=app.config["ORDER_COMPLAINT_DAYS"] + 1)
        db.session.flush()
        settlement.record_payout(admin, c.cooperative.id, 1_000, today(), text, text)
        db.session.commit()
        emails = {
            "admin": admin.email,
            "cooperative": c.member.email,
            "treasurer": c.treasurer.email,
        }
        cooperative_id, agency_id = c.cooperative.id, c.agency.id
    clients = {}
    for role, email in emails.items():
        clients[role] = app.test_client()
        assert login(clients[role], email).status_code == 302
    return HostileWorld(cooperative_id, agency_id, clients)


def cells(response: Any) -> Iterator[tuple[Any, str]]:
    """Each cell of the file as (value, openpyxl's data type; "csv" for a CSV cell)."""
    if response.mimetype == exports.CSV_MIME:
        text = response.get_data().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline="")):
            yield from ((value, "csv") for value in row)
        return
    assert response.mimetype == exports.XLSX_MIME
    workbook = load_workbook(io.BytesIO(response.get_data()))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from ((cell.value, cell.data_type) for cell in row)


@pytest.mark.parametrize("hostile", DANGEROUS)
def test_no_export_route_hands_out_a_formula(app: Flask, hostile: str) -> None:
    rules = export_rules(app)
    assert {rule.endpoint for rule in rules} == set(EXPORT_ROUTES)
    world = hostile_world(app, hostile)
    values: dict[str, list[Any]] = {
        "table": list(reports.TABLES),
        "cooperative_id": [world.cooperative_id],
        "agency_id": [world.agency_id],
    }
    carried = set()
    for rule in rules:
        client = world.clients[EXPORT_ROUTES[rule.endpoint]]
        for url in export_urls(app, rule, values):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Content-Disposition"].startswith("attachment;"), url
            assert response.headers["Cache-Control"] == "private, no-store", url
            for value, kind in cells(response):
                if kind == "csv":
                    # A number cannot be a formula: a negative amount may start with "-".
                    assert not value.startswith(exports.FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(
                        value
                    ), (url, value)
                    shown = value.removeprefix("'")
                else:
                    assert kind != "f", (url, value)
                    shown = value.replace("\n", "\r") if isinstance(value, str) else value
                # Some forms strip what is typed ("\t=1" is kept as "=1"): still a formula.
                if isinstance(shown, str) and shown.strip().startswith(hostile.strip()):
                    carried.add(rule.endpoint)
    assert carried == CARRYING


def test_every_download_response_is_made_by_one_helper() -> None:
    """Only `http.private_download` names a file to save (and forbids caching and sniffing it):
    the exports call it through `exports.download`, the documents and proofs directly."""
    package = Path(exports.__file__).parent
    makers = re.compile(r"Content-Disposition|send_file\(|as_attachment|download_name=")
    found = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "http.py" and makers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
