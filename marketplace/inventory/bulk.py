"""Bulk import and export of a cooperative's products and stock (CSV or XLSX, one row a variant).

An import is two steps. First a dry run reads the whole file, checks every row and records what
would be created or changed and every error (row number, column, message code) on an `ImportJob`.
Then, when the preview has no errors, confirming applies every row in one transaction (all or
none), through the same services the screens use (so prices and stock changes are audited and
each stock change writes a movement). The file is checked again at that moment, so a preview
that went stale is refused rather than half-applied.

Files of ``IMPORT_BACKGROUND_ROWS`` rows or more are processed in a background thread, started
once the request that created the job has committed; the thread records ``processed_rows`` every
few hundred rows through a short transaction of its own, and the job page polls it. (On SQLite a
second writer would wait for the import's own transaction, so there progress is recorded while
checking but not while applying; PostgreSQL records both.) A thread ends with the process: a job
left running by a restart is marked failed when it is next opened after ``IMPORT_STALE_AFTER``.

Rows are matched by SKU within the cooperative: a known SKU updates that variant and its product;
a new SKU joins the product of the same name (in the file or the shop), else a new draft product.
Export writes the same columns, so exporting and importing the result changes nothing.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import selectinload

from marketplace import clock, exports
from marketplace.catalogue import management
from marketplace.catalogue.models import Category, Product, ProductStatus, ProductVariant
from marketplace.cooperatives.models import Cooperative
from marketplace.database import as_utc, utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inventory import stock
from marketplace.inventory.models import ImportJob, ImportStatus, MovementReason
from marketplace.storage import PRIVATE_PREFIX, storage
from marketplace.validators import parse_rupiah

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
PREVIEW_CHANGES = 500
PROGRESS_EVERY = 250
STALE_AFTER = timedelta(hours=2)
#: Uploaded import files: a cooperative's prices and stock, for its own members only (no route
#: serves them; the import job reads them back).
IMPORT_FOLDER = PRIVATE_PREFIX + "imports"

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


class ImportNotReady(DomainError):
    """Only a previewed import without errors can be confirmed."""

    default_message = _l("Impor tidak dapat dijalankan.")


def error_text(error: dict[str, Any]) -> str:
    """An error stored on a job, in the current language."""
    message = MESSAGES.get(error.get("code", ""), MESSAGES["failed"])
    params = error.get("params") or {}
    return str(message) % params if params else str(message)


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


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
        return FileRows([], [], [_error(1, None, "unreadable")])
    while raw and not any(_cell_text(v) for v in raw[0]):
        raw.pop(0)
    if not raw:
        return FileRows([], [], [_error(1, None, "no_rows")])
    header = [_header_key(v) for v in raw[0]]
    errors = [
        _error(1, column, "missing_column") for column in REQUIRED_COLUMNS if column not in header
    ]
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(_cell_text(v) for v in values):
            continue
        rows.append((number, {header[i]: v for i, v in enumerate(values) if i < len(header)}))
    if len(rows) > max_rows:
        errors.append(_error(1, None, "too_many_rows", max=max_rows))
    elif not rows and not errors:
        errors.append(_error(1, None, "no_rows"))
    return FileRows(header, rows, errors)


def _error(at_row: int, column: str | None, code: str, **params: Any) -> dict[str, Any]:
    return {"row": at_row, "column": column, "code": code, "params": params}


def _cell_text(value: Any) -> str:
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


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


# ---------------------------------------------------------------------------------------------
# Checking rows (the dry run)
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    sku: str
    product: dict[str, Any]  # product fields, parsed
    price: int
    stock: int
    size: str
    colour: str
    low_stock_threshold: int


@dataclass
class Plan:
    """What an import would do: rows grouped by product, and every error."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    #: product key -> rows; a key is an existing product id or "new:<lower-cased name>"
    groups: dict[int | str, list[Row]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    total: int = 0


def _parse_row(
    number: int, values: dict[str, Any], categories: dict[str, int], errors: list[dict[str, Any]]
) -> Row | None:
    before = len(errors)

    def text(column: str, max_length: int, required: bool = False) -> str:
        value = _cell_text(values.get(column))
        if required and not value:
            errors.append(_error(number, column, "required"))
        elif len(value) > max_length:
            errors.append(_error(number, column, "too_long", max=max_length))
        return value

    def whole(column: str, default: int | None, minimum: int = 0) -> int:
        value = values.get(column)
        if _cell_text(value) == "":
            if default is None:
                errors.append(_error(number, column, "required"))
                return 0
            return default
        amount = parse_rupiah(value)
        if amount is None:
            errors.append(_error(number, column, "not_integer"))
            return 0
        if amount < minimum:
            errors.append(_error(number, column, "min_one"))
        return amount

    sku = management.normalize_sku(text("sku", 60, required=True))
    if sku and not management.valid_sku(sku):
        errors.append(_error(number, "sku", "bad_sku"))
    name = text("nama_produk", 160, required=True)
    category_text = text("kategori", 160, required=True)
    category_id = categories.get(category_text.lower())
    if category_text and category_id is None:
        errors.append(_error(number, "kategori", "unknown_category"))
    unit = text("satuan", 30, required=True)
    price_value = values.get("harga")
    price = parse_rupiah(price_value) if _cell_text(price_value) else None
    if _cell_text(price_value) == "":
        errors.append(_error(number, "harga", "required"))
    elif price is None:
        errors.append(_error(number, "harga", "not_rupiah"))
    stock_count = whole("stok", None)
    halal_number = text("nomor_halal", 40)
    halal_until: date | None = None
    if _cell_text(values.get("halal_berlaku_sampai")):
        try:
            halal_until = _parse_date(values.get("halal_berlaku_sampai"))
        except ValueError:
            errors.append(_error(number, "halal_berlaku_sampai", "not_date"))
    if halal_number and halal_until is None and not _cell_text(values.get("halal_berlaku_sampai")):
        errors.append(_error(number, "halal_berlaku_sampai", "halal_date_missing"))
    if halal_until and not halal_number:
        errors.append(_error(number, "nomor_halal", "halal_number_missing"))
    pirt = management.normalize_pirt(text("nomor_pirt", 40))
    if pirt and not management.valid_pirt(pirt):
        errors.append(_error(number, "nomor_pirt", "bad_pirt"))
    bpom_text = text("nomor_bpom_md", 40)
    bpom = management.normalize_bpom_md(bpom_text) if bpom_text else None
    if bpom_text and bpom is None:
        errors.append(_error(number, "nomor_bpom_md", "bad_bpom"))
    product = {
        "name": name,
        "category_id": category_id,
        "unit": unit,
        "min_order_qty": whole("min_pembelian", 1, minimum=1),
        "weight_grams": whole("berat_gram", 0),
        "description": text("deskripsi", 5000),
        "halal_number": halal_number or None,
        "halal_valid_until": halal_until if halal_number else None,
        "pirt_number": pirt or None,
        "bpom_md_number": bpom,
    }
    row = Row(
        number=number,
        sku=sku,
        product=product,
        price=price or 0,
        stock=stock_count,
        size=text("ukuran", 40),
        colour=text("warna", 40),
        low_stock_threshold=whole("stok_minimum", 5),
    )
    return row if len(errors) == before else None


def _category_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for category in db.session.scalars(select(Category)):
        lookup[category.name.lower()] = category.id
        lookup[category.name_en.lower()] = category.id
        lookup[category.slug.lower()] = category.id
    return lookup


def _product_values(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "category_id": product.category_id,
        "unit": product.unit,
        "min_order_qty": product.min_order_qty,
        "weight_grams": product.weight_grams,
        "description": product.description,
        "halal_number": product.halal_number,
        "halal_valid_until": product.halal_valid_until,
        "pirt_number": product.pirt_number,
        "bpom_md_number": product.bpom_md_number,
    }


_PRODUCT_COLUMN = {
    "name": "nama_produk",
    "category_id": "kategori",
    "unit": "satuan",
    "min_order_qty": "min_pembelian",
    "weight_grams": "berat_gram",
    "description": "deskripsi",
    "halal_number": "nomor_halal",
    "halal_valid_until": "halal_berlaku_sampai",
    "pirt_number": "nomor_pirt",
    "bpom_md_number": "nomor_bpom_md",
}


def plan_import(
    cooperative_id: int, data: bytes, progress: Callable[[int], None] | None = None
) -> Plan:
    """Check every row against the shop's current data; change nothing."""
    plan = Plan()
    parsed = read_file(data)
    plan.errors.extend(parsed.errors)
    plan.total = len(parsed.rows)
    if parsed.errors:
        return plan
    categories = _category_lookup()
    variants = {
        v.sku: v
        for v in db.session.scalars(
            select(ProductVariant)
            .where(ProductVariant.cooperative_id == cooperative_id)
            .options(selectinload(ProductVariant.price_tiers))
        )
    }
    products = {
        p.id: p
        for p in db.session.scalars(select(Product).where(Product.cooperative_id == cooperative_id))
    }
    by_name: dict[str, list[int]] = {}
    for product in products.values():
        if product.status != ProductStatus.ARCHIVED:
            by_name.setdefault(product.name.strip().lower(), []).append(product.id)

    rows: list[Row] = []
    seen_sku: dict[str, int] = {}
    for index, (number, values) in enumerate(parsed.rows, start=1):
        row = _parse_row(number, values, categories, plan.errors)
        if row is not None:
            if row.sku in seen_sku:
                plan.errors.append(_error(number, "sku", "duplicate_sku", row=seen_sku[row.sku]))
            else:
                seen_sku[row.sku] = number
                rows.append(row)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)

    # Known SKUs first: they fix which product a name means.
    name_to_key: dict[str, int | str] = {}
    for row in rows:
        variant = variants.get(row.sku)
        if variant is not None:
            plan.groups.setdefault(variant.product_id, []).append(row)
            name_to_key.setdefault(row.product["name"].lower(), variant.product_id)
    for row in rows:
        if row.sku in variants:
            continue
        lower = row.product["name"].lower()
        key: int | str | None = name_to_key.get(lower)
        if key is None:
            matches = by_name.get(lower, [])
            if len(matches) > 1:
                plan.errors.append(_error(row.number, "nama_produk", "ambiguous_product"))
                continue
            key = matches[0] if matches else f"new:{lower}"
            name_to_key[lower] = key
        plan.groups.setdefault(key, []).append(row)

    summary = {"create_products": 0, "create_variants": 0, "update_variants": 0, "unchanged": 0}
    for key, group in plan.groups.items():
        first = group[0]
        for row in group[1:]:
            for name, value in row.product.items():
                if value != first.product[name]:
                    plan.errors.append(
                        _error(row.number, _PRODUCT_COLUMN[name], "conflict", row=first.number)
                    )
                    break
        existing = products.get(key) if isinstance(key, int) else None
        product_changes = []
        if existing is None:
            summary["create_products"] += 1
        else:
            current = _product_values(existing)
            product_changes = [
                _PRODUCT_COLUMN[name]
                for name, value in first.product.items()
                if current[name] != value
            ]
        for position, row in enumerate(group):
            variant = variants.get(row.sku)
            if variant is None:
                summary["create_variants"] += 1
                action = (
                    "create_product" if existing is None and position == 0 else "create_variant"
                )
                plan.changes.append(
                    {"row": row.number, "sku": row.sku, "action": action, "columns": []}
                )
                continue
            columns = list(product_changes) if position == 0 else []
            option_values = management.VariantData(
                sku=row.sku, price=row.price, size=row.size, colour=row.colour
            )
            if variant.price != row.price:
                columns.append("harga")
                tiers = [(t.min_quantity, t.unit_price) for t in variant.price_tiers]
                if management.check_tiers(row.price, tiers):
                    plan.errors.append(
                        _error(
                            row.number,
                            "harga",
                            "tiers",
                            price=min(p for _, p in tiers) if tiers else 0,
                        )
                    )
            if variant.options != option_values.options:
                columns.extend(
                    c
                    for c, k in (("ukuran", "ukuran"), ("warna", "warna"))
                    if variant.options.get(k, "") != option_values.options.get(k, "")
                )
            if variant.low_stock_threshold != row.low_stock_threshold:
                columns.append("stok_minimum")
            if variant.on_hand != row.stock:
                columns.append("stok")
                if row.stock < variant.reserved:
                    plan.errors.append(
                        _error(row.number, "stok", "below_reserved", reserved=variant.reserved)
                    )
            if columns:
                summary["update_variants"] += 1
                plan.changes.append(
                    {"row": row.number, "sku": row.sku, "action": "update", "columns": columns}
                )
            else:
                summary["unchanged"] += 1
    plan.summary = summary
    plan.errors.sort(
        key=lambda e: (e["row"], COLUMNS.index(e["column"]) if e["column"] in COLUMNS else -1)
    )
    plan.changes.sort(key=lambda c: c["row"])
    if progress:
        progress(plan.total)
    return plan


# ---------------------------------------------------------------------------------------------
# Applying a plan
# ---------------------------------------------------------------------------------------------


def _apply(
    cooperative_id: int,
    actor_id: int,
    plan: Plan,
    note: str,
    progress: Callable[[int], None] | None = None,
) -> None:
    done = 0
    for key, group in plan.groups.items():
        first = group[0].product
        product_data = management.ProductData(
            category_id=first["category_id"],
            name=first["name"],
            description=first["description"],
            unit=first["unit"],
            weight_grams=first["weight_grams"],
            min_order_qty=first["min_order_qty"],
            halal_number=first["halal_number"],
            halal_valid_until=first["halal_valid_until"],
            pirt_number=first["pirt_number"],
            bpom_md_number=first["bpom_md_number"],
        )
        rows = list(group)
        if isinstance(key, int):
            product = management.owned_product(cooperative_id, key)
            if _product_values(product) != first:
                management.update_product(cooperative_id, product.id, actor_id, product_data)
        else:
            row = rows.pop(0)
            product, variant = management.create_product(
                cooperative_id, actor_id, product_data, _variant_data(row, [])
            )
            if row.stock:
                stock.restock(
                    variant.id,
                    row.stock,
                    reason=MovementReason.INITIAL,
                    note=note,
                    actor_id=actor_id,
                )
            done += 1
        existing = {v.sku: v for v in product.variants}
        for row in rows:
            variant_or_none = existing.get(row.sku) or _variant_by_sku(cooperative_id, row.sku)
            if variant_or_none is None:
                variant = management.add_variant(
                    cooperative_id, product.id, actor_id, _variant_data(row, [])
                )
                if row.stock:
                    stock.restock(
                        variant.id,
                        row.stock,
                        reason=MovementReason.INITIAL,
                        note=note,
                        actor_id=actor_id,
                    )
            else:
                variant = variant_or_none
                tiers = [(t.min_quantity, t.unit_price) for t in variant.price_tiers]
                data = _variant_data(row, tiers)
                if (
                    variant.price != data.price
                    or variant.options != data.options
                    or variant.low_stock_threshold != data.low_stock_threshold
                ):
                    management.update_variant(cooperative_id, variant.id, actor_id, data)
                if variant.on_hand != row.stock:
                    stock.adjust(
                        cooperative_id,
                        variant.id,
                        stock.Adjustment.CORRECTION,
                        row.stock,
                        note=note,
                        actor_id=actor_id,
                    )
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
    db.session.flush()


def _variant_by_sku(cooperative_id: int, sku: str) -> ProductVariant | None:
    return db.session.scalar(
        select(ProductVariant).where(
            ProductVariant.cooperative_id == cooperative_id, ProductVariant.sku == sku
        )
    )


def _variant_data(row: Row, tiers: list[tuple[int, int]]) -> management.VariantData:
    return management.VariantData(
        sku=row.sku,
        price=row.price,
        size=row.size,
        colour=row.colour,
        low_stock_threshold=row.low_stock_threshold,
        tiers=tiers,
    )


# ---------------------------------------------------------------------------------------------
# Jobs: starting, running (inline or in the background), progress
# ---------------------------------------------------------------------------------------------


def owned_job(cooperative_id: int, job_id: int) -> ImportJob:
    job = db.session.scalar(
        select(ImportJob).where(ImportJob.id == job_id, ImportJob.cooperative_id == cooperative_id)
    )
    if job is None:
        raise NotFound()
    if job.is_running and utcnow() - as_utc(job.updated_at) > STALE_AFTER:
        job.status = ImportStatus.FAILED
        job.errors = [_error(1, None, "stale")]
        job.finished_at = utcnow()
        db.session.flush()
    return job


def list_jobs(cooperative_id: int, limit: int = 10) -> list[ImportJob]:
    return list(
        db.session.scalars(
            select(ImportJob)
            .where(ImportJob.cooperative_id == cooperative_id)
            .order_by(ImportJob.id.desc())
            .limit(limit)
        )
    )


def _in_background(rows: int) -> bool:
    return rows >= int(current_app.config["IMPORT_BACKGROUND_ROWS"])


def start_import(cooperative_id: int, actor_id: int, filename: str, data: bytes) -> ImportJob:
    """Store the file and check it (a dry run). Large files are checked in the background."""
    max_bytes: int = current_app.config["IMPORT_MAX_BYTES"]
    fmt = detect_format(data)
    key = (
        storage().save(data, f"{IMPORT_FOLDER}/{cooperative_id}", fmt)
        if len(data) <= max_bytes
        else ""
    )
    job = ImportJob(
        cooperative_id=cooperative_id,
        created_by_id=actor_id,
        filename=(filename or f"impor.{fmt}")[:200],
        file_format=fmt,
        storage_key=key,
        status=ImportStatus.VALIDATING,
    )
    db.session.add(job)
    db.session.flush()
    if not key:
        _finish(job, ImportStatus.FAILED, [_error(1, None, "too_large", mb=max_bytes // 2**20)])
        return job
    parsed_rows = _count_rows(data)
    job.total_rows = parsed_rows
    if _in_background(parsed_rows):
        _after_commit(lambda app: _spawn(app, job.id, "check"))
    else:
        _check(job, data)
    return job


def _count_rows(data: bytes) -> int:
    return len(read_file(data).rows)


def confirm_import(cooperative_id: int, job_id: int, actor_id: int) -> ImportJob:
    """Apply a previewed import in one transaction (all rows or none)."""
    job = owned_job(cooperative_id, job_id)
    if job.status != ImportStatus.PREVIEWED or job.errors:
        raise ImportNotReady()
    job.status = ImportStatus.APPLYING
    job.processed_rows = 0
    db.session.flush()
    if _in_background(job.total_rows):
        _after_commit(lambda app: _spawn(app, job.id, "apply", actor_id))
    else:
        _run_apply(job, actor_id)
    return job


def _check(job: ImportJob, data: bytes) -> None:
    _store_plan(job, plan_import(job.cooperative_id, data))


def _store_plan(job: ImportJob, plan: Plan) -> None:
    job.total_rows = plan.total
    job.processed_rows = plan.total
    job.summary = plan.summary
    job.changes = plan.changes[:PREVIEW_CHANGES]
    job.errors = plan.errors
    job.status = ImportStatus.PREVIEWED
    db.session.flush()


def _run_apply(
    job: ImportJob, actor_id: int, progress: Callable[[int], None] | None = None
) -> None:
    """Re-check the file and apply it inside a savepoint; on any failure nothing is applied."""
    data = storage().read(job.storage_key)
    note = str(_l("Impor berkas %(name)s", name=job.filename))[:255]
    job_id, cooperative_id = job.id, job.cooperative_id
    try:
        with db.session.begin_nested():
            plan = plan_import(cooperative_id, data)
            if plan.errors:
                raise _StalePreview(plan.errors)
            _apply(cooperative_id, actor_id, plan, note, progress)
    except _StalePreview as stale:
        job = db.session.get(ImportJob, job_id)  # type: ignore[assignment]  # committed earlier
        _finish(job, ImportStatus.FAILED, [_error(1, None, "changed_since_preview"), *stale.errors])
        return
    except DomainError as error:
        log.warning("Import %s failed: %s", job_id, error.message)
        job = db.session.get(ImportJob, job_id)  # type: ignore[assignment]  # committed earlier
        _finish(job, ImportStatus.FAILED, [_error(1, None, "failed")])
        return
    job.summary = plan.summary
    job.processed_rows = job.total_rows
    _finish(job, ImportStatus.APPLIED, [])


class _StalePreview(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("the file no longer passes its checks")
        self.errors = errors


def _finish(job: ImportJob, status: ImportStatus, errors: list[dict[str, Any]]) -> None:
    job.status = status
    job.errors = errors
    job.finished_at = utcnow()
    db.session.flush()


def _after_commit(callback: Callable[[Flask], None]) -> None:
    """Run ``callback`` once the current transaction has committed (the job row is visible)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's real object
    event.listen(db.session(), "after_commit", lambda _session: callback(app), once=True)


def _spawn(app: Flask, job_id: int, phase: str, actor_id: int | None = None) -> None:
    thread = threading.Thread(
        target=run_job, args=(app, job_id, phase, actor_id), name=f"import-{job_id}", daemon=True
    )
    thread.start()
    app.extensions.setdefault("import_threads", []).append(thread)


def _progress_writer(job_id: int, allowed: bool) -> Callable[[int], None]:
    """Record progress in a short transaction of its own, so pollers see it while we run."""

    def write(processed: int) -> None:
        if not allowed:
            return
        with db.engine.begin() as connection:
            connection.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id)
                .values(processed_rows=processed, updated_at=utcnow())
            )

    return write


def run_job(app: Flask, job_id: int, phase: str, actor_id: int | None = None) -> None:
    """Check or apply one import outside a request (a background thread, or a command)."""
    with app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            job = db.session.get(ImportJob, job_id)
            if job is None:
                return
            if phase == "check":
                data = storage().read(job.storage_key)
                plan = plan_import(job.cooperative_id, data, _progress_writer(job_id, True))
                # End the read transaction: on SQLite it could not turn into a write after the
                # progress writer committed.
                db.session.rollback()
                job = db.session.get(ImportJob, job_id)
                assert job is not None
                _store_plan(job, plan)
            else:
                # On SQLite a second connection cannot write while this transaction does.
                on_sqlite = db.engine.dialect.name == "sqlite"
                _run_apply(
                    job,
                    actor_id or job.created_by_id or 0,
                    _progress_writer(job_id, allowed=not on_sqlite),
                )
            db.session.commit()
        except Exception:
            log.exception("Import job %s (%s) failed", job_id, phase)
            db.session.rollback()
            with db.engine.begin() as connection:
                connection.execute(
                    update(ImportJob)
                    .where(ImportJob.id == job_id)
                    .values(
                        status=ImportStatus.FAILED,
                        errors=[_error(1, None, "failed")],
                        finished_at=utcnow(),
                    )
                )
        finally:
            db.session.remove()


# ---------------------------------------------------------------------------------------------
# Export and template
# ---------------------------------------------------------------------------------------------


def export_rows(cooperative_id: int) -> list[list[Any]]:
    """The shop's current products (not archived), one row per active variant, as imported."""
    slugs: dict[int, str] = {}
    for category_id, slug in db.session.execute(select(Category.id, Category.slug)):
        slugs[category_id] = slug
    products = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.status != ProductStatus.ARCHIVED)
        .options(selectinload(Product.variants))
        .order_by(func.lower(Product.name), Product.id)
    )
    rows: list[list[Any]] = []
    for product in products:
        for variant in product.variants:
            if not variant.is_active:
                continue
            rows.append(
                [
                    variant.sku,
                    product.name,
                    slugs.get(product.category_id, ""),
                    product.unit,
                    variant.price,
                    variant.on_hand,
                    variant.options.get("ukuran", ""),
                    variant.options.get("warna", ""),
                    variant.low_stock_threshold,
                    product.min_order_qty,
                    product.weight_grams,
                    product.description,
                    product.halal_number or "",
                    product.halal_valid_until.isoformat() if product.halal_valid_until else "",
                    product.pirt_number or "",
                    product.bpom_md_number or "",
                ]
            )
    return rows


def template_rows() -> list[list[Any]]:
    """Example rows for the downloadable template (a product in two sizes and a simple one)."""
    category = (
        db.session.scalar(
            select(Category.slug).where(Category.parent_id.is_not(None)).order_by(Category.position)
        )
        or db.session.scalar(select(Category.slug).order_by(Category.position))
        or "kategori"
    )
    in_a_year = (clock.today() + timedelta(days=365)).isoformat()
    return [
        [
            "CONTOH-KRP-100",
            "Keripik Tempe Contoh",
            category,
            "bungkus",
            8000,
            20,
            "100 g",
            "",
            5,
            1,
            270,
            "Keripik tempe renyah (contoh).",
            "ID35110000000000001",
            in_a_year,
            "206351601010123",
            "",
        ],
        [
            "CONTOH-KRP-250",
            "Keripik Tempe Contoh",
            category,
            "bungkus",
            "17.500",
            10,
            "250 g",
            "",
            5,
            1,
            270,
            "Keripik tempe renyah (contoh).",
            "ID35110000000000001",
            in_a_year,
            "206351601010123",
            "",
        ],
        [
            "CONTOH-SBL-01",
            "Sambal Bawang Contoh",
            category,
            "botol",
            22000,
            15,
            "",
            "",
            3,
            1,
            250,
            "Sambal bawang pedas (contoh).",
            "",
            "",
            "206351601010124",
            "",
        ],
    ]


def write_file(rows: list[list[Any]], fmt: str) -> bytes:
    return exports.write(exports.Sheet("produk", COLUMNS, rows), fmt)


def export_file(cooperative_id: int, fmt: str) -> tuple[bytes, str]:
    """(content, file name) of the shop's products and stock."""
    cooperative = db.session.get(Cooperative, cooperative_id)
    slug = cooperative.slug if cooperative else "koperasi"
    name = f"produk-{slug}-{clock.today():%Y%m%d}.{fmt}"
    return write_file(export_rows(cooperative_id), fmt), name
