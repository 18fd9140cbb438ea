"""Reading an import file: its columns, the error codes and their messages, and the rows of a
CSV or XLSX file as text, keyed by column."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace import exports

log = logging.getLogger(__name__)

#: The file's columns, in order. Export writes exactly these; import needs the required ones.
COLUMNS = (
    "sku",
    "nama_produk",
    "kategori",
    "satuan",
    "harga",
    "stok",
    "ukuran",
    "warna",
    "stok_minimum",
    "min_pembelian",
    "berat_gram",
    "deskripsi",
    "nomor_halal",
    "halal_berlaku_sampai",
    "nomor_pirt",
    "nomor_bpom_md",
)
REQUIRED_COLUMNS = ("sku", "nama_produk", "kategori", "satuan", "harga", "stok")
PRODUCT_COLUMNS = (
    "nama_produk",
    "kategori",
    "satuan",
    "min_pembelian",
    "berat_gram",
    "deskripsi",
    "nomor_halal",
    "halal_berlaku_sampai",
    "nomor_pirt",
    "nomor_bpom_md",
)
#: How many changes the preview keeps to show (all errors are kept).

#: Error codes stored on the job and their messages, translated when shown.
MESSAGES: dict[str, Any] = {
    "required": _l("Wajib diisi."),
    "not_integer": _l("Isi dengan bilangan bulat 0 atau lebih."),
    "min_one": _l("Paling sedikit 1."),
    "not_rupiah": _l("Tulis harga dalam rupiah tanpa sen, misalnya 15000 atau 15.000."),
    "not_date": _l("Tanggal tidak valid. Contoh: 2027-12-31."),
    "too_long": _l("Paling banyak %(max)d karakter."),
    "bad_sku": _l("SKU hanya boleh huruf, angka, titik, garis bawah, dan tanda hubung."),
    "duplicate_sku": _l("SKU ini sudah muncul di baris %(row)d."),
    "unknown_category": _l("Kategori tidak dikenal. Pakai kode kategori dari templat."),
    "bad_pirt": _l("Nomor PIRT terdiri dari 15 angka."),
    "bad_bpom": _l("Nomor BPOM MD ditulis MD diikuti 12 angka."),
    "halal_date_missing": _l("Isi tanggal berlaku sertifikat halal."),
    "halal_number_missing": _l("Isi juga nomor sertifikat halalnya."),
    "conflict": _l("Berbeda dengan baris %(row)d untuk produk yang sama."),
    "ambiguous_product": _l("Ada beberapa produk bernama sama di toko Anda; pakai SKU yang ada."),
    "below_reserved": _l("Stok tidak boleh kurang dari %(reserved)d yang sedang dipesan."),
    "tiers": _l("Harga harus lebih mahal dari harga grosir varian ini (%(price)s)."),
    "missing_column": _l("Kolom ini tidak ada di baris judul."),
    "no_rows": _l("Berkas tidak berisi baris data."),
    "too_many_rows": _l("Berkas berisi lebih dari %(max)d baris. Bagi menjadi beberapa berkas."),
    "unreadable": _l("Berkas tidak dapat dibaca. Simpan sebagai CSV (UTF-8) atau XLSX."),
    "too_large": _l("Berkas terlalu besar (paling besar %(mb)d MB)."),
    "changed_since_preview": _l("Data berubah sejak pratinjau; periksa lagi."),
    "failed": _l("Impor gagal; tidak ada yang diubah. Coba lagi."),
    "stale": _l("Proses impor terhenti; tidak ada yang diubah. Unggah ulang berkasnya."),
}
ACTIONS: dict[str, Any] = {
    "create_product": _l("Produk baru"),
    "create_variant": _l("Varian baru"),
    "update": _l("Diubah"),
}
COLUMN_LABELS: dict[str, Any] = {
    "sku": _l("SKU"),
    "nama_produk": _l("Nama produk"),
    "kategori": _l("Kategori"),
    "satuan": _l("Satuan"),
    "harga": _l("Harga"),
    "stok": _l("Stok"),
    "ukuran": _l("Ukuran"),
    "warna": _l("Warna"),
    "stok_minimum": _l("Batas stok menipis"),
    "min_pembelian": _l("Minimal pembelian"),
    "berat_gram": _l("Berat (gram)"),
    "deskripsi": _l("Deskripsi"),
    "nomor_halal": _l("Nomor halal"),
    "halal_berlaku_sampai": _l("Halal berlaku sampai"),
    "nomor_pirt": _l("Nomor PIRT"),
    "nomor_bpom_md": _l("Nomor BPOM MD"),
}


def error_text(error: dict[str, Any]) -> str:
    """An error stored on a job, in the current language."""
    message = MESSAGES.get(error.get("code", ""), MESSAGES["failed"])
    params = error.get("params") or {}
    return str(message) % params if params else str(message)


def detect_format(data: bytes) -> str:
    return "xlsx" if data[:4] == b"PK\x03\x04" else "csv"


def _header_key(value: Any) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _read_csv(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ValueError("undecodable")
    if "\x00" in text:
        raise ValueError("binary")
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Indonesian save CSV with semicolons.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes, max_rows: int) -> list[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        workbook.close()


@dataclass
class FileRows:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the file, values by column)
    errors: list[dict[str, Any]] = field(default_factory=list)


def read_file(data: bytes) -> FileRows:
    """The data rows of a CSV or XLSX file, keyed by column; file-level problems as errors."""
    max_rows: int = current_app.config["IMPORT_MAX_ROWS"]
    try:
        raw = _read_xlsx(data, max_rows) if detect_format(data) == "xlsx" else _read_csv(data)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, csv.Error) as error:
        log.info("Unreadable import file: %s", error)
        return FileRows([], [], [row_error(1, None, "unreadable")])
    while raw and not any(cell_text(v) for v in raw[0]):
        raw.pop(0)
    if not raw:
        return FileRows([], [], [row_error(1, None, "no_rows")])
    header = [_header_key(v) for v in raw[0]]
    errors = [
        row_error(1, column, "missing_column")
        for column in REQUIRED_COLUMNS
        if column not in header
    ]
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(cell_text(v) for v in values):
            continue
        rows.append((number, {header[i]: v for i, v in enumerate(values) if i < len(header)}))
    if len(rows) > max_rows:
        errors.append(row_error(1, None, "too_many_rows", max=max_rows))
    elif not rows and not errors:
        errors.append(row_error(1, None, "no_rows"))
    return FileRows(header, rows, errors)


def row_error(at_row: int, column: str | None, code: str, **params: Any) -> dict[str, Any]:
    """An error as stored on a job: its row, column, message code and the message's values."""
    return {"row": at_row, "column": column, "code": code, "params": params}


def cell_text(value: Any) -> str:
    """A cell as the text a person typed (numbers without a trailing .0, dates in ISO)."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in exports.FORMULA_STARTS:
        return value[1:].strip()  # the quote our CSV export adds against formula injection
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: Any) -> date | None:
    """A date cell or text (2027-12-31, 31/12/2027, 31-12-2027); ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
