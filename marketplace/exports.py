"""Every spreadsheet the site hands out, CSV or XLSX, is written here and sent by `download`.

Much of the text in these files was typed by someone else: a cooperative's name by its
applicant, a product's by its seller, an agency's or a payout's note by the city. A spreadsheet
program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (a leading tab or
carriage return hides one), and a formula such as ``=HYPERLINK(...)`` can send the sheet's
figures elsewhere or run a program. So, in one place for every export:

* CSV: a text cell starting so gets a single quote in front, as OWASP advises against CSV
  injection; spreadsheets show the text, and the product import takes the quote off again.
* XLSX: every text cell is stored as text (openpyxl would store ``=...`` as a formula), so it
  reads exactly as typed and is never run.
* Numbers and dates stay what they are in both: a negative amount is a number, not text that
  looks like a formula, and the spreadsheet can still add the column up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from marketplace.http import private_download

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": CSV_MIME, "xlsx": XLSX_MIME}
#: How text that a spreadsheet would run as a formula, or that hides one, begins.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Values written as they are (bool is an int; datetime is a date).
_TYPED = (int, float, Decimal, date, time)


@dataclass(frozen=True)
class Sheet:
    """A table to export: its name (an XLSX sheet's), its header and its rows."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    #: XLSX column widths in characters, from the first column; the rest keep the default.
    widths: Sequence[int] = ()


def safe_cell(value: Any) -> Any:
    """A CSV cell: numbers and dates as they are, nothing as an empty cell, anything else as
    text, with a quote in front when a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, _TYPED):
        return value
    text = str(value)  # lazy translations and labels too, not only str
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads it as UTF-8), lines ending in CRLF."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([safe_cell(value) for value in sheet.header])
    writer.writerows([safe_cell(value) for value in row] for row in sheet.rows)
    return text.getvalue().encode("utf-8-sig")


def write_xlsx(*sheets: Sheet) -> bytes:
    """A workbook of one worksheet per sheet, in order, each header in bold."""
    # Imported here: only an export needs openpyxl, not every process that imports this module.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    for index, sheet in enumerate(sheets):
        worksheet = workbook.active if index == 0 else workbook.create_sheet()
        assert worksheet is not None
        worksheet.title = sheet.title[:31]  # Excel's limit
        for number, row in enumerate([sheet.header, *sheet.rows], start=1):
            for column, value in enumerate(row, start=1):
                if value is None or isinstance(value, _TYPED):
                    worksheet.cell(number, column, value)
                else:
                    # Control characters (a pasted vertical tab) cannot be stored in XLSX at all:
                    # openpyxl refuses the whole workbook, so they are left out of the cell.
                    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                    cell = worksheet.cell(number, column, text)
                    cell.data_type = "s"  # text, even when it starts with "="
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for column, width in enumerate(sheet.widths, start=1):
            worksheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(sheet: Sheet, fmt: str) -> bytes:
    """One table as a file of the format (``csv`` or ``xlsx``)."""
    if fmt == "csv":
        return write_csv(sheet)
    if fmt == "xlsx":
        return write_xlsx(sheet)
    raise ValueError(f"not an export format: {fmt!r}")


def download(content: bytes, filename: str) -> Response:
    """An export to save, not to show: the type from the name's extension, a file name reduced
    to letters, digits, dots, hyphens and underscores (nothing a header or a file system would
    read as syntax), sent as a private download (it holds private figures)."""
    name = secure_filename(filename)
    return private_download(content, MIMETYPES[name.rpartition(".")[2]], name)
